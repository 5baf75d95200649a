"""Linear cost: a source page of tens of thousands of quoted spans costs about as much per span as one of a
few thousand (relative times of two sizes in one run, each the best of three), and the one-pass quote lookup
finds what str.find finds."""

from __future__ import annotations

import time
import types

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.content import text
from generator.pages import source_text as renderer

SMALL, LARGE = 1_000, 10_000
SLACK = 4  # a linear stage stays well inside this factor of the size ratio; a quadratic one is SLACK-fold past it


def document(notes: int, tasks: int):
    """A source of `notes` sentences in paragraphs of five, each sentence a note, the first `tasks` also tasks."""
    sentences = [f"Sentence {i} says the county will build clinic {i * 7} by {2000 + i % 30}." for i in range(notes)]
    source = "\n".join(" ".join(sentences[j:j + 5]) for j in range(0, notes, 5))
    made = [types.SimpleNamespace(id=f"t{i}", url=f"tasks/d/t{i}/", title=f"Task {i}", quotes=(sentences[i],),
                                  bodies_quote="", indicators=(), former_ids=()) for i in range(tasks)]
    doc = types.SimpleNamespace(source_file="x.txt", tasks=made,
                                notes=[types.SimpleNamespace(quote=s, reason="r") for s in sentences])
    return types.SimpleNamespace(sources={"x.txt": source}), doc


def best_time(size: int) -> float:
    site, doc = document(size, size // 10)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        paragraphs = renderer.source_paragraphs(site, doc)
        times.append(time.perf_counter() - start)
    assert len(paragraphs) == size // 5 and 'class="rc-q"' in paragraphs[0] and 'class="rc-note"' in paragraphs[-1]
    return min(times)


def test_the_source_page_is_linear_in_its_quoted_spans():
    small, large = best_time(SMALL), best_time(LARGE)
    assert large / small < SLACK * LARGE / SMALL, (small, large)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ab c", max_size=60), st.lists(st.text(alphabet="ab c", min_size=1, max_size=40), max_size=8),
       st.booleans())
def test_locate_finds_what_find_finds(flat, quotes, one_pass):
    flat = text.normalise(flat)
    if one_pass:  # the pass over the source, whatever the sizes
        budget, prefix = text.FIND_BUDGET, text.PREFIX
        text.FIND_BUDGET, text.PREFIX = -1, 3
    try:
        found = text.locate(flat, quotes)
    finally:
        if one_pass:
            text.FIND_BUDGET, text.PREFIX = budget, prefix
    assert found == {text.normalise(q): flat.find(text.normalise(q)) for q in quotes}
