"""The arithmetic of a shared budget: who may send now, and what the key has left.

A ledger holds the facts every sender on a key shares: how many requests were sent (each gets
a sequence number), the freshest rate-limit reading (the one carried by the latest-sent
request that answered), when each send left, a hold every sender respects after a 429, and
the rate discovered for an API that sends no headers. What the facts mean (when a window
starts over, how long a spent request counts) is learned by each client's pacer and handed
in as a :class:`Rule` on every :meth:`~LocalBudget.take`.

:class:`~creatorsdk.budgets.LocalBudget` runs this arithmetic in-process;
:class:`~creatorsdk.budgets.RedisBudget` runs the same steps as one Lua script per call.
"""

from __future__ import annotations

import math

import attrs

__all__ = [
    "CUBIC_BETA",
    "CUBIC_RECOVERY",
    "CUBIC_RECOVERY_LONGEST",
    "CUBIC_RECOVERY_SENDS",
    "NO_WAKE",
    "Keep",
    "Quota",
    "Rule",
    "Taken",
    "cubic_rate",
    "cubic_recovery",
]

#: Returned as the wake time when only an answer (a reading, a freed slot) can unblock.
NO_WAKE = math.inf
#: CUBIC's cut on a 429 (the rate drops to this share of where it was: the AWS SDKs' adaptive
#: mode's 0.7; at 0.8 the first cut, from a burst at twice the rate, still sent above it,
#: and each 429 that followed cut again) and how long it takes to climb back to that rate,
#: the same at any scale (theirs is a fixed constant; this API's rates are ten to a
#: thousand times theirs). Each climb ends in a probe above the rate, and a 429: at 2 s a
#: 300-request job drew one more of them than at 3 s, at the same speed.
CUBIC_BETA = 0.7
CUBIC_RECOVERY = 3.0
#: ... or as long as this many sends take at the rate, on a slow key: each climb ends in a
#: 429, and three seconds is three sends at one a second (nginx's ``rate=60r/m``: 146 429s
#: in 300 requests; at 100 sends a climb 29, most of them while the rate is first found).
CUBIC_RECOVERY_SENDS = 100
#: ... but no longer than this (seconds): a rate cut far below the key's by a burst of
#: 429s still climbs back within a couple of minutes.
CUBIC_RECOVERY_LONGEST = 120.0
#: The slowest a discovered rate falls to (requests per second).
MIN_RATE = 1 / 60
#: Of what a steady refill brought back while a reading was on its way, this many are not
#: counted on: how long a request takes to reach the server varies. On the bucket benchmark,
#: counting all of it drew a 429 in about 1 run of 8, each costing about a third of a second
#: (keeping back 1: 1 run in 24; 2: none in 48).
TRIP_MARGIN = 2
#: Sends granted this close together (seconds) reach the server in any order: of their
#: answers the lowest count is the latest, whichever request carried it. (Taking the
#: latest-sent's instead, a bucket of 300 per 30 s drew 94 429s in 3 jobs of 1,000.)
TIED = 0.001
#: The most sends whose times are kept for what a reading counts, however old: a reading
#: counts up to ``limit`` of the latest sends, and a minute's window, spent in its first
#: seconds, still counts them when the time-kept log has let them go. (Forgotten, a
#: limiter that expires sends one by one was believed spent until the sends since came
#: back: 600 a minute on a counter, 877 429s in 2,000 requests and a minute lost.)
MOST_COUNTED = 8192


@attrs.frozen
class Quota:
    """At most ``sends`` from this client in the window that started at ``since``."""

    sends: int
    since: float


