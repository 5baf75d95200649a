"""Whether an indicator's deadline has passed, as of the build date (the last commit's date, so that two
builds of one commit are the same bytes). Outcomes are not tracked: the site records commitments."""

from __future__ import annotations

import calendar
import datetime

from generator.content.dates import long_date

STATUS_WORDS = {"passed": "deadline passed", "due": "deadline this period", "upcoming": "deadline ahead",
                "none": "no deadline stated", "unknown": "status not worked out"}

def _span(deadline: str) -> tuple[str, str]:
    """The first and last day a partial date covers, as ISO dates."""
    parts = deadline.split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return f"{year:04d}-01-01", f"{year:04d}-12-31"
    month = int(parts[1])
    if len(parts) == 2:
        return f"{year:04d}-{month:02d}-01", f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"
    return deadline, deadline


def deadline_status(deadline: str, as_of: str | None, timeframe: str = "") -> tuple[str, str]:
    """(status, words): passed, due (the build date falls in the deadline's year, month or day),
    upcoming, none (no deadline, or one counted from a start the source does not give) or unknown (no
    build date). The words stand beside the deadline itself, so they do not repeat it."""
    if not deadline or deadline == "unknown":
        return "none", ("counted from a start the source does not give" if timeframe else STATUS_WORDS["none"])
    if not as_of:
        return "unknown", STATUS_WORDS["unknown"]
    first, last = _span(deadline)
    if as_of > last:
        return "passed", "passed"
    if as_of >= first:
        return "due", "falls due now"
    return "upcoming", "ahead"


def build_date(epoch: str | None) -> str | None:
    """The UTC date of a Unix time given as text; None for 0 or nothing (no commit to date the build by)."""
    try:
        seconds = int(epoch or 0)
    except ValueError:
        return None
    if seconds <= 0:
        return None
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).date().isoformat()


def as_of_note(as_of: str | None) -> str:
    """The sentence that dates the deadline statuses of a page."""
    outcome = "Outcomes are not tracked: the site records what was committed, not what was achieved."
    if not as_of:
        return "Deadlines are not checked against a date: this build has no commit to date it by. " + outcome
    return f"Deadline status as of {long_date(as_of)}, the date of the site's last change. " + outcome

