"""The pacer: one admission object for every send of a client, for slots and budget at once.

Why hand-written: rate-limit libraries (``aiolimiter``, ``limits``, ``pyrate-limiter``) enforce
a rate the caller already knows. Here the rate belongs to the server and has to be read off
its answers: greedily from ``remaining`` less what is still on the wire, with the window's
length and phase learned rather than trusted, discovered from 429s when there are no headers,
shared with other processes through a store, and ordered so a listing's next page goes
before fan-out chunks (which leave a running listing what it needs until the budget is
back). No library does that, so it is written here, small and tested on an
injected clock.

A send is admitted by ``async with pacer.sending(critical=...) as send:`` which waits, in
priority order (critical first, first come first served within a class), for a concurrency
slot and the budget, then yields a :class:`Send`. Inside the block the caller reports the
answer with :meth:`Pacer.observe` (its rate-limit reading) or :meth:`Pacer.rate_limited` (a
429); the block's exit records it, frees the slot and lets the next sender decide on the
freshest state. A cancelled waiter leaves the queue and a cancelled sender frees its slot.
"""

from __future__ import annotations

import collections
import math
from collections.abc import Awaitable, Callable
from types import TracebackType

import anyio
import attrs

from creatorsdk._engine.checks import int_arg, non_negative_arg, positive_arg
from creatorsdk._engine.pacing.learning import UNLIMITED, LimiterModel
from creatorsdk._engine.pacing.readings import CountAhead, RateLimit, ServerClock, usable_reset
from creatorsdk.budgets._ledger import Keep, Reading, Rule, Taken
from creatorsdk.budgets._local import LocalBudget
from creatorsdk.budgets._store import Budget
from creatorsdk.errors import InvalidArgumentError

__all__ = ["Pacer", "Send"]

#: In-flight sends kept per (rate × latency): Little's law with room for bursts.
_LITTLE_HEADROOM = 2.0
#: Fan-out sends in flight before the first answer says how long one takes.
_FIRST_SLOTS = 8
#: Answers without a 429 (and without rate-limit headers) after which a key is taken to
#: have no limit and the whole cap may be in flight.
_UNLIMITED_AFTER = 100
#: The shortest wait, when the budget's next return is computed as already past.
_MOMENT = 0.001
#: A listing whose next page is not asked for within this many of its cycles (the time from
#: one page's grant to the next page's request), each with a round trip to spare, has ended:
#: nothing is kept back for it.
_CHAIN_CYCLES = 2.0
#: How fast the cycle follows a changing chain (the weight of the newest gap), and how far
#: past it one gap may pull it (a gap that long is a pause, not the chain's pace).
_CYCLE_WEIGHT = 0.3
_CYCLE_STRETCH = 4.0
#: The listing's brisk pace follows a faster gap at once and a slower one by this much of
#: the difference: pages that crawl behind a burst of fan-out at the server go at their
#: brisk pace once it is spent, and what is kept for them is counted at that pace.
_BRISK_RISE = 0.05
#: Answers in a row whose resets are further than the window measured (but within a day)
#: after which the measure is what is wrong, not the resets.
_FAR_RESETS_BELIEVED = 3
#: The longest a sender waits before asking a shared budget again: another client's answer
#: (a fresh reading, a probe's result), in another process or in this one, changes the
#: budget without waking anyone here.
SHARED_POLL = 0.05


class Send:
    """One admitted send: its place in the key's sequence, when it left, what came back."""

    __slots__ = (
        "answered",
        "critical",
        "forced",
        "guessed",
        "rate_limit",
        "refused",
        "retry_after",
        "sent_at",
        "seq",
    )

    def __init__(
        self, seq: int, sent_at: float, guessed: bool, critical: bool, forced: bool = False
    ) -> None:
        self.seq = seq
        self.sent_at = sent_at
        self.guessed = guessed
        self.critical = critical
        self.forced = forced  # let through past the budget: held as long as allowed
        self.answered = False
        self.rate_limit: RateLimit | None = None
        self.refused = False
        self.retry_after: float | None = None


class PastDeadline(Exception):
    """The budget is back only after the caller's deadline (at ``back_at``): waiting for it
    cannot end in time, so the send is refused at once."""

    def __init__(self, back_at: float) -> None:
        super().__init__(back_at)
        self.back_at = back_at


class _Waiter:
    __slots__ = ("back_at", "critical", "event", "until")

    def __init__(self, critical: bool, until: float | None) -> None:
        self.critical = critical
        self.until = until
        self.back_at: float | None = None  # set when refused in line: its deadline is first
        self.event = anyio.Event()


