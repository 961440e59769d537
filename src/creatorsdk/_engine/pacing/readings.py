"""Rate-limit headers: what one response says about the key's budget, and whether to believe it."""

from __future__ import annotations

import datetime
import email.utils
import math
from collections.abc import Mapping

import attrs

__all__ = [
    "LONGEST_WINDOW",
    "CountAhead",
    "RateLimit",
    "ServerClock",
    "http_date",
    "parse_rate_limit",
    "usable_reset",
]

#: No real window is longer than a day (daily quotas); a reset further away is a unit mix-up
#: (milliseconds) or a broken clock.
LONGEST_WINDOW = 24 * 3600.0
#: A ``Reset`` below this is delta-seconds (the IETF draft's ``RateLimit-Reset``), not a date.
_EPOCH_FLOOR = 1e9
#: ... and one above this is a date in milliseconds (``Date.now() + window``), not seconds:
#: as seconds, it is past the year 30,000.
_EPOCH_MS_FLOOR = 1e12
#: More requests than any key's window holds: a count above it (``1e308``, a 64-bit "no
#: limit" sentinel) is not a count to pace on, and in float arithmetic it overflows.
_MOST = 10**9
#: How far in the past a reset may be and still be this window's (clock skew, transit time).
_PAST_SLACK = 1.0
#: Clocks surely further apart than this are corrected for; closer ones are taken as the same
#: (a ``Date`` has whole seconds: it cannot tell them apart more finely than that).
_SKEW_SEEN = 2.0
#: A reset within this of a whole second is one (moved onto our clock, it is off by rounding).
_WHOLE = 1e-6
#: Refusals of the send after one whose answer showed a request left, with none left, that
#: make a server's counts one ahead; and how many of its latest answers are kept to find them
#: (up to twice as many between two trims).
_AHEAD_SEEN = 1
_AHEAD_KEPT = 64
#: How closely the server's clock must be known before its resets are moved onto ours (the
#: most a moved reset can be late).
_SETTLED = 0.3


@attrs.frozen
class RateLimit:
    """The rate-limit state one response reported.

    ``limit`` is the window's ceiling, ``remaining`` what is left of it, and ``reset_at`` the
    Unix time in seconds when the window starts over.
    """

    limit: int | None
    remaining: int
    reset_at: float


def parse_rate_limit(
    headers: Mapping[str, str],
    *,
    now: float | None = None,
    server_ahead: float = 0.0,
    limit_header: str = "x-ratelimit-limit",
    remaining_header: str = "x-ratelimit-remaining",
    reset_header: str = "x-ratelimit-reset",
) -> RateLimit | None:
    """Read a :class:`RateLimit` from response headers, or ``None`` when absent or unusable.

    ``remaining`` and ``reset`` are both needed to pace; ``limit`` is informative only.
    Values that are negative, non-finite or not numbers make the whole reading unusable
    rather than guessed at, and so does a ``remaining`` over a billion (a ``limit`` that
    large is left out). Given ``now``, a small ``reset`` (under 10⁹) is read as seconds
    from now, as the IETF draft's ``RateLimit-Reset`` sends it; a huge one (over 10¹²) as
    a date in milliseconds, as servers written in JavaScript send it; one written as a date
    (ISO 8601 with its zone, or an HTTP date) as that date. A reset that is a date is on
    the server's clock: it is moved onto ours by ``server_ahead`` seconds (see
    :class:`ServerClock`).
    """
    parsed = _parse(headers, now, server_ahead, limit_header, remaining_header, reset_header)
    return None if parsed is None else parsed[0]


def _parse(
    headers: Mapping[str, str],
    now: float | None,
    server_ahead: float,
    limit_header: str = "x-ratelimit-limit",
    remaining_header: str = "x-ratelimit-remaining",
    reset_header: str = "x-ratelimit-reset",
) -> tuple[RateLimit, float | None] | None:
    """:func:`parse_rate_limit`'s reading, and the reset as sent when it is seconds from now
    (``None`` for a date)."""
    remaining = _number(headers.get(remaining_header))
    reset = _number(headers.get(reset_header))
    if reset is None:
        reset = _date(headers.get(reset_header))
    if remaining is None or reset is None or remaining > _MOST:
        return None
    if reset >= _EPOCH_MS_FLOOR:
        reset /= 1000.0
    reset_at, seconds = reset, None
    if reset >= _EPOCH_FLOOR:
        reset_at -= server_ahead
    else:
        seconds = reset
        if now is not None:
            reset_at += now
    limit = _number(headers.get(limit_header))
    rate_limit = RateLimit(
        limit=int(limit) if limit is not None and limit <= _MOST else None,
        remaining=int(remaining),
        reset_at=reset_at,
    )
    return rate_limit, seconds


