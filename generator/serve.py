"""`make serve`: a preview that rebuilds once per save, in its own folders, and shows content errors in the page.

It generates into build/serve/docs and builds into a temporary folder, so it never shares a folder with
`make site` (build/docs, site/). It watches the sources (content/, schema/, templates, theme/, mkdocs.yml),
not the generated pages: writing those does not start a second build. A build that fails leaves the last
good site served, and every page of it then carries the problems (file, line, column, message, hint)
in a panel; MkDocs's live-reload script reloads the open page when a build ends, failed or not.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.livereload import _SCRIPT_TEMPLATE, LiveReloadServer, _serve_url, _timestamp

from generator import accel
from generator.accel import incremental
from generator.accel.incremental import Warnings
from generator.content.errors import ContentError, Problem
from generator.content.project import Project, stamp
from generator.pipeline import first_look, generate, source_date_epoch

log = logging.getLogger("mkdocs.reform_compare")
POLL_S = 0.25  # how often the sources are looked at for a change (MkDocs's default is 0.5 s)
WATCHED = ("content", "schema", "generator/render/templates", "theme", "mkdocs.yml")


def serve_folder(project: Project) -> Path:
    return project.root / "build" / "serve"


def problem_panel(problems: list[Problem], behind: str = "The page below is the last build that passed.") -> str:
    """The panel every served page carries while the last build failed."""
    items = "".join(
        f'<li><code>{html.escape(p.path)}:{p.line}:{p.column}</code>: error: {html.escape(p.message)}'
        + (f'<br>hint: {html.escape(p.hint)}' if p.hint else "") + "</li>" for p in problems)
    count = len(problems)
    return ('<div id="rc-build-problems" role="alert" style="position:fixed;left:0;right:0;bottom:0;z-index:9999;'
            'max-height:60vh;overflow:auto;box-sizing:border-box;padding:1em 1.2em;background:#fff3f3;color:#4a0000;'
            'border-top:4px solid #b00020;font:15px/1.5 system-ui,sans-serif;overflow-wrap:anywhere">'
            f'<strong>The preview is not up to date: {count} problem{"s" if count != 1 else ""} in the content.</strong>'
            f'<ul style="margin:.5em 0;padding-left:1.2em">{items}</ul>'
            f'Fix the file and save it: this page reloads. {behind}</div>')


class PreviewServer(LiveReloadServer):
    """MkDocs's live-reload server, which also puts the last build's problems on every page it serves."""

    problems: list[Problem] = []

    def show(self) -> None:
        """Serve the pages built so far, and reload the browsers, before the build ends (the search index
        is made again after the pages: pages are what an editor waits for)."""
        with self._epoch_cond:
            self._visible_epoch = self._wanted_epoch
            self._epoch_cond.notify_all()

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        content = super()._inject_js_into_html(content, epoch)
        if not self.problems:
            return content
        body = content.find(b"<body")
        start = content.find(b">", body) + 1 if body >= 0 else 0
        return content[:start] + problem_panel(self.problems).encode("utf-8") + content[start:]

    def problem_page(self) -> bytes:
        """What any address shows when no build has passed yet."""
        script = _SCRIPT_TEMPLATE.substitute(epoch=self._visible_epoch, request_id=_timestamp())
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
                f'content="width=device-width,initial-scale=1"><title>Preview: content has problems</title></head>'
                f'<body>{problem_panel(self.problems, "No build has passed yet.")}<script>{script}</script></body></html>').encode("utf-8")


class Preview:
    """The state of one `make serve`: its folders, its server, the last build's problems."""

    def __init__(self, project: Project, addr: str):
        self.project = project
        self.docs = serve_folder(project) / "docs"
        self.docs.mkdir(parents=True, exist_ok=True)  # MkDocs's config wants it to exist
        self.site_dir = Path(tempfile.mkdtemp(prefix="rc-serve-"))
        self.addr = addr
        # the build date of make site (the last commit), so that pages built again match the others
        self.epoch = os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(project))
        config = self.config()
        self.strict = config.strict
        self.cache: dict = {}  # load_content's, between builds
        host, port = config.dev_addr
        self.mount = urlsplit(config.site_url or "/").path
        self.url = _serve_url(host, port, self.mount)
        self.server = PreviewServer(builder=self.build, host=host, port=port, root=str(self.site_dir),
                                    mount_path=self.mount, polling_interval=POLL_S)
        self.server.error_handler = self.error_page

    def config(self):
        config = load_config(config_file=str(self.project.root / "mkdocs.yml"), docs_dir=str(self.docs),
                             site_dir=str(self.site_dir), dev_addr=self.addr)
        config.watch[:] = []  # this server watches the sources itself
        return config

    def build(self) -> None:
        """One build; never raises for bad content, so browsers reload to show the problems."""
        start = time.monotonic()
        warnings = Warnings()
        logging.getLogger("mkdocs").addHandler(warnings)
        looked = False
        try:
            key = incremental.inputs(self.project.root, self.site_dir, self.strict, self.epoch, self.url)
            looked = self.first_look(key)
            generate(self.project, with_history=False, out_dir=self.docs, cache=self.cache)
            if not self.build_changed(key):
                self.build_all(key)
        except ContentError as exc:
            self.server.problems = exc.problems
            log.error("content has problems (shown in the browser):\n" + exc.report())
        except incremental.BuildError as exc:
            self.server.problems = [Problem("mkdocs.yml", 1, 1, f"MkDocs: {exc}", "see the terminal")]
            log.error(f"MkDocs failed (shown in the browser): {exc}")
        except (Abort, MkDocsException) as exc:
            shown = warnings.messages or [str(exc)]
            self.server.problems = [Problem("mkdocs.yml", 1, 1, f"MkDocs: {m}", "see the terminal") for m in shown]
            log.error(f"MkDocs failed (shown in the browser): {exc}")
        else:
            self.server.problems = []
            log.info(f"reform-compare: preview built in {time.monotonic() - start:.2f} s")
        finally:
            logging.getLogger("mkdocs").removeHandler(warnings)
            if looked:  # the browsers reloaded at the first look: once more now that every page is built
                self.server._wanted_epoch = _timestamp()

    def first_look(self, key: str) -> bool:
        """When only document records changed since the last build: their own pages, built alone and served
        (the browsers reload) before the whole build, which checks the content and builds the rest."""
        changed = self.edited_documents()
        if not changed or not accel.allowed("incremental", "mkdocs", "mkdocs-material") \
                or not incremental.same_inputs(self.docs.parent, key):
            return False
        start = time.monotonic()
        try:
            pages = first_look(self.project, self.docs, changed, self.cache)
            settings = {"docs_dir": str(self.docs), "site_url": self.url, "dev_addr": self.addr}
            incremental.preview_pages(self.project.root, self.site_dir, [p for p in pages if p.endswith(".md")],
                                      self.strict, self.epoch, settings)
        except Exception as exc:  # content not yet checked: the whole build says what is wrong
            log.debug(f"reform-compare: no first look ({type(exc).__name__}: {exc})")
            return False
        self.server.show()
        log.info(f"reform-compare: first look at {', '.join(changed)} in {time.monotonic() - start:.2f} s")
        return True

    def edited_documents(self) -> list[str]:
        """The ids of the document records changed since the last build, if nothing else under content/
        changed (nor was added or removed); else none."""
        seen = dict(self.cache)
        ids = []
        for path in sorted(p for p in (self.project.content).rglob("*") if p.is_file()):
            entry = seen.pop(path, None)
            if entry is None:
                return []
            if entry[0] != stamp(path):
                if path.parent.name != "documents" or path.suffix != ".yaml":
                    return []
                ids.append(entry[1].data["id"])
        return [] if seen else ids

    def build_changed(self, key: str) -> bool:
        """Only the changed pages (generator/accel/incremental.py), shown before the search index is made;
        False if the edit takes a whole build."""
        if not accel.allowed("incremental", "mkdocs", "mkdocs-material"):
            return False
        changes = incremental.plan(self.docs.parent, self.site_dir, key)
        if changes is None:
            return False
        settings = {"docs_dir": str(self.docs), "site_url": self.url, "dev_addr": self.addr}
        incremental.build_changed(self.project.root, self.docs.parent, self.site_dir, changes, self.strict,
                                  self.epoch, settings, shown=self.server.show)
        incremental.record(self.docs.parent, self.site_dir, key, changes)
        return True

    def build_all(self, key: str) -> None:
        incremental.forget(self.docs.parent)
        config = self.config()
        config.site_url = self.url
        # not "serve": under `mkdocs serve` the hook generates the pages itself, and here build() has
        config.plugins.on_startup(command="preview", dirty=False)
        build(config, serve_url=self.url)
        incremental.record(self.docs.parent, self.site_dir, key)

    def error_page(self, code: int) -> bytes | None:
        if self.server.problems:
            return self.server.problem_page()
        page = self.site_dir / f"{code}.html"
        return page.read_bytes() if page.is_file() else None

    def run(self) -> None:
        try:
            self.build()
            for name in WATCHED:
                if (self.project.root / name).exists():
                    self.server.watch(str(self.project.root / name))
            try:
                self.server.serve()
            except KeyboardInterrupt:
                log.info("Shutting down...")
            finally:
                self.server.shutdown()
        finally:
            shutil.rmtree(self.site_dir, ignore_errors=True)


def serve(project: Project, addr: str) -> None:
    from mkdocs.__main__ import ColorFormatter  # MkDocs's own log format, as `mkdocs serve` shows it
    handler = logging.StreamHandler()
    handler.setFormatter(ColorFormatter())
    logging.getLogger("mkdocs").addHandler(handler)
    logging.getLogger("mkdocs").setLevel(logging.INFO)
    Preview(project, addr).run()
