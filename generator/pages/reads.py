"""Which documents each generated file shows: after an edit, output/keys.py renders again only the files
that show something of a changed document (and every file when anything else changed).

A file's reads are a superset, on purpose: a document's pages read the document's whole neighbourhood (the
documents above and below it by `implements`, its series, the documents of the tasks it continues or that
continue it, the other documents of its jurisdiction). A file with no reads (None) shows the site as a whole
and is rendered at every build. tests/test_incremental.py edits each fixture document in several ways and
compares every file with a clean build's.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from generator.model.site import Site


def neighbourhoods(site: Site) -> dict[str, frozenset[str]]:
    """Each document's id -> the ids of the documents its own pages may show."""
    up: dict[str, set[str]] = defaultdict(set)  # direct links, both ways, by kind
    down: dict[str, set[str]] = defaultdict(set)
    side: dict[str, set[str]] = defaultdict(set)
    for doc in site.documents:
        for task in doc.tasks:
            for key in task.implements:
                target = site.task[key].doc
                up[doc.id].add(target)
                down[target].add(doc.id)
            for key in task.continues:
                target = site.task[key].doc
                side[doc.id].add(target)
                side[target].add(doc.id)
        if doc.follows:
            side[doc.id].add(doc.follows)
            side[doc.follows].add(doc.id)
    for docs in _by_jurisdiction(site).values():
        for d in docs:
            side[d] |= docs
    out = {}
    for doc in site.documents:
        near = _closure(doc.id, up) | _closure(doc.id, down) | _closure(doc.id, side)
        out[doc.id] = frozenset(near)
    return out


def _by_jurisdiction(site: Site) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for doc in site.documents:
        groups[doc.jurisdiction].add(doc.id)
    return groups


def _closure(start: str, links: dict[str, set[str]]) -> set[str]:
    seen, todo = {start}, [start]
    while todo:
        for nxt in links.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def with_reads(job, reads, shape: str = "") -> object:
    """The job (a Job or a Download) with its reads set (and, for a Job, its shape)."""
    return replace(job, reads=frozenset(reads), **({"shape": shape} if shape else {}))


def shown_with_above(site: Site, tasks) -> frozenset[str]:
    """The documents of these tasks and of the tasks they carry out (a list of tasks names the level above)."""
    return frozenset({t.doc for t in tasks} | {site.task[key].doc for t in tasks for key in t.implements})
