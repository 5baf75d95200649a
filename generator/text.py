"""Text helpers shared by the checks and the pages: whitespace normalising and quote lookup."""

from __future__ import annotations


def normalise(text: str) -> str:
    """Collapse every run of white space to one space; nothing else changes."""
    return " ".join(text.split())  # split() cuts at what str.isspace calls white space, as \s does


def find_quote(normalised_source: str, quote: str) -> int:
    """Offset of the quote in the normalised source, or -1."""
    return normalised_source.find(normalise(quote))


def quote_mismatch(normalised_source: str, quote: str) -> str:
    """Say where a quote stops matching the source, so an editor can fix it."""
    q = normalise(quote)
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
    return f"the first {lo} characters match; then the quote has {mine!r} where the source has {theirs!r}"


def source_spans(source: str) -> tuple[str, list[int]]:
    """The normalised source and, for each of its characters, its offset in the original."""
    chars: list[str] = []
    offsets: list[int] = []
    pending_space = False
    for i, ch in enumerate(source):
        if ch.isspace():
            pending_space = bool(chars)
            continue
        if pending_space:
            chars.append(" ")
            offsets.append(i - 1)
            pending_space = False
        chars.append(ch)
        offsets.append(i)
    return "".join(chars), offsets
