"""Stage 4: render a job of pages/ (a page from its template and context, or a download) into its bytes."""

from __future__ import annotations

import functools
import hashlib
import html
import json
import posixpath
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import jinja2
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from generator import accel
from generator.accel import fastjinja
from generator.content.text import normalise
from generator.model.deadlines import as_of_note, deadline_status
from generator.model.diff import Diff, diff_block, word_diff, wording
from generator.model.site import Document, Site, Task
from generator.pages.jobs import Download, Job
from generator.pages.source_text import task_anchor
from generator.content import dates
from generator.pages.wording import LEVEL_LABEL, indicator_value, number

TEMPLATES = Path(__file__).parent / "templates"
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


def front(title: str, description: str, wide: bool = False) -> Markup:
    """A page's front matter: title, description, and whether the table of contents shows."""
    lines = ["---", f"title: {yaml_string(title)}", f"description: {yaml_string(description)}", "hide:",
             "  - navigation"]
    if wide:
        lines.append("  - toc")
    return Markup("\n".join(lines) + "\n---\n")


def plural(n: int, word: str, many: str = "") -> str:
    """'1 task', '2 tasks', '3 bodies' (given many)."""
    return f"{number(n)} {word if n == 1 else (many or word + 's')}"


def _bare(text: str) -> str:
    return normalise(text).strip().rstrip(".;:,").lower()


def excerpt(task: Task) -> str:
    """The first of a task's quotes that says more than its title (the source's heading is often both)."""
    title = _bare(task.title)
    return next((normalise(q) for q in task.quotes if _bare(q) != title), "")


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


def _compiled_templates(settings: dict | None = None) -> _CompiledTemplates | None:
    """The cache for templates compiled with these settings (default: the generator's), or None where Jinja
    finds no safe folder for it."""
    settings = TEMPLATE_SETTINGS if settings is None else settings
    key = hashlib.sha1(repr((jinja2.__version__, sorted(settings.items()))).encode()).hexdigest()[:12]
    try:
        return _CompiledTemplates(pattern=f"__reform_compare_{key}_%s.cache")
    except (OSError, RuntimeError):
        return None


def compiled_theme_templates(env: jinja2.Environment) -> _CompiledTemplates | None:
    """The same cache for MkDocs's theme templates (compiling them took a third of a second a build), keyed by
    every setting of `env` that shapes the compiled code; None if one of them has no stable value."""
    if not isinstance(env.autoescape, bool):
        return None
    settings = {name: getattr(env, name) for name in (
        "block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
        "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
        "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline", "autoescape", "optimized")}
    settings["extensions"] = sorted(env.extensions)
    settings["for"] = "mkdocs theme"
    return _compiled_templates(settings)


def _when(doc) -> str:
    """A document's period, else its issue date, else 'date not stated': the one phrase every page uses."""
    return dates.when(doc.period, doc.issued)