class ServerClock:
    """How far the server's clock is ahead of ours, from the ``Date`` of its answers; and
    the resets of its answers on our clock (:meth:`reading`).

    A reset sent as a date is on the server's clock. With that clock hours off (a broken
    NTP, a fake that keeps its own time) every reset looks long past or hours away, and is
    unusable: the client paced as if the server sent no headers, and drew the 429s that
    finds the rate.

    ``Date`` has whole seconds: an answer dated ``D`` was written while the server's clock
    read ``D`` to ``D + 1``, at some instant between our send and its answer. Each answer
    bounds the offset so, and together they narrow it (answers written on either side of
    the server's second ticking over). Once it is known to ``_SETTLED`` seconds it is
    fixed: a reset moved by a different amount with each answer would look like another
    window's. Clocks that may be within ``_SKEW_SEEN`` of each other are taken as the same
    (resets are used as sent, as before); further apart, :attr:`ahead` is the offset's
    lower bound, which keeps every moved reset no earlier than the server meant.
    """

    def __init__(self) -> None:
        self._low = -math.inf  # the offset is above this ...
        self._high = math.inf  # ... and below this
        self._date: str | None = None  # the last Date read, and its time (one parse a second)
        self._dated = 0.0
        self._settled = False
        #: Seconds to take from a reset the server sent as a date (0 until the offset is
        #: known, and when the clocks agree).
        self.ahead = 0.0
        # Resets sent as whole seconds from now: the one read for the window now open, and
        # the count of the latest answer read with it (more left than that is a refill).
        self._band: float | None = None
        self._remaining = 0
        # Whether those seconds are rounded down (a reset of 0 while the window is open).
        self._rounds_down = False
        #: Whether the key's budget comes back a request at a time (a bucket's reset is its
        #: next request back, which moves with every answer: it is read as it comes).
        self.rolling = False
        # Whether the latest reset, sent as seconds from now, was whole (None: a date).
        self._whole_from_now: bool | None = None

    def reading(
        self, headers: Mapping[str, str], sent_at: float, answered_at: float
    ) -> RateLimit | None:
        """The rate-limit reading of the answer to a request sent at ``sent_at``.

        A reset that is a date is moved onto our clock (see :attr:`ahead`). One sent as
        whole seconds from now (``Reset: 1``) was rounded as the server counted the
        request, somewhere between our send and its answer: read against each answer's
        time, it would move by up to a second from answer to answer in one window, and
        every answer would look like another window's. So it is read as a reset sent as a
        date is: the first answer of a window sets it (its time plus the seconds), and the
        answers after it whose reset comes within a second of that one, with no refill of
        half the limit, give the same. Seconds rounded down (a server that sends 0 while a
        window is open does) are read a second on, as if rounded up; then the pacer learns
        them as it does dates rounded up to whole seconds.
        """
        parsed = _parse(headers, answered_at, self.ahead)
        if parsed is None:
            return None
        rate_limit, seconds = parsed
        self._whole_from_now = None if seconds is None else seconds == math.floor(seconds)
        if not self._whole_from_now or self.rolling:
            # A date, moved already; fractions of a second, as exact as a trip allows; or a
            # bucket's next request back.
            return rate_limit
        limit = rate_limit.limit
        if seconds == 0 and not self._rounds_down and limit and rate_limit.remaining < limit - 1:
            self._rounds_down = True
            if self._band is not None:
                self._band += 1.0
        reset_at = rate_limit.reset_at + (1.0 if self._rounds_down else 0.0)
        band, refill = self._band, rate_limit.remaining - self._remaining
        half = (limit or rate_limit.remaining + 1) / 2
        self._remaining = rate_limit.remaining
        if band is None or abs(reset_at - band) >= 1.0 or refill >= half:
            band = self._band = reset_at
        return attrs.evolve(rate_limit, reset_at=band)

    def sent_whole(self, reset_at: float) -> bool:
        """Whether the server sent the reset ``reset_at`` (the latest answer's) as whole
        seconds, of a date or from now."""
        if self._whole_from_now is not None:
            return self._whole_from_now
        sent = reset_at + self.ahead  # as the server sent it
        return abs(sent - round(sent)) <= _WHOLE

    def observe(self, date: str | None, sent_at: float, answered_at: float) -> None:
        """Note the ``Date`` of an answer to a request sent at ``sent_at`` (our clock)."""
        if date is None:
            return
        if date != self._date:
            dated = http_date(date)
            if dated is None:
                return
            self._date, self._dated = date, dated
        low, high = self._dated - answered_at, self._dated + 1.0 - sent_at
        if low > self._high or high < self._low:
            # Out of line with every answer before: its clock was set. Start over.
            self._low, self._high, self._settled, self.ahead = low, high, False, 0.0
        else:
            self._low, self._high = max(self._low, low), min(self._high, high)
        if not self._settled and self._high - self._low <= _SETTLED:
            self._settled = True
            if self._low > _SKEW_SEEN or self._high < -_SKEW_SEEN:
                self.ahead = self._low


