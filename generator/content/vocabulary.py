"""Values the records share with the code beyond the schema: jurisdiction levels by rank, and which
written dates exist."""

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