class Renderer:
    """Renders every page type from templates/<page-type>.md.j2."""

    def __init__(self, site: Site, site_url: str, as_of: str | None = None):
        self.site = site
        self.as_of = as_of  # the build date, for deadline status
        self.site_url = site_url.rstrip("/") + "/"
        environment = fastjinja.FastEnvironment if accel.allowed("fastjinja", "jinja2") else Environment
        env = environment(loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined,
                          bytecode_cache=_compiled_templates(),
                          auto_reload=False,  # one Renderer per build: no stat of every template per page
                          **TEMPLATE_SETTINGS)
        env.filters.update(md=md, yaml=yaml_string, date=dates.long_date, period=dates.long_period, when=_when,
                           deadline=lambda ind: dates.deadline(ind.deadline, ind.timeframe), num=number,
                           value=indicator_value, level=lambda lv: LEVEL_LABEL[lv], norm=normalise,
                           plural=plural, excerpt=excerpt)
        self.env = env
        self.url = ""  # of the page being rendered: links are relative to it
        functions = {"absolute": self.absolute, "task_anchor": task_anchor, "front": front, "level_badge": level_badge,
                     "diff_block": _diff_blocks(), **self._link_functions()}
        env.filters["status"] = lambda ind: deadline_status(ind.deadline, as_of, ind.timeframe or "")
        env.globals.update(site=site, LEVEL_LABEL=LEVEL_LABEL, as_of_note=as_of_note(as_of), repo_url="", licence={},
                           **functions)
        fastjinja.call_directly(env, functions.values())

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
        # The escaped pieces of every task's link and chips, made once: a task is linked from a dozen pages.
        pieces = {(t.doc, t.id): self._task_pieces(t) for t in site.all_tasks}

        def link(to_url: str) -> str:
            return relative(self.url, to_url)

        def task_link(task: Task, show_doc: bool = False, anchor: str = "") -> Markup:
            url, title, where, _ = pieces[(task.doc, task.id)]
            href = relative(self.url, url) + (f"#{anchor}" if anchor else "")
            return Markup(f'<a href="{href}{title}{where}' if show_doc else f'<a href="{href}{title}')

        def task_items(tasks: Sequence[Task]) -> Markup:
            """Each task as a list item linking to it, with its jurisdiction, one a line: the related tasks
            of every task page (a loop in the template costs three times as much)."""
            return Markup("\n".join([f"<li>{task_link(task, show_doc=True)}</li>" for task in tasks]))

        def indicator_chips(task: Task) -> Markup:
            url, _, _, chips = pieces[(task.doc, task.id)]
            return Markup(_chips(relative(self.url, url), chips))

        def body_name(body) -> Markup:
            return Markup(f'<a href="{relative(self.url, f"bodies/{body.id}/")}">{escape(body.name)}</a>')

        def doc_line(doc: Document) -> Markup:
            return Markup(f'<a href="{relative(self.url, doc.url)}">{escape(doc.title)}</a> <span class="rc-muted">'
                          f'· {escape(doc.label)}</span>')

        def local_tasks(tasks: Sequence[Task], caller: Callable | None = None, wording: bool = False) -> Markup:
            """Tasks of cities and counties under the name of their jurisdiction, each followed by what the
            caller of a {% call %} adds (given the task and its index), or else by its indicator chips; with
            `wording`, a task carrying out a higher one links to its word-by-word comparison with it."""
            out = ['<dl class="rc-local">\n']
            doc_id = None
            for n, task in enumerate(tasks):
                if task.doc != doc_id:
                    doc_id = task.doc
                    doc = site.document[doc_id]
                    jur = site.jurisdiction[doc.jurisdiction]
                    out.append(f'<dt>{level_badge(jur.level)} '
                               f'<a href="{relative(self.url, doc.url)}">{escape(doc.label)}</a></dt>')
                url, title, _, chips = pieces[(task.doc, task.id)]
                href = relative(self.url, url)  # once for the task's link and its chips
                note = escape(caller(task, n)) if caller else Markup(_chips(href, chips))  # not escaped by += below
                if wording and task.implements:
                    above = site.jurisdiction[site.document[site.task[task.implements[0]].doc].jurisdiction]
                    note += Markup(f'<br><a class="rc-muted" href="{href}#wording">wording against the '
                                   f'{above.level} task</a>')
                out.append(f'<dd><a href="{href}{title} {note}</dd>\n')
            out.append("</dl>")
            return Markup("".join(out))

        return {"link": link, "task_link": task_link, "task_items": task_items, "indicator_chips": indicator_chips,
                "body_name": body_name, "doc_line": doc_line, "local_tasks": local_tasks}

    def _task_pieces(self, task: Task) -> tuple[str, str, str, list[str]]:
        name = self.site.document[task.doc].label
        chips = [f'{ind.id}" title="{escape(ind.measure)}">{escape(indicator_value(ind))}</a>'
                 for ind in task.indicators]
        return (task.url, f'">{html.escape(task.title)}</a>', f' <span class="rc-muted">— {html.escape(name)}</span>',
                chips)

    def absolute(self, url: str) -> str:
        return self.site_url + url

    def render(self, job: Job | Download) -> bytes:
        """The bytes of the job's file: its page rendered from templates/<template>.md.j2 (links relative
        to the page's URL), or its download made."""
        if isinstance(job, Download):
            return job.make()
        self.url = page_url(job.path)
        return self.env.get_template(f"{job.template}.md.j2").render(url=self.url, **job.make_context()).encode()


def level_badge(level: str) -> Markup:
    """A jurisdiction's level as the badge every page shows it in."""
    return Markup(f'<span class="rc-level rc-level-{escape(level)}">{escape(LEVEL_LABEL[level])}</span>')


def _diff_blocks() -> Callable[..., Markup]:
    """diff_block for templates: the word diff of two tasks' wordings (old against new). A pair is shown on
    the task page, the page of what its document carries out and the page of what changed: diffed once."""
    diffs: dict[tuple[str, str], Diff] = {}

    def diff_block_of(old: Task, new: Task, here: str = "here", there: str = "in the higher-level text") -> Markup:
        pair = (old.key, new.key)
        if pair not in diffs:
            diffs[pair] = word_diff(wording(old.quotes), wording(new.quotes))
        return Markup(diff_block(old.quotes, new.quotes, here, there, diffs[pair]))
    return diff_block_of


def _chips(href: str, chips: list[str]) -> str:
    """A task's indicator chips, each linking to its indicator's anchor on the task page at href."""
    start = f'<a class="rc-chip" href="{href}#'
    return start + start.join(chips) if chips else ""
