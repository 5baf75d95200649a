"""The one place MkDocs meets the generator: regenerate, convert generated pages fast, sanitise, redirect, index."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import sys
from pathlib import Path

import mkdocs.commands.build
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.meta import get_data

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from generator import accel  # noqa: E402
from generator.pipeline import generate  # noqa: E402
from generator.content.project import Project  # noqa: E402
from generator.content.errors import ContentError  # noqa: E402
from generator.accel.fastpage import convert  # noqa: E402
from generator.accel.frames import Frames, render_always  # noqa: E402
from generator.accel.mkdocs_parallel import LateReader, PageBuilder  # noqa: E402
from generator.hook.sanitize import clean  # noqa: E402
from generator.pages.citation import files_of  # noqa: E402
from generator.progress import Progress  # noqa: E402
from generator.render.renderer import compiled_theme_templates  # noqa: E402
from generator.search.index import LATER, SearchIndexError, index_site  # noqa: E402
from generator.search.records import SITE  # noqa: E402


log = logging.getLogger("mkdocs.reform_compare")


def _project(config) -> Project:
    """The project is where mkdocs.yml is (not where this file is: a checkout may link generator/)."""
    return Project(Path(config["config_file_path"]).resolve().parent)


def on_pre_build(config, **kwargs):
    """Under `mkdocs serve`, the pages generated again at each reload. A build uses them as they are:
    `make site` (pipeline.build_site) generates them before it starts MkDocs."""
    if _command != "serve":
        return
    try:
        generate(_project(config), with_history=False, out_dir=Path(config["docs_dir"]))  # `make site` adds history
    except ContentError as exc:
        raise PluginError("content has problems:\n" + exc.report()) from None


# The Markdown setup generator/accel/fastpage.py reproduces (tests/test_fastpage.py compares the two).
FAST_EXTENSIONS = (["toc", "tables", "fenced_code", "attr_list", "admonition"], {"toc": {"permalink": True}})
# The plugins whose page events generator/accel/mkdocs_parallel.py knows; with any other, pages build in one process.
PARALLEL_PLUGINS: set[str] = set()
_fast = False
_late = False  # pages outside the nav are read as they are built (mkdocs_parallel.LateReader)
_command = None
_in_nav: set[int] = set()
_files = None
_nav = None
_progress: Progress | None = None


def on_startup(command, dirty, **kwargs):
    global _command
    _command = command


def on_config(config, **kwargs):
    global _fast
    _fast = accel.allowed("fastpage", "mkdocs", "markdown")
    if _fast and (config["markdown_extensions"], config["mdx_configs"]) != FAST_EXTENSIONS:
        _fast = False
        print("reform-compare: markdown_extensions differ from FAST_EXTENSIONS in generator/hook/mkdocs_hooks.py; "
              "pages go through Markdown (slower)", file=sys.stderr)
    _install_page_builder(config)


def _install_page_builder(config) -> None:
    """`mkdocs build` builds pages in as many processes as generator/accel/parallel.py allows (serve: one)."""
    global _late
    current = mkdocs.commands.build._build_page
    original = current.build_page if isinstance(current, PageBuilder) else current
    reading = mkdocs.commands.build._populate_page
    populate = reading.populate if isinstance(reading, LateReader) else reading
    others = [name for name, plugin in config.plugins.items()  # all but this hook module
              if name not in PARALLEL_PLUGINS and getattr(plugin, "on_page_markdown", None) is not on_page_markdown]
    if _command == "build" and _fast and not others and accel.allowed("mkdocs_parallel", "mkdocs", "mkdocs-material"):
        reader = LateReader(populate, lambda page: id(page) not in _in_nav)
        mkdocs.commands.build._populate_page = reader
        mkdocs.commands.build._build_page = PageBuilder(original, reader)
        _late = True
    else:
        _late = False
        mkdocs.commands.build._populate_page = populate
        mkdocs.commands.build._build_page = original
        if others and _command == "build":
            print(f"reform-compare: plugins {others} are not in PARALLEL_PLUGINS in generator/hook/mkdocs_hooks.py; "
                  "pages build in one process (slower)", file=sys.stderr)


def on_env(env, config, files, **kwargs):
    """Before the pages are built (in several processes, which share the count made here)."""
    global _progress
    _progress = Progress("mkdocs: building", len(files.documentation_pages()))
    frames = accel.allowed("frames", "mkdocs", "mkdocs-material") and _nav is not None
    env.globals["rc_frame"] = Frames(_nav, config) if frames else render_always
    if env.bytecode_cache is None:
        env.bytecode_cache = compiled_theme_templates(env)
    return env


def on_post_page(output, page, config, **kwargs):
    if _progress is not None:
        _progress.tick()
    if getattr(page, "rc_built", False):
        _release(page)
    return output


def on_nav(nav, config, files, **kwargs):
    global _in_nav, _files, _nav
    _in_nav = {id(page) for page in nav.pages}
    _files = files  # a deferred page outside the fast shape renders with them
    _nav = nav


def on_page_markdown(markdown, page, config, files, **kwargs):
    """A page that is raw HTML blocks and headings (as the templates write them) skips Markdown.

    A page outside the nav is converted only when it is built: no other page needs its title or
    content, and the build is what runs in several processes (generator/accel/mkdocs_parallel.py). Under
    `mkdocs build` it is read then too (LateReader); elsewhere its text is read again when it is built.
    """
    if not _fast:
        return markdown
    if id(page) not in _in_nav:
        if not _late:
            page.render = lambda config, files: _defer(page)
            # Its text is read again when it is built: held for every page to the end, it was most of the memory
            # MkDocs used at 100,000 tasks.
            page.rc_text = (len(markdown), markdown[:80])
            return ""
        page.rc_built = True  # read as it is built: converted now, nothing of it kept after (_release)
    fast = convert(markdown)
    if fast is not None:
        page.render = lambda config, files: _render(page, fast)
    return markdown


def _defer(page) -> None:
    del page.render  # back to the class's method
    page.content = ""  # MkDocs asserts there is content; on_page_context converts the page
    page.rc_deferred = True


def on_page_context(context, page, config, nav, **kwargs):
    if getattr(page, "rc_deferred", False):
        del page.rc_deferred
        page.markdown = _text(page)
        fast = convert(page.markdown)
        if fast is not None:
            _render(page, fast)
        else:
            Page.render(page, config, _files)
        page.content = _sanitise(page.content, page)
        page.rc_built = True
    _lift_head_data(page)
    return context


def _text(page) -> str:
    """A deferred page's Markdown, read again: what follows the front matter that MkDocs read before
    (mkdocs.utils.meta.get_data keeps the text after it), or all of get_data again should the file differ."""
    length, head = page.__dict__.pop("rc_text")
    source = page.file.content_string
    text = source[len(source) - length:] if length <= len(source) else ""
    if len(text) != length or not text.startswith(head):
        text = get_data(source)[0]
    return text


def _release(page) -> None:
    """A built page outside the nav: no other page reads its text, HTML or head data again, so none is kept
    (MkDocs holds every page to the end of the build); its anchors stay, for MkDocs's link checks."""
    del page.rc_built
    page.markdown = page.content = ""
    page.toc = get_toc([])
    page.meta.pop("rc_head", None)


