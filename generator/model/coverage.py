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
    quotes = [q for task in doc.tasks for q in (*task.quotes, *([task.bodies_quote] if task.bodies_quote else []),
                                                 *(ind.quote for ind in task.indicators))]
    found = account(normalise(site.sources[doc.source_file]), quotes, [note.quote for note in doc.notes])
    return Coverage(doc.id, found.quoted, found.noted, found.uncovered)


def account(text: str, quotes: list[str], notes: list[str]) -> Coverage:
    """How much of a white-space-normalised text the quotes and the notes (and its `< p >` marks) cover,
    and the passages of four or more word characters that neither covers."""
    quoted = _merged(_spans(text, quotes))
    accounted = _merged(quoted + _spans(text, notes) + [(m.start(), m.end()) for m in _MARK.finditer(text)])
    total = len(_WORD.findall(text)) or 1
    in_quotes = sum(len(_WORD.findall(text, a, b)) for a, b in quoted)
    in_either = sum(len(_WORD.findall(text, a, b)) for a, b in accounted)
    return Coverage("", in_quotes / total, (in_either - in_quotes) / total, _gaps(text, accounted))


def uncovered(text: str, quotes: list[str], notes: list[str]) -> list[str]:
    """What account() calls uncovered, without counting the rest (the checks ask only this)."""
    return _gaps(text, _merged(_spans(text, quotes + notes) + [(m.start(), m.end()) for m in _MARK.finditer(text)]))


def _gaps(text: str, accounted: list[tuple[int, int]]) -> list[str]:
    """The passages of four or more word characters between the merged spans."""
    gaps, at = [], 0
    for a, b in accounted + [(len(text), len(text))]:
        if a > at:
            gaps.append(text[at:a])
        at = max(at, b)
    return [g.strip() for g in gaps if len(_WORD.findall(g)) >= 4]


def _spans(text: str, quotes: list[str]) -> list[tuple[int, int]]:
    """Every place each quote occurs in the text."""
    spans = []
    for quote in quotes:
        q = normalise(quote)
        at = text.find(q) if q else -1
        while at >= 0:
            spans.append((at, at + len(q)))
            at = text.find(q, at + 1)
    return spans


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def site_coverage(site: Site) -> list[Coverage]:
    return [document_coverage(site, d) for d in site.documents]
