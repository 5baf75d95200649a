"""A build after an edit renders only the pages that depend on it, and gives the same bytes as a clean build."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from generator.pipeline import generate
from generator.content.project import Project


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _same_as_clean(project: Project, record: dict) -> None:
    """The incremental build's folder equals a clean build's, file for file and byte for byte."""
    clean = project.root / "build" / "clean" / "docs"
    generate(project, with_history=False, out_dir=clean)
    ours, theirs = _tree(project.root / "build" / "docs"), _tree(clean)
    assert sorted(ours) == sorted(theirs)
    different = [path for path in ours if ours[path] != theirs[path]]
    assert not different, f"differs from a clean build: {different[:5]}"
    assert record["rendered"] < len([p for p in theirs if p.endswith(".md")])  # it did not render every page


def _edit(path: Path, pattern: str, repl: str) -> None:
    text = path.read_text(encoding="utf-8")
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1, pattern
    path.write_text(new, encoding="utf-8")


EDITS = {
    "task title": (r"^(  - id: .*\n    title: .*)$", r"\1 (revised)"),
    "main theme": (r"^(    themes: \[)[a-z0-9-]+", r"\1commercial-insurance"),
    "one task fewer": (r"^  - id: (?:(?!\n  - id: ).)*\n(?=  - id: )", ""),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_edit_to_one_document_rebuilds_only_its_pages_with_clean_bytes(scratch, edit):
    generate(scratch, with_history=False)
    path = scratch.content / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
    pattern, repl = EDITS[edit]
    if edit == "one task fewer":  # a task no other document implements
        text = path.read_text(encoding="utf-8")
        start = text.index("  - id: ", text.index("tasks:"))
        second = text.index("\n  - id: ", start) + 1
        path.write_text(text[:start] + text[second:], encoding="utf-8")
    else:
        _edit(path, pattern, repl)
    record: dict = {}
    generate(scratch, with_history=False, record=record)
    assert record["written"]  # the edit reached the pages
    _same_as_clean(scratch, record)


def test_a_source_text_edit_rebuilds_its_document(scratch):
    generate(scratch, with_history=False)
    source = scratch.content / "sources" / "jiangxi-2020-h2-key-tasks.txt"
    source.write_bytes(source.read_bytes() + b"\nA closing line the report adds.\n")
    record: dict = {}
    generate(scratch, with_history=False, record=record)
    assert "documents/jiangxi-2020-h2-key-tasks/source.md" in record["written"]
    _same_as_clean(scratch, record)


def test_other_changes_render_every_page(scratch):
    generate(scratch, with_history=False)
    bodies = scratch.content / "bodies.yaml"
    bodies.write_text(bodies.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # a body file, not a document
    record: dict = {}
    generate(scratch, with_history=False, record=record)
    assert record["rendered"] == len([p for p in _tree(scratch.root / "build" / "docs") if p.endswith(".md")])


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """40 documents (the bench's 1,000-task corpus), generated once; each test works on a copy."""
    from tests.bench import synthesise
    root = tmp_path_factory.mktemp("corpus") / "project"
    synthesise(root, 1000, git=False)
    generate(Project(root), with_history=False)
    return root


@pytest.mark.parametrize("edit", ["task title", "main theme"])
@pytest.mark.parametrize("which", ["first", "middle"])
def test_at_scale_an_edit_gives_clean_bytes(corpus, tmp_path, edit, which):
    """The first document's tasks are the related tasks of many others, so the pages that showed an edited
    task and no longer do must be found too; a document in the middle is linked from few pages."""
    root = tmp_path / "project"
    shutil.copytree(corpus, root, symlinks=True)
    project = Project(root)
    docs = sorted((project.content / "documents").glob("c*.yaml"))
    _edit(docs[0] if which == "first" else docs[len(docs) // 2], *EDITS[edit])
    record: dict = {}
    generate(project, with_history=False, record=record)
    _same_as_clean(project, record)
    if which == "middle":
        pages = len([p for p in _tree(root / "build" / "docs") if p.endswith(".md")])
        assert record["rendered"] < pages / 5
