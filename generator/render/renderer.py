"""Stage 4: render the Site into Markdown pages (and data files) for MkDocs."""

from __future__ import annotations

import functools
import hashlib
import html
import json
import posixpath
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2.runtime import Context
from markupsafe import Markup, escape

from generator.model.site import Document, Indicator, Site, Task
from generator.content.text import normalise, source_spans

TEMPLATES = Path(__file__).parent / "templates"
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
LEVEL_LABEL = {"national": "National", "province": "Province", "prefecture": "City (prefecture)",
               "city": "City", "county": "County"}
COMPARATOR = {"=": "", ">=": "at least ", ">": "more than ", "<=": "at most ", "<": "less than ",
              "about": "about ", "range": ""}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|])")


def md(text: str) -> Markup:
    """Content text made inert for a Markdown line: no markup, no HTML, no attribute lists."""
    escaped = _MD_SPECIAL.sub(r"\\\1", normalise(str(text)))
    return Markup(html.escape(escaped, quote=True))


def yaml_string(text: str) -> Markup:
    """A front-matter string, HTML-escaped: Material puts title and description into HTML unescaped.

    JSON is valid YAML, and escapes what YAML would otherwise read.
    """
    return Markup(_JSON.encode(html.escape(normalise(str(text)), quote=True)))


_JSON = json.JSONEncoder(ensure_ascii=False)  # json.dumps(..., ensure_ascii=False), without a new encoder each time


def front(title: str, description: str, boost: float | None = None, exclude: bool = False,
          wide: bool = False) -> Markup:
    """A page's front matter: title, description, whether the table of contents shows, and its search weight."""
    lines = ["---", f"title: {yaml_string(title)}", f"description: {yaml_string(description)}", "hide:",
             "  - navigation"]
    if wide:
        lines.append("  - toc")
    if exclude:
        lines += ["search:", "  exclude: true"]
    elif boost:
        lines += ["search:", f"  boost: {escape(boost)}"]
    return Markup("\n".join(lines) + "\n---\n")


def human_date(value: str | None) -> str:
    """2020-07 -> July 2020; unknown -> 'not stated in the source'."""
    if not value or value == "unknown":
        return "not stated in the source"
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def human_period(period: tuple[str, str] | None) -> str:
    if period is None:
        return "not stated in the source"
    start, end = (human_date(p) for p in period)
    return start if start == end else f"{start} – {end}"


