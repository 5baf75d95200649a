"""docs/fields.md, the editors' field guide, is written from the schemas and cannot drift from them."""

import json
import shutil
import subprocess
import sys

from generator.content.fields import GUIDE, guide
from generator.content.reader import load_schema_registry

from .conftest import ROOT


def test_the_guide_is_what_the_schemas_say():
    text, missing = guide(load_schema_registry(ROOT / "schema"))
    assert missing == [], f"fields without a description: {missing}"
    assert (ROOT / GUIDE).read_text(encoding="utf-8") == text, "run `make fields` and commit docs/fields.md"


def test_every_field_of_every_schema_is_in_the_guide():
    text = (ROOT / GUIDE).read_text(encoding="utf-8")
    registry = load_schema_registry(ROOT / "schema")
    for name in ("jurisdictions", "bodies", "themes"):
        item = registry[f"{name}.schema.json"]["properties"][name]["items"]
        for key in item["properties"]:
            assert f"| `{name}[].{key}` |" in text, (name, key)
    document = registry["document.schema.json"]
    for key in document["properties"]:
        assert f"| `{key}` |" in text, key
    for key in document["$defs"]["task"]["properties"]:
        assert f"| `tasks[].{key}` |" in text, key
    for key in document["$defs"]["indicator"]["properties"]:
        assert f"| `tasks[].indicators[].{key}` |" in text, key


def test_the_contributing_guide_links_the_field_guide():
    assert "](docs/fields.md)" in (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_check_fails_when_a_description_changes_or_is_missing(scratch):
    (scratch.root / "docs").mkdir()
    shutil.copyfile(ROOT / GUIDE, scratch.root / GUIDE)
    command = [sys.executable, "-m", "generator", "--root", str(scratch.root), "fields", "--check"]
    assert subprocess.run(command, capture_output=True, text=True).returncode == 0
    path = scratch.schema / "themes.schema.json"
    schema = json.loads(path.read_text(encoding="utf-8"))
    schema["properties"]["themes"]["items"]["properties"]["title"]["description"] = "Changed."
    path.write_text(json.dumps(schema), encoding="utf-8")
    changed = subprocess.run(command, capture_output=True, text=True)
    assert changed.returncode == 1 and "docs/fields.md differs" in changed.stderr and "make fields" in changed.stderr
    del schema["properties"]["themes"]["items"]["properties"]["title"]["description"]
    path.write_text(json.dumps(schema), encoding="utf-8")
    missing = subprocess.run(command, capture_output=True, text=True)
    assert missing.returncode == 1 and "schema/themes.schema.json: themes[].title has no description" in missing.stderr
