"""Problems found in content, reported as path:line:col: error: message, plus a hint."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with the content, and where."""

    path: str
    line: int
    column: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}:{self.column}: error: {self.message}"
        if self.hint:
            text += f"\n  hint: {self.hint}"
        return text


class ContentError(Exception):
    """Raised with every problem found, so one run reports them all."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems))
        super().__init__(self.report())

    def report(self) -> str:
        lines = [str(p) for p in self.problems]
        count = len(self.problems)
        lines.append(f"{count} problem{'s' if count != 1 else ''} found; nothing was written.")
        return "\n".join(lines)


def did_you_mean(word: str, known: list[str] | dict[str, str]) -> str:
    """A "did you mean ...?" phrase for an unknown id, or an empty string.

    `known` maps names (ids and aliases) to the id they stand for.
    """
    names = known if isinstance(known, dict) else {k: k for k in known}
    lowered = {n.lower(): i for n, i in names.items()}
    if word.lower() in lowered:
        return f"did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word.lower(), list(lowered), n=3, cutoff=0.6)
    ids = list(dict.fromkeys(lowered[c] for c in close))
    if not ids:
        return ""
    return "did you mean " + " or ".join(f"'{i}'" for i in ids) + "?"