def number(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def indicator_value(ind: Indicator) -> str:
    """'about 40%', 'more than 90%', '1–2 counties', '63 hospitals'."""
    figure = number(ind.value)
    if ind.comparator == "range":
        figure = f"{figure}–{number(ind.value_max)}"
    sep = "" if ind.unit in ("%", "‰") else " "
    return f"{COMPARATOR[ind.comparator]}{figure}{sep}{ind.unit}"


@dataclass(frozen=True)
class Page:
    """One Markdown file to write under build/docs."""

    path: str  # e.g. tasks/<doc>/<task>.md
    text: str
    links: frozenset[str] = frozenset()  # the documents whose pages it links to (incremental builds)


def page_url(path: str) -> str:
    """The directory URL MkDocs gives a Markdown file."""
    stem = path.removesuffix(".md")
    if stem == "index":
        return ""
    return stem.removesuffix("/index") + "/"


@functools.lru_cache(maxsize=1 << 16)
def _segments(path: str) -> tuple[str, ...] | None:
    """A site path's segments, or None where posixpath.relpath must decide (absolute, or with '..')."""
    if path.startswith("/") or ".." in path:
        return None
    return tuple(c for c in path.split("/") if c and c != ".")


@functools.lru_cache(maxsize=1 << 16)
def _link_target(to_url: str) -> tuple[tuple[str, ...] | None, str, str, str]:
    """A link target's segments, the same joined by '/', the '/' to end the link with, and its '#anchor'
    (pages share their targets)."""
    target, _, anchor = to_url.partition("#")
    path = _segments(target or ".")
    return (path, "/".join(path or ()), "/" if target.endswith("/") or not target else "",
            f"#{anchor}" if anchor else "")


def relative(from_url: str, to_url: str) -> str:
    """A link from one page URL to another, relative so the site works under any prefix.

    posixpath.relpath on the segments, without its two abspath calls: a page makes hundreds of links.
    """
    path, joined, slash, anchor = _link_target(to_url)
    start = _segments(from_url or ".")
    if path is None or start is None:
        rel = posixpath.relpath(to_url.partition("#")[0] or ".", from_url or ".")
    elif path and start and path[0] != start[0]:  # nothing in common, as in most links
        rel = "../" * len(start) + joined
    else:
        n = 0
        for a, b in zip(path, start):
            if a != b:
                break
            n += 1
        rel = "/".join(("..",) * (len(start) - n) + path[n:]) or "."
    return ("./" if rel == "." else rel + slash) + anchor


class _PageContext(Context):
    """A template context that calls the Renderer's own functions straight away: Context.call first looks
    at every callee for pass_context and the like, which these never take, and pages call them 230,000
    times at 10,000 tasks."""

    def call(self, function, /, *args, **kwargs):
        if function in self.environment.plain_functions:
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            return function(*args, **kwargs)
        return super().call(function, *args, **kwargs)


try:  # markupsafe.escape without the Markup around the result
    from markupsafe import _escape_inner
except ImportError:  # another MarkupSafe: the same bytes, a little slower
    def _escape_inner(text: str) -> str:
        return str(escape(text))


def _output_escape(value) -> str:
    """markupsafe.escape for what a template outputs, giving text rather than Markup: Jinja joins a page's
    output into text all the same, and making each piece Markup costs two Python calls (550,000 pieces at
    10,000 tasks, a tenth of the rendering)."""
    if type(value) is str:
        return _escape_inner(value)
    html_of = getattr(value, "__html__", None)
    if html_of is not None:
        return html_of()
    return _escape_inner(str(value))


class _PageTemplate(jinja2.Template):
    """A template whose output escapes with _output_escape. The compiled code calls `escape` only on what it
    outputs, into the page or into the buffer of a block or macro, which it then joins and marks safe."""

    @classmethod
    def from_code(cls, environment, code, globals, uptodate=None):
        template = super().from_code(environment, code, globals, uptodate)
        template.root_render_func.__globals__["escape"] = _output_escape  # the module the code ran in
        return template


class _PageEnvironment(Environment):
    """Templates whose contexts call `plain_functions` straight away, and whose output escapes quickly."""

    context_class = _PageContext
    template_class = _PageTemplate
    plain_functions: frozenset = frozenset()

    def make_globals(self, d: dict | None) -> dict:
        """A template's globals as a dict, not a ChainMap over the environment's: each page copies them all
        into its context, which reads a ChainMap key by key in Python. The Renderer sets every global
        before a template loads."""
        return {**self.globals, **(d or {})}


# Every setting that shapes the code Jinja compiles a template into: the cache of compiled templates is keyed by them.
TEMPLATE_SETTINGS = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True, "keep_trailing_newline": True,
                     "comment_start_string": "{##", "comment_end_string": "##}"}  # {#id} is Markdown


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, in the user's temporary folder: compiling every template takes
    0.1 s a build, loading them 5 ms. Jinja checks each against its source and the Python version; the
    file names hold the Jinja version and TEMPLATE_SETTINGS. A template it cannot save is compiled again."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _compiled_templates() -> _CompiledTemplates | None:
    """The cache, or None where Jinja finds no safe folder for it."""
    key = hashlib.sha1(repr((jinja2.__version__, sorted(TEMPLATE_SETTINGS.items()))).encode()).hexdigest()[:12]
    try:
        return _CompiledTemplates(pattern=f"__reform_compare_{key}_%s.cache")
    except (OSError, RuntimeError):
        return None