@attrs.frozen
class Rule:
    """What a pacer believes about its key's limiter, handed to the ledger with each take.

    ``reopen_at``: from then on, the freshest reading's window is over and its whole limit
    (``limit``) is back. ``window``: each request stops counting this long after it was sent
    (moving windows, buckets). ``guesses``: how many sends may go on budget that these beliefs
    say is back but no reading has shown yet (1: one probe at a time). ``share``: the part of
    ``remaining`` this client may spend; other consumers of the key keep the rest.
    ``interval``: the least time between two sends (a documented per-key rate). ``sure_at``:
    from then on the reopening is certain (it has been seen to hold) and any number may go.
    ``counted_for``: each request counts at least this long (so one that left longer than that
    before a reading may already be gone from it; ``window`` when not given).
    ``slack``: how much earlier or later than it left a send may reach the server.
    ``refill``: the budget comes back at this steady rate (requests per second) whatever was
    sent (token buckets). ``steady``: that rate holds from second to second (a bucket's; a
    sliding-window counter's changes with each window), so what came back while a reading was
    on its way is there too. ``quota``: this client's part of a window other consumers share;
    ``others_rate``: how fast they spend it (requests per second). ``reserve``: sends this take
    must leave spare (kept for the critical path: a listing's next pages). ``keep``: a listing
    of this client needs that many spare until then; the ledger tells every other client of
    the budget, whose takes leave them too (a take that says it keeps may spend them).
    ``probe_at``: from then on one send may go on belief where ``window`` says none is back
    yet (the limiter's own word that one is: slowapi's reset, less its second).
    ``refresh_at``: from then on, past its ``quota`` and with nothing out, one send may go
    to read the window again (whether the others still spend it).
    """

    reopen_at: float | None = None
    sure_at: float | None = None
    limit: int | None = None
    window: float | None = None
    guesses: int = 1
    share: float = 1.0
    interval: float = 0.0
    counted_for: float | None = None
    slack: float = 0.0
    refill: float | None = None
    steady: bool = False
    quota: Quota | None = None
    others_rate: float = 0.0
    reserve: int = 0
    keep: Keep | None = None
    probe_at: float | None = None
    refresh_at: float | None = None


@attrs.frozen
class Keep:
    """``sends`` left spare by every client of the budget until ``until`` (a listing's pages)."""

    sends: int
    until: float


@attrs.frozen
class Taken:
    """A take's answer: the send's sequence number, or when to ask again; ``listing``: another
    client of the budget runs a listing (what it keeps for its pages is kept now); ``out``:
    the sends of every client of the budget granted and not yet answered, before this one."""

    seq: int | None
    wake_at: float = 0.0
    guessed: bool = False
    listing: bool = False
    out: int = 0


def cubic_rate(elapsed: float, peak: float, recovery: float = CUBIC_RECOVERY) -> float:
    """CUBIC's rate ``elapsed`` seconds after a cut from ``peak`` requests per second.

    It climbs back steeply and flattens out near ``peak`` (where the last 429 came) by
    ``recovery`` seconds, then probes above it as fast as a climb of
    :data:`CUBIC_RECOVERY` seconds would.
    """
    if elapsed <= recovery:
        return max(MIN_RATE, peak - peak * (1 - CUBIC_BETA) * (1 - elapsed / recovery) ** 3)
    return peak + peak * (1 - CUBIC_BETA) * ((elapsed - recovery) / CUBIC_RECOVERY) ** 3


def cubic_recovery(peak: float, *, found: bool) -> float:
    """How long the climb back to ``peak`` takes: :data:`CUBIC_RECOVERY` seconds while the
    rate is still being found (429 after 429, nothing let through between: a rate far
    above the key's, or a server refusing everything for a while, whose end the climb
    must not be slow to find); once ``found`` (a 429 after sends were let through), as
    long as :data:`CUBIC_RECOVERY_SENDS` take at that rate, up to
    :data:`CUBIC_RECOVERY_LONGEST`."""
    if not found:
        return CUBIC_RECOVERY
    return min(max(CUBIC_RECOVERY, CUBIC_RECOVERY_SENDS / peak), CUBIC_RECOVERY_LONGEST)


@attrs.frozen
class Reading:
    """A rate-limit reading tied to the send that carried it.

    ``answered_at``: when its answer came back. A server may count a request on arrival and
    write the headers as the answer leaves (slowapi does, after the handler ran), so what
    came back by then may be in the reading already; ``None``: taken at ``sent_at``.
    """

    seq: int
    sent_at: float
    remaining: int
    reset_at: float | None
    answered_at: float | None = None

    @property
    def as_of(self) -> float:
        """The latest the reading can have been taken."""
        return self.sent_at if self.answered_at is None else self.answered_at
