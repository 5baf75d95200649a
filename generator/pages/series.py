"""Pages comparing a document with the documents above it and with the one it follows."""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.model.diff import wording
from generator.model.site import Document, Site, Task

if TYPE_CHECKING:
    from generator.pages.jobs import Job

DIFFS_INLINE = 2500  # characters of wording diffed word by word on one page (a diff's HTML is about 2.5 times
# its two wordings); beyond this each pair links to its task page's diff, so the page stays under 40 KB


def ancestors(site: Site, jurisdiction_id: str) -> list[str]:
    """The jurisdictions above one, nearest first."""
    out, j = [], site.jurisdiction[jurisdiction_id]
    while j.parent and j.parent in site.jurisdiction and j.parent not in out:
        out.append(j.parent)
        j = site.jurisdiction[j.parent]
    return out


def _overlaps(a: Document, b: Document) -> bool:
    if not a.period or not b.period:
        return False
    return a.period[0] <= b.period[1][:len(a.period[0])] and b.period[0] <= a.period[1][:len(b.period[0])]


def documents_above(site: Site, doc: Document) -> list[Document]:
    """The documents of the jurisdictions above this one that it carries out a task of, or whose period
    overlaps its own; national first."""
    implemented = {site.task[key].doc for t in doc.tasks for key in t.implements}
    above = []
    for jid in reversed(ancestors(site, doc.jurisdiction)):
        above += [d for d in site.documents_of(jid) if d.id in implemented or _overlaps(d, doc)]
    return above


def above_view(site: Site, doc: Document) -> dict | None:
    """What a local document carries out of each document above it, what it leaves out, what it adds."""
    above = documents_above(site, doc)
    if not above:
        return None
    mine: dict[str, list[Task]] = {}
    for t in doc.tasks:
        for key in t.implements:
            mine.setdefault(key, []).append(t)
    budget = [DIFFS_INLINE]
    groups = []
    for up in above:
        carried = [(u, mine[u.key]) for u in up.tasks if u.key in mine]
        groups.append({"doc": up, "carried": _with_diffs(carried, budget),
                       "missing": [u for u in up.tasks if u.key not in mine]})
    ours = {d.id for d in above}
    additions = [t for t in doc.tasks if not any(site.task[k].doc in ours for k in t.implements)]
    excerpt = doc.excerpt or any(d.excerpt for d in above)
    return {"groups": groups, "additions": additions, "excerpt": excerpt}


def _with_diffs(pairs: list[tuple[Task, list[Task]]], budget: list[int]) -> list[dict]:
    """Each (task above, tasks here) with whether its diffs are written out (while the budget lasts)."""
    out = []
    for up, here in pairs:
        size = len(wording(up.quotes)) * len(here) + sum(len(wording(t.quotes)) for t in here)
        inline = budget[0] >= size
        budget[0] -= size if inline else 0
        out.append({"up": up, "here": here, "inline": inline})
    return out


def changes_view(site: Site, doc: Document) -> dict | None:
    """What changed between the document a document follows and itself."""
    if not doc.follows:
        return None
    earlier = site.document[doc.follows]
    later_of: dict[str, list[Task]] = {}
    for t in doc.tasks:
        for key in t.continues:
            if site.task[key].doc == earlier.id:
                later_of.setdefault(key, []).append(t)
    continued = [(t, later_of[t.key]) for t in earlier.tasks if t.key in later_of]
    continuing = {t.key for _, ts in continued for t in ts}
    return {"earlier": earlier, "continued": _with_diffs(continued, [DIFFS_INLINE]),
            "new": [t for t in doc.tasks if t.key not in continuing],
            "dropped": [t for t in earlier.tasks if t.key not in later_of],
            "excerpt": doc.excerpt or earlier.excerpt}


def series_jobs(doc: Document, above: dict | None, changes: dict | None) -> list[Job]:
    """A document's page against the documents above it, and its what-changed page."""
    from generator.pages.jobs import Job  # jobs imports this module
    jobs = []
    if above:
        jobs.append(Job(f"documents/{doc.id}/above.md", "above", {"doc": doc, "view": above}))
    if changes:
        jobs.append(Job(f"documents/{doc.id}/changes.md", "changes", {"doc": doc, "view": changes}))
    return jobs


def timeline(docs: list[Document]) -> list[Document]:
    """A jurisdiction's documents by the start of their period (or issue date); undated ones last."""
    return sorted(docs, key=lambda d: (not d.when, d.when, d.id))
