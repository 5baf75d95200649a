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
    return normalised_source.find(normalise(quote))


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
