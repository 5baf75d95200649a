"""Text helpers shared by the checks and the pages: whitespace normalising and quote lookup."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Sequence

from generator.content.errors import code_point

# Where normalising drops characters: a run of several white-space characters, or any before the first word
# (\s is what str.isspace calls white space, as for split()).
_DROPPED_SPACE = re.compile(r"\s{2,}|^\s+")


def normalise(text: str) -> str:
    """Collapse every run of white space to one space; nothing else changes."""
    return " ".join(text.split())  # split() cuts at what str.isspace calls white space, as \s does


def find_quote(normalised_source: str, quote: str) -> int:
    """Offset of the quote in the normalised source, or -1."""
    quote = normalise(quote)
    if isinstance(normalised_source, Located) and quote in normalised_source.offsets:
        return normalised_source.offsets[quote]
    return normalised_source.find(quote)


def quote_mismatch(normalised_source: str, quote: str) -> str:
    """Say where a quote stops matching the source, so an editor can fix it (naming the two characters
    where they differ: letters that look alike may not be the same)."""
    q = normalise(quote)
    if unicodedata.normalize("NFC", q) in unicodedata.normalize("NFC", normalised_source):
        return ("the quote writes the same letters as the source in another Unicode form (composed 'é' U+00E9 "
                "against 'e' and U+0301, NFC against NFD): copy the passage from the source file")
    lo, hi = 0, len(q)
    while lo < hi:  # longest prefix that occurs in the source
        mid = (lo + hi + 1) // 2
        if q[:mid] in normalised_source:
            lo = mid
        else:
            hi = mid - 1
    if lo < 8:
        return "copy the passage from the source file exactly; only white space may differ"
    at = normalised_source.find(q[:lo])
    start = max(0, lo - 12)
    mine = ("…" if start else "") + q[start:lo + 24]
    theirs = ("…" if start else "") + normalised_source[at + start: at + lo + 24]
    differ = ""
    if lo < len(q) and at + lo < len(normalised_source):
        differ = f" ({code_point(q[lo])} in the quote, {code_point(normalised_source[at + lo])} in the source)"
    return f"the first {lo} characters match; then the quote has {mine!r} where the source has {theirs!r}{differ}"


def source_spans(source: str) -> tuple[str, Sequence[int]]:
    """The normalised source and, for each of its characters, its offset in the original
    (for a space, that of the last white-space character of the run it stands for)."""
    flat_at, shifts = [0], [0]  # from flat_at[n] on, a character is shifts[n] further on in the original
    for m in _DROPPED_SPACE.finditer(source):
        start, end = m.span()
        if start == 0:  # white space before the first word is dropped
            shifts[0] = end
        else:  # a run of several becomes one space (one after the last word is dropped: nothing comes after it)
            flat_at.append(start - shifts[-1])
            shifts.append(shifts[-1] + end - start - 1)
    flat = normalise(source)
    return flat, _Offsets(len(flat), flat_at, shifts)


class _Offsets(Sequence):
    """Offsets found when asked: a list of them all would cost a step per character of the source
    (most of a source page's time), where a page needs two for each quote."""

    def __init__(self, length: int, flat_at: list[int], shifts: list[int]):
        self._length = length
        self._flat_at = flat_at
        self._shifts = shifts

    def __len__(self) -> int:
        return self._length

    def __getitem__(self, index: int) -> int:
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError(index)
        return index + self._shifts[bisect_right(self._flat_at, index) - 1]


FIND_BUDGET = 20_000_000  # characters str.find may scan for a group of quotes before one pass for all is quicker
PREFIX = 32  # quotes are looked up by their first PREFIX characters (or all of a shorter one)


def locate(flat: str, quotes) -> dict[str, int]:
    """The first offset in the normalised source `flat` of each quote (normalised), or -1.

    One str.find per quote scans the source up to the quote, so tens of thousands of quotes of a long source
    cost their number times its length (minutes). Beyond FIND_BUDGET, quotes are grouped by their first
    characters and one pass over the source finds every group's quotes where those characters occur.
    """
    wanted = {normalise(q) for q in quotes}
    found: dict[str, int] = {}
    groups: dict[int, dict[str, list[str]]] = {}
    for q in wanted:
        groups.setdefault(min(len(q), PREFIX), {}).setdefault(q[:PREFIX], []).append(q)
    for k, by_prefix in groups.items():
        if k == 0 or sum(map(len, by_prefix.values())) * len(flat) <= FIND_BUDGET:
            found.update((q, flat.find(q)) for group in by_prefix.values() for q in group)
            continue
        for i in range(len(flat) - k + 1):
            pending = by_prefix.get(flat[i:i + k])
            if pending is None:
                continue
            for q in [q for q in pending if flat.startswith(q, i)]:
                found[q] = i
                pending.remove(q)
            if not pending:
                del by_prefix[flat[i:i + k]]
                if not by_prefix:
                    break
    return {q: found.get(q, -1) for q in wanted}


class Located(str):
    """A normalised source that knows where its document's quotes are (see locate)."""

    __slots__ = ("offsets",)


def located(flat: str, quotes) -> Located:
    source = Located(flat)
    source.offsets = locate(flat, quotes)
    return source
