"""Parsed content kept between builds (generator/content/parsed.py): a file is parsed again only when its text
changed, the data is what a fresh parse gives, and nothing is kept before the checks pass."""

from __future__ import annotations

import subprocess

import pytest

from generator.content import project as project_module
from generator.content.errors import ContentError
from generator.content.project import load_content
from generator.pipeline import generate
from tests.conftest import copy_project
from tests.test_incremental import retitle_task


@pytest.fixture()
def counted(monkeypatch):
    """The files parse_yaml parses (by their shown path), in this process."""
    seen: list[str] = []
    real = project_module.parse_yaml
    monkeypatch.setattr(project_module, "parse_yaml", lambda text, display, *a: seen.append(display) or
                        real(text, display, *a))
    monkeypatch.setattr(project_module, "PARALLEL_MIN_FILES", 10 ** 6)  # in this process, where it is counted
    return seen


def _data(loaded):
    return [raw.data for raw in (loaded.jurisdictions, loaded.bodies, loaded.themes, *loaded.documents)]


def test_a_build_parses_only_the_files_whose_text_changed(tmp_path, counted):
    project = copy_project(tmp_path / "project")
    generate(project, with_history=False)
    files = len(counted)
    assert files > 3 and len(list((project.root / "build" / "parsed").glob("*.json"))) == files
    counted.clear()
    assert _data(load_content(project)) == _data(project_module.load_content(project, {}))
    assert counted == []
    doc = sorted((project.content / "documents").glob("*.yaml"))[0]
    doc.write_text(retitle_task(doc.read_text(encoding="utf-8")), encoding="utf-8")
    generate(project, with_history=False)
    assert counted == [f"content/documents/{doc.name}"]
    counted.clear()
    edited = next(raw for raw in load_content(project).documents if raw.path.endswith(doc.name))
    assert counted == [] and edited.data["tasks"][0]["title"].endswith("(edited)")
    assert len(list((project.root / "build" / "parsed").glob("*.json"))) == files  # the old entry is gone


def test_nothing_is_kept_when_the_content_fails_its_checks(tmp_path):
    project = copy_project(tmp_path / "project")
    doc = sorted((project.content / "documents").glob("*.yaml"))[0]
    doc.write_text(doc.read_text(encoding="utf-8").replace("tasks:", "tasks:\n  - {}", 1), encoding="utf-8")
    with pytest.raises(ContentError):
        generate(project, with_history=False)
    assert not (project.root / "build" / "parsed").exists()


def test_a_damaged_entry_is_parsed_again(tmp_path, counted):
    project = copy_project(tmp_path / "project")
    generate(project, with_history=False)
    entries = sorted((project.root / "build" / "parsed").glob("*.json"))
    entries[0].write_text("{not json", encoding="utf-8")
    counted.clear()
    load_content(project)
    assert len(counted) == 1


def test_entries_are_not_used_when_git_tracks_the_build_folder(tmp_path, counted):
    """A pull request could bring entries that do not hold what their files say."""
    project = copy_project(tmp_path / "project")
    generate(project, with_history=False)
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    subprocess.run(["git", "add", "-f", "build/parsed"], cwd=project.root, check=True)
    counted.clear()
    load_content(project)
    assert len(counted) == len(list((project.root / "build" / "parsed").glob("*.json")))


def test_the_exports_parts_and_search_records_are_made_anew_when_git_tracks_the_build_folder(tmp_path):
    """They are kept between builds by key alone (output/export.py Parts, search/records.py): parts a pull
    request planted under build/ with the right keys are not used."""
    from generator.output import export
    project = copy_project(tmp_path / "project")
    generate(project, with_history=False)
    build = project.root / "build"
    planted = build / "exports" / "tasks.json.parts"
    kept = export.Parts.read(planted)
    assert kept
    export.Parts.write(planted, {doc_id: (key, '{"planted": true}') for doc_id, (key, _) in kept.items()})
    record = sorted(p for p in (build / "search").glob("*.json") if p.name != "site.json")[0]
    honest = record.read_bytes()
    record.write_text('{"records": [["tasks/planted/", "<p>planted</p>"]]}', encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=project.root, check=True)
    subprocess.run(["git", "add", "-f", "build/exports", "build/search"], cwd=project.root, check=True)
    generate(project, with_history=False)
    assert b"planted" not in (build / "docs" / "data" / "tasks.json").read_bytes()
    assert record.read_bytes() == honest


def test_only_files_parsed_again_are_validated_against_the_schemas(tmp_path, monkeypatch):
    """A file whose data came from build/parsed passed the schemas in the build that kept it; an edited file is
    validated, and its schema problem is reported."""
    from generator.content import checks
    project = copy_project(tmp_path / "project")
    generate(project, with_history=False)
    validated: list[str] = []
    real = checks.compiled_validators

    def counting(registry):
        return {name: (lambda data, check=check, name=name: validated.append(name) or check(data))
                for name, check in real(registry).items()}
    monkeypatch.setattr(checks, "compiled_validators", counting)
    checks.check(load_content(project))
    assert validated == []
    doc = sorted((project.content / "documents").glob("*.yaml"))[0]
    doc.write_text(retitle_task(doc.read_text(encoding="utf-8")), encoding="utf-8")
    checks.check(load_content(project))
    assert validated == ["document"]
    validated.clear()
    doc.write_text(doc.read_text(encoding="utf-8").replace("tasks:", "tasks:\n  - {}", 1), encoding="utf-8")
    with pytest.raises(ContentError) as failed:
        checks.check(load_content(project))
    assert validated == ["document"] and doc.name in failed.value.report()
