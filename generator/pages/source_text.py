"""A document's source text as HTML paragraphs, each quoted span linked to its task."""

from __future__ import annotations

import html
import re

from markupsafe import Markup

from generator.content.text import normalise, source_spans
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
                for old in sp[3].former_ids:  # a passage link made before the task was renamed still lands here
                    out.append(f'<span class="rc-anchor" id="q-{old}{sp[2][2 + len(sp[3].id):]}" '
                               f'data-task="{sp[3].id}"></span>')
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