class Pacer:
    """Admits every send of one client: concurrency slots and the key's budget together.

    ``max_concurrency`` caps sends in flight; within it the pacer keeps only as many in flight
    as the rate and the observed latency need (Little's law), so a higher cap never sends
    faster than the budget refills. ``requests_per_minute`` is a ceiling for APIs that
    document one. ``max_wait`` caps any single wait (the retry policy's ``max_retry_after``):
    a sender held that long while nothing was let out is let through, and the server's
    answer decides: one at a time, and one the server takes ends the others' wait as any
    send does. (Sends let out to those ahead of it end a wait: a job queued for three
    windows of a minute waits for each in turn, rather than spending its third window's
    sends into 429s at the second.)
    ``budget`` is the store of the key's shared accounting (in-process by default).
    """

    def __init__(
        self,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        max_concurrency: int = 8,
        requests_per_minute: float | None = None,
        max_wait: float | None = None,
        budget: Budget | None = None,
    ) -> None:
        if requests_per_minute is not None:
            positive_arg("requests_per_minute", requests_per_minute)
        if max_wait is not None:
            non_negative_arg("max_wait", max_wait, what="a number of seconds")
        int_arg("max_concurrency", max_concurrency, low=1)
        if budget is not None and not isinstance(budget, Budget):
            # A URL is the likely slip: the store is built from it, not given it.
            hint = (
                "; a Redis URL goes to RedisBudget(url, name=...)"
                if isinstance(budget, str)
                else ""
            )
            raise InvalidArgumentError(
                "budget must be a budget store (LocalBudget, RedisBudget or a Budget of your "
                f"own), got {budget!r}{hint}"
            )
        self._clock = clock
        self._sleep = sleep
        self._cap = max_concurrency
        floor = 60.0 / requests_per_minute if requests_per_minute else 0.0
        self._ceiling_rate = requests_per_minute / 60.0 if requests_per_minute else None
        # The documented per-key rate is never broken to honour the cap.
        self._max_wait = None if max_wait is None else max(max_wait, floor)
        self._budget: Budget = budget if budget is not None else LocalBudget()
        self._local = self._budget if isinstance(self._budget, LocalBudget) else None
        # Given a budget, other clients may share it (in this process or through a store):
        # their answers change it without waking anyone here.
        self._shared = budget is not None
        #: The server's clock against ours (fed by the client with each answer's ``Date``).
        self.server_clock = ServerClock()
        self._model = LimiterModel(
            interval=floor, shared=self._shared, server_clock=self.server_clock
        )
        self._count_ahead = CountAhead()
        self._critical: collections.deque[_Waiter] = collections.deque()
        self._fanout: collections.deque[_Waiter] = collections.deque()
        self._nap: anyio.CancelScope | None = None
        self._nap_ends = math.inf  # when the head's nap ends unless woken
        self._deadlines = 0  # senders in line with a deadline of their own
        self._in_flight = 0
        self._granted_at = -math.inf  # when a send was last let out
        self._forced_out = 0  # sends let through past the budget, not yet answered
        self._taking = 0  # takes from a shared store awaiting its answer: slots held
        self._answered = 0  # answers that were not a 429
        self._critical_out = 0  # critical sends in flight
        self._critical_at: float | None = None  # when the last critical send was granted
        self._cycle: float | None = None  # a critical grant to the next critical request
        self._brisk: float | None = None  # ... as fast as it goes (down at once, up slowly)
        self._page_back_at: float | None = None  # when the last critical send was answered
        self._turn: float | None = None  # ... to the next critical request (as brisk)
        self._ended_at: float | None = None  # the grant of a listing's last page
        self._listed_elsewhere = False  # another client of the budget runs a listing
        self._budget_out = 0  # every client's sends out, as of the last take (and since)
        self._told_at = -math.inf  # ... which was then
        self._latest: RateLimit | None = None
        self._latest_seq = -1
        self._reporting = False  # the latest answer (not a 429) carried rate-limit headers
        self._far_resets = 0  # answers in a row with resets beyond the window measured

    @property
    def latest(self) -> RateLimit | None:
        """The freshest rate-limit state seen, or ``None`` before the first headers."""
        return self._latest

    @property
    def in_flight(self) -> int:
        """Sends admitted and not yet finished."""
        return self._in_flight

    @property
    def waiting(self) -> int:
        """Senders queued for a slot or the budget."""
        return len(self._critical) + len(self._fanout)

    def sending(self, *, critical: bool = False, until: float | None = None) -> _Sending:
        """Wait for this sender's turn; ``async with`` it around the send.

        ``until`` (on the pacer's clock) is the caller's deadline: a wait for the budget
        known to end after it raises :class:`PastDeadline` at once (with nothing out whose
        answer could bring the budget back sooner); any other wait ends there, and raises
        it then.
        """
        return _Sending(self, critical, until)

    async def listing_ended(self) -> None:
        """Report that a listing's last page is back (``has_next`` false): nothing is kept
        for its next page any more, rather than until it is overdue.

        A shared budget's other clients are told at once: told on this client's next take,
        they waited for what it kept to lapse whenever it had nothing more to send.
        """
        self._ended_at = self._critical_at
        if self._shared:
            now = self._clock()
            with anyio.CancelScope(shield=True):
                await self._budget.keep(now, Keep(0, now))
        if self._critical or self._fanout:
            self._wake_head()

    def observe(self, send: Send, rate_limit: RateLimit | None) -> None:
        """Report the answer to ``send`` and its rate-limit reading (``None`` without headers)."""
        send.answered = True
        send.rate_limit = rate_limit

    def rate_limited(self, send: Send, retry_after: float | None) -> None:
        """Report that ``send`` drew a 429: every sender waits once, as the pacer decides.

        A ``Retry-After`` is honoured (a reset header the server sent with it that comes
        sooner wins: ``Retry-After`` is whole seconds), capped at ``max_wait``; without
        headers the discovered rate is cut.
        """
        send.answered = True
        send.refused = True
        send.retry_after = retry_after

    # -- admission -------------------------------------------------------------------------------

    async def _admit(self, critical: bool, until: float | None = None) -> Send:
        # One yield per send, as any lock would: a cancelled caller (Ctrl-C) stops here even
        # when every send is admitted at once and the transport never blocks.
        await anyio.lowlevel.checkpoint()
        now = self._clock()
        if critical:
            self._paced(now)
        if (
            not self._critical
            and not self._fanout
            and not self._taking
            and not self._full(critical, now)
        ):
            rule = self._rule(now, critical)
            if self._local is not None:
                taken = self._local.take_now(now, rule)
            else:
                taken = await self._take_remote(now, rule, force=False)
            self._told(taken, now)
            if taken.seq is not None:
                return self._granted(taken, now, critical)
        return await self._queue(critical, now, until)

    async def _take_remote(self, now: float, rule: Rule, *, force: bool) -> Taken:
        """A take from a shared store, its slot held while it is asked.

        The answer takes a round trip: without the hold, every sender arriving meanwhile
        would find the slots free and ask too, and a fan-out of any width would go at once.
        """
        self._taking += 1
        try:
            return await self._budget.take(now, rule, force=force)
        finally:
            self._taking -= 1
            if self._critical or self._fanout:
                self._wake_head()

    async def _queue(self, critical: bool, started: float, until: float | None = None) -> Send:
        waiter = _Waiter(critical, until)
        unstick_at: float | None = None
        (self._critical if critical else self._fanout).append(waiter)
        if until is not None:
            self._deadlines += 1
        if self._nap is not None and (critical or (until is not None and until < self._nap_ends)):
            # A fan-out head napping on the budget yields its turn; a head's nap ends by
            # the first deadline in line, to refuse that sender then.
            self._nap.cancel()
        try:
            while True:
                if waiter.back_at is not None:
                    raise PastDeadline(waiter.back_at)
                if self._head() is not waiter:
                    if waiter.event.is_set():
                        waiter.event = anyio.Event()
                    await waiter.event.wait()
                    continue
                now = self._clock()
                if self._full(critical, now):
                    if until is not None and now >= until:
                        raise PastDeadline(math.inf)  # no slot came free in time
                    # A slot frees with an answer, at no time known: only deadlines end this.
                    first = self._refuse_in_line(waiter, now, math.inf)
                    if until is not None:
                        first = min(first, until)
                    await self._doze(self._nap_for(first, now, until))
                    continue
                # Held max_wait already with nothing let out, or stuck past the reset with
                # nothing out: let it through; the server's answer decides. One at a time:
                # the rest wait for that answer (a send the server took is the line going
                # on) rather than all going at once.
                held_since = max(started, self._granted_at)
                force = not self._forced_out and (
                    (self._max_wait is not None and now - held_since >= self._max_wait)
                    or (unstick_at is not None and now >= unstick_at and not self._in_flight)
                )
                rule = self._rule(now, critical)
                if self._local is not None:
                    taken = self._local.take_now(now, rule, force=force)
                else:
                    taken = await self._take_remote(now, rule, force=force)
                self._told(taken, now)
                if taken.seq is not None:
                    break
                wake_at = taken.wake_at
                if until is not None and (
                    now >= until
                    # Nothing out whose answer (a probe's, another client's) could say
                    # sooner that the budget is back: the wait is known to end too late.
                    or (until < wake_at < math.inf and not self._in_flight and not self._shared)
                ):
                    raise PastDeadline(wake_at)
                wake_at = min(wake_at, self._refuse_in_line(waiter, now, wake_at))
                if math.isinf(wake_at) and not self._in_flight:
                    if unstick_at is None or math.isinf(unstick_at):
                        unstick_at = self._unstick_at(now)
                    wake_at = min(wake_at, unstick_at)
                if self._max_wait is not None and held_since + self._max_wait > now:
                    # (Past it, what ends this wait is the forced send's answer, or a pause.)
                    wake_at = min(wake_at, held_since + self._max_wait)
                if self._shared:
                    wake_at = min(wake_at, now + SHARED_POLL)
                if rule.reserve and self._cycle is not None:
                    # The reserve shrinks as the budget's return nears: ask again then.
                    wake_at = min(wake_at, now + self._cycle)
                if until is not None:
                    wake_at = min(wake_at, until)
                await self._doze(self._nap_for(wake_at, now, until))
        except BaseException:
            self._leave(waiter)
            raise
        self._leave(waiter)
        return self._granted(taken, now, critical, forced=force)

    def _refuse_in_line(self, head: _Waiter, now: float, back_at: float) -> float:
        """Refuse the senders in line behind ``head`` whose deadline has come, or comes before
        ``back_at`` with nothing out whose answer could say the budget is back sooner (none
        of them can go before the head); the earliest deadline left in line, for the head to
        wake at and refuse it then.

        Without this, a sender in line would learn that its wait ends too late only once it
        reached the head, however far past its deadline: on the policy's clock, nothing
        else ends that wait.
        """
        if self._deadlines == (head.until is not None):
            return math.inf
        known = back_at < math.inf and not self._in_flight and not self._shared
        first = math.inf
        for queue in (self._critical, self._fanout):
            for waiter in queue:
                until = waiter.until
                if waiter is head or until is None or waiter.back_at is not None:
                    continue
                if now >= until or (known and until < back_at):
                    waiter.back_at = back_at
                    waiter.event.set()
                else:
                    first = min(first, until)
        return first

    def _told(self, taken: Taken, now: float) -> None:
        """What a take says of the budget's other clients."""
        self._listed_elsewhere = taken.listing
        self._budget_out = taken.out + (taken.seq is not None)
        self._told_at = now

    def _unstick_at(self, now: float) -> float:
        """When a sender the budget holds with no wake time, and nothing of this client's
        out, sends all the same.

        Nothing would wake it: only an answer changes what the budget says, and none is
        coming. A belief can hold it so for good: one that counts on the budget's own
        sends coming back, when a consumer outside it spent what the reading counted. By
        the freshest reading's reset, whatever it counted is back on any limiter. A shared
        budget's other clients bring answers of their own (it is asked again every
        :data:`SHARED_POLL`): they are given a window past the reset, and without such a
        reading it waits for them.
        """
        latest, window = self._latest, self._model.window() or 1.0
        if latest is not None and latest.reset_at > now:
            return latest.reset_at + (window if self._shared else 0.0)
        if self._shared:
            return math.inf
        return now + window

    def _granted(self, taken: Taken, now: float, critical: bool, *, forced: bool = False) -> Send:
        assert taken.seq is not None
        if forced:
            # No progress of the line until the server takes it (see _finish).
            self._forced_out += 1
        else:
            self._granted_at = now
        self._in_flight += 1
        if critical:
            self._critical_out += 1
            self._critical_at = now
        self._model.sent(taken.seq, now)
        return Send(taken.seq, now, taken.guessed, critical, forced)

    def _head(self) -> _Waiter | None:
        if self._critical:
            return self._critical[0]
        return self._fanout[0] if self._fanout else None

    def _leave(self, waiter: _Waiter) -> None:
        queue = self._critical if waiter.critical else self._fanout
        was_head = self._head() is waiter
        try:
            queue.remove(waiter)
        except ValueError:  # pragma: no cover - removed once only
            return
        if waiter.until is not None:
            self._deadlines -= 1
        if was_head:
            self._wake_head()

    def _wake_head(self) -> None:
        if self._nap is not None:
            self._nap.cancel()
            return
        head = self._head()
        if head is not None:
            head.event.set()

    @staticmethod
    def _nap_for(wake_at: float, now: float, until: float | None) -> float | None:
        """How long to doze for ``wake_at`` (``None``: until woken). Never a busy loop: a
        wake time already past (rounding) waits a moment, but never past the deadline."""
        if math.isinf(wake_at):
            return None
        nap = max(wake_at - now, _MOMENT)
        return nap if until is None else min(nap, max(until - now, 0.0))

    async def _doze(self, seconds: float | None) -> None:
        """Sleep (``None``: until woken) unless something changes first."""
        with anyio.CancelScope() as scope:
            self._nap = scope
            self._nap_ends = math.inf if seconds is None else self._clock() + seconds
            try:
                if seconds is None:
                    await anyio.sleep_forever()
                else:
                    await self._sleep(max(seconds, 0.0))
            finally:
                if self._nap is scope:  # a newer head may already be dozing
                    self._nap = None

    def _full(self, critical: bool, now: float) -> bool:
        """Whether a send of this class must wait for a slot.

        Fan-out keeps to what the rate and latency need, except at a fixed window with no
        listing running: there a whole window's budget is there at once, and the sooner it
        is spent, the sooner the job ends (the budget, not the slots, keeps it in bounds).
        While a listing runs (this client's, or another's on a shared budget) the server is
        kept from a queue its pages would wait in: on a shared budget, by what every client
        has out together. With no page of this client's out, one slot of the cap is left
        free: the next page would otherwise wait for a chunk's answer however first it is in
        the queue (25-40 ms a page at a 40 ms round trip with all eight slots out). Until it
        is known who else spends the key, fan-out grows only as answers come back
        (:meth:`_ramp`).
        """
        out = self._in_flight + self._taking
        if critical:
            return out >= self._cap
        listing = self._listing(now)
        paced = listing or self._listed_elsewhere or not self._model.windowed
        allowed = self._slots(now) if paced else self._cap
        if out >= min(allowed, self._ramp()):
            return True
        if (listing or self._listed_elsewhere) and self._shared and self._in_flight:
            # What the rate and latency need is the key's, out from every client of the
            # budget together, whatever each one's cap. The count is the last take's: it
            # holds for a round trip (their sends are back by then), and a client with
            # nothing out may always send, its take counting them again.
            needed = self._needed(now)
            told = now - self._told_at < (self._model.latency or 0.0)
            if told and needed is not None and self._budget_out + self._taking >= needed:
                return True
        kept = self._cap > 1 and not self._critical_out and listing
        return kept and out + 1 >= self._cap

    def _ramp(self) -> int:
        """Fan-out in flight while other consumers of the key could be unseen.

        Until a window has closed and said who spent it, other processes on the key may be
        spending it too, each as fast as its own answers let it: twice what has been
        answered, so that every answer can tell of them before the next doubling, and no
        more than a default client's once they are seen (each reading shows them a round
        trip late).
        """
        if self._shared or self._model.tallied:
            return self._cap
        if self._model.others_now:
            return min(self._cap, _FIRST_SLOTS)
        return max(_FIRST_SLOTS, 2 * self._answered)

    def _slots(self, now: float) -> int:
        """Fan-out sends allowed in flight: what the rate and latency need, within the cap."""
        latency = self._model.base_latency
        if latency is None:
            # Nothing answered yet: a default client's worth. Each connection opened now
            # stays in the pool, and httpcore's pool walks every connection (twice over for
            # idle ones) on each request: 32 idle ones cost more CPU than the sends.
            return min(self._cap, _FIRST_SLOTS)
        rate = self._key_rate()
        if rate is None:
            # No headers and no 429 yet: the key may be limited all the same, and a wide
            # first burst at a header-less limiter is refused whole. The cap once enough
            # answers say it is not.
            return self._cap if self._answered >= _UNLIMITED_AFTER else min(self._cap, _FIRST_SLOTS)
        return min(self._cap, self._little(now, rate, latency))

    def _key_rate(self) -> float | None:
        """The key's rate for Little's law: as far as known, and never faster than its limit
        a second (``None`` with neither a rate nor a limit)."""
        rate, limit = self._rate(), self._model.limit
        if limit is None:
            return rate
        if rate is None:
            return float(limit)  # a window is rarely shorter than a second
        # Nor is it measured shorter: a bucket's sends stop counting as soon as tokens come
        # back, which reads as a window of tens of milliseconds before its refill is
        # measured (1,800 a second, 31 in flight at a cap of 32).
        return min(rate, float(limit))

    def _little(self, now: float, rate: float, latency: float) -> int:
        """Little's law: sends in flight for ``rate`` at the round trip without queues (a
        busy server's slower answers must not let more in at a time, which would make it
        busier still, and the listing's pages wait), and what is left of a window spent
        before it is back, however short the time left."""
        rate = max(rate, self._window_rate(now))
        return max(2, math.ceil(rate * latency * _LITTLE_HEADROOM) + 1)

    def _needed(self, now: float) -> int | None:
        """What the key's known rate and latency need in flight, whatever the cap (``None``
        while either is unknown)."""
        latency, rate = self._model.base_latency, self._key_rate()
        if latency is None or rate is None or self._model.limit is None:
            return None
        return self._little(now, rate, latency)

    def _paced(self, now: float) -> None:
        """A critical send is asked for: the gap since the last one's grant is the chain's pace."""
        if self._critical_at is None:
            return
        gap = max(now - self._critical_at, 0.0)
        cycle = self._cycle
        if cycle is None:
            self._cycle = gap
        else:
            self._cycle = cycle + _CYCLE_WEIGHT * (min(gap, _CYCLE_STRETCH * cycle) - cycle)
        brisk = self._brisk
        self._brisk = gap if brisk is None or gap < brisk else brisk + _BRISK_RISE * (gap - brisk)
        back_at = self._page_back_at
        if back_at is not None and back_at >= self._critical_at:
            turn, self._page_back_at = now - back_at, None
            last = self._turn
            self._turn = turn if last is None or turn < last else last + _BRISK_RISE * (turn - last)

    def _rule(self, now: float, critical: bool) -> Rule:
        """The model's rule, for fan-out with the sends a listing needs until the budget is back.

        Fan-out that spends a window's last requests stalls the listing until the window
        reopens, and everything after its next page waits with it; so while a listing runs,
        fan-out leaves what its pages need until then (none for a steady refill: there the
        next page waits one refill at most, ahead of every chunk). Every take says so to the
        budget, so that other clients sharing it leave them too.
        """
        rule = self._model.rule
        if critical and rule.quota is not None:
            # A page goes on whatever the window has left, one at a time: its client's part
            # of a window others share is a part of what the reading shows (a quarter of the
            # last three is none), and the listing would wait for the next window while
            # parts the others left go unspent.
            rule = attrs.evolve(rule, quota=None, share=1.0)
        if critical and self._shared and rule.guesses < UNLIMITED:
            # A page may join the probes other clients of the budget have out: its client's
            # model may still doubt a reopening theirs believe in, and their fan-out reaches
            # the reset first; waiting for their answers cost the listing a round trip each
            # window. It is one send, and it tests the reopening as theirs do.
            rule = attrs.evolve(rule, guesses=UNLIMITED)
        cycle, last = self._cycle, self._critical_at
        if cycle is None and (self._critical or self._critical_out):
            # Its first page is out: until the next is asked for, a round trip stands in for
            # the listing's pace (fan-out at the job's start spends a window in a few of them).
            cycle = self._model.latency
        if cycle is None or last is None or not self._listing(now):
            return rule
        # Other clients of a shared budget keep to it until the reset the server gave
        # (unless resets have been seen late): a reopening only tested for (a probe) may
        # not come, and their fan-out would spend the window and stall the listing until
        # the reset. A page asked for within a round trip of the reopening is counted in
        # the next window: what is kept for it would be lost.
        latest = self._latest
        reset_at = (
            latest.reset_at
            if self._shared and latest is not None and not self._model.resets_late
            else None
        )
        pace = min(cycle, self._brisk or cycle)
        base = self._model.base_latency
        if self._shared and base is not None and self._turn is not None:
            # Pages a busy server slows go faster once every client's fan-out is held for
            # them, and what is kept is what holds it: kept for at the crawl, it ran out
            # before the reset (three pages short at the first window's end on the Redis
            # row, before the listing's first unhurried page set the brisk pace). Beside
            # uncoordinated clients, whose fan-out goes on, they do not.
            pace = min(pace, base + self._turn)
        reopen_at = rule.reopen_at
        if reopen_at is None and rule.window is None and rule.refill is None:
            # The model has no reading: none of this client's answers was the budget's
            # freshest (a client that started late, beside busy ones, is always overtaken).
            # The reset its answers gave says when the window is back all the same.
            reopen_at = reset_at
        if reopen_at is not None and max(reopen_at, reset_at or 0.0) > now:
            back_at = max(reopen_at, rule.sure_at or 0.0, reset_at or 0.0)
            # The pages asked for from the next one's request on (none waits now: the next
            # is asked for a step after the last one's grant) that reach the server before
            # it is back: one kept for a page that comes too late is lost to the window, and
            # a job a whole window longer. Where the end is a belief, sure of it by how much
            # round trips vary; where it is the reset the server gave, a round trip before
            # it (keeping one too few stalls the listing until the reset).
            asked_at = now if self._critical else max(now, last + pace)
            reach = self._model.base_latency or 0.0
            if back_at != reset_at:
                reach += self._model.margin() + self._model.opening_spread()
            if self._fits_next_window(rule):
                reach = 0.0
            horizon = back_at - asked_at - reach
        elif rule.window is not None:
            horizon = rule.window
        else:
            return rule
        reserve = max(math.ceil(horizon / max(pace, _MOMENT)), 0)
        if rule.limit is not None:
            reserve = min(reserve, rule.limit // 2)
        if not self._shared:
            return rule if critical or not reserve else attrs.evolve(rule, reserve=reserve)
        # Told even when none is kept: what an earlier take kept is over.
        keep = Keep(reserve, max(now, last) + self._lapse(cycle))
        return attrs.evolve(rule, reserve=0 if critical else reserve, keep=keep)

    def _fits_next_window(self, rule: Rule) -> bool:
        """Whether everything this client has waiting or out fits in the next window, with
        no one else seen on the key: a send the window now open loses to a page kept for
        past its end then costs the job nothing (the next window has room to spare)."""
        if self._shared or rule.limit is None:
            return False
        if self._model.others_now or self._model.share() < 1.0:  # (a quota implies the share)
            return False
        waiting = len(self._fanout) + len(self._critical) + self._in_flight
        return waiting + 2 < rule.limit

    def _listing(self, now: float) -> bool:
        """Whether a listing runs: a page waits or is out, or the next is due within cycles
        (unless the last page granted was its listing's last)."""
        if self._critical or self._critical_out:
            return True
        last = self._critical_at
        if last is not None and last == self._ended_at:
            return False  # the last page granted was its listing's last
        # After the first page the pace is not known yet: a round trip stands in for it.
        cycle = self._cycle if self._cycle is not None else self._model.latency
        return cycle is not None and last is not None and now - last < self._lapse(cycle)

    def _lapse(self, cycle: float) -> float:
        """How long after a page's grant its listing is over if no next page is asked for:
        cycles of it, each with a round trip to spare (a page a busy server slows past two
        cycles is still out, and what is kept for the next must not lapse meanwhile)."""
        return _CHAIN_CYCLES * (cycle + (self._model.latency or 0.0))

    def _window_rate(self, now: float) -> float:
        """How fast what is left of a window for this client must go to be spent by the time
        it is back (0 where the budget comes back request by request: there it is never left
        behind). Other consumers of the key spend theirs meanwhile: what they are seen to
        spend until then is not this client's to hurry for."""
        rule, latest = self._model.rule, self._latest
        reopen_at = rule.reopen_at
        if latest is None or reopen_at is None or reopen_at <= now or self._model.rolling:
            return 0.0
        left = latest.remaining * rule.share - rule.others_rate * (reopen_at - now)
        return max(left, 0.0) / (reopen_at - now)

    def _rate(self) -> float | None:
        """The key's sustained rate as far as it is known (requests per second)."""
        rates = [r for r in (self._ceiling_rate, self._model.rate()) if r is not None]
        if self._local is not None:
            discovered = self._local.discovered_rate(self._clock())
            if discovered is not None:
                rates.append(discovered)
        return min(rates) if rates else None

    # -- answers ---------------------------------------------------------------------------------

    async def _finish(self, send: Send, answered: bool) -> None:
        now = self._clock()
        try:
            rate_limit = send.rate_limit if answered else None
            if rate_limit is not None and send.seq > self._latest_seq:
                self._latest, self._latest_seq = rate_limit, send.seq
            if rate_limit is not None and not self._usable(rate_limit, now):
                # A reading that cannot be right (a reset in milliseconds, in the past, or
                # further than any window seen) is not used: as if the answer had no headers.
                rate_limit = None
            if rate_limit is not None:
                # A probe's refusal says nothing of the count; its success does (on a
                # bucket each token is a probe's, and the next send's 429 is the sign).
                if not (send.guessed and send.refused):
                    self._count_ahead.answered(send.seq, rate_limit.remaining, refused=send.refused)
                rate_limit = self._count_ahead.corrected(rate_limit)
            fresh, previous = (
                self._local.record_now(
                    send.seq,
                    send.sent_at,
                    rate_limit,
                    guessed=send.guessed,
                    now=now,
                    refused=send.refused,
                )
                if self._local is not None
                else await self._remote_record(send, rate_limit, now)
            )
            reading = None
            if fresh and rate_limit is not None:
                reading = Reading(
                    seq=send.seq,
                    sent_at=send.sent_at,
                    remaining=rate_limit.remaining,
                    reset_at=rate_limit.reset_at,
                    answered_at=now,
                )
            if not answered:
                return
            if send.refused:
                await self._hold(send, rate_limit, reading, now)
            else:
                self._answered += 1
                self._reporting = rate_limit is not None
                self._model.answered(
                    sent_at=send.sent_at,
                    now=now,
                    fresh=reading,
                    previous=previous,
                    rate_limit=rate_limit,
                    guessed=send.guessed,
                )
        finally:
            self._in_flight -= 1
            if send.forced:
                self._forced_out -= 1
                if answered and not send.refused:
                    self._granted_at = max(self._granted_at, send.sent_at)
            self._budget_out = max(self._budget_out - 1, 0)
            if send.critical:
                self._critical_out -= 1
                if answered and not send.refused:
                    self._page_back_at = now
            if self._critical or self._fanout:
                self._wake_head()

    def _usable(self, rate_limit: RateLimit, now: float) -> bool:
        """Whether a reading's reset can be right: within a day, not past, and within a few
        of the windows measured, unless answer after answer says further (a bucket whose
        reset is when it is full again, first measured by readings that looked like a
        short moving window: taken for no headers, its rate was found from 429s)."""
        reset_at = rate_limit.reset_at
        if usable_reset(reset_at, now) is None:
            return False
        if usable_reset(reset_at, now, self._model.longest_reset()) is not None:
            self._far_resets = 0
            return True
        self._far_resets += 1
        return self._far_resets > _FAR_RESETS_BELIEVED

    async def _remote_record(
        self, send: Send, rate_limit: RateLimit | None, now: float
    ) -> tuple[bool, Reading | None]:
        with anyio.CancelScope(shield=True):
            recorded = await self._budget.record(
                send.seq,
                send.sent_at,
                rate_limit,
                guessed=send.guessed,
                now=now,
                refused=send.refused,
            )
        return recorded  # noqa: RET504 - a return inside the shield reads as possibly skipped

    async def _hold(
        self, send: Send, rate_limit: RateLimit | None, reading: Reading | None, now: float
    ) -> None:
        self._model.tally_refused(rate_limit, send.sent_at)
        reset_at = self._model.refused(
            sent_at=send.sent_at, now=now, fresh=reading, guessed=send.guessed
        )
        headerless = self._unexplained(send, rate_limit)
        until = now
        if send.retry_after is not None:
            until = now + send.retry_after
            if reset_at is not None and now < reset_at < until:
                until = reset_at
        elif reset_at is not None:
            until = reset_at
        if self._max_wait is not None:
            until = min(until, now + self._max_wait)
        if self._local is not None:
            self._local.throttle_now(now, send.seq, send.sent_at, until, discover=headerless)
        else:
            with anyio.CancelScope(shield=True):
                await self._budget.throttle(now, send.seq, send.sent_at, until, discover=headerless)

    def _unexplained(self, send: Send, rate_limit: RateLimit | None) -> bool:
        """Whether a 429 is one no rate-limit count explains, so the rate is found from 429s.

        Without headers on a key that sends none, or refused while its own count shows room
        (a second limit the count does not report, as GitHub's secondary limits). A 429
        without headers on a key whose answers carry them (a server that writes them on
        its successes only) is the reported limit's when the count had nothing spare for
        what was out, or its window was over, or the send went on a belief (a probe of a
        reopening): read as a second limit, it cut every sender to a discovered rate for
        the rest of the job (a 60-per-6-s key's job 22 % longer for one refused probe).
        """
        if rate_limit is not None:
            return rate_limit.remaining > 0
        latest = self._latest
        if not self._reporting or latest is None:
            return True
        if send.guessed or latest.reset_at <= send.sent_at:
            return False
        return latest.remaining >= self._in_flight


class _Sending:
    """``async with pacer.sending()``: admitted on entry, recorded and released on exit."""

    __slots__ = ("_critical", "_pacer", "_send", "_until")

    def __init__(self, pacer: Pacer, critical: bool, until: float | None) -> None:
        self._pacer = pacer
        self._critical = critical
        self._until = until
        self._send: Send | None = None

    async def __aenter__(self) -> Send:
        self._send = await self._pacer._admit(self._critical, self._until)
        return self._send

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        send = self._send
        assert send is not None
        await self._pacer._finish(send, send.answered)
