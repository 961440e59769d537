"""What a client learns about its key's limiter from the readings it gets back.

Two shapes of limiter are told apart by how ``remaining`` comes back:

- **Windows** (fixed windows, epoch-aligned or opened by the first request) give the whole
  limit back at once. The reset header is trusted as the latest time that happens, but it
  may be rounded up (to whole seconds): when the window would end in the second before the
  reset if it were a whole number of seconds long from the send that opened it (most are),
  the pacer tests it with one probe there. (A window that began before this client's sends,
  as an epoch-aligned one does, ends no sooner than its reset says, and is not tested: a
  test that is refused costs a 429 and says only that the reset was right.) A probe that is
  answered from a new window proves the reset late; from then on the window's length,
  measured from the send that opened it, is narrowed down by probes (answered: the window
  is no longer than that; refused: longer; whole numbers of seconds first) and the budget
  is spent from there. A window of two to four whole seconds is tested once a second
  shorter: a reset a second late or more (a server clock ahead of ours) would otherwise
  cost a second a window. Two refused tests and no answered one mean the reset is exact.
  A reset can be early too (rounded down, or from a clock behind ours): a send counted
  after the reset its answer gives proves it, and windows are then measured from their
  opening sends in the same way, the reset moved on by a second (or as many as a refusal
  showed) as the latest they end. An epoch-aligned window began before the send that
  opened it for this client, so its length from that send varies: once a flight is
  refused where that length said the window was over, windows are placed by how late
  their resets come (steady, where a server's clock is off ours), bounded by the sends
  that opened windows (later than the reset less their round trip) and those refused
  (sooner than the reset less their send time).
- **Rolling** limiters (moving windows, sliding-window counters, token buckets) give requests
  back one by one. How long a send counts is measured from the readings themselves: a reading
  with ``c`` requests counted means the client's ``c`` latest sends are all still in the
  window, so it is at least as long as the time since the ``c``-th latest one (and, where the
  reset has fractions of a second, as slowapi's does, until a second before it). Each send then
  comes back that long after it left, which spends a moving window as it regenerates. A
  reading that counts a send far older than the window was ever measured refutes this (a
  sliding-window counter counts part of the last window's sends for as long as the next one
  lasts); then only a steady refill is believed.

Other consumers of the key show up as a fall of ``remaining`` that this client's own sends
do not explain. Within a window, what they spent since its first reading is held back at
the rate they spend it (they go on spending before any answer tells); once a window has
closed, their share of it is kept for them in the next, and a drop is believed at once.
Once they have been quiet for a few round trips, what is left of the window is this
client's to spend.
"""

from __future__ import annotations

import array
import bisect
import collections
import math

import attrs

from creatorsdk._engine.pacing.readings import LONGEST_WINDOW, RateLimit, ServerClock
from creatorsdk.budgets._ledger import TIED, Quota, Reading, Rule

__all__ = ["LimiterModel"]

#: How many sends a belief that has held before may spend before a reading shows it.
UNLIMITED = 1 << 30
#: A test probe goes at least this long before a window's reported reset (else it tests
#: nothing a send at the reset would not).
_TEST_LEAD = 0.05
#: This client's sends remembered to match readings against (the newest), and how many are
#: dropped at a time once there are more.
_LOG_SIZE = 8192
_LOG_TRIM = 512
#: Refused tests (with none answered) after which a reset is taken as exact.
_TESTS = 2
#: Window lengths within this much (relative) are as good as known.
_TOLERANCE = 0.01
#: How much of who spent the last window is remembered into the next one.
_SHARE_MEMORY = 0.7
#: How far one slower answer lifts the round trip without queues (a faster one sets it).
_BASE_RISE = 0.01
#: Refills up to this share of the limit over a measured span are answers out of order.
_REFILL_NOISE = 0.03
#: Resets remembered as moved on within their window, and how far on they must have moved
#: from its first to be the clock's (not rounding's).
_DRIFTS_KEPT = 64
_DRIFTED = 2.0
#: A window with resets in fractions of a second is back when this much of the limit is (the
#: rest spent by others before this client's first send in it).
_WHOLE_BUT = 0.9
#: The part of its share of a window a client takes when others share the key.
_FAIR = 0.97
#: The shortest span a rate is measured over.
_MOMENT = 0.001
#: Round trips with no fall of ``remaining`` from others after which they are done.
_QUIET_TRIPS = 3
#: A client past its part of a window sends once more to read it again only where its
#: part of what is left is at least this many: a listing's pages go on what a shared
#: window has left, and sends that only read it would take that from them.
_REFRESH_LEAST = 5
#: Windows answered at up to this many whole seconds are tested a second shorter once (a
#: reset a second late costs a quarter of such a window or more; of a longer one, too
#: little to spend a 429 on).
_SHORTER_TESTED_UP_TO = 4


