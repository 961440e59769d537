"""The in-process budget: one ledger shared by every task of one client (the default)."""

from __future__ import annotations

import array
import bisect
import math

import attrs

from creatorsdk._engine.pacing.readings import RateLimit, usable_reset
from creatorsdk.budgets._ledger import (
    CUBIC_BETA,
    CUBIC_RECOVERY,
    MIN_RATE,
    MOST_COUNTED,
    NO_WAKE,
    TIED,
    TRIP_MARGIN,
    Keep,
    Reading,
    Rule,
    Taken,
    cubic_rate,
    cubic_recovery,
)

__all__ = ["LocalBudget"]

#: Send times older than this are forgotten unless the rule still needs them.
_KEEP_SECONDS = 10.0


class LocalBudget:
    """A key's budget kept in this process: shared by every task of the client it is given to.

    This is what a client uses unless told otherwise; pass one instance to several clients
    (``budget=``) to make them share one key's budget within a process. Use
    :class:`~creatorsdk.budgets.RedisBudget` to share it across processes and machines.
    """

    def __init__(self) -> None:
        self._seq = 0
        self._reading: Reading | None = None
        # The same, with the remaining of the latest answer rather than the lowest under its
        # reset, as of that answer: a bucket's count rises between answers (see take_now).
        self._latest_count: Reading | None = None
        self._guesses: list[int] = []  # sends granted on belief alone, not yet shown by a reading
        self._outstanding: list[int] = []  # sends granted and not yet answered, by seq
        # When each send left, oldest first, less the refused (they count on no limiter's
        # next window, and rolling limiters never count them).
        # (Arrays of numbers: no object per send, so memory stays flat under load.)
        self._times = array.array("d")
        self._sends = array.array("q")
        self._paused_until = 0.0
        self._paused_by = 0  # the refused send whose 429 set the hold
        self._next_at = 0.0
        self._first_at: float | None = None  # when the first send left
        self._cut_at: float | None = None
        self._cut_seq = 0  # the last send made before the last cut
        self._peak = 0.0
        self._cut_taken = False  # a send made since the last cut was let through
        self._recovery = CUBIC_RECOVERY  # how long the climb after the last cut takes
        self._kept = 0  # sends a client's listing keeps spare from every other client ...
        self._kept_until = 0.0  # ... until then

    def __repr__(self) -> str:
        return f"LocalBudget(sent={self._seq})"

    # -- the operations (async twins below, for the Budget protocol) -----------------------

    def take_now(self, now: float, rule: Rule, *, force: bool = False) -> Taken:
        """Grant one send now (its sequence number) or say when to ask again.

        ``force`` grants it whatever the budget says (a sender held as long as allowed).
        """
        out = len(self._outstanding)
        taken = self._take(now, rule, force=force)
        listing = rule.keep is None and now < self._kept_until
        # (On every send: the constructor, not attrs.evolve, which looks up every field.)
        return Taken(taken.seq, taken.wake_at, taken.guessed, listing, out)

    def _take(self, now: float, rule: Rule, *, force: bool) -> Taken:
        reserve = self._reserve(now, rule)
        if force:
            return self._grant(now, 0.0, guessed=False)
        if now < self._paused_until:
            return Taken(None, self._paused_until)
        interval = self._interval(now, rule)
        if interval and now < self._next_at:
            return Taken(None, self._next_at)
        guessed = False
        # Under a steady refill the count goes up as well as down: the lowest reading of a
        # reset is stale by what came back since it, and the refill is only added from the
        # latest answer on (at 100 a second, the bucket filled while a few were in flight).
        reading = self._latest_count if rule.refill is not None else self._reading
        if reading is not None:
            # Sent after the reading's request, or before it and still unanswered (it may
            # have overtaken them): the reading cannot be sure to have counted those.
            unsure = self._seq - reading.seq + bisect.bisect_left(self._outstanding, reading.seq)
            remaining = reading.remaining
            if rule.others_rate:
                # Others have gone on spending since the reading.
                remaining -= math.ceil(rule.others_rate * max(now - reading.sent_at, 0.0))
            spare = math.floor(max(remaining, 0) * rule.share) - unsure
            quota = rule.quota
            spent = False
            if quota is not None and rule.reopen_at is not None:
                # This client's part of the window, shared with other consumers of the key.
                used = len(self._times) - bisect.bisect_left(self._times, quota.since)
                # What is kept for a listing is kept out of this client's part too. Past a
                # reopening only believed in, the part is still spent: what the reading
                # shows left is the others' (all of them would spend it at once), and only
                # a probe may go until a reading from the new window says otherwise.
                spent = used + reserve >= quota.sends
                if spent and now < rule.reopen_at:
                    # Past its part, what the reading shows left beyond what the others,
                    # at their pace, can spend before the window is back is this
                    # client's too: else it is left unspent while this client waits.
                    theirs = math.ceil(rule.others_rate * (rule.reopen_at - reading.sent_at))
                    if not rule.others_rate or reading.remaining - theirs - unsure < 1 + reserve:
                        return self._past_part(now, rule, interval, reserve)
                    return self._grant(now, interval, guessed=False)
            need = 1 + reserve
            believed = spent or spare < need
            if believed:
                back, wake_at = self._returned(now, rule, reading, spare, need)
                if back < need:
                    probe_at = rule.probe_at
                    if probe_at is None or reserve or self._guesses:
                        return Taken(None, wake_at)
                    if now < probe_at:
                        return Taken(None, min(wake_at, probe_at))
                # Only believed back (what the reading shows is kept for a listing, or
                # spent): a probe, unless one is out already. While the reading still shows
                # what a listing keeps, a probe would spend that whether or not the window
                # is back, and tell nothing: the listing's own answers will.
                if not (rule.sure_at is not None and now >= rule.sure_at) and (
                    len(self._guesses) >= rule.guesses
                    or (rule.guesses == 1 and spare >= 1 and not spent)
                ):
                    # The probe's answer decides, or the time the reopening is sure.
                    return Taken(None, rule.sure_at if rule.sure_at is not None else NO_WAKE)
                guessed = True
        if len(self._times) > 512:
            self._forget(now, rule)
        return self._grant(now, interval, guessed=guessed)

    def _past_part(self, now: float, rule: Rule, interval: float, reserve: int) -> Taken:
        """Past its part of a window others share: one send at ``refresh_at`` (nothing out,
        nothing kept for a listing, whose pages read the window anyway), else wait for the
        window to reopen."""
        refresh_at, reopen_at = rule.refresh_at, rule.reopen_at
        assert reopen_at is not None
        if refresh_at is None or refresh_at >= reopen_at or reserve or self._outstanding:
            return Taken(None, reopen_at)
        if now < refresh_at:
            return Taken(None, refresh_at)
        return self._grant(now, interval, guessed=False)

    def _reserve(self, now: float, rule: Rule) -> int:
        """What this take leaves spare: its own reserve, and what another client's listing
        keeps (unless the take is that listing's client's, which may spend it)."""
        keep = rule.keep
        if keep is not None:
            self.keep_now(now, keep)
            return rule.reserve
        return max(rule.reserve, self._kept if now < self._kept_until else 0)

    def _grant(self, now: float, interval: float, *, guessed: bool) -> Taken:
        if self._first_at is None:
            self._first_at = now
        self._seq += 1
        self._times.append(now)
        self._sends.append(self._seq)
        self._outstanding.append(self._seq)
        if guessed:
            self._guesses.append(self._seq)
        if interval:
            self._next_at = max(self._next_at, now) + interval
        return Taken(self._seq, guessed=guessed)

    def record_now(
        self,
        seq: int,
        sent_at: float,
        rate_limit: RateLimit | None,
        *,
        guessed: bool,
        now: float,
        refused: bool = False,
    ) -> tuple[bool, Reading | None]:
        """Keep ``rate_limit`` if it is the freshest reading: whether it was, and the one before.

        An answer (not a 429) to a send made after the one whose 429 holds everyone ends the
        hold: the limiter let it through, so it is open again.
        """
        _discard(self._outstanding, seq)
        if not refused and seq > self._cut_seq:
            self._cut_taken = True
        if refused:
            index = bisect.bisect_left(self._sends, seq)
            if index < len(self._sends) and self._sends[index] == seq:
                del self._sends[index]
                del self._times[index]
        elif seq > self._paused_by and now < self._paused_until:
            self._paused_until = 0.0
        if guessed:
            _discard(self._guesses, seq)
        previous = self._reading
        if rate_limit is None:
            ended_at = previous.reset_at if previous is not None else None
            if not refused and ended_at is not None and sent_at > ended_at:
                # Sent after the reading's window ended, and let through without a count:
                # the server no longer reports one. The old count is no budget of any window
                # now (kept, it was spent down by every send and never renewed: one probe at
                # a time, for good). A 429 without one says nothing of it: some servers
                # write their counts on successes only.
                self._reading = self._latest_count = None
            return False, previous
        if previous is not None and seq <= previous.seq:
            if (
                rate_limit.remaining < previous.remaining
                and usable_reset(rate_limit.reset_at, now) == previous.reset_at
            ):
                # Sent earlier but counted later (it overtook nothing; others overtook it):
                # within one window, the lowest remaining is the latest count.
                self._reading = attrs.evolve(previous, remaining=rate_limit.remaining)
            # Its count is the latest only if lower: higher, the server counted it before
            # the reading's own request (they left together, and this one came back later).
            latest = self._latest_count or previous
            if rate_limit.remaining < latest.remaining:
                self._latest_count = attrs.evolve(
                    self._reading or previous, remaining=rate_limit.remaining, answered_at=now
                )
            return False, previous
        reset_at = usable_reset(rate_limit.reset_at, now)
        remaining = rate_limit.remaining
        if (
            previous is not None
            and reset_at is not None
            and reset_at == previous.reset_at
            and sent_at <= previous.as_of
        ):
            # The same window: what was counted later (answered sooner) may be the lower.
            # (Sent once that was back, it was counted after it: higher, requests came back
            # under one reset, as a log's whose reset is rounded to whole seconds.)
            remaining = min(remaining, previous.remaining)
        self._reading = Reading(seq, sent_at, remaining, reset_at, answered_at=now)
        left = rate_limit.remaining
        counted = self._latest_count
        if counted is not None and sent_at - counted.sent_at <= TIED and left > counted.remaining:
            # Sent together with the send of the latest count, and higher by no more than
            # the sends that left together: counted before it, not refilled since.
            together = bisect.bisect_right(self._times, sent_at + TIED) - bisect.bisect_left(
                self._times, counted.sent_at - TIED
            )
            if left - counted.remaining < together:
                left = counted.remaining
        self._latest_count = (
            self._reading if remaining == left else attrs.evolve(self._reading, remaining=left)
        )
        # Guesses sent before this reading's request are shown by it, right or wrong.
        del self._guesses[: bisect.bisect_right(self._guesses, seq)]
        return True, previous

    def throttle_now(
        self, now: float, seq: int, sent_at: float, until: float, *, discover: bool
    ) -> None:
        """Send ``seq`` drew a 429: hold every sender until ``until``; without headers, cut the
        discovered rate."""
        if until > self._paused_until:
            self._paused_until = until
            self._paused_by = max(self._paused_by, seq)
        if not discover:
            return
        if seq <= self._cut_seq:
            return  # sent before the last cut: that cut already answered it
        if self._cut_at is None:
            # The first 429: the rate is what went out over the last second (or since the
            # first send, if that is sooner); the cut takes it from there.
            first_at = now if self._first_at is None else self._first_at
            span = min(1.0, max(now - first_at, 0.05))
            self._peak = max(self._sent_since(now - span) / span, MIN_RATE)
        else:
            self._peak = cubic_rate(now - self._cut_at, self._peak, self._recovery)
            if not self._cut_taken:
                # Nothing let through since the last cut: the rate is still far above the
                # key's, and halves rather than losing a third (a 429 a round trip).
                self._peak = max(self._peak * CUBIC_BETA, MIN_RATE)
        found = self._cut_at is not None and self._cut_taken
        self._recovery = cubic_recovery(self._peak, found=found)
        self._cut_at = now
        self._cut_seq = self._seq
        self._cut_taken = False
        # The retry is the next send at the new rate: one interval on (the hold, if any, is
        # the pause's, which a later answer can end).
        self._next_at = max(self._next_at, now + 1.0 / cubic_rate(0.0, self._peak, self._recovery))

    def keep_now(self, now: float, keep: Keep) -> None:
        """Tell every client of the budget what a listing keeps, without a send."""
        self._kept, self._kept_until = keep.sends, keep.until

    def discovered_rate(self, now: float) -> float | None:
        """The rate found for a key without headers, or ``None`` before its first 429."""
        if self._cut_at is None:
            return None
        return cubic_rate(max(now - self._cut_at, 0.0), self._peak, self._recovery)

    # -- async twins: the Budget protocol ----------------------------------------------------

    async def take(self, now: float, rule: Rule, *, force: bool = False) -> Taken:
        """:meth:`take_now`, awaitable."""
        return self.take_now(now, rule, force=force)

    async def record(
        self,
        seq: int,
        sent_at: float,
        rate_limit: RateLimit | None,
        *,
        guessed: bool,
        now: float,
        refused: bool = False,
    ) -> tuple[bool, Reading | None]:
        """:meth:`record_now`, awaitable."""
        return self.record_now(seq, sent_at, rate_limit, guessed=guessed, now=now, refused=refused)

    async def throttle(
        self, now: float, seq: int, sent_at: float, until: float, *, discover: bool
    ) -> None:
        """:meth:`throttle_now`, awaitable."""
        self.throttle_now(now, seq, sent_at, until, discover=discover)

    async def keep(self, now: float, keep: Keep) -> None:
        """:meth:`keep_now`, awaitable."""
        self.keep_now(now, keep)

    # -- helpers ----------------------------------------------------------------------------

    def _interval(self, now: float, rule: Rule) -> float:
        rate = self.discovered_rate(now)
        if rate is None:
            return rule.interval
        return max(rule.interval, 1.0 / rate)

    def _returned(
        self, now: float, rule: Rule, reading: Reading, spare: int, need: int
    ) -> tuple[int, float]:
        """Spare sends once what the rule says is back is added, and when ``need`` are spare."""
        wake_at = NO_WAKE
        reopen_at = rule.reopen_at
        if reopen_at is not None and reading.sent_at < reopen_at:
            if now >= reopen_at:
                limit = rule.limit if rule.limit is not None else reading.remaining + 1
                since = len(self._times) - bisect.bisect_left(self._times, reopen_at)
                return math.floor(limit * rule.share) - since, NO_WAKE
            wake_at = reopen_at
        # What came back by the time the reading may have been taken may be in it already:
        # only what comes back after that is added (else it counts twice, and draws a 429).
        as_of = reading.as_of
        refill = rule.refill
        if refill is not None and refill > 0:
            # One more comes back every 1 / refill seconds after the reading. Over the
            # reading's own round trip, a steady refill and what this client sent meanwhile
            # offset each other: a reading taken as its request arrived missed that refill,
            # one taken as the answer left counted those sends. Either way the lesser of the
            # two (less a margin) is there beyond what the reading and the sends it may not
            # count show.
            credit = 0.0
            if rule.steady:
                trip = refill * max(as_of - reading.sent_at, 0.0)
                sent = self._sent_during(reading.sent_at, as_of)
                credit = max(min(float(sent), trip) - TRIP_MARGIN, 0.0)
            needed = need - spare - credit
            elapsed = max(now - as_of - rule.slack, 0.0)
            spare += math.floor(credit + elapsed * refill)
            if spare < need:
                wake_at = min(wake_at, as_of + rule.slack + needed / refill + 1e-6)
        window = rule.window
        if window is not None:
            # What the reading counted and comes back later: sends that left less than the
            # shortest window before it (give or take how round trips vary); each is back
            # the longest window after it left.
            shortest = rule.counted_for if rule.counted_for is not None else window
            low = bisect.bisect_right(self._times, as_of - shortest + rule.slack)
            if rule.limit is not None and rule.limit > reading.remaining:
                # It counted limit - remaining sends at most, its own the latest: none sent
                # before the first of those (a measured span can be long by a server's lag).
                first = reading.seq - (rule.limit - reading.remaining) + 1
                at = bisect.bisect_left(self._sends, first)
                if at < len(self._sends) and self._sends[at] == first:
                    low = max(low, bisect.bisect_left(self._times, self._times[at]))
            high = bisect.bisect_right(self._times, now - window)
            back = max(high - low, 0)
            spare += back
            if spare < need:
                # The send whose expiry would bring the budget to ``need`` spare.
                index = max(high, low) + (need - 1 - spare)
                if index < len(self._times):
                    wake_at = min(wake_at, self._times[index] + window)
        return spare, wake_at

    def _sent_during(self, start: float, end: float) -> int:
        """Sends granted after ``start`` and before ``end`` (and not refused)."""
        times = self._times
        return bisect.bisect_left(times, end) - bisect.bisect_right(times, start)

    def _sent_since(self, start: float) -> int:
        """Sends granted after ``start``, the refused ones included."""
        index = bisect.bisect_right(self._times, start)
        before = self._sends[index - 1] if index > 0 else (self._sends[0] - 1 if self._sends else 0)
        return self._seq - before

    def _forget(self, now: float, rule: Rule) -> None:
        """Drop send times no rule can still need (a few windows back, beyond the latest
        ``limit``)."""
        keep = max(_KEEP_SECONDS, 2 * (rule.window or 0.0))
        for since in (rule.reopen_at, rule.quota.since if rule.quota else None):
            if since is not None:
                keep = max(keep, now - since + 1.0)
        cut = bisect.bisect_left(self._times, now - keep)
        if rule.limit is not None:
            cut = min(cut, len(self._times) - min(rule.limit, MOST_COUNTED))
        if cut > 0:
            del self._times[:cut]
            del self._sends[:cut]


def _discard(seqs: list[int], seq: int) -> None:
    index = bisect.bisect_left(seqs, seq)
    if index < len(seqs) and seqs[index] == seq:
        del seqs[index]
