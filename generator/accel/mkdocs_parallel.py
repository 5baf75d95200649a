"""MkDocs builds its pages one after another; at scale, forked processes share that work.

generator/hook/mkdocs_hooks.py puts a `PageBuilder` in place of MkDocs's `_build_page` for `mkdocs build`
when the only plugin is the project's hook, so what a page build changes outside its own output file
is known: the page's anchors and log records. Every process walks the pages in MkDocs's order and
builds those it claims with MkDocs's own `_build_page`, so each page is the same bytes as in one
process. A forked process sends back, per page, its anchors (MkDocs validates links against them
after the loop), and its log records, which the parent logs again so that --strict counts their
warnings. (Site search is indexed after the build, from the generator's records: generator/search/.)

A `LateReader` in place of MkDocs's `_populate_page` leaves the pages outside the nav unread until they are
built: MkDocs reads and converts every page in one process before it builds any (46 s of a 186 s build at
100,000 tasks), and no other page needs what such a page holds. Its owner reads it, with MkDocs's own
`_populate_page`, just before building it.
"""

from __future__ import annotations

import gc
import logging
import pickle
import traceback
from collections.abc import Callable

from generator.accel import parallel

MIN_PAGES = 100  # the real site (212 pages) builds in 1.5 s in two processes against 1.8 s in one


class _Capture(logging.Handler):
    """A forked process's log records, to be logged by the parent (which counts warnings for --strict)."""

    def __init__(self):
        super().__init__()
        self.records: list[tuple[str, int, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append((record.name, record.levelno, record.getMessage()))


class _Run:
    """One build's walk over its pages."""

    def __init__(self, doc_files, processes: int):
        self.doc_files = doc_files
        self.processes = processes
        self.next = 0  # the place of the page MkDocs asks for next
        self.claims = parallel.Claims(processes)
        self.children: list[tuple] = []  # the forked processes (parallel.start) until they are done
        self.forked: list[int] = []  # every pid, for the record


class LateReader:
    """Stands in for mkdocs.commands.build._populate_page; `populate` is the original. A page for which
    late(page) is true is left unread, and read by read() when it is built."""

    def __init__(self, populate: Callable, late: Callable):
        self.populate = populate
        self.late = late

    def __call__(self, page, config, files, dirty=False):
        if self.late(page):
            page.rc_unread = (files, dirty)
            return
        self.populate(page, config, files, dirty)

    def read(self, page, config) -> None:
        unread = page.__dict__.pop("rc_unread", None)
        if unread is not None:
            self.populate(page, config, *unread)


class PageBuilder:
    """Stands in for mkdocs.commands.build._build_page; `build_page` is the original. With a `reader`, a page
    left unread is read first."""

    def __init__(self, build_page: Callable, reader: LateReader | None = None):
        self.build_page = build_page
        self.reader = reader
        self.run: _Run | None = None

    def _build(self, page, config, doc_files, nav, env, dirty, excluded) -> None:
        if self.reader is not None:
            self.reader.read(page, config)
        self.build_page(page, config, doc_files, nav, env, dirty, excluded)

    def __call__(self, page, config, doc_files, nav, env, dirty=False, excluded=False):
        run = self.run
        if run is None or run.doc_files is not doc_files:  # the first page of a build
            run = self.run = self._start(config, doc_files, nav, env, dirty)
        place, run.next = run.next, run.next + 1
        if doc_files[place].page is not page:  # MkDocs changed how it walks its pages
            self._stop_children(run)
            raise RuntimeError("reform-compare: pages are not built in the order of doc_files; "
                               "see generator/accel/mkdocs_parallel.py")
        try:
            if run.claims.owns(place):
                self._build(page, config, doc_files, nav, env, dirty, excluded)
            if place == len(doc_files) - 1:
                self._finish(run)
        except BaseException:
            self._stop_children(run)
            raise

    def _start(self, config, doc_files, nav, env, dirty) -> _Run:
        processes = parallel.workers(len(doc_files), MIN_PAGES)
        run = _Run(doc_files, processes)
        if processes == 1:
            return run
        gc.freeze()  # collections then leave the shared objects alone (touching them copies their pages)
        try:
            for _ in range(processes - 1):
                run.children.append(parallel.start(lambda: self._child(run, config, doc_files, nav, env, dirty)))
                run.forked.append(run.children[-1][0].pid)
        except BaseException:
            self._stop_children(run)
            raise
        return run

    def _child(self, run: _Run, config, doc_files, nav, env, dirty) -> tuple:
        """In a forked process: the pages it claims, built, with their anchors and links, and
        the log records; or the error, with the log records."""
        capture = _Capture()
        logger = logging.getLogger("mkdocs")
        logger.handlers[:] = [capture]
        logger.propagate = False
        built = {}
        try:
            for place, file in enumerate(doc_files):
                if run.claims.owns(place):
                    page = file.page
                    self._build(page, config, doc_files, nav, env, dirty, file.inclusion.is_excluded())
                    built[place] = (page.present_anchor_ids,
                                    {f.src_uri: links for f, links in (page.links_to_anchors or {}).items()})
        except Exception as exc:  # noqa: BLE001 (the parent raises it)
            try:
                pickle.loads(pickle.dumps(exc))  # not every exception survives the trip
            except Exception:  # noqa: BLE001
                exc = RuntimeError("".join(traceback.format_exception(exc)))
            return "error", exc, capture.records
        return "ok", built, capture.records

    def _finish(self, run: _Run) -> None:
        """After the last page: the forked processes' results, merged as if one process had built every page."""
        if not run.children:
            return
        results = []
        while run.children:
            results.append(parallel.finish(run.children.pop(0)))
        gc.unfreeze()
        built: dict[int, tuple] = {}
        failure = None
        for status, value, records in results:
            for name, level, message in records:
                logging.getLogger(name).log(level, message)
            if status == "error":
                failure = failure or value
            else:
                built.update(value)
        if failure is not None:
            raise failure
        by_uri = {f.src_uri: f for f in run.doc_files}
        for place, (anchor_ids, links) in built.items():
            page = run.doc_files[place].page
            page.present_anchor_ids = anchor_ids
            page.links_to_anchors = {by_uri[uri]: v for uri, v in links.items() if uri in by_uri}

    @staticmethod
    def _stop_children(run: _Run) -> None:
        """After a failure here: no forked process may write on."""
        parallel.stop(run.children)
        run.children.clear()
        gc.unfreeze()

