"""Builds that cannot collide or half-finish: two at once, Ctrl-C, kill -9, any umask, an unwritable build/.

Each test runs `python -m generator build` in a subprocess on its own copy of a built fixture project.
"""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator import pipeline
from generator.accel import incremental
from generator.content.project import Project
from generator.search.records import MAIN

from .conftest import copy_project
from .test_build_safety import leftovers, tree

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": "1600000000", "PYTHONDONTWRITEBYTECODE": "1"}
GUARD = 600  # seconds: only so that a hang fails


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("processes")
    project = copy_project(base / "project")
    assert build(project.root).returncode == 0
    return base


@pytest.fixture
def project(built, tmp_path) -> Path:
    shutil.copytree(built, tmp_path / "copy", symlinks=True)
    return tmp_path / "copy" / "project"


def start(root: Path, umask: int | None = None) -> subprocess.Popen:
    def as_from_a_terminal() -> None:
        # A shell's background job ignores SIGINT, and the build would inherit that: a terminal's does not.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        if umask is not None:
            os.umask(umask)
    return subprocess.Popen([sys.executable, "-m", "generator", "--root", str(root), "build"], cwd=root, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=as_from_a_terminal)


def build(root: Path, umask: int | None = None) -> subprocess.CompletedProcess:
    child = start(root, umask)
    out, err = child.communicate(timeout=GUARD)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def paused_mkdocs(build: subprocess.Popen) -> int:
    """The build's MkDocs process, found as soon as it starts and stopped (SIGSTOP to its own process group):
    whatever the speed of the machine, the build is then certainly in its MkDocs step when the test acts."""
    deadline = time.monotonic() + GUARD
    while True:
        for pid in children(build.pid):
            if b"mkdocs" in cmdline(pid):
                os.killpg(pid, signal.SIGSTOP)
                return pid
        assert build.poll() is None, "the build ended before its MkDocs step began"
        assert time.monotonic() < deadline
        time.sleep(0.01)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            stat_line = (entry / "stat").read_text()
        except (OSError, ValueError):
            continue
        if int(stat_line.rsplit(")", 1)[1].split()[1]) == pid:  # the field after the state: the parent
            found.append(int(entry.name))
    return found


def cmdline(pid: int) -> bytes:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes()
    except OSError:
        return b""


def resume_once_told_to_stop(pid: int) -> None:
    """Continue a stopped MkDocs once the build has sent it SIGTERM (pending while it is stopped), so that the
    build's own stopping of it is what ends it."""
    deadline = time.monotonic() + GUARD
    while not pending(pid) & (1 << (signal.SIGTERM - 1)):
        assert time.monotonic() < deadline, "the build never stopped its MkDocs step"
        time.sleep(0.01)
    os.killpg(pid, signal.SIGCONT)


def pending(pid: int) -> int:
    for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
        if line.startswith("ShdPnd:"):
            return int(line.split()[1], 16)
    return 0


def full_build_next(root: Path) -> None:
    """The next build is a whole one, with MkDocs in a process of its own, however small the edit."""
    incremental.forget(root / "build")


def change_content(root: Path) -> None:
    path = root / "content" / "themes.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("title: ", "title: Changed ", 1), encoding="utf-8")


def test_two_builds_at_once_both_succeed_one_after_the_other(project):
    first = start(project)
    time.sleep(0.3)
    second = build(project)
    out, err = first.communicate(timeout=GUARD)
    for code, stderr in ((first.returncode, err), (second.returncode, second.stderr)):
        assert code == 0, stderr
        assert "Traceback" not in stderr
    assert "another build of this project is running; waiting for it to finish" in err + second.stderr
    assert (project / "site" / "index.html").is_file() and (project / "site" / "sitemap.xml").is_file()
    assert leftovers(project) == []


def test_ctrl_c_prints_one_line_and_leaves_no_temporary_folder(project):
    before = tree(project / "site")
    change_content(project)
    full_build_next(project)
    child = start(project)
    mkdocs = paused_mkdocs(child)
    os.killpg(child.pid, signal.SIGINT)  # as the terminal does: the whole foreground group
    resume_once_told_to_stop(mkdocs)
    _, err = child.communicate(timeout=GUARD)
    assert child.returncode == 130
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert err.rstrip().splitlines()[-1] == ("interrupted: build stopped; its temporary folders are removed; "
                                             "site/ is as it was")
    assert leftovers(project) == []
    assert tree(project / "site") == before


