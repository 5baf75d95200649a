"""Values the records share with the code beyond the schema: jurisdiction levels by rank, which written
dates exist, and the placeholders `make new` writes."""

from __future__ import annotations

import datetime

LEVEL_RANK = {"national": 0, "province": 1, "prefecture": 2, "city": 2, "county": 3}


def real_date(value: str) -> bool:
    """Whether a date written YYYY, YYYY-MM or YYYY-MM-DD is in the calendar (2021-02-30 is not)."""
    parts = [int(p) for p in value.split("-")]
    try:
        datetime.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


# Values `make new` writes for the editor to replace: left as they are, they are errors.
PLACEHOLDERS = {
    "summary": "Two or three plain sentences for readers: what the document is and what it covers.",
    "source.description": "What the stored text is (full text, news report, reprint).",
    "task.id": "first-task",
    "task.title": "Short title in plain words",
    "task.quote": "Copy the task's words from the source file here, exactly.",
}
