"""MkDocs's page builds shared among forked processes (generator/accel/mkdocs_parallel.py)."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

import mkdocs.commands.build
import pytest
from mkdocs.commands.build import build
from mkdocs.config import load_config

from generator.accel import mkdocs_parallel
from generator.accel import parallel
from generator.accel.mkdocs_parallel import PageBuilder

CPUS = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
needs_fork = pytest.mark.skipif(CPUS < 2 or not sys.platform.startswith("linux"),
                                reason="one CPU, or not Linux: pages build in one process")


class _Inclusion:
    def is_excluded(self) -> bool:
        return False


class _File:
    def __init__(self, name: str):
        self.src_uri = name + ".md"
        self.inclusion = _Inclusion()
        self.page = _Page(self)


class _Page:
    def __init__(self, file: _File):
        self.file = file
        self.present_anchor_ids = None
        self.links_to_anchors = None


def _builder(out: Path) -> PageBuilder:
    """A stand-in for MkDocs's _build_page with the same kinds of side effects."""
    def build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
        name = page.file.src_uri
        if name.startswith("bad"):
            raise ValueError(f"cannot build {name}")
        if name.endswith("7.md"):
            logging.getLogger("mkdocs.test").warning("odd page %s", name)
        page.present_anchor_ids = {"anchor-" + name}
        page.links_to_anchors = {page.file: {"part": "#part"}}
        (out / name).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(0.005)  # as a page build takes time: else one process can claim all 40 before another starts
    return PageBuilder(build_page)


def _walk(builder: PageBuilder, files: list[_File]) -> None:
    """What mkdocs.commands.build.build does with _build_page."""
    for file in files:
        builder(file.page, None, files, None, None, False, file.inclusion.is_excluded())


@pytest.fixture
def fork_always(monkeypatch):
    """Fork at any size, also beside the server thread other tests leave running (it holds no lock)."""
    monkeypatch.setattr(mkdocs_parallel, "MIN_PAGES", 1)
    monkeypatch.setattr(parallel, "workers", lambda amount, minimum: 2 if amount >= minimum else 1)


def _all_reaped(builder: PageBuilder) -> bool:
    """Every process the builder forked has ended and been waited for."""
    for pid in builder.run.forked:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(builder.run.forked)


@needs_fork
def test_pages_built_in_processes_come_back_as_one_process_builds_them(fork_always, tmp_path):
    files = [_File(f"p{n:02d}") for n in range(40)]
    builder = _builder(tmp_path)
    _walk(builder, files)

    assert builder.run.processes > 1
    for f in files:
        assert f.page.present_anchor_ids == {"anchor-" + f.src_uri}
        assert list(f.page.links_to_anchors) == [f]  # the parent's own File, not a copy
    writers = {(tmp_path / f.src_uri).read_text(encoding="utf-8") for f in files}
    assert str(os.getpid()) in writers and len(writers) > 1
    assert _all_reaped(builder)


@needs_fork
def test_a_forked_process_logs_through_the_parent(fork_always, tmp_path, caplog):
    """MkDocs counts warnings for --strict in the parent's handlers: each warning must reach them once."""
    files = [_File(f"p{n:02d}") for n in range(40)]
    with caplog.at_level(logging.WARNING):
        _walk(_builder(tmp_path), files)
    logged = sorted(r.getMessage() for r in caplog.records if r.name == "mkdocs.test")
    assert logged == [f"odd page p{n:02d}.md" for n in range(40) if n % 10 == 7]
    assert all(r.process == os.getpid() for r in caplog.records)


@needs_fork
@pytest.mark.parametrize("bad_place", [0, 21, 39])
def test_a_page_that_fails_in_either_process_fails_the_build(fork_always, tmp_path, bad_place):
    files = [_File(f"p{n:02d}") for n in range(40)]
    files[bad_place] = _File("bad")
    builder = _builder(tmp_path)
    with pytest.raises(ValueError, match="cannot build bad.md"):
        _walk(builder, files)
    assert _all_reaped(builder)


def test_below_the_threshold_every_page_builds_here(tmp_path):
    files = [_File(f"p{n:02d}") for n in range(mkdocs_parallel.MIN_PAGES - 1)]
    builder = _builder(tmp_path)
    _walk(builder, files)
    assert builder.run.processes == 1
    assert {(tmp_path / f.src_uri).read_text(encoding="utf-8") for f in files} == {str(os.getpid())}


@pytest.fixture()
def mkdocs_restored(monkeypatch):
    """MkDocs's _build_page and _populate_page as they were before the test: the hook replaces both."""
    monkeypatch.setattr(mkdocs.commands.build, "_build_page", mkdocs.commands.build._build_page)
    monkeypatch.setattr(mkdocs.commands.build, "_populate_page", mkdocs.commands.build._populate_page)


def _mkdocs_build(root: Path, site_dir: Path) -> PageBuilder | None:
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(site_dir), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    builder = mkdocs.commands.build._build_page
    return builder if isinstance(builder, PageBuilder) else None


@needs_fork
def test_the_real_site_is_the_same_bytes_built_in_one_process_or_several(fork_always, mkdocs_restored, monkeypatch,
                                                                            tmp_path, scratch):
    from generator.pipeline import generate
    generate(scratch, with_history=False)  # `mkdocs build` builds the pages as they are
    root = scratch.root
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(mkdocs_parallel, "MIN_PAGES", 10**9)
    one = _mkdocs_build(root, tmp_path / "one")
    monkeypatch.setattr(mkdocs_parallel, "MIN_PAGES", 1)
    several = _mkdocs_build(root, tmp_path / "several")

    assert one.run.processes == 1 and several.run.processes > 1
    def tree(site):
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    a, b = tree(tmp_path / "one"), tree(tmp_path / "several")
    assert sorted(a) == sorted(b)
    assert "pagefind/pagefind-entry.json" in a  # the search index, written after the pages
    assert [name for name in a if a[name] != b[name]] == []


