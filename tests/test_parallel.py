"""Work shared among forked processes gives what one process gives: the same records and problems, the same
files in the same order, the same errors."""

from __future__ import annotations

import os
import threading

import pytest

from generator import parallel
from generator.build import load_site, render_files, render_tree, write_tree
from generator.content import Project, load_content
from generator.errors import ContentError

from .conftest import ROOT


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_every_piece_is_done_once_and_results_come_back_in_order():
    claims = parallel.Claims(2)
    shares = parallel.in_processes(lambda: [n for n in range(500) if claims.owns(n // 7)], 2)
    assert sorted(n for share in shares for n in share) == list(range(500))
    pids = parallel.in_processes(os.getpid, 2)
    assert pids[0] == os.getpid() and pids[1] != os.getpid()


def test_an_error_in_a_forked_process_is_raised_here():
    parent = os.getpid()

    def work():
        if os.getpid() != parent:
            raise ValueError("in the other process")
        return 1
    with pytest.raises(ValueError, match="in the other process"):
        parallel.in_processes(work, 2)


def test_no_fork_beside_another_thread():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.workers(10**6, 1) == 1  # as in `mkdocs serve`: a fork could copy a held lock
    finally:
        stop.set()
        thread.join()


@pytest.fixture(scope="module")
def real():
    project = Project(ROOT)
    return project, load_site(project)


def test_rendering_in_processes_gives_the_same_files_in_the_same_order(real):
    one = render_files(*real, with_history=False, workers=1)
    two = render_files(*real, with_history=False, workers=2)
    assert list(one.items()) == list(two.items())


def test_a_page_another_process_renders_gets_no_context_made_here(real):
    from generator.build import _ShareRenderer

    class NoneMine:
        def owns(self, piece):
            return False
    made = []
    renderer = _ShareRenderer(real[1], "https://example.org/", NoneMine())
    page = renderer.render_with("task", "tasks/a/b.md", lambda: made.append(1) or {})
    assert page.path == "tasks/a/b.md" and page.text == "" and not made


def test_render_tree_writes_what_write_tree_writes(real, tmp_path):
    for out in (tmp_path / "one", tmp_path / "two"):  # a stale file and a changed one
        (out / "tasks" / "gone").mkdir(parents=True)
        (out / "tasks" / "gone" / "old.md").write_text("old", encoding="utf-8")
        (out / "index.md").write_text("changed", encoding="utf-8")
    counts = write_tree(tmp_path / "one", render_files(*real, with_history=False, workers=1))
    assert render_tree(*real, tmp_path / "two", with_history=False, workers=2) == counts
    assert counts[1] == 1 and not (tmp_path / "two" / "tasks" / "gone").exists()
    assert tree(tmp_path / "one") == tree(tmp_path / "two")
    assert render_tree(*real, tmp_path / "two", with_history=False, workers=2) == (0, 0)


def test_loading_in_processes_gives_the_same_records_and_problems(scratch, monkeypatch):
    alone = load_content(scratch)
    monkeypatch.setattr(parallel, "workers", lambda amount, minimum: 2)
    assert load_content(scratch) == alone
    for name in ("feixi-health-capacity-five-aspects", "jiangxi-2020-h2-key-tasks"):
        path = scratch.content / "documents" / f"{name}.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "x: [\n", encoding="utf-8")
    with pytest.raises(ContentError) as shared:
        load_content(scratch)
    monkeypatch.undo()
    with pytest.raises(ContentError) as one:
        load_content(scratch)
    assert shared.value.problems == one.value.problems and len(one.value.problems) == 2
