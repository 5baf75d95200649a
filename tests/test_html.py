"""The built HTML is valid (Nu Html Checker), apart from two known quirks of Material's own markup."""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

VNU = Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _material_quirk(message: dict) -> bool:
    """Material's hidden checkbox toggles carry autocomplete=off and are targets of labels."""
    extract = message.get("extract", "")
    return ("md-toggle" in extract and "autocomplete" in message["message"]) or (
        "label" in message["message"] and ('for="__' in extract or "md-search" in extract or "md-header" in extract
                                           or "md-nav" in extract or "md-tabs" in extract or "md-top" in extract
                                           or "md-overlay" in extract))


def test_html_is_valid(built_site):
    java = shutil.which("java")
    if not (java and VNU.is_file()):
        if os.environ.get("RC_REQUIRE_BROWSER"):
            pytest.fail("java and node_modules/vnu-jar are needed: run `make browser`")
        pytest.skip("java and node_modules/vnu-jar are needed: run `make browser`")
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                             str(built_site)], capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [f"{m['url'].split(str(built_site))[-1]}:{m.get('lastLine')}: {m['message']}"
              for m in messages if m["type"] == "error" and not _material_quirk(m)]
    assert errors == [], "\n".join(errors[:30])


def test_the_checker_would_report_an_error(tmp_path):
    java = shutil.which("java")
    if not (java and VNU.is_file()):
        pytest.skip("java and node_modules/vnu-jar are needed: run `make browser`")
    (tmp_path / "bad.html").write_text('<!doctype html><html lang="en"><title>x</title><p id="a" id="b">x</p>')
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert "Duplicate attribute" in result.stderr
