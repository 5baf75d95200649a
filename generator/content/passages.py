"""Rules on quoted passages beyond "it is in the source": what the editors' guide forbids a quote to hold."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from generator.content.errors import Problem
from generator.content.project import Loaded
from generator.content.reader import RawFile

PARAGRAPH_MARK = re.compile(r"<\s*p\s*>", re.I)  # the `< p >` marks some sources keep between paragraphs


def quotes_of(raw: RawFile) -> Iterator[tuple[tuple, str, bool]]:
    """Every quoted passage of a document: (path, text, whether it may be a list of quotes)."""
    doc = raw.data
    for n, note in enumerate(doc.get("notes", [])):
        yield ("notes", n, "quote"), note["quote"], False
    for t_n, task in enumerate(doc["tasks"]):
        if isinstance(task["quote"], list):
            for q_n, quote in enumerate(task["quote"]):
                yield ("tasks", t_n, "quote", q_n), quote, True
        else:
            yield ("tasks", t_n, "quote"), task["quote"], True
        if "bodies_quote" in task:
            yield ("tasks", t_n, "bodies_quote"), task["bodies_quote"], False
        for i_n, ind in enumerate(task.get("indicators", [])):
            yield ("tasks", t_n, "indicators", i_n, "quote"), ind["quote"], False


def no_paragraph_marks(loaded: Loaded) -> list[Problem]:
    """A quote may not cross a `< p >` mark (CONTRIBUTING.md): the source page shows a paragraph break there."""
    problems = []
    for raw in loaded.documents:
        for path, quote, listed in quotes_of(raw):
            mark = PARAGRAPH_MARK.search(quote)
            if mark:
                problems.append(raw.problem(path, f"quote crosses a paragraph mark '{mark[0]}' "
                                            f"(at character {mark.start() + 1})",
                                            "split it at the mark into a list of quotes" if listed else
                                            "quote only the words on one side of the mark"))
    return problems


RULES: list[Callable[[Loaded], list[Problem]]] = [no_paragraph_marks]
