"""How the site words dates, periods, numbers, levels and indicator values: in this one place."""

from __future__ import annotations

from generator.model.site import Indicator

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
LEVEL_LABEL = {"national": "National", "province": "Province", "prefecture": "City (prefecture)",
               "city": "City", "county": "County"}
COMPARATOR = {"=": "", ">=": "at least ", ">": "more than ", "<=": "at most ", "<": "less than ",
              "about": "about ", "range": ""}


def human_date(value: str | None) -> str:
    """2020-07 -> July 2020; unknown -> 'not stated in the source'."""
    if not value or value == "unknown":
        return "not stated in the source"
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def human_period(period: tuple[str, str] | None) -> str:
    if period is None:
        return "not stated in the source"
    start, end = (human_date(p) for p in period)
    return start if start == end else f"{start} – {end}"


def number(value: float | None) -> str:
    if value is None:
        return ""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,}"


def indicator_value(ind: Indicator) -> str:
    """'about 40%', 'more than 90%', '1–2 counties', '63 hospitals'."""
    figure = number(ind.value)
    if ind.comparator == "range":
        figure = f"{figure}–{number(ind.value_max)}"
    sep = "" if ind.unit in ("%", "‰") else " "
    return f"{COMPARATOR[ind.comparator]}{figure}{sep}{ind.unit}"
