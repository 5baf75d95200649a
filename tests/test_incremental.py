"""A rebuild after an edit renders again only what the edit may change (output/keys.py, pages/reads.py), and
gives, file for file, the bytes of a clean build: each kind of edit an editor makes, on documents of every
position (with documents above, below, before or after it), on the fixture corpus and on one at scale."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.content.project import Project
from generator.pipeline import generate, load_site
from generator.search import records
from generator.search.records import search_files
from tests.bench import synthesise
from tests.conftest import copy_project


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def retitle_task(text: str) -> str:
    return re.sub(r"^(    title: .*)$", r"\1 (edited)", text, count=1, flags=re.M)


def retitle_document(text: str) -> str:
    return re.sub(r"^(title: .*)$", r"\1 (edited)", text, count=1, flags=re.M)


def rethemed(site):
    """The first task's themes replaced by one theme it does not have."""
    def edit(text: str) -> str:
        line = re.search(r"^    themes: \[([^\]]*)\]$", text, re.M)
        theme = next(t.id for t in reversed(site.themes) if t.id not in line.group(1).split(", "))
        return text[:line.start()] + f"    themes: [{theme}]" + text[line.end():]
    return edit


def add_task(text: str) -> str:
    """A copy of the last task under a new id: the edit that adds a page."""
    starts = [m.start() for m in re.finditer(r"^  - id: ", text, re.M)]
    tail = text[starts[-1]:]
    assert not re.search(r"^\S", tail, re.M), "tasks: is not the last key of this record"
    copy = re.sub(r"^  - id: (\S+)", r"  - id: \1-copy", tail, count=1, flags=re.M)
    return text.rstrip("\n") + "\n" + retitle_task(copy)


def picks(project: Project) -> dict[str, str]:
    """Documents in each position: carried out by others, carrying out another, following another, and one
    whose tasks end the record (so that a task can be added)."""
    site = load_site(project)
    out = {}
    for doc in site.documents:
        if any(t.key in site.implemented_by for t in doc.tasks):
            out.setdefault("above", doc.id)
        if any(t.implements for t in doc.tasks):
            out.setdefault("below", doc.id)
        if doc.follows:
            out.setdefault("later", doc.id)
        if not doc.tasks[-1].indicators:
            out.setdefault("added to", doc.id)
    return out


def edit_file(path: Path, edit) -> None:
    text = path.read_text(encoding="utf-8")
    changed = edit(text)
    assert changed != text, f"the edit changed nothing in {path.name}"
    path.write_text(changed, encoding="utf-8")


def check_edits(project: Project, tmp: Path, edits: list[tuple[str, object]]) -> list[int]:
    """Apply each edit in turn; after each, the incremental build of build/docs equals a clean one.
    Returns the files rendered again by each rebuild."""
    timings: dict = {}
    generate(project, with_history=False, timings=timings)
    rendered = []
    for n, (file, edit) in enumerate(edits):
        edit_file(project.root / "content" / file, edit)
        timings = {}
        generate(project, with_history=False, timings=timings)
        rendered.append(timings["rendered"])
        clean = tmp / f"clean-{n}" / "docs"
        generate(project, with_history=False, out_dir=clean)
        assert tree(project.root / "build" / "docs") == tree(clean), f"after edit {n} of {file}"
        fresh = search_files(load_site(project))  # the search records, every part made anew
        assert tree(project.root / "build" / "search") == fresh, f"search records after edit {n} of {file}"
    return rendered


def document_edits(project: Project) -> list[tuple[str, object]]:
    site = load_site(project)
    chosen = picks(project)
    assert {"above", "below", "later", "added to"} <= set(chosen), chosen
    edits = []
    for role, doc_id in sorted(chosen.items()):
        file = f"documents/{doc_id}.yaml"
        edits += [(file, retitle_task), (file, retitle_document), (file, rethemed(site))]
        if role == "added to":
            edits.append((file, add_task))
    return edits


