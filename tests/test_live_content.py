"""The live content under content/: what must hold for every record, whatever the editors add.

These tests name no record and count nothing, so adding, editing or removing a document, body, alias,
theme or jurisdiction needs no change under tests/. Tests of the code use the fixture corpus instead.
The last test proves it: a copy of the project gains a document, a body and an alias, and these tests pass.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from generator.content.project import Project
from generator.model.coverage import site_coverage
from generator.pipeline import load_site, render_files

from .conftest import ROOT, assert_exports_keep_every_field, copy_project, read_yaml

LIVE_ROOT = "RC_LIVE_ROOT"  # where the self-test points these tests at its copy


@pytest.fixture(scope="module")
def project(live: Project) -> Project:
    return Project(Path(os.environ[LIVE_ROOT])) if os.environ.get(LIVE_ROOT) else live


@pytest.fixture(scope="module")
def site(project):
    return load_site(project)  # schema, references, verbatim quotes: raises ContentError with every problem


@pytest.fixture(scope="module")
def files(project, site):
    return render_files(project, site, with_history=False)


def test_every_content_file_declares_its_schema(project):
    for path in sorted(project.content.rglob("*.yaml")):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), path
        schema = (path.parent / first.split("=", 1)[1]).resolve()
        assert schema.is_file(), path


def test_every_source_belongs_to_one_document(project, site):
    used = [d.source_file for d in site.documents]
    assert len(used) == len(set(used)), "two documents share a source file"
    stored = {p.name for p in (project.content / "sources").glob("*.txt")}
    assert stored == set(used), f"sources no document uses: {sorted(stored - set(used))}"


def test_every_passage_of_every_source_is_quoted_or_noted(site):
    for cov in site_coverage(site):
        assert cov.uncovered == [], (cov.document, cov.uncovered[:3])


def test_every_task_has_a_theme_and_a_quote(site):
    for task in site.all_tasks:
        assert task.themes and task.quotes, task.key


def test_aliases_and_short_names_name_one_body_each(site):
    owners = {}
    for b in site.bodies:
        for name in (b.name, *b.aliases, *b.short_names):  # site search sends each name to one body
            assert owners.setdefault(" ".join(name.lower().split()), b.id) == b.id, name


def test_one_page_per_document_task_theme_body_and_jurisdiction(site, files):
    for doc in site.documents:
        assert f"documents/{doc.id}/index.md" in files and f"documents/{doc.id}/source.md" in files, doc.id
    for task in site.all_tasks:
        assert f"tasks/{task.doc}/{task.id}.md" in files, task.key
    for kind, items in (("themes", site.themes), ("bodies", site.bodies), ("jurisdictions", site.jurisdictions)):
        for item in items:
            assert f"{kind}/{item.id}.md" in files, (kind, item.id)


def test_exports_lose_no_field_of_any_task(project, files):
    documents = sorted((project.content / "documents").glob("*.yaml"))
    assert len(json.loads(files["data/tasks.json"])) == sum(
        len(read_yaml(p)["tasks"]) for p in documents)
    assert_exports_keep_every_field(files["data/tasks.json"], project.content / "documents")


def test_exports_list_every_document_and_indicator(site, files):
    documents = json.loads(files["data/documents.json"])
    assert sorted(d["id"] for d in documents) == sorted(d.id for d in site.documents)
    rows = files["data/indicators.csv"].decode("utf-8-sig").splitlines()[1:]
    assert len(rows) == sum(len(t.indicators) for t in site.all_tasks)


# --------------------------------------------------------------------------- an editor's pull request

NEW_SOURCE = ("Key tasks of the Test Province health office for 2031.\n"
              "The Provincial Test Health Office will open 12 village clinics by the end of 2031.\n"
              "The TPHO and the {alias} will train rural doctors.\n")


def _dump(path: Path, data: dict) -> None:
    """Write a content file as editors keep it: the schema comment first."""
    first = path.read_text(encoding="utf-8").splitlines()[0] if path.exists() else \
        "# yaml-language-server: $schema=../../schema/document.schema.json"
    path.write_text(first + "\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def add_a_document(project: Project) -> None:
    """What an editor's pull request adds: a jurisdiction, a body, an alias of a body already there, and a
    document with two tasks quoting its own source (written here; it describes no real document)."""
    content = project.content
    jurisdictions = read_yaml(content / "jurisdictions.yaml")
    national = next((j["id"] for j in jurisdictions["jurisdictions"] if j["level"] == "national"), None)
    jurisdictions["jurisdictions"].append({"id": "test-province", "name": "Test Province", "level": "province",
                                           **({"parent": national} if national else {})})
    _dump(content / "jurisdictions.yaml", jurisdictions)
    bodies = read_yaml(content / "bodies.yaml")
    other = bodies["bodies"][0]
    alias = f"{other['name']} Test Alias"
    other.setdefault("aliases", []).append(alias)
    bodies["bodies"].append({"id": "test-province-health-office", "name": "Provincial Test Health Office",
                             "aliases": ["TPHO"], "level": "province", "jurisdiction": "test-province"})
    _dump(content / "bodies.yaml", bodies)
    theme = read_yaml(content / "themes.yaml")["themes"][0]["id"]
    source = NEW_SOURCE.format(alias=alias)
    (content / "sources" / "test-province-2031-key-tasks.txt").write_text(source, encoding="utf-8")
    lines = source.splitlines()
    def office():  # a fresh list each time: yaml.safe_dump would write a shared one as an anchor
        return [{"body": "test-province-health-office", "role": "lead"}]
    _dump(content / "documents" / "test-province-2031-key-tasks.yaml", {
        "id": "test-province-2031-key-tasks", "title": "Key tasks of the Test Province health office for 2031",
        "jurisdiction": "test-province", "issuer": ["test-province-health-office"], "kind": "key-tasks",
        "issued": "unknown", "period": {"start": "2031", "end": "2031"},
        "source": {"file": "test-province-2031-key-tasks.txt", "language": "en", "excerpt": False},
        "notes": [{"quote": lines[0], "reason": "The title."}],
        "tasks": [
            {"id": "open-village-clinics", "title": "Open 12 village clinics", "section": "Tasks",
             "quote": lines[1], "themes": [theme], "bodies": office(), "bodies_quote": "The Provincial Test Health Office",
             "indicators": [{"id": "village-clinics", "measure": "Village clinics opened", "value": 12,
                             "unit": "clinics", "comparator": "=", "deadline": "2031-12", "quote": lines[1]}]},
            {"id": "train-rural-doctors", "title": "Train rural doctors", "section": "Tasks", "quote": lines[2],
             "themes": [theme], "bodies": office() + [{"body": other["id"], "role": "lead"}],
             "bodies_quote": f"The TPHO and the {alias}"},
        ]})


def test_an_editors_new_document_body_and_alias_pass_these_tests(tmp_path):
    if os.environ.get(LIVE_ROOT):
        pytest.skip("this run is the self-test's own")
    project = copy_project(tmp_path / "project", content=ROOT / "content")
    add_a_document(project)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(Path(__file__))], cwd=ROOT, env=dict(os.environ, **{LIVE_ROOT: str(project.root)}),
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "1 skipped" in result.stdout