def test_ctrl_c_while_a_step_starts_stops_that_step_too(tmp_path, monkeypatch):
    """A Ctrl-C that lands inside subprocess.Popen, after its fork, must not leave the new process running."""
    started = []
    real = subprocess.Popen

    def popen_then_ctrl_c(*args, **kwargs):
        child = real(*args, **kwargs)
        started.append(child)
        os.kill(os.getpid(), signal.SIGINT)  # pressed before Popen returned
        return child
    sleeper = ([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), "failed ({})")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)  # as from a terminal, whatever ran pytest
    try:
        monkeypatch.setattr(pipeline.subprocess, "Popen", popen_then_ctrl_c)
        with pytest.raises(KeyboardInterrupt):
            pipeline._run_at_once(Project(tmp_path), [sleeper, sleeper])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert len(started) == 2 and all(child.poll() is not None for child in started)


def test_kill_9_leaves_the_old_site_whole_and_the_next_build_cleans_up(project):
    before = tree(project / "site")
    change_content(project)
    full_build_next(project)
    child = start(project)
    mkdocs = paused_mkdocs(child)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait(timeout=GUARD)
    os.killpg(mkdocs, signal.SIGCONT)  # it finishes into its temporary folder, which nothing swaps in
    child.communicate(timeout=GUARD)  # its output ends when MkDocs, which shares it, has ended
    assert tree(project / "site") == before
    assert leftovers(project), "the killed build left its temporary folder (else this test tests nothing)"
    again = build(project)
    assert again.returncode == 0, again.stderr
    assert leftovers(project) == []
    assert tree(project / "site") != before


def test_the_site_is_world_readable_whatever_the_umask(project):
    result = build(project, umask=0o077)
    assert result.returncode == 0, result.stderr
    for path, dirs, files in os.walk(project / "site"):
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o755, path
        for name in files:
            assert stat.S_IMODE(os.stat(os.path.join(path, name)).st_mode) == 0o644, name


def test_an_unwritable_build_folder_is_one_clear_error(project):
    before = tree(project / "site")
    shutil.rmtree(project / "build")
    (project / "build").write_text("not a folder\n", encoding="utf-8")
    result = build(project)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: build"), result.stderr
    assert "hint: check that build/ and the site folder are writable" in result.stderr
    assert tree(project / "site") == before


@pytest.mark.parametrize("exchange", [True, False])
def test_the_swap_puts_the_new_site_in_place_and_the_old_one_aside(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(pipeline, "_exchange", lambda a, b: False)
    site, new = tmp_path / "site", tmp_path / ".site.building-x"
    site.mkdir()
    (site / "old.html").write_text("old", encoding="utf-8")
    new.mkdir()
    (new / "new.html").write_text("new", encoding="utf-8")
    pipeline.swap_in(new, site)
    assert sorted(os.listdir(site)) == ["new.html"]
    assert sorted(os.listdir(new)) == ["old.html"]
    assert sorted(os.listdir(tmp_path)) == [".site.building-x", "site"]


def test_the_build_lock_is_taken_again_by_its_holder(tmp_path):
    project = Project(tmp_path)
    with pipeline.build_lock(project), pipeline.build_lock(project):
        assert pipeline._locks
    assert not pipeline._locks


def test_two_pages_at_one_path_are_refused_before_anything_is_written():
    from generator.content.errors import ContentError
    pipeline.one_page_per_path(["a.md", "b.md"])
    with pytest.raises(ContentError, match="build/docs/a.md:1:1: error: two files would be written at this one path"):
        pipeline.one_page_per_path(["a.md", "b.md", "a.md"])


def test_make_site_indexes_search_once_beside_mkdocs(project):
    """The hook leaves the search index to `make site`, which makes it beside MkDocs: one index, its line held
    until MkDocs's last (not inside MkDocs's progress lines), the bundle in the site, no folder of its own left."""
    shutil.rmtree(project / "site")  # a full build
    result = build(project)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    indexed = [n for n, line in enumerate(lines) if "Site search:" in line]
    done = [n for n, line in enumerate(lines) if "Documentation built in" in line]
    assert len(indexed) == 1 and len(done) == 1 and done[0] < indexed[0], result.stderr
    assert (project / "site" / "pagefind" / "pagefind-entry.json").is_file()
    assert leftovers(project) == []


def test_a_failed_search_index_stops_mkdocs_and_fails_the_build(project):
    """The index's step failing (here, its main part's records unreadable) stops MkDocs's beside it, says
    which failed, and leaves no folder of its own."""
    (project / "build" / "search" / f"{MAIN}.json").write_text("{", encoding="utf-8")
    out = project / ".site.building-test"
    out.mkdir()
    with pytest.raises(pipeline.BuildFailed, match=r"site search failed \(exit 1\); site/ is unchanged"):
        pipeline._mkdocs_build(Project(project), out, True, "site")
    assert not (out / "sitemap.xml").exists()  # MkDocs's last file: it was stopped, not waited for
    assert not (out / "pagefind").exists()
    assert leftovers(project) == [".site.building-test"]