_HEAD_DATA = re.compile(r'<div hidden(?:="")? class="rc-head" data-head="([^"]*)"></div>\n?')


def _lift_head_data(page) -> None:
    """A page's citation meta tags and JSON-LD, which the generator writes into the content, go to
    page.meta for theme/main.html to put in <head>; a task's citation files are written beside the page
    by the process that builds it."""
    found = _HEAD_DATA.search(page.content or "")
    if found:
        data = json.loads(html.unescape(found.group(1)))
        cited = data.pop("cite", None)
        page.meta["rc_head"] = data
        page.content = page.content[:found.start()] + page.content[found.end():]
        if cited is not None:
            _write_citation_files(cited, os.path.dirname(page.file.abs_dest_path))


def _write_citation_files(cited: dict, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    for name, content in files_of(cited).items():
        with open(os.path.join(folder, name), "wb") as out:
            out.write(content)


def _render(page, fast) -> None:
    """What mkdocs.structure.pages.Page.render sets, from the fast conversion."""
    page.__dict__.pop("render", None)  # back to the class's method, and the conversion is freed
    page.content = fast.content
    page.toc = get_toc(fast.toc_tokens)  # used once: the conversion is dropped next
    page._title_from_render = fast.title
    page.present_anchor_ids = set(fast.anchor_ids)
    page.links_to_anchors = {page.file: {i: "#" + i for i in fast.heading_ids}} if fast.heading_ids else {}


def on_page_content(html_text, page, config, files, **kwargs):
    if getattr(page, "rc_deferred", False):
        return html_text
    return _sanitise(html_text, page)


def _sanitise(html_text: str, page) -> str:
    html_text = clean(html_text)
    one_anchor_each(html_text, page.file.src_uri)
    return html_text


_ID = re.compile(r'\sid="([^"]*)"')


def one_anchor_each(html_text: str, path: str) -> None:
    """Two elements of a page with one id would send a link to the first of them: the build stops, naming the
    page and the id. A last guard behind the address rules of content/addresses.py, which name the records."""
    ids = _ID.findall(html_text)
    if len(ids) == len(set(ids)):
        return
    seen, twice = set(), []
    for anchor in ids:
        if anchor in seen and anchor not in twice:
            twice.append(anchor)
        seen.add(anchor)
    raise PluginError(f"build/docs/{path}: two parts of this page have the anchor "
                      + ", ".join(f"#{html.escape(a)}" for a in twice)
                      + "; hint: rename one of the records behind them (a task, indicator or section id)")


def on_post_build(config, **kwargs):
    """Site search's index (generator/search/), and a page at each former task address."""
    build = Path(config["docs_dir"]).parent  # generate() writes its records beside the pages
    site_dir = Path(config["site_dir"])
    if (build / "search" / SITE).is_file() and os.environ.get(LATER) != "later":
        if _progress is not None and _progress.enabled:
            print("site search: indexing with Pagefind", file=sys.stderr, flush=True)
        try:
            log.info(index_site(build / "search", site_dir))
        except SearchIndexError as exc:
            raise PluginError(f"site search: {exc}") from None
    _write_redirects(config, build / "redirects.json", site_dir)


def _write_redirects(config, path: Path, site_dir: Path) -> None:
    """A page at each former task address that sends readers to the task's current page."""
    if not path.is_file():
        return
    for old, new in json.loads(path.read_text(encoding="utf-8")).items():
        depth = old.count("/")
        target = "../" * depth + new
        absolute = (config.get("site_url") or "").rstrip("/") + "/" + new
        out = site_dir / old / "index.html"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(
            '<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<title>Moved: {html.escape(new)}</title>'
            f'<link rel="canonical" href="{html.escape(absolute)}">'
            f'<meta name="robots" content="noindex">'
            f'<meta http-equiv="refresh" content="0; url={html.escape(target)}">'
            f'<script>location.replace({json.dumps(target)} + location.hash)</script>'
            f'</head><body><p>This task has a new address: <a href="{html.escape(target)}">{html.escape(absolute)}</a></p>'
            '</body></html>\n', encoding="utf-8")