class CountAhead:
    """Whether the server reports each answer's ``remaining`` before counting its request:
    one more than is left, so that a window's last answer shows 1 and the next send is
    refused.

    Read as sent, such counts end each window in a 429 (14 in 1,500 requests on a window of
    100 a second), and the 429's ``Retry-After`` holds every sender. The sign is a send
    refused with none left right after the key's previous send was answered with one left
    (a server that counts first answers it with none left); seen :data:`_AHEAD_SEEN`
    times, the counts are read one lower (:meth:`corrected`). One
    success answered with none left says they are not ahead, for good: a consumer outside
    the client that took the last request makes the same sign, and the same server shows
    none left whenever a window is spent by the client's own sends.
    """

    def __init__(self) -> None:
        self._left: dict[int, int] = {}  # the latest successes' counts, by sequence number
        self._refused: set[int] = set()  # the latest refused with none left
        self._seen = 0
        self._refuted = False

    @property
    def ahead(self) -> bool:
        """Whether the server's counts are taken as one ahead."""
        return self._seen >= _AHEAD_SEEN and not self._refuted

    def answered(self, seq: int, remaining: int, *, refused: bool) -> None:
        """Note send ``seq``'s count as the server reported it (``refused``: a 429)."""
        if self._refuted:
            return
        if refused:
            if remaining == 0:
                if self._left.get(seq - 1) == 1:
                    self._seen += 1
                self._refused.add(seq)
        elif remaining == 0:
            self._refuted = True
            self._left.clear()
            self._refused.clear()
            return
        else:
            if remaining == 1 and seq + 1 in self._refused:
                self._seen += 1
            self._left[seq] = remaining
        if len(self._left) + len(self._refused) > 2 * _AHEAD_KEPT:
            oldest = seq - _AHEAD_KEPT
            self._left = {key: left for key, left in self._left.items() if key > oldest}
            self._refused = {key for key in self._refused if key > oldest}

    def corrected(self, rate_limit: RateLimit) -> RateLimit:
        """``rate_limit`` with what is truly left, as far as is known."""
        if not self.ahead or not rate_limit.remaining:
            return rate_limit
        return attrs.evolve(rate_limit, remaining=rate_limit.remaining - 1)


def usable_reset(reset_at: float, now: float, longest: float = LONGEST_WINDOW) -> float | None:
    """``reset_at`` when it can be right at ``now``, else ``None``.

    A reset further away than ``longest`` (milliseconds for seconds, a skewed clock) or in the
    past (an older window's, or a server clock behind ours) says nothing about when this
    window's budget comes back.
    """
    if reset_at < now - _PAST_SLACK or reset_at > now + longest:
        return None
    return reset_at


def _number(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    return number


def _date(value: str | None) -> float | None:
    """A reset sent as a date rather than a number (an HTTP date, or ISO 8601 with its
    zone), as Unix seconds; ``None`` if it is neither."""
    if value is None:
        return None
    value = value.strip()
    try:
        parsed = datetime.datetime.fromisoformat(value)
    except ValueError:
        return http_date(value)
    if parsed.tzinfo is None:
        return None  # a time without its zone is no instant
    return parsed.timestamp()


def http_date(value: str) -> float | None:
    """An HTTP date (``Date``, ``Retry-After``) as Unix seconds, or ``None`` if it is not one."""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed.tzinfo is None:
        return None  # RFC 9110 dates are GMT; one without a zone is not a date we can place
    return parsed.timestamp()
