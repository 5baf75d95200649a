"""A document's source text as HTML paragraphs, each quoted span linked to its task."""

from __future__ import annotations

import heapq
import html
import re
from bisect import bisect_left, bisect_right

from markupsafe import Markup

from generator.content.text import locate, normalise, source_spans
from generator.model.site import Document, Indicator, Site, Task


def task_anchor(task: Task, indicator: Indicator | None = None) -> str:
    """The anchor of a task's (or indicator's) quote on its document's source page."""
    return f"q-{task.id}" + (f"--{indicator.id}" if indicator else "")


def source_paragraphs(site: Site, doc: Document) -> list[Markup]:
    """The paragraphs of the document's source, each quoted span linked to its task (an anchor where a
    quote starts) and each passage its notes leave out marked with the reason."""
    text = site.sources[doc.source_file]
    flat, offsets = source_spans(text)
    spans = []  # (start, end, anchor, task or None, note reason)
    passages = []  # (task, its passages with their anchors)
    for task in doc.tasks:
        pairs = [(q, task_anchor(task)) for q in task.quotes]
        if task.bodies_quote:
            pairs.append((task.bodies_quote, task_anchor(task) + "--bodies"))
        passages.append((task, pairs + [(ind.quote, task_anchor(task, ind)) for ind in task.indicators]))
    at_of = locate(flat, [q for _, pairs in passages for q, _ in pairs] + [note.quote for note in doc.notes])
    for task, pairs in passages:
        for n, (quote, anchor) in enumerate(pairs):
            quote = normalise(quote)
            at = at_of[quote]
            if at >= 0:
                end = offsets[at + len(quote) - 1] + 1
                first = n == 0 or anchor != task_anchor(task)
                spans.append((offsets[at], end, anchor if first else "", task, ""))
    for note in doc.notes:
        quote = normalise(note.quote)
        at = at_of[quote]
        if at >= 0:
            spans.append((offsets[at], offsets[at + len(quote) - 1] + 1, "", None, note.reason))
    return [Markup(html) for html in _mark_up(text, _paragraph_bounds(text), spans)]


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


def _mark_up(text: str, paragraphs: list[tuple[int, int]], spans: list) -> list[str]:
    """Each paragraph's HTML: its text cut at every span's start and end, each piece linked to the first task
    (in the order of `spans`) whose span covers it, else marked with the first note's reason.

    One sweep over the cuts in order, with the spans that cover the current piece kept as it goes: the
    cost is the text, the spans and what is written (a search of every span for every piece or paragraph
    took minutes for a document of tens of thousands of notes).
    """
    starts: dict[int, list[int]] = {}
    for n, sp in enumerate(spans):
        starts.setdefault(sp[0], []).append(n)
    by_start = sorted(range(len(spans)), key=lambda n: spans[n][0])
    by_end = sorted(range(len(spans)), key=lambda n: spans[n][1])
    bounds = sorted({x for sp in spans for x in sp[:2]})
    tasks: set[int] = set()  # the task spans covering the piece
    notes: list[int] = []  # a heap of the note spans begun, the first in `spans` order on top
    ended: set[int] = set()
    begun = gone = 0
    out = []
    for start, end in paragraphs:
        cuts = [start, *bounds[bisect_right(bounds, start):bisect_left(bounds, end)], end]
        html_parts = []
        for a, b in zip(cuts, cuts[1:]):
            while begun < len(by_start) and spans[by_start[begun]][0] <= a:
                n = by_start[begun]
                if spans[n][3] is not None:
                    tasks.add(n)
                else:
                    heapq.heappush(notes, n)
                begun += 1
            while gone < len(by_end) and spans[by_end[gone]][1] <= a:
                tasks.discard(by_end[gone])
                ended.add(by_end[gone])
                gone += 1
            while notes and notes[0] in ended:
                heapq.heappop(notes)
            html_parts += [_anchors(spans[n]) for n in starts.get(a, ()) if spans[n][2]]
            html_parts.append(_piece(html.escape(text[a:b]), [spans[n] for n in sorted(tasks)],
                                     spans[notes[0]] if notes else None))
        out.append("".join(html_parts))
    return out


def _anchors(span) -> str:
    """A passage's anchor, and one for each former id of its task: a link made before a rename still lands."""
    out = f'<span class="rc-anchor" id="{span[2]}"></span>'
    for old in span[3].former_ids:
        out += f'<span class="rc-anchor" id="q-{old}{span[2][2 + len(span[3].id):]}" data-task="{span[3].id}"></span>'
    return out


def _piece(piece: str, covering_tasks: list, note) -> str:
    if covering_tasks:
        task = covering_tasks[0][3]
        ids = " ".join(dict.fromkeys(sp[3].id for sp in covering_tasks))
        return (f'<a class="rc-q" data-tasks="{ids}" href="../../../{task.url}" '
                f'title="{html.escape(task.title)}">{piece}</a>')
    if note is not None:
        return f'<span class="rc-note" title="Not a task: {html.escape(note[4])}">{piece}</span>'
    return piece