class LimiterModel:
    """Beliefs about one key's limiter, turned into the :class:`Rule` a ledger applies."""

    def __init__(
        self,
        *,
        interval: float = 0.0,
        shared: bool = False,
        server_clock: ServerClock | None = None,
    ) -> None:
        self._interval = interval
        # Resets moved onto our clock from the server's: whole seconds there, not here.
        self._server_clock = server_clock if server_clock is not None else ServerClock()
        # Other clients of the key share the ledger: their sends are counted, not guessed.
        self._shared = shared
        self.rule = Rule(interval=interval)
        self.limit: int | None = None
        self.latency: float | None = None
        self.base_latency: float | None = None
        self.jitter = 0.0  # how much round trips vary (mean absolute deviation)
        # This client's own sends less the refused, oldest first (arrays: no object a send).
        self._seqs = array.array("q")
        self._times = array.array("d")
        # The freshest reading as it came: the ledger's keeps the lowest count of one reset's
        # (a window's count only falls), but a bucket's rises and falls under one reset.
        self._reading: Reading | None = None
        self._windows = 0  # refills of half the limit or more seen (fixed windows)
        self._rollings = 0  # small refills seen as the reset moved (rolling limiters)
        # Resets with a fraction of a second: a moving window or a counter (slowapi's), not
        # a plain window, whose reset is a whole second.
        self._fractional = False
        # Fixed windows: is the reset late, and how long is a window from its first send?
        self._tests_refused = 0
        self._late = False
        # ... or early: counted after the reset it gave (a reset rounded down to a whole
        # second, a server clock behind ours), by up to this many whole seconds.
        self._early_by = 0.0
        self._opened_at: float | None = None
        self._first_at: float | None = None  # this client's first send (it may open a window)
        self._first_back_at: float | None = None  # ... and its first answer (it was open by then)
        self._first_reset: float | None = None  # ... and the reset it gave (that window's)
        self._span = math.inf  # the shortest time seen from one window's opening to the next
        self._shortest = 0.0  # the window is longer than this (send time to send time)
        self._longest = math.inf  # ... and no longer than this
        # The pending probe: a send between these two times tests an early reopening
        # (from the second on, the reopening is sure and sends are no test).
        self._probe_at: float | None = None
        self._probe_until = math.inf
        self._probed_reset: float | None = None  # the window whose probe was refused
        # ... or, where that fails (an epoch-aligned window, whose length from a send in it
        # varies with the send), by how late its reset comes: later than the first of
        # these and sooner than the second (a server clock off ours keeps it so).
        self._lag_above = -math.inf
        self._lag_below = math.inf
        self._by_lag = False
        # Whether the probe pending tests a window a second shorter than one answered at a
        # whole number of seconds, and whether such a test was refused (no more are sent).
        self._testing_shorter = False
        self._that_long = False
        # Rolling limiters: how long a send counts.
        self._counts_for = 0.0  # a send counts at least this long ...
        self._counts_within = math.inf  # ... and no longer than this
        self._tightest = math.inf  # the shortest that was ever measured (before widening)
        self._expiry_refuted = False  # a send counted far longer: no per-send expiry
        self._expiry_seen = False  # a send that went on a send's expiry was let through
        # A rolling limiter's probe a second before its reset (slowapi's is a second late):
        # when it goes and until when, and how often such probes were refused and answered.
        self._early_probe: tuple[float, float] | None = None
        self._early_refused = 0
        self._early_answered = 0
        # ... or the budget refills at a steady rate (token buckets, counters), whatever was
        # sent: requests refilled over seconds watched, and how far each belief overshot.
        self._refill_from: Reading | None = None  # where the refill now measured started
        self._refill_rate_seen: float | None = None
        self._overshot_by_window = 0.0
        self._overshot_by_rate = 0.0
        # A window's reset in fractions of a second this long after its end (slowapi's: a
        # second), once a probe there found the whole window back; and whether a send
        # refused there since has said it is not. Windows seen back whole and in part.
        self._reset_lead = 0.0
        self._lead_refuted = False
        self._testing_lead = False  # the pending probe tests that
        self._back_whole = 0
        self._back_in_part = 0
        # The latest flight sent on belief: when it left, and how many of it were let
        # through and refused.
        self._flight_at = -math.inf
        self._flight_let = 0
        self._flight_refused = 0
        # Resets that moved on within one window (a server that writes ``now + window``): each
        # later one, to the first of its window's, which the window's tally is kept under.
        self._drifted: dict[float, float] = {}
        self._drifting_from: float | None = None  # the latest such window's first reset
        # Other consumers of the key: own answers and lowest remaining per window (by reset).
        self._tallies: dict[float, list[int]] = {}
        self._lowest_at: dict[float, float] = {}  # ... and when the lowest was sent
        self._mine = 0.0
        self._theirs = 0.0
        self._theirs_rate = 0.0  # what they spend per second of a window
        self._tallied = False  # whether a window's tally has been taken
        self._rated = False  # ... and whether one of them measured what others spend a second
        # Others in the window now open, before it closes: the reading they are measured
        # from, and what they have spent a second since.
        self._window_first: Reading | None = None
        self._theirs_now = 0.0
        # ... and what they had spent by each reading since, back to a round trip ago.
        self._theirs_seen: collections.deque[tuple[float, int]] = collections.deque()
        # ... and since when they have spent no more than the noise (from what level).
        self._quiet_from = -math.inf
        self._quiet_level = 0

    @property
    def resets_late(self) -> bool:
        """Whether a window has been seen back before the reset the server gave."""
        return self._late

    @property
    def windowed(self) -> bool:
        """Whether the key's budget comes back a whole window at a time (a fixed window)."""
        return bool(self._windows) and not self.rolling

    @property
    def tallied(self) -> bool:
        """Whether a window has closed and said who spent it."""
        return self._tallied

    @property
    def others_now(self) -> bool:
        """Whether other consumers are seen spending the window now open."""
        return self._theirs_now > 0 and not self._surely_rolling()

    @property
    def rolling(self) -> bool:
        """Whether the key's budget comes back request by request rather than all at once."""
        if self._fractional:  # unless full refills have been seen more often
            return self._rollings >= self._windows
        return self._rollings > self._windows

    def _surely_rolling(self) -> bool:
        """Rolling, and not only on a job's first readings: a first flight counted across two
        windows' end reads as a request come back (a little more left, the reset moved).
        Others spending the window are watched for until a window has closed."""
        return self.rolling and self._windows > 0

    # -- what happened -------------------------------------------------------------------------

    def sent(self, seq: int, at: float) -> None:
        """One of this client's sends left at ``at``."""
        if self._first_at is None:
            self._first_at = at
        self._seqs.append(seq)
        self._times.append(at)
        if len(self._seqs) > _LOG_SIZE:
            # Trimmed a little at a time: the arrays then keep one allocation once full, so
            # a long job's memory is flat rather than a saw-tooth of half the log.
            del self._seqs[:_LOG_TRIM]
            del self._times[:_LOG_TRIM]

    def answered(
        self,
        *,
        sent_at: float,
        now: float,
        fresh: Reading | None,
        previous: Reading | None,
        rate_limit: RateLimit | None,
        guessed: bool,
    ) -> None:
        """A send was answered (not with a 429); ``fresh`` is its reading if it was the freshest."""
        elapsed = now - sent_at
        if self._first_back_at is None:
            self._first_back_at = now
        if self.latency is None or self.base_latency is None:
            self.latency = self.base_latency = elapsed
        else:
            # The round trip without queues: down at once, up slowly (a server busy with
            # what was sent is no reason to send more at a time).
            base = self.base_latency
            self.base_latency = min(elapsed, base + _BASE_RISE * (elapsed - base))
            self.jitter = 0.9 * self.jitter + 0.1 * abs(elapsed - self.latency)
            self.latency = 0.8 * self.latency + 0.2 * elapsed
        self._tally(rate_limit, sent_at)
        if fresh is None and self.rule.refresh_at is not None and self._reading is not None:
            # An answer out of order can show the window emptier than the freshest did.
            refresh_at = self._refresh_at(self._reading, self.rule.share)
            self.rule = attrs.evolve(self.rule, refresh_at=refresh_at)
        if guessed:
            self._flight_answered(sent_at, refused=False)
            if self.rule.window is not None:
                self._expiry_seen = True
        if fresh is None:
            return
        refilled = previous is not None and self._refill(fresh, previous) >= self._half()
        if guessed and self.rolling and self._early_probe_was(sent_at):
            self._early_answered += 1
            self._early_probe = None
        if guessed and self._is_probe(sent_at):
            if self._testing_lead:
                self._lead_tested(rate_limit)
            elif refilled:
                self._probe_answered(sent_at)
            self._probe_at = None
        if previous is not None:
            self._compare(fresh, previous)
            self._server_clock.rolling = self.rolling
        self._reading = fresh
        if not self.rolling and fresh.reset_at is not None and fresh.reset_at < sent_at:
            # Counted after the reset it gives, in the window that reset ends: it is early.
            self._reset_early(sent_at, fresh.reset_at, refused=False)
        if not self._shared and not self._surely_rolling():
            self._watch_others(fresh)
        if self.rolling:
            # It may have been counted as late as its round trip was longer than the
            # fastest: it waited here (a busy loop) or on the way before it was counted.
            self._measure_rolling(fresh, late=max(elapsed - (self.base_latency or elapsed), 0.0))
        self._update()

    def refused(
        self, *, sent_at: float, now: float, fresh: Reading | None, guessed: bool
    ) -> float | None:
        """A send drew a 429; returns when the limiter's own headers say it is back, if known."""
        index = bisect.bisect_left(self._times, sent_at)
        if index < len(self._times) and self._times[index] == sent_at:
            # Refused requests do not count on rolling limiters (on windows they counted in
            # the old one): leave it out of what later readings are matched against.
            del self._seqs[index]
            del self._times[index]
        believed = self._reading  # what the send went on
        if fresh is not None:
            self._reading = fresh
        reading = self._reading
        if (
            self._reset_lead
            and believed is not None
            and believed.reset_at is not None
            and believed.reset_at - self._reset_lead <= sent_at < believed.reset_at
        ):
            # Refused where the window was believed back a second before its reset.
            self._reset_lead, self._lead_refuted = 0.0, True
        if (
            not self.rolling
            and reading is not None
            and reading.remaining == 0
            and reading.reset_at is not None
            and reading.reset_at + self._early_by <= sent_at
        ):
            # Refused after the latest its window was believed to end by its reset.
            self._reset_early(sent_at, reading.reset_at, refused=True)
        if guessed:
            self._flight_answered(sent_at, refused=True)
            if self.rolling and self._early_probe_was(sent_at):
                self._early_refused += 1
                self._early_probe = None
            if self.rolling:
                oldest, _ = self._counted_span(fresh)
                if oldest is not None:
                    self._counts_for = max(self._counts_for, sent_at - oldest)
                self._check_expiry()
            elif self._is_probe(sent_at):
                self._probe_refused(sent_at)
            elif self._late and self._opened_at is not None and self._shortest < self._longest:
                # Sent at what was known to be open: the window is longer than believed,
                # and its length from the send that opened it no guide (it began before
                # that send): its reset's lag may be.
                self._by_lag = True
                self._shortest = max(self._shortest, sent_at - self._opened_at)
                self._longest = max(self._longest, self._shortest + self.margin())
            reset_at = None if reading is None else reading.reset_at
            if self._late and not self.rolling and reset_at is not None:
                self._lag_is(below=reset_at - sent_at)
        self._update()
        reading = self._reading
        back = None if reading is None else self._known_reopen(reading)
        return back if back is not None and back > now else None

    def tally_refused(self, rate_limit: RateLimit | None, sent_at: float) -> None:
        """Note a 429's reading: what it says of the window, not a send this client got."""
        self._tally(rate_limit, sent_at, answered=False)

    # -- learning --------------------------------------------------------------------------------

    def _reset_late_by(self) -> float:
        """How long before a rolling limiter's reset its next request may be back: a second
        (slowapi's reset is a second late), unless probes there have been refused more often
        than answered (a bucket's next token, its reset rounded up to whole seconds, is back
        somewhere in that second: each probe a second early was refused, a 429 a token on a
        key of 10 a minute)."""
        return 0.0 if self._early_refused > self._early_answered else 1.0

    def _early_probe_was(self, sent_at: float) -> bool:
        """Whether a send that left at ``sent_at`` was a rolling limiter's early probe."""
        probe = self._early_probe
        return probe is not None and probe[0] <= sent_at < probe[1]

    def _is_probe(self, sent_at: float) -> bool:
        """Whether a send that left at ``sent_at`` was the pending probe."""
        return self._probe_at is not None and self._probe_at <= sent_at < self._probe_until

    def _half(self) -> int:
        return max((self.limit or 2) // 2, 1)

    def _refill(self, fresh: Reading, previous: Reading) -> int:
        """How much more ``fresh`` has left than ``previous`` less the sends between them."""
        return fresh.remaining - (previous.remaining - (fresh.seq - previous.seq))

    def _tally(
        self, rate_limit: RateLimit | None, sent_at: float, *, answered: bool = True
    ) -> None:
        if rate_limit is None:
            return
        if rate_limit.limit is not None:
            self.limit = rate_limit.limit
        if self.limit is None or rate_limit.remaining >= self.limit:
            self.limit = max(self.limit or 0, rate_limit.remaining + 1)
        if not self._fractional:
            self._fractional = not self._server_clock.sent_whole(rate_limit.reset_at)
        if self._first_reset is None:
            self._first_reset = rate_limit.reset_at
        reset_at = self._first_reset_of(rate_limit.reset_at)
        tally = self._tallies.get(reset_at)
        if tally is None:
            if len(self._tallies) >= 4:
                # (Not the first reset of a window whose resets move on with the clock: the
                # answers under each new one are added to it.)
                oldest = next(r for r in self._tallies if r != self._drifting_from)
                del self._tallies[oldest]
                self._lowest_at.pop(oldest, None)
            tally = self._tallies[reset_at] = [0, rate_limit.remaining]
            self._lowest_at[reset_at] = sent_at
        tally[0] += answered
        if rate_limit.remaining < tally[1]:
            tally[1] = rate_limit.remaining
            self._lowest_at[reset_at] = sent_at

    def _compare(self, fresh: Reading, previous: Reading) -> None:
        """Read what changed between two successive freshest readings."""
        refill = self._refill(fresh, previous)
        moved = refill >= 1 and fresh.reset_at != previous.reset_at
        # The whole limit back but what was sent since (a window opened after one that was
        # never half spent, as the first one of a job often is) is a window too, where resets
        # are whole seconds (fractional ones are logs and counters: theirs come back so).
        # So is more back than any steady refill could have brought between the two sends,
        # give or take a round trip (one that brought the limit back each second at most):
        # on a key other consumers share, the first reading of a window may show much of it
        # spent already, and the first flight of a job can straddle two windows.
        # (On a limiter believed rolling, measured from the previous reading's own count:
        # the lowest of its reset's can be a second old, and a bucket's count, spent to
        # nothing, rises by a round trip's refill as a whole-second reset moves. Before the
        # bucket is known, the time since that lowest count was sent is what a refill had
        # to bring the rest back in: from the previous send, the tokens back within that
        # second read as a window started over, and a bucket was paced as a window all
        # job, 35 429s at 32 in flight with round trips varying by half.)
        base = self.base_latency or 0.0
        span = abs(fresh.sent_at - previous.sent_at) + base
        lowest_at = self._lowest_at_of(previous)
        if lowest_at is not None:
            span = max(span, fresh.sent_at - lowest_at + base)
        sent = fresh.seq - previous.seq
        since = refill
        own = self._reading  # still the previous one, with its own count
        if self.rolling and own is not None and own.remaining > previous.remaining:
            since -= own.remaining - previous.remaining
        whole = (
            moved
            and not self._fractional
            and self.limit is not None
            and (fresh.remaining >= self.limit - sent or since > self.limit * span)
        )
        # Under one reset, more left than the sends between two readings explain is
        # answers out of order, not a window started over: a flight of 32 answered in any
        # order showed half of a 60-request window back, which was taken for a window and
        # tallied as spent by others (a tenth of every window after was kept for them).
        same = fresh.reset_at is not None and fresh.reset_at == previous.reset_at
        back = refill >= self._half() and not same
        if back and self._fractional and self.limit is not None:
            # slowapi's windows come back whole (but what others spent of it already); its
            # counters, part at a time: half of a small limit is a pause's worth.
            whole_but = math.ceil(_WHOLE_BUT * (self.limit - sent))
            back = fresh.remaining + self._sent_between(fresh) >= whole_but
        if back or whole:
            # Half the limit or more back at once: a window started over (or, on a rolling
            # limiter, a long pause let all of it come back).
            rolling = self.rolling
            self._windows += 1
            # (Whole but what was sent since, and what left while the reading was on its
            # way: answers out of order.)
            unsure = self._sent_between(fresh)
            if self.limit is not None and fresh.remaining + unsure >= self.limit - sent:
                self._back_whole += 1
            else:
                self._back_in_part += 1
            if not rolling:
                # A rolling limiter's reset moves with every answer: the answers under one
                # reset are no window's tally, so they say nothing of other consumers.
                self._window_closed(previous)
            self._window_opened(fresh, previous)
        elif self._drifts(fresh, previous, refill):
            self._drifted_to(fresh, previous)
        elif moved:
            # A little back, and the reset moved: requests come back one by one. (A little
            # back under the same reset is an answer that overtook an earlier send.)
            self._rollings += 1
        if self.rolling:
            self._judge_rolling(fresh, previous, max(refill, 0))

    def _drifts(self, fresh: Reading, previous: Reading, refill: int) -> bool:
        """Whether ``fresh``'s reset is ``previous``'s window's moved on with the clock:
        later by no more than the time between their sends (and a second's rounding), with
        nothing back, in whole seconds. (A window's next reset is a window later; a log's or
        a bucket's moves as requests come back; slowapi's, in fractions, with its oldest
        request, and its answers can be written late.)"""
        if fresh.reset_at is None or previous.reset_at is None or refill >= 1 or self._fractional:
            return False
        moved_by = fresh.reset_at - previous.reset_at
        return 0 < moved_by <= abs(fresh.sent_at - previous.sent_at) + 1.0 + self.margin()

    def _drifted_to(self, fresh: Reading, previous: Reading) -> None:
        """Keep ``previous``'s window's tally under its first reset, with the answers under
        ``fresh``'s."""
        reset_at, first = fresh.reset_at, self._window_reset(previous)
        if reset_at is None or first is None:
            return
        if len(self._drifted) >= _DRIFTS_KEPT:
            del self._drifted[next(iter(self._drifted))]
        self._drifted[reset_at] = first
        self._drifting_from = first
        moved = self._tallies.pop(reset_at, None)
        lowest_at = self._lowest_at.pop(reset_at, None)
        tally = self._tallies.get(first)
        if moved is None or tally is None:
            return
        tally[0] += moved[0]
        if moved[1] < tally[1]:
            tally[1] = moved[1]
            if lowest_at is not None:
                self._lowest_at[first] = lowest_at

    def _lowest_at_of(self, reading: Reading) -> float | None:
        """When the send left whose answer showed ``reading``'s count, the lowest of its
        reset's (``None`` when this client's answers never showed it)."""
        reset_at = self._window_reset(reading)
        tally = None if reset_at is None else self._tallies.get(reset_at)
        if reset_at is None or tally is None or tally[1] != reading.remaining:
            return None
        return self._lowest_at.get(reset_at)

    def _window_reset(self, reading: Reading) -> float | None:
        """The reset ``reading``'s window is tallied under: the first it gave."""
        reset_at = reading.reset_at
        return None if reset_at is None else self._first_reset_of(reset_at)

    def _first_reset_of(self, reset_at: float) -> float:
        """The first reset of the window whose reset moved on with the clock to
        ``reset_at`` (``reset_at`` itself when it did not)."""
        return self._drifted.get(reset_at, reset_at)

    def _window_closed(self, last: Reading) -> None:
        """Who spent the window that just ended: this client's answers, the rest others'."""
        reset_at = self._window_reset(last)
        if reset_at is None or self.limit is None:
            return
        tally = self._tallies.get(reset_at)
        if tally is None:
            return
        mine, lowest = tally
        theirs = max(self.limit - lowest - mine, 0)
        # The first window closed is all there is to remember: taken whole, not blended
        # with the nothing before it (a third of what others spend would be kept for them).
        # Others spending less is believed at once: what they leave is lost otherwise, and
        # a job whose other processes are done finishes at their share.
        memory = _SHARE_MEMORY if self._tallied and theirs > self._theirs else 0.0
        self._tallied = True
        self._mine = memory * self._mine + (1 - memory) * mine
        self._theirs = memory * self._theirs + (1 - memory) * theirs
        if self._opened_at is not None and last.sent_at > self._opened_at:
            # (A window's start is known from the second on: the first one's rate is new.)
            memory = _SHARE_MEMORY if self._rated else 0.0
            self._rated = True
            span = max(reset_at - self._opened_at, last.sent_at - self._opened_at)
            self._theirs_rate = memory * self._theirs_rate + (1 - memory) * theirs / span

    def _watch_others(self, fresh: Reading) -> None:
        """Others spending the window now open: what it counted since its first reading
        beyond this client's sends between the two.

        Until a window closes, this is all that says others are there; each of them spends
        the window at the speed of its own round trips, before any of this client's
        answers can tell.
        """
        first = self._window_first
        if first is None or first.reset_at != fresh.reset_at:
            self._theirs_seen.clear()
            if self._windows or not self.limit or self._first_at is None:
                self._window_first, self._theirs_now = fresh, 0.0
                self._quiet_from, self._quiet_level = fresh.sent_at, 0
                return
            self._quiet_from, self._quiet_level = self._first_at, 0
            # The job's first window was whole when this client began, as far as it knows:
            # what others spent of it before then is theirs all the same.
            first = self._window_first = Reading(
                seq=0, sent_at=self._first_at, remaining=self.limit, reset_at=fresh.reset_at
            )
        # This client's sends between the two, and those that can have reached the server
        # in another order (sent less than half a round trip from either).
        reorder = (self.base_latency or 0.0) / 2 + self.margin()
        mine = max(
            bisect.bisect_right(self._seqs, fresh.seq),
            bisect.bisect_right(self._times, fresh.sent_at + reorder),
        ) - min(
            bisect.bisect_right(self._seqs, first.seq),
            bisect.bisect_left(self._times, first.sent_at - reorder),
        )
        theirs = first.remaining - fresh.remaining - mine
        noise = self._noise()
        span = max(fresh.sent_at - first.sent_at, self.base_latency or 0.0, _MOMENT)
        # Counted over less than a round trip, it is still at most that many per trip.
        self._theirs_now = theirs / span if theirs > noise else 0.0
        recent = self._theirs_lately(fresh.sent_at, theirs)
        if theirs > noise and recent > self._theirs_now:
            # They speed up as their answers come back: a window's first burst, from each
            # of them at once, spends the end of it faster than the average so far.
            self._theirs_now = recent
        if theirs > self._quiet_level + noise:
            self._quiet_level, self._quiet_from = theirs, fresh.sent_at

    def _theirs_lately(self, sent_at: float, theirs: int) -> float:
        """What others spent a second over the last round trip or so (0 until one is seen)."""
        seen, trip = self._theirs_seen, self.latency or 0.0
        seen.append((sent_at, theirs))
        while len(seen) > 2 and sent_at - seen[1][0] >= trip:
            seen.popleft()
        then, before = seen[0]
        if sent_at - then < max(trip, _MOMENT):
            return 0.0
        return (theirs - before) / (sent_at - then)

    def _others_stopped(self, reading: Reading) -> bool:
        """Whether the other consumers of the key have stopped spending the window ``reading``
        is from.

        Each of them spends at the speed of its own round trips, so a few round trips with no
        fall of ``remaining`` that this client's sends do not explain say they have: done, or
        waiting for the next window, their parts spent. Either way what is left of this one
        is this client's to spend. (Two clients that both go on sending each see the other's
        sends: neither is told the rest is its own.)
        """
        quiet_for = reading.sent_at - self._quiet_from
        return quiet_for >= _QUIET_TRIPS * (self.latency or 0.0) + self.margin()

    def _refresh_at(self, reading: Reading, share: float) -> float | None:
        """When a client past its part of the window sends once more, to read it again.

        Held by its part, it sends nothing, so no answer can show it that the others have
        stopped (their work done before their parts were): what they leave would wait for
        the next window. One send once they have been quiet long enough for its reading to
        show that; none unless this client's part of what is left by then is a few requests
        (:data:`_REFRESH_LEAST`), the others taken to go on spending their parts at the pace
        the emptiest reading of the window shows (clients that each spend their part in one
        flight leave nothing, and the send would be refused).
        """
        latency, limit, opened_at = self.latency, self.limit, self._opened_at
        reset_at = self._window_reset(reading)
        tally = None if reset_at is None else self._tallies.get(reset_at)
        lowest_at = None if reset_at is None else self._lowest_at.get(reset_at)
        if latency is None or limit is None or opened_at is None or tally is None:
            return None
        if lowest_at is None or lowest_at < opened_at:
            return None
        refresh_at = self._quiet_from + _QUIET_TRIPS * latency + self.margin()
        lowest = tally[1]
        times = self._times
        mine = bisect.bisect_right(times, lowest_at) - bisect.bisect_left(times, opened_at)
        theirs = max(limit - lowest - mine, 0)
        pace = theirs / max(lowest_at - opened_at, self.base_latency or latency, _MOMENT)
        part = (1 - share) * limit * _FAIR
        more = min(max(part - theirs, 0.0), pace * max(refresh_at - lowest_at, 0.0))
        if (lowest - more) * share < _REFRESH_LEAST:
            return None
        return refresh_at

    def _window_opened(self, fresh: Reading, previous: Reading) -> None:
        # Opened by one of the sends after the last reading from the old window; by one of
        # the ``counted`` latest, if they were answered in order.
        counted = (self.limit or fresh.remaining + 1) - fresh.remaining
        candidates = [self._time_of(fresh.seq - counted + 1), self._time_of(previous.seq + 1)]
        opened_at = max((t for t in candidates if t is not None), default=fresh.sent_at)
        opened_at = min(opened_at, fresh.sent_at)
        if self._opened_at is not None and opened_at > self._opened_at:
            self._span = min(self._span, opened_at - self._opened_at)
        self._opened_at = opened_at
        if previous.reset_at is not None:
            # The old window was over by the time the server counted that send.
            self._lag_is(above=previous.reset_at - opened_at - (self.base_latency or 0.0))
        if fresh.reset_at is not None and self._late:
            # The window ends by its (rounded-up) reset, so it is no longer than that.
            self._no_longer_than(self._latest_end(fresh.reset_at) - opened_at)

    def _lag_is(self, *, above: float = -math.inf, below: float = math.inf) -> None:
        """Resets come later than ``above`` after their window's end and sooner than
        ``below``; against what was seen before, the lag is not steady and says nothing."""
        self._lag_above = max(self._lag_above, above)
        self._lag_below = min(self._lag_below, below)
        if self._lag_above >= self._lag_below:
            self._lag_above, self._lag_below, self._by_lag = -math.inf, math.inf, False

    def _placed_by_lag(self) -> bool:
        """Whether windows are placed by their resets' lag (and a lower bound of it is known)."""
        return self._by_lag and not math.isinf(self._lag_above)

    def _no_longer_than(self, length: float) -> None:
        """The window, from the send that opened it, is no longer than ``length``. Against
        what was measured before, the window moved (or began before that send, as an
        epoch-aligned one does): it is measured again from this."""
        self._longest = min(self._longest, length)
        if self._shortest >= self._longest:
            self._shortest = 0.0
            self._that_long = False

    def _longer_than(self, length: float) -> None:
        """The window, from the send that opened it, is longer than ``length`` (and measured
        again if that is against what was)."""
        self._shortest = max(self._shortest, length)
        if self._shortest >= self._longest:
            self._longest = math.inf
            self._that_long = False

    def _reset_early(self, sent_at: float, reset_at: float, *, refused: bool) -> None:
        """A send that left at or after its window's reset was counted in that window: the
        window ends later than the reset says, by up to a whole second more than this one
        showed (rounded down, or from a clock behind ours). From now on windows are
        measured from the send that opened them, as late ones are; ``refused``: and this
        one is longer than the time since its opening."""
        self._late = True
        self._early_by = max(self._early_by, math.floor(sent_at - reset_at) + 1.0)
        opened_at = self._opened_at if self._opened_at is not None else self._first_at
        if refused and opened_at is not None:
            self._longer_than(sent_at - opened_at)

    def _latest_end(self, reset_at: float) -> float:
        """The latest a window whose reset is ``reset_at`` can end: then, or as many whole
        seconds on as resets have come early."""
        return reset_at + self._early_by

    def _lead_may_be(self) -> bool:
        """Whether a reset in fractions of a second may be a second late: no window has come
        back in part (a moving window's requests sent in flights come back a flight at a
        time: tested there, it was taken for a window and its flights for other consumers),
        and no test or send where it was believed back said it is not."""
        return not self._back_in_part and not self._lead_refuted

    def _lead_tested(self, rate_limit: RateLimit | None) -> None:
        """A probe a second before a reset in fractions of a second was answered: with the
        whole window back, the resets are a second late (slowapi writes ``1 +`` the window's
        end), and each window is back a second before its reset from now on. With part of
        it back, requests come back one by one: a moving window (slowapi's too), whose
        reset less a second is when its oldest request is back. (Let through with none
        left, its oldest alone came back: read as refuted, slowapi's moving window of 5 a
        second was paced as a fixed window to each reset, at half its rate.)

        (Before: slowapi's default fixed window was paced to its resets, each window a
        second longer than it is: twice as long a job at a window of a second.)
        """
        limit = self.limit
        if rate_limit is not None and limit is not None and rate_limit.remaining >= limit - 1:
            self._reset_lead = 1.0
        else:
            self._lead_refuted = True
            if rate_limit is not None and limit is not None:
                # Let through, but with part of it back where a window would be back whole
                # (none but the probe's own, if its oldest request alone had gone): requests
                # come back one by one, a moving window's.
                self._rollings = max(self._rollings, self._windows) + 1

    def _flight_answered(self, sent_at: float, *, refused: bool) -> None:
        """One send of a flight that went on belief was answered or refused. Some of one
        flight let through and some refused, where resets have fractions of a second
        (slowapi's), is a window back in part: a counter's weight dropped by some, or a
        moving window's oldest sends expired. (Its first answers, from the sends counted
        first, read as a window back whole: a counter of 5 a second was paced as a window
        a second long, four of each flight of five refused.)"""
        if abs(sent_at - self._flight_at) > TIED:
            self._flight_at, self._flight_let, self._flight_refused = sent_at, 0, 0
        if refused:
            self._flight_refused += 1
            both = self._flight_refused == 1 and self._flight_let > 0
        else:
            self._flight_let += 1
            both = self._flight_let == 1 and self._flight_refused > 0
        # (Once a flight: on its first answer of the kind it had not had.)
        if both and self._fractional and not self.rolling:
            self._back_in_part += 1
            self._rollings = max(self._rollings, self._windows) + 1

    def _probe_answered(self, sent_at: float) -> None:
        """A probe was answered from a new window: it was open by then."""
        self._late = True
        opened_at = self._opened_at if self._opened_at is not None else self._first_at
        if opened_at is not None:
            self._no_longer_than(sent_at - opened_at)

    def _probe_refused(self, sent_at: float) -> None:
        """A probe was refused: the window was not over yet."""
        reading = self._reading
        self._probed_reset = reading.reset_at if reading is not None else None
        if not self._late:
            self._tests_refused += 1
        elif self._opened_at is not None:
            self._shortest = max(self._shortest, sent_at - self._opened_at)
            self._that_long = self._testing_shorter
            if self._shortest >= self._longest:  # the window moved: measure it again
                self._longest = math.inf
                self._shortest = 0.0
                self._that_long = False
        self._probe_at = None

    def _measure_rolling(self, fresh: Reading, *, late: float = 0.0) -> None:
        oldest, older = self._counted_span(fresh)
        if oldest is not None:
            self._counts_for = max(self._counts_for, fresh.sent_at - oldest)
        if self._fractional and fresh.reset_at is not None and self.limit is not None:
            # A reset in fractions of a second is slowapi's: a second after the oldest send
            # it counts stops counting (or a counter's weight next drops), and nothing is
            # back before then. Of the sends it can count (those out by the time it was
            # written), the oldest is taken as late as can be: a bound, never too long.
            oldest_late = self._sent_before(fresh.as_of, self.limit - fresh.remaining)
            if oldest_late is not None:
                self._counts_for = max(self._counts_for, fresh.reset_at - 1.0 - oldest_late)
        if older is not None and not self._expiry_refuted:
            within = fresh.sent_at + late - older
            self._tightest = min(self._tightest, within)
            self._counts_within = min(self._counts_within, within)
        self._check_expiry()

    def _check_expiry(self) -> None:
        """Refute per-send expiry when a reading counts a send far older than the window
        was ever measured; else take a send counted a little too long as answers out of
        order (or headers written late) and widen the window to it.

        A sliding-window counter (or a bucket) counts part of an older window's sends for as
        long as that window lasts, so the oldest send a reading counts keeps getting older:
        a moving window measured from it would be believed a little longer each time and
        would let out as expired what the counter still counts (a 429, and Retry-After's
        second). A moving window's readings disagree by round trips, not by half of it.
        """
        if self._expiry_refuted:
            return
        gap = self._counts_for - self._tightest
        # A quarter of the window: at a half, the fake's counter (measured 0.91 to 1.24 s)
        # was paced as a moving window all job, a round trip's sends left unspent.
        if gap > max(0.25 * self._tightest, 2 * (self.latency or 0.0)) + self.margin():
            self._expiry_refuted = True
            self._counts_within = math.inf
        elif self._counts_within < self._counts_for:
            self._counts_within = self._counts_for + self.margin()

    def _judge_rolling(self, fresh: Reading, previous: Reading, refill: int) -> None:
        """Weigh the two beliefs about a rolling limiter by how far each overshot what came
        back between two readings: per-send expiry (moving windows) or a steady refill
        (buckets, counters). Overshooting is what draws 429s."""
        elapsed = fresh.sent_at - previous.sent_at
        if elapsed <= 0:
            return
        # What either reading may or may not have counted yet: the sends that left while it
        # was on its way back (a server may write its headers as the answer leaves).
        unsure = 1 + self._sent_between(fresh) + self._sent_between(previous)
        rate = self._refill_rate()
        if rate is not None:
            self._overshot_by_rate = 0.98 * self._overshot_by_rate + max(
                rate * elapsed - refill - unsure, 0
            )
        if not math.isinf(self._counts_within):
            window = self._counts_within + self.margin()
            low = bisect.bisect_right(self._times, previous.sent_at - window + 2 * self.margin())
            high = bisect.bisect_right(self._times, fresh.sent_at - window)
            self._overshot_by_window = 0.98 * self._overshot_by_window + max(
                high - low - refill - unsure, 0
            )
        self._measure_refill(fresh)

    def _measure_refill(self, fresh: Reading) -> None:
        """The steady refill over the last half second or more: what came back beyond what
        this client's answered sends took (a span that long averages out answers that
        overtook one another)."""
        start = self._refill_from
        if start is None or fresh.seq <= start.seq:
            self._refill_from = fresh
            return
        elapsed = fresh.sent_at - start.sent_at
        if elapsed < 0.5:
            return
        spent = bisect.bisect_right(self._seqs, fresh.seq) - bisect.bisect_right(
            self._seqs, start.seq
        )
        refilled = fresh.remaining - start.remaining + spent
        # A few back is answers that overtook one another (a moving window gives nothing
        # back in its first second): no refill, rather than a trickle of one. So is what
        # the sends out while either reading was taken can explain: a server that writes
        # its headers as the answer leaves (slowapi) may have counted them already.
        noise = self._noise()
        noise += self._sent_between(start) + self._sent_between(fresh)
        rate = refilled / elapsed if refilled > noise else 0.0
        seen = self._refill_rate_seen
        if seen is None:
            # The two beliefs are weighed from here on, on the same answers: the window's
            # overshoot so far was never set against the rate's.
            self._overshot_by_window = self._overshot_by_rate = 0.0
        # None measured is no rate to average from (a counter's first window gives nothing
        # back: there is no window before it to weigh); the next measure replaces it.
        self._refill_rate_seen = rate if not seen else 0.7 * seen + 0.3 * rate
        self._refill_from = fresh

    def _noise(self) -> int:
        """How far ``remaining`` moves by answers overtaking one another, not by spending."""
        return max(2, math.ceil(_REFILL_NOISE * (self.limit or 0)))

    def _sent_between(self, reading: Reading) -> int:
        """This client's sends that left while ``reading`` was on its way back."""
        times = self._times
        return bisect.bisect_right(times, reading.as_of) - bisect.bisect_right(
            times, reading.sent_at
        )

    def _refill_rate(self) -> float | None:
        """The steady refill seen, requests per second (``None`` before it was measured)."""
        return self._refill_rate_seen

    def _counted_span(self, reading: Reading | None) -> tuple[float | None, float | None]:
        """When the oldest send ``reading`` counts left, and the latest one it no longer counts
        (matching its ``limit - remaining`` to this client's latest sends)."""
        if reading is None or self.limit is None:
            return None, None
        counted = self.limit - reading.remaining
        if counted < 1:
            return None, None
        margin = self.margin()
        # Sends reach the server in a slightly different order than they left: counting
        # back from a little later (or earlier) only ever makes each answer less sharp.
        return (
            self._sent_before(reading.sent_at + margin, counted),
            self._sent_before(reading.sent_at - margin, counted + 1),
        )

    def _sent_before(self, at: float, nth: int) -> float | None:
        """When this client's ``nth`` latest send by ``at`` left (``None`` without that many)."""
        index = bisect.bisect_right(self._times, at) - nth
        return self._times[index] if nth >= 1 and index >= 0 else None

    def _time_of(self, seq: int) -> float | None:
        """When this client's send ``seq`` (or the first after it) left."""
        index = bisect.bisect_left(self._seqs, seq)
        return self._times[index] if index < len(self._seqs) else None

    def window(self) -> float | None:
        """How long the key's window is, as far as measured."""
        if self.rolling:
            return None if math.isinf(self._counts_within) else self._counts_within
        if self._late and not math.isinf(self._longest):
            return self._longest
        return None if math.isinf(self._span) else self._span

    def rate(self) -> float | None:
        """The key's sustained rate as far as measured (requests per second)."""
        window = self.window()
        if window is None or self.limit is None or window <= 0:
            return None
        return self.limit / window

    def longest_reset(self) -> float:
        """How far away a reset can plausibly be: a few windows once one is measured."""
        window = self.window()
        return LONGEST_WINDOW if window is None else 4 * window + 2.0

    # -- the rule ---------------------------------------------------------------------------------

    def share(self) -> float:
        """The part of the key's budget this client may spend."""
        total = self._mine + self._theirs
        if self._shared or total <= 0 or self._theirs < max(1.0, 0.02 * (self.limit or 0)):
            return 1.0
        return max(self._mine / total, 0.05)

    def _update(self) -> None:
        reading = self._reading
        first = None if reading is None else self._window_reset(reading)
        if (
            reading is not None
            and first is not None
            and (reading.reset_at or 0) >= first + _DRIFTED
        ):
            # Its window is back by the first reset it gave: the later ones moved on with the
            # clock, not with the window. (By a second at most, they are rounding, which
            # can make the first a second early.)
            reading = attrs.evolve(reading, reset_at=first)
        share = self.share()
        if reading is None:
            self.rule = Rule(interval=self._interval)
            return
        if self.rolling and self._refill_rate() is not None:
            # Once half a second of refills has been watched (before that, one probe at a
            # time): a steady refill unless per-send expiry has overshot less.
            rate = self._refill_rate() or 0.0
            by_window = not math.isinf(self._counts_within)
            # A reset in fractions of a second is slowapi's, a log of sends or a counter:
            # its sends expire one by one until a reading refutes it (a refill measured
            # over a job's thinning tail is what was sent a window before, not a rate).
            # A whole-second one (Envoy's bucket) is weighed by the overshoot.
            by_rate = (not self._fractional or self._expiry_refuted) and (
                self._overshot_by_rate < self._overshot_by_window
                or (self._overshot_by_rate == self._overshot_by_window and not self._fractional)
            )
            self._probe_at = None
            probe_at = None
            reset_at = reading.reset_at
            if self._fractional and reset_at is not None and reset_at > reading.sent_at:
                # slowapi's reset, less its second, is when its next request is back,
                # whatever the sends' expiry or a refill says: a counter's weight drops
                # sooner (and a refill measured from what was sent falls with it).
                probe_at = reset_at - self._reset_late_by()
                self._early_probe = (probe_at, reset_at)
            if rate > 0 and (not by_window or by_rate):
                self.rule = Rule(
                    refill=rate * (1 - _TOLERANCE),
                    steady=not self._fractional,
                    slack=self.margin(),
                    limit=self.limit,
                    guesses=UNLIMITED,
                    share=share,
                    interval=self._interval,
                    probe_at=probe_at,
                )
                return
            if by_window:
                self.rule = Rule(
                    window=self._counts_within * (1 + _TOLERANCE / 2) + self.margin(),
                    counted_for=min(self._counts_for, self._counts_within),
                    slack=self.margin(),
                    limit=self.limit,
                    # One at a time until a send that went on an expiry was let through:
                    # a bucket's first readings look like a short moving window.
                    guesses=UNLIMITED if self._expiry_seen else 1,
                    share=share,
                    interval=self._interval,
                    probe_at=probe_at,
                )
                return
        reopen_at, guesses, sure_at = self._reopen(reading)
        if reopen_at is None or reopen_at <= reading.sent_at:
            # Nothing (or nothing that still applies) says when the budget is back: what the
            # reset says if it can, else one probe a window (or a second) after the reading.
            self._probe_at = None
            if reading.reset_at is not None and reading.reset_at > reading.sent_at:
                whole = UNLIMITED if self._windows and not self.rolling else 1
                reopen_at, guesses, sure_at = reading.reset_at, whole, None
            else:
                reopen_at, guesses, sure_at = reading.sent_at + (self.window() or 1.0), 1, None
        quota = None
        others_rate = self._theirs_now
        if share < 1 and self.limit is not None and self._opened_at is not None:
            # Other consumers spend the same windows: this client keeps to its part of each
            # (a little under, so that the parts of all of them fit in the window) while
            # they are still spending it.
            quota = Quota(math.floor(self.limit * share * _FAIR), self._opened_at)
            others_rate = self._theirs_rate
            if self._others_stopped(reading):
                quota, others_rate, share = None, 0.0, 1.0
        refresh_at = None if quota is None else self._refresh_at(reading, share)
        self.rule = Rule(
            reopen_at=reopen_at,
            sure_at=sure_at,
            quota=quota,
            refresh_at=refresh_at,
            others_rate=others_rate,
            limit=self.limit,
            guesses=guesses,
            share=share,
            interval=self._interval,
        )

    def _reopen(self, reading: Reading) -> tuple[float | None, int, float | None]:
        """When the freshest reading's window is back, how many may go on that belief, and
        from when on any number may."""
        reset_at = reading.reset_at
        self._probe_at = None
        self._testing_lead = False
        if self.rolling:
            # How long a send counts is not measured yet: one probe when the oldest send the
            # reading counts can be gone. (slowapi's reset is a second after that.)
            oldest, _ = self._counted_span(reading)
            probe_at = None if reset_at is None else reset_at - self._reset_late_by()
            if oldest is not None and self._counts_for > 0 and not self._expiry_refuted:
                earliest = oldest + self._counts_for
                probe_at = earliest if probe_at is None else max(probe_at, earliest)
            self._early_probe = None
            if probe_at is not None and reset_at is not None and probe_at < reset_at:
                self._early_probe = (probe_at, reset_at)
            return probe_at, 1, None
        # Until a window has been seen to come back whole, its reset brings one probe (a
        # token bucket's "reset" is only its next token).
        whole = UNLIMITED if self._windows else 1
        if reset_at is not None and reset_at == self._probed_reset:
            # This window's probe was refused: it is back by the reset, or what was measured.
            known = self._known_reopen(reading)
            return known, whole, None
        if not self._late:
            if reset_at is None or self._tests_refused >= _TESTS:
                return reset_at, whole, None
            # (Tested against the window's first reset: one moved on with the clock since is
            # no later end.)
            first_reset = self._first_reset_of(reset_at)
            if self._opened_at is not None:
                whole_at = self._whole_seconds_after(
                    self._opened_at, self.latency, 0.0, first_reset
                )
            elif first_reset == self._first_reset:
                # The first window, if this client's first send opened it.
                first_at, back_at = self._first_at, self._first_back_at
                delay = None if first_at is None or back_at is None else back_at - first_at
                whole_at = self._whole_seconds_after(first_at, delay, 0.0, first_reset)
            else:
                # A later window, whose opening this client did not see (on a shared budget
                # another client's answer told of it): its first send did not open this one.
                whole_at = None
            if whole_at is None and self._fractional and self._reset_lead:
                return reset_at - self._reset_lead, whole, None
            testing_lead = whole_at is None and self._fractional and self._lead_may_be()
            if testing_lead:
                whole_at = reset_at - 1.0  # is it slowapi's, a second late?
            if whole_at is None or not reading.sent_at < whole_at < reset_at - _TEST_LEAD:
                return reset_at, whole, None
            self._testing_lead = testing_lead
            self._probe_at, self._probe_until = whole_at, reset_at
            return whole_at, 1, reset_at if self._windows else None
        known = self._known_reopen(reading)
        if self._placed_by_lag():
            return known, UNLIMITED, None
        if known is None or self._opened_at is None:
            # An early reset is no more than a guess of the end, until one is measured.
            return known, 1 if self._early_by else UNLIMITED, None
        if self._longest - self._shortest <= max(_TOLERANCE * self._longest, 0.002):
            return known, UNLIMITED, None
        # Probe the upper part of what is left open (a whole number of seconds first, as most
        # windows are), and go in full at what is known.
        self._testing_shorter = False
        probe_at = self._opened_at + self._shortest + 0.75 * (self._longest - self._shortest)
        whole_at = self._whole_seconds_after(self._opened_at, self.latency, self._shortest, known)
        if whole_at is not None:
            if whole_at >= self._opened_at + self._longest - self.margin():
                # Answered at a whole number of seconds: that long, unless the reset is a
                # second late or more (a server clock ahead of the one that counts): where
                # that second is much of the window, a second less is tested once, and a
                # refusal says it is that long.
                shorter = whole_at - 1.0
                seconds = round(whole_at - self._opened_at - (self.latency or 0.0))
                if (
                    self._that_long
                    or shorter - self._opened_at <= self._shortest + self.margin()
                    or not 2 <= seconds <= _SHORTER_TESTED_UP_TO
                ):
                    return known, UNLIMITED, None
                self._testing_shorter = True
                whole_at = shorter
            probe_at = whole_at
        if probe_at >= known:
            return known, UNLIMITED, None
        self._probe_at, self._probe_until = probe_at, known
        return probe_at, 1, known

    def _whole_seconds_after(
        self, opened_at: float | None, delay: float | None, shortest: float, latest: float
    ) -> float | None:
        """When a window opened by the send at ``opened_at`` and longer than ``shortest`` is
        over if it is a whole number of seconds long, the fewest that fit before ``latest``
        (its reset, a whole second rounded up: the window ends in the second before it);
        ``None`` if no whole number fits or resets have fractions (then they are exact).

        The window opened when the server counted that send, up to ``delay`` (a round trip)
        after it left.
        """
        if opened_at is None or delay is None or self._fractional:
            return None
        opened_by = opened_at + delay
        # More than ``latest - 1 - opened_by`` seconds, or the reset would be a second sooner
        # (a window opened on a whole second and reset 60 s on is 60 s long, not 59).
        seconds = max(math.floor(shortest - delay) + 1, math.floor(latest - 1.0 - opened_by) + 1, 1)
        end = opened_by + seconds + self.margin()
        return end if end < latest else None

    def margin(self) -> float:
        """Slack for when a send reaches the server: round trips vary by about this much
        (each way, and the two sends compared may vary in opposite directions)."""
        return 4 * self.jitter + 0.001

    def opening_spread(self) -> float:
        """How much sooner than believed the first window can be over, when this client's
        first send opened it.

        The server counted that send somewhere in its round trip, and the window is believed
        to end as late as that allows. A bare round trip of it is matched by the pages
        weighed against that end, which take one too; the rest (the first flight opens new
        connections, and a server's first answers are slow) may have come after the count.
        Later windows are opened by sends on warm connections.
        """
        base, first_at, back_at = self.base_latency, self._first_at, self._first_back_at
        if base is None or self._opened_at is not None or first_at is None or back_at is None:
            return 0.0
        return max(back_at - first_at - base, 0.0)

    def _known_reopen(self, reading: Reading) -> float | None:
        """The latest time the freshest reading's window can be over: its reset, or sooner
        when the window's length has been measured (resets rounded up to whole seconds)."""
        reset_at = reading.reset_at
        if reset_at is not None and self._placed_by_lag():
            return reset_at - self._lag_above
        latest = None if reset_at is None else self._latest_end(reset_at)
        if not self._late or self._opened_at is None or math.isinf(self._longest):
            return latest
        known = self._opened_at + self._longest + self.margin()
        if known <= reading.sent_at:
            return latest  # the window moved on: what the server says
        return known if latest is None else min(known, latest)
