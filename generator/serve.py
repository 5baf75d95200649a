"""`make serve`: a preview that rebuilds once per save, in its own folders, and shows content errors in the page.

It generates into build/serve/docs and builds into a temporary folder, so it never shares a folder with
`make site` (build/docs, site/). It watches the sources (content/, schema/, templates, theme/, mkdocs.yml),
not the generated pages: writing those does not start a second build. A build that fails leaves the last
good site served, and every page of it then carries the problems (file, line, column, message, hint)
in a panel; MkDocs's live-reload script reloads the open page when a build ends, failed or not.

A build after a save reads only the content files that changed (load_content's cache), renders only the
pages they can change (generator/pages/depends.py), and has MkDocs rebuild only the pages whose Markdown
changed, with the nav, files and theme of the last full build; a new or removed page, or a change to the
theme or mkdocs.yml, makes a full MkDocs build. The search index stays the last full build's until then.
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

from mkdocs.commands.build import _build_page, _populate_page, build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, MkDocsException
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import InclusionLevel
from mkdocs.livereload import _SCRIPT_TEMPLATE, LiveReloadServer, _serve_url, _timestamp

from generator.content.errors import ContentError, Problem
from generator.content.project import Project
from generator.pipeline import generate

log = logging.getLogger("mkdocs.reform_compare")
WATCHED = ("content", "schema", "generator/render/templates", "theme", "mkdocs.yml")


def serve_folder(project: Project) -> Path:
    return project.root / "build" / "serve"


class _Warnings(logging.Handler):
    """MkDocs's warnings during one build: in strict mode they are why it failed."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


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


class _Capture(BasePlugin):
    """Keeps what the last full build made, so that a later build can rebuild only the pages that changed."""

    def on_nav(self, nav, config, files, **kwargs):
        self.nav, self.files = nav, files

    def on_env(self, env, config, files, **kwargs):
        self.env = env


class Preview:
    """The state of one `make serve`: its folders, its server, the last build's problems."""

    MAX_PAGES = 2000  # beyond this many changed pages, one full MkDocs build is as quick

    def __init__(self, project: Project, addr: str):
        self.project = project
        self.docs = serve_folder(project) / "docs"
        self.docs.mkdir(parents=True, exist_ok=True)  # MkDocs's config wants it to exist
        self.site_dir = Path(tempfile.mkdtemp(prefix="rc-serve-"))
        self.addr = addr
        self.cache: dict = {}  # load_content's: a file not changed is not read again
        self.built: tuple | None = None  # (config, what _Capture kept, the theme's stamp) after a full build
        config = self.config()
        host, port = config.dev_addr
        self.mount = urlsplit(config.site_url or "/").path
        self.url = _serve_url(host, port, self.mount)
        self.server = PreviewServer(builder=self.build, host=host, port=port, root=str(self.site_dir),
                                    mount_path=self.mount)
        self.server.error_handler = self.error_page

    def config(self):
        config = load_config(config_file=str(self.project.root / "mkdocs.yml"), docs_dir=str(self.docs),
                             site_dir=str(self.site_dir), dev_addr=self.addr)
        config.watch[:] = []  # this server watches the sources itself
        return config

    def theme_stamp(self) -> list:
        """What makes every page's HTML change: mkdocs.yml and the theme folder."""
        paths = [self.project.root / "mkdocs.yml", *sorted((self.project.root / "theme").rglob("*"))]
        return [(str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.is_file()]

    def build(self) -> None:
        """One build; never raises for bad content, so browsers reload to show the problems."""
        start = time.monotonic()
        warnings = _Warnings()
        logging.getLogger("mkdocs").addHandler(warnings)
        try:
            record: dict = {}
            generate(self.project, with_history=False, out_dir=self.docs, record=record, cache=self.cache)
            changed = record.get("written", [])
            if not self.rebuild_pages(changed, record.get("removed", [])):
                self.full_build()
                how = "MkDocs built every page"
            else:
                how = f"MkDocs rebuilt {len(changed)} changed pages"
        except ContentError as exc:
            self.server.problems = exc.problems
            log.error("content has problems (shown in the browser):\n" + exc.report())
        except (Abort, MkDocsException) as exc:
            self.built = None
            shown = warnings.messages or [str(exc)]
            self.server.problems = [Problem("mkdocs.yml", 1, 1, f"MkDocs: {m}", "see the terminal") for m in shown]
            log.error(f"MkDocs failed (shown in the browser): {exc}")
        else:
            self.server.problems = []
            log.info(f"reform-compare: preview built in {time.monotonic() - start:.2f} s ({how})")
        finally:
            logging.getLogger("mkdocs").removeHandler(warnings)

    def full_build(self) -> None:
        self.built = None
        stamp = self.theme_stamp()
        config = self.config()
        config.site_url = self.url
        capture = _Capture()
        config.plugins["reform-compare-preview"] = capture
        config.plugins.on_startup(command="serve", dirty=False)
        build(config, serve_url=self.url)
        self.built = (config, capture, stamp)

    def rebuild_pages(self, changed: list[str], removed: list[str]) -> bool:
        """Rebuild only the changed pages with what the last full build made; False if that will not do."""
        if self.built is None or removed or len(changed) > self.MAX_PAGES:
            return False
        config, capture, stamp = self.built
        if stamp != self.theme_stamp():
            return False
        files = [capture.files.get_file_from_path(rel) for rel in changed]
        if any(f is None for f in files):  # a new page: the nav and the file list change
            return False
        pages = [f.page for f in files if f.is_documentation_page()]
        for f in files:
            if not f.is_documentation_page():
                f.copy_file()
        doc_files = capture.files.documentation_pages(inclusion=InclusionLevel.is_in_serve)
        for page in pages:
            _populate_page(page, config, capture.files)
        for page in pages:
            _build_page(page, config, doc_files, capture.nav, capture.env)
        return True

    def error_page(self, code: int) -> bytes | None:
        if self.server.problems:
            return self.server.problem_page()
        page = self.site_dir / f"{code}.html"
        return page.read_bytes() if page.is_file() else None

    def run(self) -> None:
        os.environ["REFORM_COMPARE_GENERATED"] = "1"  # the hook need not generate: build() does
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
