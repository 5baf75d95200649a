"""How the site writes a partial date (2020, 2020-07, 2020-07-21) or a period: in this one place.

In content/ because every stage words dates: labels are made (and checked for clashes) here, deadline
statuses in model/, pages in pages/ and render/.
"""

from __future__ import annotations

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
NOT_STATED = "not stated in the source"
_SPANS = {("01", "12"): "", ("01", "06"): " H1", ("07", "12"): " H2", ("01", "03"): " Q1", ("04", "06"): " Q2",
          ("07", "09"): " Q3", ("10", "12"): " Q4"}


def long_date(value: str | None) -> str:
    """2020-07-21 -> 21 July 2020; 2020-07 -> July 2020; 2020 -> 2020; unknown -> 'not stated in the source'."""
    if not value or value == "unknown":
        return NOT_STATED
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def long_period(period: tuple[str, str] | None) -> str:
    """'July 2020 – December 2020', or one date when start and end read the same."""
    if period is None:
        return NOT_STATED
    start, end = (long_date(p) for p in period)
    return start if start == end else f"{start} – {end}"


def when(period: tuple[str, str] | None, issued: str) -> str:
    """A document's time in a list or a page's header: its period, else 'issued <date>', else 'date not stated'."""
    if period:
        return long_period(period)
    return f"issued {long_date(issued)}" if issued and issued != "unknown" else "date not stated"


def deadline(value: str, timeframe: str = "") -> str:
    """An indicator's deadline: its date, else the source's relative time ('within three years'), else 'not stated'."""
    return long_date(value) if value != "unknown" else (timeframe or "not stated")


def short_period(period, issued: str) -> str:
    """For labels: '2020 H2', '2020', '2018–2020', 'Mar–May 2020', 'issued 2020' or 'undated'."""
    if not isinstance(period, (dict, tuple, list)):
        return f"issued {issued[:4]}" if issued and issued != "unknown" else "undated"
    start, end = (period["start"], period["end"]) if isinstance(period, dict) else period
    if start[:4] != end[:4]:
        return f"{start[:4]}–{end[:4]}"
    months = (start[5:7] or "01", end[5:7] or "12")
    if months in _SPANS:
        return start[:4] + _SPANS[months]
    first, last = (MONTHS[int(m) - 1][:3] for m in months)
    return f"{first} {start[:4]}" if first == last else f"{first}–{last} {start[:4]}"
