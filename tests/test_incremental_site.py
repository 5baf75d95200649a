"""`make site` after an edit builds only the changed pages (generator/accel/incremental.py) and gives, file
for file, the site a clean build gives; a change of the site's shape takes a full build, and a failed
incremental build leaves site/ as it was."""

from __future__ import annotations

import os
import re

import pytest

from generator import pipeline
from generator.pipeline import BuildFailed, build_site
from tests.conftest import copy_project
from generator.pipeline import load_site
from tests.test_incremental import add_task, edit_file, picks, rethemed, retitle_document, retitle_task, tree


def test_each_edit_builds_only_its_pages_and_gives_the_clean_site(tmp_path, monkeypatch):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    project = copy_project(tmp_path / "project")
    site = load_site(project)
    chosen = picks(project)
    edits = [(chosen["above"], retitle_task, True), (chosen["below"], rethemed(site), True),
             (chosen["later"], retitle_document, True), (chosen["added to"], add_task, False)]
    out = tmp_path / "site"
    build_site(project, out)
    full = pipeline._mkdocs_build
    for n, (doc, edit, partial) in enumerate(edits):
        edit_file(project.root / "content" / "documents" / f"{doc}.yaml", edit)
        if partial:
            monkeypatch.setattr(pipeline, "_mkdocs_build", _refuse)
        build_site(project, out)
        monkeypatch.setattr(pipeline, "_mkdocs_build", full)
        clean = tmp_path / f"clean-{n}"
        build_site(project, clean)
        assert tree(out) == tree(clean), f"edit {n} of {doc}"
        build_site(project, out)  # the manifest is the clean build's now: a full build, then partial again


def _refuse(*args, **kwargs):
    raise AssertionError("a full MkDocs build was run where the changed pages would do")


def test_a_failed_partial_build_leaves_the_site_as_it_was(tmp_path, monkeypatch):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    project = copy_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(project, out)
    before = tree(out)
    edit_file(project.root / "content" / "documents" / f"{picks(project)['above']}.yaml", retitle_task)
    from generator.accel import incremental

    def broken(*args, **kwargs):
        raise RuntimeError("the theme broke")
    monkeypatch.setattr(incremental, "_stage_bundle", broken)
    with pytest.raises(BuildFailed, match="the theme broke"):
        build_site(project, out)
    assert tree(out) == before


def test_an_edit_indexes_again_only_the_part_of_the_index_it_is_in(tmp_path, monkeypatch):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from generator.search import index, records
    monkeypatch.setattr(records, "SHARD_TASKS", 30)  # the fixture's tasks in several parts, as at scale
    project = copy_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(project, out)
    parts = sorted(p.name for p in (out / "pagefind").iterdir() if (p / "pagefind-entry.json").is_file())
    assert len(parts) > 2, parts
    indexed = []
    real = index.part_files
    monkeypatch.setattr(index, "part_files", lambda name, *a, **k: indexed.append(name) or real(name, *a, **k))
    monkeypatch.setattr(pipeline, "_mkdocs_build", _refuse)
    from generator.accel import incremental
    staged, stage = [], incremental._stage_bundle
    monkeypatch.setattr(incremental, "_stage_bundle", lambda *a: staged.append(a[4]) or stage(*a))
    doc = picks(project)["below"]
    edit_file(project.root / "content" / "documents" / f"{doc}.yaml", retitle_task)
    build_site(project, out)
    names = records.shard_names(load_site(project))
    assert indexed == [records.shard_of(doc, names)]  # once: made while the pages were rendered, then used
    assert len(staged) == 1 and staged[0] is not None
    monkeypatch.setattr(pipeline, "_mkdocs_build", _full)
    clean = tmp_path / "clean"
    build_site(project, clean)
    assert tree(out) == tree(clean)


_full = pipeline._mkdocs_build


def test_an_edit_that_changes_most_pages_takes_the_full_build(tmp_path, monkeypatch):
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    from generator.accel import incremental
    project = copy_project(tmp_path / "project")
    out = tmp_path / "site"
    build_site(project, out)
    before = incremental.docs_state(project.root / "build" / "docs")
    runs = []
    monkeypatch.setattr(pipeline, "_mkdocs_build", lambda *a, **k: runs.append(1) or _full(*a, **k))
    for path in sorted((project.root / "content" / "documents").glob("*.yaml")):  # every task's title
        edit_file(path, lambda text: re.sub(r"^(    title: .*)$", r"\1 (edited)", text, flags=re.M))
    build_site(project, out)
    after = incremental.docs_state(project.root / "build" / "docs")
    pages = [rel for rel in after if rel.endswith(".md")]
    assert sum(1 for rel in pages if before[rel] != after[rel]) * 2 > len(pages)  # more than the processes' share
    assert runs == [1]
    clean = tmp_path / "clean"
    build_site(project, clean)
    assert tree(out) == tree(clean)
