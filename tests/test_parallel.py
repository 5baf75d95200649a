"""Work shared among forked processes gives what one process gives: the same records and problems, the same
files in the same order, the same errors."""

from __future__ import annotations

import os
import shutil
import threading
import time

import pytest

from generator.accel import parallel
from generator.output.files import write_tree
from generator.pipeline import generate, load_site, render_files, render_tree
from generator.content.project import load_content
from generator.content.errors import ContentError


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


def test_work_beside_runs_in_another_process_and_gives_back_what_it_returned(monkeypatch):
    with parallel.beside(minimum=10) as beside:
        elsewhere = beside(os.getpid, 10)
        here = beside(os.getpid, 9)  # below the minimum: at once, in this process
        assert here() == os.getpid()
        assert elsewhere() != os.getpid()
    monkeypatch.setattr(parallel, "workers", lambda amount, minimum: 1)  # as off Linux, or beside a thread
    with parallel.beside(minimum=10) as beside:
        assert beside(os.getpid, 10)() == os.getpid()


def test_work_beside_that_fails_raises_when_waited_for():
    def work():
        raise ValueError("in the other process")
    with parallel.beside(minimum=1) as beside:
        waiting = beside(work, 1)
        with pytest.raises(ValueError, match="in the other process"):
            waiting()


def test_work_beside_is_finished_however_the_block_ends(tmp_path):
    """A build that fails while the search records are being written leaves them whole, not half written."""
    out = tmp_path / "written"

    def work():
        time.sleep(0.5)
        out.write_text("whole")
    with pytest.raises(RuntimeError, match="the block failed"):
        with parallel.beside(minimum=1) as beside:
            beside(work, 1)
            raise RuntimeError("the block failed")
    assert out.read_text() == "whole"


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
def real(fixture_project):
    project = fixture_project
    return project, load_site(project)


def test_rendering_in_processes_gives_the_same_files_in_the_same_order(real):
    one = render_files(*real, with_history=False, workers=1)
    two = render_files(*real, with_history=False, workers=2)
    assert list(one.items()) == list(two.items())


def test_a_job_another_process_renders_gets_no_context_made_here(real):
    from generator.pages.jobs import Job
    from generator.render.renderer import Renderer
    from generator.render.share import CHUNK, render_share

    class Claims:  # this process claims every other chunk of jobs
        def owns(self, piece):
            return piece % 2 == 0
    made = []
    jobs = [Job(f"themes/{n}.md", "themes", lambda n=n: made.append(n) or {}) for n in range(3 * CHUNK)]
    share = render_share(Renderer(real[1], "https://example.org/"), jobs, Claims())
    mine = [n for n in range(3 * CHUNK) if n // CHUNK != 1]
    assert made == mine and [n for n, _, _ in share] == mine
    assert [path for _, path, _ in share] == [f"themes/{n}.md" for n in mine]


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


@pytest.fixture
def two_processes(monkeypatch):
    monkeypatch.setattr(parallel, "workers", lambda amount, minimum: 2)


@pytest.fixture
def deadline():
    """Fail, rather than hang, if a forked process that should be stopped is waited for."""
    import signal

    class Hung(BaseException):  # not an Exception, which generate() would answer by checking again
        pass

    def expired(signum, frame):
        raise Hung("generate did not return within 60 s")
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_checks_beside_the_render_give_the_files_of_one_process(scratch, monkeypatch, two_processes):
    """...and the search records and parsed records, written by processes of their own beside the planning."""
    def written():
        build = scratch.root / "build"
        return {name: tree(build / name) for name in ("docs", "search", "parsed", "exports")}
    generate(scratch, with_history=False)
    two = written()
    monkeypatch.setattr(parallel, "workers", lambda amount, minimum: 1)
    shutil.rmtree(scratch.root / "build")
    generate(scratch, with_history=False)
    assert written() == two and len(two["docs"]) > 150 and two["search"] and two["parsed"]


def test_content_that_would_loop_the_render_stops_at_the_checks_with_nothing_written(scratch, two_processes,
                                                                                      deadline):
    path = scratch.content / "jurisdictions.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("    level: prefecture\n    parent: anhui\n",
                                 "    level: prefecture\n    parent: feixi\n"), encoding="utf-8")  # a loop
    with pytest.raises(ContentError) as exc:
        generate(scratch, with_history=False)  # the other process loops on hefei <-> feixi until stopped
    assert [p.message for p in exc.value.problems] == [
        "parent 'feixi' (county) is not above prefecture 'hefei'"]
    assert not (scratch.root / "build").exists()


@pytest.mark.parametrize("processes", [1, 2])
def test_content_that_breaks_the_model_is_reported_by_the_checks(scratch, monkeypatch, processes):
    monkeypatch.setattr(parallel, "workers", lambda amount, minimum: processes)
    path = scratch.content / "documents" / "feixi-health-capacity-five-aspects.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("jurisdiction: feixi", "jurisdiction: feixii"),
                    encoding="utf-8")
    with pytest.raises(ContentError) as exc:
        generate(scratch, with_history=False)
    [problem] = exc.value.problems
    assert "unknown jurisdiction 'feixii'" in problem.message and problem.line == 10
    assert not (scratch.root / "build").exists()


def test_checking_in_processes_gives_the_same_problems_in_the_same_order(scratch, monkeypatch):
    from generator.content.checks import check
    path = scratch.content / "documents" / "jiangxi-2020-h2-key-tasks.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("themes: [reform-leadership, covid-19, disease-control]", "themes: [no-such-theme]", 1)
    path.write_text(text.replace("themes: [disease-control, maternal-child-health, health-promotion]",
                                 "themes: [disease-control, no-such-theme-either]", 1), encoding="utf-8")
    loaded = load_content(scratch)
    with pytest.raises(ContentError) as one:
        check(loaded)
    monkeypatch.setattr(parallel, "workers", lambda amount, minimum: 2)
    with pytest.raises(ContentError) as shared:
        check(loaded)
    assert shared.value.problems == one.value.problems and len(one.value.problems) >= 2


def test_rules_giving_generators_work_in_a_process_too():
    import time
    from generator.content import checks
    from generator.content.errors import Problem

    def rule(n):
        def run(arg):
            time.sleep(0.03)  # long enough that the forked process takes some of the rules
            return (Problem("x.yaml", n, 1, f"problem {n}", "") for _ in range(1))
        return run
    problems = checks._run([rule(n) for n in range(1, 21)], None, 2)
    assert [p.line for p in problems] == list(range(1, 21))