class Renderer:
    """Renders every page type from templates/<page-type>.md.j2."""

    def __init__(self, site: Site, site_url: str):
        self.site = site
        self.site_url = site_url.rstrip("/") + "/"
        env = _PageEnvironment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                               bytecode_cache=_compiled_templates(),
                               auto_reload=False,  # one Renderer per build: no stat of every template per page
                               **TEMPLATE_SETTINGS)
        env.filters.update(md=md, yaml=yaml_string, date=human_date, period=human_period, num=number,
                           value=indicator_value, level=lambda lv: LEVEL_LABEL[lv], norm=normalise)
        self.env = env
        self.url = ""  # of the page being rendered: links are relative to it
        self.linked: set[str] = set()  # documents it links to: what an edit to one of them must re-render
        functions = {"absolute": self.absolute, "task_anchor": task_anchor, "front": front, **self._link_functions()}
        env.globals.update(site=site, LEVEL_LABEL=LEVEL_LABEL, **functions)
        env.plain_functions = frozenset(functions.values())

    def _link_functions(self) -> dict:
        """The links and shared pieces of the page being rendered: link(url), task_link(task, show_doc),
        task_items(tasks), indicator_chips(task), body_name(body), doc_line(doc) and local_tasks(tasks).

        They read its URL from the Renderer rather than from the template context (Jinja gives a function
        that takes the context a new one for each call in a loop), and are plain functions rather than
        methods (Jinja inspects whatever it calls, and a method costs it more): at 10,000 tasks they are
        called 200,000 times. The pieces used on thousands of pages are these functions, not macros: a
        macro call costs Jinja ten times as much, and a template importing macros builds them anew.
        """
        site = self.site
        linked = self.linked
        # The escaped pieces of every task's link and chips, made once: a task is linked from a dozen pages.
        pieces = {(t.doc, t.id): self._task_pieces(t) for t in site.all_tasks}

        def link(to_url: str) -> str:
            if to_url.startswith(("tasks/", "documents/")):
                linked.add(to_url.split("/", 2)[1])
            return relative(self.url, to_url)

        def task_link(task: Task, show_doc: bool = False) -> Markup:
            url, title, where, _ = pieces[(task.doc, task.id)]
            linked.add(task.doc)
            return Markup(f'<a href="{relative(self.url, url)}{title}{where}' if show_doc else
                          f'<a href="{relative(self.url, url)}{title}')

        def task_items(tasks: Sequence[Task]) -> Markup:
            """Each task as a list item linking to it, with its jurisdiction, one a line: the related tasks
            of every task page (a loop in the template costs three times as much)."""
            return Markup("\n".join([f"<li>{task_link(task, show_doc=True)}</li>" for task in tasks]))

        def indicator_chips(task: Task) -> Markup:
            url, _, _, chips = pieces[(task.doc, task.id)]
            linked.add(task.doc)
            return Markup(_chips(relative(self.url, url), chips))

        def body_name(body) -> Markup:
            return Markup(f'<a href="{relative(self.url, f"bodies/{body.id}/")}">{escape(body.name)}</a>')

        def doc_line(doc: Document) -> Markup:
            when = human_period(doc.period) if doc.period else human_date(doc.issued)
            linked.add(doc.id)
            return Markup(f'<a href="{relative(self.url, doc.url)}">{escape(doc.title)}</a> <span class="rc-muted">'
                          f'· {escape(site.jurisdiction[doc.jurisdiction].name)} · {escape(when)}</span>')

        def local_tasks(tasks: Sequence[Task], caller: Callable | None = None) -> Markup:
            """Tasks of cities and counties under the name of their jurisdiction, each followed by what the
            caller of a {% call %} adds (given the task and its index), or else by its indicator chips."""
            out = ['<dl class="rc-local">\n']
            doc_id = None
            for n, task in enumerate(tasks):
                if task.doc != doc_id:
                    doc_id = task.doc
                    linked.add(doc_id)
                    doc = site.document[doc_id]
                    jur = site.jurisdiction[doc.jurisdiction]
                    out.append(f'<dt><span class="rc-level rc-level-{escape(jur.level)}">'
                               f'{escape(LEVEL_LABEL[jur.level])}</span> '
                               f'<a href="{relative(self.url, doc.url)}">{escape(jur.name)}</a></dt>')
                url, title, _, chips = pieces[(task.doc, task.id)]
                href = relative(self.url, url)  # once for the task's link and its chips
                note = escape(caller(task, n)) if caller else _chips(href, chips)
                out.append(f'<dd><a href="{href}{title} {note}</dd>\n')
            out.append("</dl>")
            return Markup("".join(out))

        return {"link": link, "task_link": task_link, "task_items": task_items, "indicator_chips": indicator_chips,
                "body_name": body_name, "doc_line": doc_line, "local_tasks": local_tasks}

    def _task_pieces(self, task: Task) -> tuple[str, str, str, list[str]]:
        name = self.site.jurisdiction[self.site.document[task.doc].jurisdiction].name
        chips = [f'{ind.id}" title="{escape(ind.measure)}">{escape(indicator_value(ind))}</a>'
                 for ind in task.indicators]
        return (task.url, f'">{html.escape(task.title)}</a>', f' <span class="rc-muted">— {html.escape(name)}</span>',
                chips)

    def absolute(self, url: str) -> str:
        return self.site_url + url

    def render(self, template: str, path: str, **context) -> Page:
        self.url = page_url(path)
        self.linked.clear()
        text = self.env.get_template(f"{template}.md.j2").render(url=self.url, **context)
        return Page(path, text, frozenset(self.linked))

    def render_with(self, template: str, path: str, context: Callable[[], dict]) -> Page:
        """render() with the context that context() makes: a renderer that leaves the page to another
        process need not make it."""
        return self.render(template, path, **context())


