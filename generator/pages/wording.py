"""How the site words numbers, levels and indicator values: in this one place (dates: content/dates.py)."""

from __future__ import annotations

from generator.model.site import Indicator

LEVEL_LABEL = {"national": "National", "province": "Province", "prefecture": "City (prefecture)",
               "city": "City", "county": "County"}
COMPARATOR = {"=": "", ">=": "at least ", ">": "more than ", "<=": "at most ", "<": "less than ",
              "about": "about ", "range": ""}


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