def test_a_rebuild_after_each_edit_gives_the_bytes_of_a_clean_build(tmp_path, monkeypatch):
    monkeypatch.setattr(records, "SHARD_TASKS", 30)  # the search records in parts, as at scale
    project = copy_project(tmp_path / "project")
    edits = document_edits(project) + [("themes.yaml", retitle_task)]  # a theme's title: a site-wide file
    check_edits(project, tmp_path, edits)


@pytest.fixture(scope="module")
def at_scale(tmp_path_factory) -> Project:
    root = tmp_path_factory.mktemp("scale") / "project"
    synthesise(root, 1000, git=False)
    return Project(root)


def test_at_scale_a_rebuild_renders_a_few_files_and_gives_the_bytes_of_a_clean_build(at_scale, tmp_path):
    site = load_site(at_scale)
    county = next(d for d in reversed(site.documents) if site.jurisdiction[d.jurisdiction].level == "county")
    province = next(d for d in site.documents if site.jurisdiction[d.jurisdiction].level == "province")
    edits = [(f"documents/{county.id}.yaml", retitle_task), (f"documents/{county.id}.yaml", rethemed(site)),
             (f"documents/{province.id}.yaml", retitle_task)]
    rendered = check_edits(at_scale, tmp_path, edits)
    files = sum(1 for p in (at_scale.root / "build" / "docs").rglob("*") if p.is_file())
    # A county's task title: its pages and the lists naming it, and the pages of the whole site (themes, lists and
    # exports: 91 of the 1,692 files at this scale, a smaller share at larger ones).
    assert rendered[0] < files / 5, (rendered, files)
    assert rendered[0] < rendered[2], rendered  # a province's document is read by more pages than a county's


def test_the_exports_make_again_only_the_parts_whose_key_changed(tmp_path, monkeypatch):
    """documents.json, tasks.json, tasks.csv and indicators.csv are made of one part a document (output/export.py
    Parts): kept by key between builds, made again for a changed key, the same bytes as made whole."""
    from generator.content.reader import load_schema_registry
    from generator.output import export
    project = copy_project(tmp_path / "project")
    site = load_site(project)
    schemas = load_schema_registry(project.schema)
    whole = {f.name: f.make() for f in export.data_files(site, "https://x.test/", schemas)}
    parts = export.Parts(tmp_path / "exports")
    parts.keys = {doc.id: "one" for doc in site.documents}
    first = {f.name: f.make() for f in export.data_files(site, "https://x.test/", schemas, parts)}
    assert first == whole and len(list((tmp_path / "exports").glob("*.parts"))) == 4
    made = []
    real = export.task_record
    monkeypatch.setattr(export, "task_record", lambda s, t, u: made.append(t.doc) or real(s, t, u))
    edited = site.documents[1]
    parts.keys[edited.id] = "two"
    again = {f.name: f.make() for f in export.data_files(site, "https://x.test/", schemas, parts)}
    assert again == whole
    assert made == [edited.id] * len(edited.tasks)  # the other documents' tasks were kept


def test_an_exports_parts_file_cut_short_or_of_another_version_keeps_nothing(tmp_path):
    """A build killed while writing it, or one of an earlier version, leaves every part to be made again."""
    from generator.output.export import Parts
    path = tmp_path / "tasks.csv.parts"
    kept = {"china-2020": ("k1", "第一,行\r\n"), "jiangxi-2021": ("k2", ""), "feixi-2021": ("k3", '{"a": "\\n"}')}
    Parts.write(path, kept)
    assert Parts.read(path) == kept
    whole = path.read_bytes()
    for cut in (len(whole) - 1, len(whole) - 3, whole.index(b"\n"), 5):
        path.write_bytes(whole[:cut])
        assert Parts.read(path) == {}, cut
    path.write_bytes(whole.replace(b'"version":2', b'"version":1', 1))
    assert Parts.read(path) == {}
