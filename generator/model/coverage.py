"""How much of each source text the curated quotes account for."""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.model.site import Document, Site
from generator.content.text import normalise

_MARK = re.compile(r"<\s*p\s*>")
_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class Coverage:
    document: str
    quoted: float  # share of the source's word characters inside a task, indicator or bodies quote
    noted: float  # share inside a note (left out on purpose, with a reason)
    uncovered: list[str]

    @property
    def accounted(self) -> float:
        return self.quoted + self.noted


def document_coverage(site: Site, doc: Document) -> Coverage:
    text = normalise(site.sources[doc.source_file])
    state = [0] * len(text)  # 0 uncovered, 1 noted, 2 quoted
    for m in _MARK.finditer(text):
        for i in range(m.start(), m.end()):
            state[i] = 1
    def mark(quote: str, value: int) -> None:
        q = normalise(quote)
        at = text.find(q)
        while at >= 0:
            for i in range(at, at + len(q)):
                state[i] = max(state[i], value)
            at = text.find(q, at + 1)
    for note in doc.notes:
        mark(note.quote, 1)
    for task in doc.tasks:
        for q in task.quotes:
            mark(q, 2)
        if task.bodies_quote:
            mark(task.bodies_quote, 2)
        for ind in task.indicators:
            mark(ind.quote, 2)
    counted = [i for i, ch in enumerate(text) if _WORD.match(ch)]
    total = len(counted) or 1
    quoted = sum(1 for i in counted if state[i] == 2) / total
    noted = sum(1 for i in counted if state[i] == 1) / total
    uncovered, run = [], []
    for i, ch in enumerate(text):
        if state[i] == 0:
            run.append(ch)
        elif run:
            uncovered.append("".join(run))
            run = []
    if run:
        uncovered.append("".join(run))
    uncovered = [u.strip() for u in uncovered if len(_WORD.findall(u)) >= 4]
    return Coverage(doc.id, quoted, noted, uncovered)


def site_coverage(site: Site) -> list[Coverage]:
    return [document_coverage(site, d) for d in site.documents]
