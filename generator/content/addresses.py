"""One address, one thing: the output paths and page anchors that records claim, checked before anything is
written. Each rule takes the loaded content (whose records have passed the schema and reference checks) and
returns its problems; a collision names both records, each with its file:line:col."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

from generator.content.errors import Problem
from generator.content.project import Loaded
from generator.content.reader import RawFile

TEMPLATES = Path(__file__).resolve().parents[1] / "render" / "templates"

# An id is a folder or file name of the site: `index` is the name MkDocs gives a folder's own page, so a
# record with that id would take the place of its listing (or, for a task, be served one level up).
RESERVED = {
    "jurisdictions": ("index", "/jurisdictions/index/ would replace the list of jurisdictions at /jurisdictions/"),
    "bodies": ("index", "/bodies/index/ would replace the list of bodies at /bodies/"),
    "themes": ("index", "/themes/index/ would replace the list of themes at /themes/"),
    "tasks": ("index", "a task 'index' is served at /tasks/<document>/, while every link to it says "
                       "/tasks/<document>/index/"),
}


class _Claims:
    """Who claims each address (a path or an anchor): the first claim wins, a second is a problem naming both.

    An owner is (file, path of the value, what it is); a page's own anchors have no file.
    """

    def __init__(self, problems: list[Problem]):
        self.first: dict[str, tuple[RawFile | None, tuple, str]] = {}
        self.problems = problems

    def own(self, address: str, what: str) -> None:
        """The page itself writes this anchor."""
        self.first.setdefault(address, (None, (), what))

    def quietly(self, address: str, raw: RawFile, path: tuple, what: str) -> None:
        """A heading's anchor: MkDocs makes headings unique among themselves, so only later claims collide."""
        self.first.setdefault(address, (raw, path, what))

    def claim(self, address: str, raw: RawFile, path: tuple, what: str, hint: str) -> None:
        if address not in self.first:
            self.first[address] = (raw, path, what)
            return
        other_raw, other_path, other_what = self.first[address]
        if other_raw is None:
            message = f"{what} would be {address}, which is {other_what}"
        else:
            line, col = other_raw.where(other_path)
            message = f"{what} and {other_what} ({other_raw.path}:{line}:{col}) would both be {address}"
        self.problems.append(raw.problem(path, message, hint))


def reserved_ids(loaded: Loaded) -> list[Problem]:
    """`index` (and what else the URL scheme reserves) is refused as the id of anything with a page."""
    problems = []
    files = (("jurisdictions", loaded.jurisdictions), ("bodies", loaded.bodies), ("themes", loaded.themes))
    for kind, raw in files:
        word, reason = RESERVED[kind]
        for n, record in enumerate(raw.data[kind]):
            if record["id"] == word:
                problems.append(raw.problem((kind, n, "id"), f"id '{word}' is reserved: {reason}",
                                            "choose another id"))
    word, reason = RESERVED["tasks"]
    for raw in loaded.documents:
        for n, task in enumerate(raw.data["tasks"]):
            if task["id"] == word:
                problems.append(raw.problem(("tasks", n, "id"), f"id '{word}' is reserved: {reason}",
                                            "choose another id"))
            for f_n, former in enumerate(task.get("former_ids", [])):
                if former == word:
                    problems.append(raw.problem(("tasks", n, "former_ids", f_n),
                                                f"former id '{word}' is reserved: {reason}",
                                                "the old address was never served; leave it out"))
    return problems


def task_addresses(loaded: Loaded) -> list[Problem]:
    """Every task's address and every former id's redirect is one task's: one old address goes to one task."""
    problems: list[Problem] = []
    claims = _Claims(problems)
    for raw in loaded.documents:
        doc = raw.data["id"]
        current = {task["id"] for task in raw.data["tasks"]}  # a former id equal to one is reported by the checks
        for n, task in enumerate(raw.data["tasks"]):
            for f_n, former in enumerate(task.get("former_ids", [])):
                if former not in current:
                    claims.claim(f"/tasks/{doc}/{former}/", raw, ("tasks", n, "former_ids", f_n),
                                 f"former id '{former}' of task '{task['id']}'",
                                 "one old address redirects to one task: keep the former id on the task it "
                                 "belonged to")
    return problems