def test_pages_outside_the_nav_are_read_when_built_not_before_any_is_built(scratch, monkeypatch, tmp_path):
    """MkDocs reads every page before it builds any; the hook's LateReader leaves those outside the nav to the
    process that builds them, which reads each just before building it. The nav's pages are read first."""
    from generator.pipeline import generate
    generate(scratch, with_history=False)
    events: list[tuple[str, str]] = []
    populate, build_page = mkdocs.commands.build._populate_page, mkdocs.commands.build._build_page

    def reading(page, config, files, dirty=False):
        events.append(("read", page.file.src_uri))
        return populate(page, config, files, dirty)

    def building(page, config, doc_files, nav, env, dirty=False, excluded=False):
        events.append(("build", page.file.src_uri))
        return build_page(page, config, doc_files, nav, env, dirty, excluded)
    monkeypatch.setattr(mkdocs.commands.build, "_populate_page", reading)  # both restored after
    monkeypatch.setattr(mkdocs.commands.build, "_build_page", building)
    monkeypatch.setattr(mkdocs_parallel, "MIN_PAGES", 10**9)  # one process: every event is seen here
    builder = _mkdocs_build(scratch.root, tmp_path / "site")
    assert builder is not None and isinstance(mkdocs.commands.build._populate_page, mkdocs_parallel.LateReader)
    first_build = events.index(next(e for e in events if e[0] == "build"))
    early = {uri for kind, uri in events[:first_build]}
    built = [uri for kind, uri in events if kind == "build"]
    assert early and len(early) < len(built) / 2  # the nav's pages alone
    late = [uri for uri in built if uri not in early]
    assert late and all(events[events.index(("build", uri)) - 1] == ("read", uri) for uri in late)
    assert sorted(uri for kind, uri in events if kind == "read") == sorted(built)  # each read once
    page = late[0].removesuffix("index.md") if late[0].endswith("/index.md") else late[0].removesuffix(".md") + "/"
    html = (tmp_path / "site" / page / "index.html").read_text(encoding="utf-8")
    assert "<h1" in html and "rc-head" not in html  # converted and its head data lifted, as before


@needs_fork
def test_a_warning_made_reading_a_page_outside_the_nav_in_a_forked_process_fails_a_strict_build(
        fork_always, mkdocs_restored, scratch, monkeypatch, tmp_path):
    """Such a page is read by whichever process builds it; what MkDocs warns there still counts for --strict."""
    from mkdocs.exceptions import Abort
    from generator.pipeline import generate
    generate(scratch, with_history=False)
    for n in range(8):  # some of them in each process
        (scratch.root / "build" / "docs" / "tasks" / f"notes-{n}.md").write_text(
            f"# Notes {n}\n\nA *link* to [a page that is not there](../no-such-page-{n}.md).\n", encoding="utf-8")
    monkeypatch.setattr(mkdocs_parallel, "MIN_PAGES", 1)
    with pytest.raises(Abort, match="warnings in strict mode"):
        _mkdocs_build(scratch.root, tmp_path / "site")


def test_a_page_outside_the_nav_and_the_fast_shape_still_goes_through_markdown(scratch, mkdocs_restored, monkeypatch,
                                                                               tmp_path):
    """Such pages are converted when built (on_page_context), by MkDocs's own Markdown render."""
    from generator.pipeline import generate
    generate(scratch, with_history=False)
    page = scratch.root / "build" / "docs" / "tasks" / "notes.md"
    page.write_text("# Notes\n\nSome *emphasis*, <script>alert(1)</script> and a [home link](../index.md).\n",
                    encoding="utf-8")
    config = load_config(str(scratch.root / "mkdocs.yml"), site_dir=str(tmp_path / "site"), strict=True)
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    html = (tmp_path / "site" / "tasks" / "notes" / "index.html").read_text(encoding="utf-8")
    assert '<h1 id="notes">Notes' in html and "<em>emphasis</em>" in html
    assert '<a href="../../">home link</a>' in html  # MkDocs made the .md link a page address
    assert "alert(1)" not in html  # and the sanitiser ran


@needs_fork
def test_each_task_page_has_its_citation_files_beside_it_as_its_citation_gives_them(fork_always, mkdocs_restored,
                                                                                     monkeypatch, tmp_path, scratch):
    """The hook writes a task's BibTeX, RIS and CSL-JSON beside its page, in whichever process builds the page,
    from the citation the page carries; that citation goes no further than the hook."""
    from generator.pages import citation
    from generator.pipeline import generate, load_site, read_site_url
    generate(scratch, with_history=False)
    assert not list((scratch.root / "build" / "docs").rglob("cite.*"))  # nothing of them in build/docs
    monkeypatch.setattr(mkdocs_parallel, "MIN_PAGES", 1)
    assert _mkdocs_build(scratch.root, tmp_path / "site").run.processes > 1
    site, url = load_site(scratch), read_site_url(scratch)
    makers = dict(zip((name for name, _ in citation.DOWNLOADS), (citation.bibtex, citation.ris, citation.csl_json)))
    for task in site.all_tasks:
        folder = tmp_path / "site" / task.url
        c = citation.cite(site, url, site.document[task.doc], task)
        for name, make in makers.items():
            assert (folder / name).read_bytes() == make(c).encode("utf-8"), folder / name
        page = (folder / "index.html").read_text(encoding="utf-8")
        assert "rc-head" not in page and '"label"' not in page  # the citation's data is not left in the page
    assert sorted(p.name for p in (tmp_path / "site" / "documents").rglob("cite.*")) == []  # tasks only
