"""Days and instants as both fakes count and write them.

A day is an integer count of days since the Unix epoch, in UTC; an instant is written as
ISO 8601 in UTC to the whole second, the way both APIs send timestamps.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Final

__all__ = ["DAY", "date_of_day", "day_of", "day_of_date", "iso"]

#: Seconds in a day.
DAY: Final = 86_400
_EPOCH: Final = dt.date(1970, 1, 1)


def day_of(epoch_seconds: float) -> int:
    """The UTC day number (days since 1970-01-01) of an instant."""
    return int(epoch_seconds // DAY)


def day_of_date(value: dt.date) -> int:
    """The day number of a date."""
    return (value - _EPOCH).days


def date_of_day(day: int) -> dt.date:
    """The date of a day number."""
    return _EPOCH + dt.timedelta(days=day)


def iso(epoch_seconds: float) -> str:
    """``2026-06-14T09:30:00Z``: ISO 8601 in UTC, whole seconds."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch_seconds))