def _chips(href: str, chips: list[str]) -> str:
    """A task's indicator chips, each linking to its indicator's anchor on the task page at href."""
    start = f'<a class="rc-chip" href="{href}#'
    return start + start.join(chips) if chips else ""


def task_anchor(task: Task, indicator: Indicator | None = None) -> str:
    """The anchor of a task's (or indicator's) quote on its document's source page."""
    return f"q-{task.id}" + (f"--{indicator.id}" if indicator else "")


def source_paragraphs(site: Site, doc: Document) -> Sequence[Markup]:
    """The source text as HTML paragraphs, each quoted span linked to its task.

    Worked out when the page is rendered: a render process that leaves the page to another never needs it.
    """
    return _Later(lambda: _source_paragraphs(site, doc))


class _Later(Sequence):
    """A list made on first use."""

    def __init__(self, make: Callable[[], list]):
        self._make = make

    @functools.cached_property
    def _items(self) -> list:
        return self._make()

    def __getitem__(self, index):
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self):
        return iter(self._items)


def _source_paragraphs(site: Site, doc: Document) -> list[Markup]:
    text = site.sources[doc.source_file]
    flat, offsets = source_spans(text)
    spans = []  # (start, end, anchor, task or None, note reason)
    for task in doc.tasks:
        passages = [(q, task_anchor(task)) for q in task.quotes]
        if task.bodies_quote:
            passages.append((task.bodies_quote, task_anchor(task) + "--bodies"))
        passages += [(ind.quote, task_anchor(task, ind)) for ind in task.indicators]
        for n, (quote, anchor) in enumerate(passages):
            quote = normalise(quote)
            at = flat.find(quote)
            if at >= 0:
                end = offsets[at + len(quote) - 1] + 1
                first = n == 0 or anchor != task_anchor(task)
                spans.append((offsets[at], end, anchor if first else "", task, ""))
    for note in doc.notes:
        at = flat.find(normalise(note.quote))
        if at >= 0:
            spans.append((offsets[at], offsets[at + len(normalise(note.quote)) - 1] + 1, "", None, note.reason))
    paragraphs = []
    for start, end in _paragraph_bounds(text):
        paragraphs.append(Markup(_mark_up(text, start, end, spans, doc)))
    return paragraphs


_BREAK = re.compile(r"(?=[\s<])(?:\s*(?:<\s*p\s*>\s*)+|\s*\n\s*)")  # the lookahead halves the search


def _paragraph_bounds(text: str) -> list[tuple[int, int]]:
    bounds, pos = [], 0
    for m in _BREAK.finditer(text):
        if m.start() > pos and text[pos:m.start()].strip():
            bounds.append((pos, m.start()))
        pos = m.end()
    if text[pos:].strip():
        bounds.append((pos, len(text.rstrip())))
    return bounds


def _mark_up(text: str, start: int, end: int, spans: list, doc: Document) -> str:
    spans = [sp for sp in spans if sp[0] < end and sp[1] > start]  # only these can cover or start in here
    cuts = {start, end}
    for s, e, *_ in spans:
        cuts.update(x for x in (s, e) if start < x < end)
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:]):
        covering = [sp for sp in spans if sp[0] <= a and sp[1] >= b]
        for sp in spans:
            if sp[0] == a and sp[2]:
                out.append(f'<span class="rc-anchor" id="{sp[2]}"></span>')
        piece = html.escape(text[a:b])
        tasks = [sp[3] for sp in covering if sp[3] is not None]
        if tasks:
            task = tasks[0]
            ids = " ".join(dict.fromkeys(t.id for t in tasks))
            out.append(f'<a class="rc-q" data-tasks="{ids}" href="../../../{task.url}" '
                       f'title="{html.escape(task.title)}">{piece}</a>')
        elif covering:
            out.append(f'<span class="rc-note" title="Not a task: {html.escape(covering[0][4])}">{piece}</span>')
        else:
            out.append(piece)
    return "".join(out)