@functools.lru_cache(maxsize=None)
def fixed_anchors(template: str) -> frozenset[str]:
    """The anchors a page template writes itself: `{#name}` on headings and literal `id="name"`."""
    text = (TEMPLATES / template).read_text(encoding="utf-8")
    plain_headings = re.findall(r"^#+ ([^{\n]+?)\s*$", text, re.M)  # no template value, no {#id}: a slug
    return frozenset(re.findall(r"\{#([A-Za-z][\w-]*)[\s}]", text) + re.findall(r'\bid="([A-Za-z][\w-]*)"', text)
                     + [_slug(h) for h in plain_headings])


def _slug(text: str) -> str:
    """The anchor MkDocs gives a heading of this text (as the hook's fast page builder does)."""
    import html

    from markdown.extensions.toc import slugify
    return slugify(html.unescape(text), "-")


def _own_anchors(claims: _Claims, template: str, page: str) -> None:
    for anchor in sorted(fixed_anchors(template)):
        claims.own(f"{page}#{anchor}", f"the page's own '{anchor}' anchor")


def task_page_anchors(loaded: Loaded) -> list[Problem]:
    """An indicator's id is an anchor of its task page (not one of the page's sections, nor its title's) and,
    as q-<task>--<id>, of the source page (not the bodies_quote passage's q-<task>--bodies)."""
    problems: list[Problem] = []
    claims = _Claims(problems)
    for raw in loaded.documents:
        doc = raw.data["id"]
        source = f"/documents/{doc}/source/"
        for n, task in enumerate(raw.data["tasks"]):
            page = f"/tasks/{doc}/{task['id']}/"
            if task.get("indicators"):  # nothing else claims an anchor of the task page
                _own_anchors(claims, "task.md.j2", page)
                claims.quietly(f"{page}#{_slug(task['title'])}", raw, ("tasks", n, "title"), "the task's title")
            if "bodies_quote" in task:
                claims.claim(f"{source}#q-{task['id']}--bodies", raw, ("tasks", n, "bodies_quote"),
                             f"the bodies_quote of task '{task['id']}'", "")
            hint = "choose another indicator id: it is an anchor of the task page and of the source page"
            for i_n, ind in enumerate(task.get("indicators", [])):
                where = ("tasks", n, "indicators", i_n, "id")
                claims.claim(f"{page}#{ind['id']}", raw, where, f"indicator '{ind['id']}'", hint)
                claims.claim(f"{source}#q-{task['id']}--{ind['id']}", raw, where, f"indicator '{ind['id']}'", hint)
    return problems


def cascade_page_anchors(loaded: Loaded) -> list[Problem]:
    """On a document's cascade page each task is the anchor task-<id>, and each section a heading."""
    problems: list[Problem] = []
    claims = _Claims(problems)
    for raw in loaded.documents:
        page = f"/documents/{raw.data['id']}/cascade/"
        _own_anchors(claims, "cascade.md.j2", page)
        for n, task in enumerate(raw.data["tasks"]):
            claims.claim(f"{page}#task-{task['id']}", raw, ("tasks", n, "id"), f"task '{task['id']}'", "")
        sections = {}
        for n, task in enumerate(raw.data["tasks"]):
            sections.setdefault(task["section"], n)
        for section, n in sections.items():
            claims.claim(f"{page}#{_slug(section)}", raw, ("tasks", n, "section"), f"the heading of section "
                         f"'{section}'", "word the section differently: its heading's anchor is made from its words")
    return problems


def jurisdiction_page_anchors(loaded: Loaded) -> list[Problem]:
    """A jurisdiction's page has the anchor theme-<id> for each of its themes, beside its sections and title."""
    problems: list[Problem] = []
    claims = _Claims(problems)
    jurs, themes = loaded.jurisdictions, loaded.themes
    for n, jur in enumerate(jurs.data["jurisdictions"]):
        page = f"/jurisdictions/{jur['id']}/"
        _own_anchors(claims, "jurisdiction.md.j2", page)
        claims.quietly(f"{page}#{_slug(jur['name'])}", jurs, ("jurisdictions", n, "name"),
                       f"the title of jurisdiction '{jur['id']}'")
        for t_n, theme in enumerate(themes.data["themes"]):
            claims.claim(f"{page}#theme-{theme['id']}", themes, ("themes", t_n, "id"), f"theme '{theme['id']}'",
                         "choose another theme id (or reword the name): the anchor is theme-<id>")
    return list({(p.path, p.line, p.column): p for p in reversed(problems)}.values())[::-1]  # once, not per page


RULES: list[Callable[[Loaded], list[Problem]]] = [reserved_ids, task_addresses, task_page_anchors,
                                                   cascade_page_anchors, jurisdiction_page_anchors]
