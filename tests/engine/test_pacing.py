"""The pacer's rules, each on virtual time (see ``_pacing_sim``): readings, admission order,
greedy spending, holds after 429s, discovery without headers, and the limiters it learns."""

from __future__ import annotations

import email.utils
import functools
import itertools
import math
from collections.abc import Callable
from typing import Any

import attrs
import pytest
import trio

from creatorsdk import RateLimit
from creatorsdk._engine.pacing import Pacer, parse_rate_limit
from creatorsdk._engine.pacing.admission import SHARED_POLL, PastDeadline
from creatorsdk._engine.pacing.learning import UNLIMITED, LimiterModel
from creatorsdk._engine.pacing.readings import (
    LONGEST_WINDOW,
    CountAhead,
    ServerClock,
    usable_reset,
)
from creatorsdk.budgets import LocalBudget
from creatorsdk.budgets._ledger import (
    CUBIC_BETA,
    CUBIC_RECOVERY,
    CUBIC_RECOVERY_LONGEST,
    CUBIC_RECOVERY_SENDS,
    MIN_RATE,
    Reading,
    Rule,
    Taken,
    cubic_rate,
    cubic_recovery,
)
from creatorsdk.testing._limiters import make_limiter

from ._pacing_sim import START, Run, Server, job, now, pacer, reading, run_virtual

# -- readings -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        (
            {
                "x-ratelimit-limit": "600",
                "x-ratelimit-remaining": "12",
                "x-ratelimit-reset": "1718354400",
            },
            RateLimit(limit=600, remaining=12, reset_at=1718354400.0),
        ),
        (
            {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1718354400.5"},
            RateLimit(limit=None, remaining=0, reset_at=1718354400.5),
        ),
        ({}, None),
        ({"x-ratelimit-remaining": "5"}, None),
        ({"x-ratelimit-remaining": "-1", "x-ratelimit-reset": "1"}, None),
        ({"x-ratelimit-remaining": "nan", "x-ratelimit-reset": "1"}, None),
        ({"x-ratelimit-remaining": "3", "x-ratelimit-reset": "inf"}, None),
        ({"x-ratelimit-remaining": "many", "x-ratelimit-reset": "1"}, None),
        # Counts no window holds: 1e308 overflowed the pacer's float arithmetic into NaN.
        ({"x-ratelimit-remaining": "1e308", "x-ratelimit-reset": "1"}, None),
        ({"x-ratelimit-remaining": "9223372036854775807", "x-ratelimit-reset": "1"}, None),
        (
            {"x-ratelimit-limit": "1e308", "x-ratelimit-remaining": "3", "x-ratelimit-reset": "1"},
            RateLimit(limit=None, remaining=3, reset_at=1.0),
        ),
        (
            {"x-ratelimit-limit": "lots", "x-ratelimit-remaining": "3", "x-ratelimit-reset": "10"},
            RateLimit(limit=None, remaining=3, reset_at=10.0),
        ),
    ],
)
def test_parse_rate_limit(headers: dict[str, str], expected: RateLimit | None) -> None:
    assert parse_rate_limit(headers) == expected


def test_a_reset_in_milliseconds_is_read_as_the_date_it_is() -> None:
    """``Date.now() + window``, as a server written in JavaScript sends it: the same date in
    milliseconds. (Before: past any window a day can hold, it was no reset at all, and each
    window spent ended in a 429: 300 requests at 100 a second, 16 429s and 3.8 s where
    2.5 s is possible, simulated.)"""
    headers = {"x-ratelimit-remaining": "4", "x-ratelimit-reset": "1718354400500"}
    assert parse_rate_limit(headers, now=1_718_354_400.0) == RateLimit(None, 4, 1718354400.5)


@pytest.mark.parametrize(
    "written",
    ["2024-06-14T08:40:00Z", "2024-06-14T10:40:00+02:00", "Fri, 14 Jun 2024 08:40:00 GMT"],
)
def test_a_reset_written_as_a_date_is_read_as_that_date(written: str) -> None:
    """ISO 8601 with its zone, or an HTTP date: the instant 1718354400. (Before: not a
    number, so no reading at all, and the key was paced as one without headers.) A time
    without its zone is no instant, and still no reading."""
    headers = {"x-ratelimit-remaining": "4", "x-ratelimit-reset": written}
    assert parse_rate_limit(headers) == RateLimit(None, 4, 1718354400.0)
    unzoned = {"x-ratelimit-remaining": "4", "x-ratelimit-reset": "2024-06-14T08:40:00"}
    assert parse_rate_limit(unzoned) is None


def test_a_small_reset_is_seconds_from_now() -> None:
    headers = {"x-ratelimit-remaining": "4", "x-ratelimit-reset": "7"}
    assert parse_rate_limit(headers, now=1_000_000_000.0) == RateLimit(None, 4, 1_000_000_007.0)
    assert parse_rate_limit(headers) == RateLimit(None, 4, 7.0)  # no clock: as sent


def test_a_reset_sent_as_a_date_is_moved_onto_our_clock_and_one_in_seconds_is_not() -> None:
    """A server whose clock is 13 h behind ours: its date resets are moved by the offset;
    a reset in seconds from now is on no clock, and stays where ``now`` puts it."""
    behind = -13 * 3600.0
    date = {"x-ratelimit-remaining": "4", "x-ratelimit-reset": str(int(START + behind) + 5)}
    assert parse_rate_limit(date, now=START, server_ahead=behind) == RateLimit(
        None, 4, int(START + behind) + 5 - behind
    )
    seconds = {"x-ratelimit-remaining": "4", "x-ratelimit-reset": "5"}
    assert parse_rate_limit(seconds, now=START, server_ahead=behind) == RateLimit(
        None, 4, START + 5
    )


def _dated(server_ahead: float, at: float, trip: float = 0.04) -> tuple[str, float, float]:
    """The ``Date`` of an answer written half way through a round trip sent at ``at``, by a
    server whose clock is ``server_ahead`` seconds ahead of ours; with the send and answer."""
    written = at + trip / 2 + server_ahead
    return email.utils.formatdate(math.floor(written), usegmt=True), at, at + trip


def test_the_server_s_clock_is_placed_by_the_dates_of_its_answers() -> None:
    """Answers a tenth of a second apart, from a server 13 h and a fraction behind: once
    the offset is known to 0.3 s it is fixed, at its lower bound, so a reset moved by it is
    no earlier than the server meant, and late by 0.3 s at most."""
    behind = -(13 * 3600 + 0.37)
    server = ServerClock()
    server.observe(*_dated(behind, START))
    assert server.ahead == 0.0  # one answer places it within a second: not yet
    for i in range(1, 30):
        server.observe(*_dated(behind, START + 0.1 * i))
    assert behind - 0.3 <= server.ahead <= behind
    fixed = server.ahead
    server.observe(*_dated(behind, START + 3.03))
    assert server.ahead == fixed  # a reset moved by another amount would be another window's


@pytest.mark.parametrize("server_ahead", [0.0, 1.4, -1.6])
def test_a_server_within_a_second_or_two_of_our_clock_is_taken_as_on_it(
    server_ahead: float,
) -> None:
    """A ``Date`` has whole seconds: it cannot place a clock that close more finely than
    resets already are, and they are used as sent."""
    server = ServerClock()
    for i in range(30):
        server.observe(*_dated(server_ahead, START + 0.1 * i))
    assert server.ahead == 0.0


def test_a_server_clock_that_is_set_is_placed_again_from_its_next_answers() -> None:
    server = ServerClock()
    for i in range(30):
        server.observe(*_dated(-3600.0, START + 0.1 * i))
    assert server.ahead < -3599
    server.observe(*_dated(0.0, START + 3.5))  # out of line with all before: set by NTP
    assert server.ahead == 0.0
    for i in range(30):
        server.observe(*_dated(7200.0, START + 4 + 0.1 * i))
    assert 7199.7 <= server.ahead <= 7200


@pytest.mark.parametrize("date", [None, "", "yesterday", "Sat, 05 Dec 2026 13:00:00"])
def test_an_answer_without_a_usable_date_says_nothing_of_the_server_s_clock(
    date: str | None,
) -> None:
    server = ServerClock()
    for i in range(30):
        server.observe(date, START + 0.1 * i, START + 0.1 * i + 0.04)
    assert server.ahead == 0.0


def test_a_whole_second_reset_moved_onto_our_clock_is_still_a_plain_window_s() -> None:
    """Moved by a fraction of a second, a fixed window's whole-second reset is not a moving
    window's or a counter's (theirs have fractions as sent): the window's length is still
    learned in whole seconds, and its late reset tested."""
    server = ServerClock()
    for i in range(30):
        server.observe(*_dated(-(3600 + 0.37), START + 0.1 * i))
    model = LimiterModel(server_clock=server)
    sent_reset = math.floor(START - 3600) + 8
    model.sent(1, START)
    fresh = Reading(1, START, 98, sent_reset - server.ahead)
    model.answered(
        sent_at=START,
        now=START + 0.04,
        fresh=fresh,
        previous=None,
        rate_limit=RateLimit(100, 98, sent_reset - server.ahead),
        guessed=False,
    )
    assert not model._fractional


def _read(server: ServerClock, remaining: int, seconds: str, at: float) -> float | None:
    """The reset ``server`` reads from an answer at ``at`` (sent 40 ms before) whose
    ``Reset`` is ``seconds`` from now."""
    headers = {
        "x-ratelimit-limit": "100",
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-reset": seconds,
    }
    reading = server.reading(headers, at - 0.04, at)
    return None if reading is None else reading.reset_at


def test_a_reset_in_whole_seconds_from_now_is_one_reset_for_the_whole_window() -> None:
    """A window ending at START + 1.5 s, its reset sent as seconds from now rounded up: 2 s
    at START, 1 s at START + 0.7 s. Read against each answer's time they are a second
    apart and would be two windows; the window's first answer sets the reset for the
    answers after it, until one has half the limit back (the next window's)."""
    server = ServerClock()
    assert _read(server, 99, "2", START) == START + 2
    assert _read(server, 60, "2", START + 0.4) == START + 2
    assert _read(server, 30, "1", START + 0.7) == START + 2
    assert _read(server, 0, "1", START + 1.2) == START + 2
    assert _read(server, 99, "1", START + 1.6) == START + 2.6  # a refill: the next window
    assert server.sent_whole(START + 2.6)


def test_a_reset_of_none_seconds_while_a_window_is_spent_says_they_are_rounded_down() -> None:
    """Rounded down, the seconds to a window's end are 0 in its last second, while it is
    partly spent: from then on they are read a second on, the window now open included
    (its reset, set by its first answer, is moved too). A full bucket's next token, 0 s
    away, says nothing of rounding."""
    server = ServerClock()
    assert _read(server, 99, "0", START) == START  # 99 of 100 left: a bucket, full
    assert _read(server, 98, "0", START + 0.1) == START + 1  # spent: rounded down
    assert _read(server, 97, "0", START + 0.2) == START + 1
    assert _read(server, 10, "0", START + 1.2) == START + 2.2  # a second on: the next


def test_counts_one_ahead_are_read_one_lower_once_a_send_after_one_left_is_refused() -> None:
    """Send 7 answered with 1 left, send 8 refused with none: the server reports what was
    left before counting (a server that counts first answers 7 with none left). From then
    on each count is read one lower (none stays none); the order the two answers come in
    does not matter."""
    reading = RateLimit(limit=10, remaining=5, reset_at=START + 1)
    for order in ([(7, 1, False), (8, 0, True)], [(8, 0, True), (7, 1, False)]):
        counts = CountAhead()
        counts.answered(6, 2, refused=False)
        assert counts.corrected(reading) == reading
        for seq, remaining, refused in order:
            counts.answered(seq, remaining, refused=refused)
        assert counts.ahead
        assert counts.corrected(reading).remaining == 4
        assert counts.corrected(attrs.evolve(reading, remaining=0)).remaining == 0


@pytest.mark.parametrize(
    "answers",
    [
        [(7, 1, False), (9, 0, True)],  # the refused send is not the next one
        [(7, 2, False), (8, 0, True)],  # two were left
        [(7, 1, False), (8, 1, True)],  # refused with room: a second limit
        [(5, 0, False), (7, 1, False), (8, 0, True)],  # a success with none left
        [(7, 1, False), (8, 0, True), (20, 0, False)],  # ... even after the sign
    ],
)
def test_counts_are_taken_as_sent_without_the_sign_or_once_a_success_shows_none_left(
    answers: list[tuple[int, int, bool]],
) -> None:
    counts = CountAhead()
    for seq, remaining, refused in answers:
        counts.answered(seq, remaining, refused=refused)
    assert not counts.ahead


@pytest.mark.parametrize(
    ("kind", "window", "requests", "limit"),
    [
        ("fixed-epoch", 1.0, 1500, 100),
        ("fixed-first", 1.0, 1500, 100),
        ("sliding", 1.0, 1500, 100),
        ("token-bucket", 60.0, 300, 60),
    ],
)
def test_a_server_whose_counts_are_one_ahead_draws_one_429_not_one_a_window(
    kind: str, window: float, requests: int, limit: int
) -> None:
    """A server that reports what was left before counting each request (one more than
    there is) ends each window in a 429 paced as sent. (Before: 14 refused on the
    epoch-aligned window, 14 on the one opened by the first request, 8 on the sliding-
    window counter; now 1, and no slower. A bucket of 60 a minute, whose every token is
    a probe's: its successes were not weighed, and each was followed by a 429, 241 in
    300 requests; now 3.)"""
    exact = job(kind, requests=requests, limit=limit, window=window)
    ahead = job(kind, requests=requests, limit=limit, window=window, counts_ahead=True)
    assert ahead.ok == requests
    assert ahead.refused <= exact.refused + 1
    assert ahead.wall <= exact.wall * 1.06


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_bucket_s_count_risen_within_one_reset_is_not_taken_for_a_new_window(seed: int) -> None:
    """A bucket whose reset is whole seconds (Envoy's) shows the same reset on every
    answer of a second while its count falls and rises again. The lowest count of that
    reset, kept as the budget's reading, is a second old by the time the reset moves: the
    tokens that came back meanwhile are a refill, not a whole window started over. (Before,
    with round trips varying by half, at 32 in flight, seed 0: the first comparison took
    them for a window, the client paced a bucket as a window all job, and drew 35 429s in
    15.7 s; now 0 in 14.1 s, as at a tenth.)"""
    steady = job("token-bucket", requests=1500, max_concurrency=32, seed=seed)
    varying = job("token-bucket", requests=1500, max_concurrency=32, seed=seed, jitter=0.5)
    assert varying.ok == 1500
    assert varying.refused <= steady.refused + 1
    assert varying.wall <= steady.wall * 1.02


@pytest.mark.parametrize("seed", [2, 3])
def test_a_flight_answered_out_of_order_under_one_reset_is_not_a_window_started_over(
    seed: int,
) -> None:
    """32 sends go at a 60-request window's opening and are answered in any order: one
    answer can show 30 more left than the one before it less the sends between them, under
    the same reset. That is order, not a window started over. (Before, seed 3: it was taken
    for one, the window "closed" was tallied as a tenth spent by others, a tenth of every
    window after was kept for them, and the job took a window more: 59.7 s, 53.7 s now.)"""
    run = job("fixed-epoch", requests=600, limit=60, window=6.0, max_concurrency=32, seed=seed)
    assert run.ok == 600
    assert run.wall < 54.0


def test_a_reset_from_now_in_fractions_or_on_a_bucket_is_read_as_it_comes() -> None:
    """Fractions of a second are as exact as a round trip allows; a bucket's reset (its
    next token back) moves with every answer."""
    server = ServerClock()
    assert _read(server, 50, "0.25", START) == START + 0.25
    assert not server.sent_whole(START + 0.25)
    assert _read(server, 49, "0.5", START + 0.1) == START + 0.6
    server = ServerClock()
    server.rolling = True
    assert _read(server, 0, "1", START) == START + 1
    assert _read(server, 0, "1", START + 0.3) == START + 1.3


@pytest.mark.parametrize(
    ("reset_in", "usable"),
    [
        (0.5, True),
        (3600.0, True),
        (23 * 3600.0, True),  # a daily quota's reset is a real window
        (-0.5, True),  # transit time and clock skew
        (-5.0, False),  # an older window's, or a clock behind ours
        (LONGEST_WINDOW + 60, False),
        (START * 999, False),  # milliseconds read as seconds
    ],
)
def test_resets_that_cannot_be_right_are_not_used(reset_in: float, usable: bool) -> None:
    assert (usable_reset(START + reset_in, START) is not None) is usable


# -- admission --------------------------------------------------------------------------------


def test_no_headers_means_no_waiting() -> None:
    async def main() -> None:
        client = pacer()
        for _ in range(100):
            async with client.sending() as send:
                client.observe(send, None)
        assert trio.current_time() == 0

    run_virtual(main)


def test_a_window_is_spent_at_once_then_waited_out() -> None:
    """Greedy: what the reading says is left goes now; nothing is dripped out."""
    starts: list[float] = []

    async def main() -> None:
        client = pacer()
        async with client.sending() as send:
            client.observe(send, reading(remaining=5, reset_in=10.0))
        for _ in range(6):
            async with client.sending() as send:
                starts.append(trio.current_time())
                client.observe(send, None)

    run_virtual(main)
    assert starts[:5] == [0.0] * 5
    # The reset (10.63) is rounded up to a whole second: the window ends in the second before
    # it. One probe goes where a window opened by the first send and a whole number of seconds
    # long would end: 10 s after it.
    assert starts[5] == pytest.approx(10.0, abs=0.01)


def test_sends_the_reading_cannot_have_counted_are_taken_off() -> None:
    """Requests sent after the reading's (or before it and unanswered) are not in its count."""

    async def main() -> None:
        client = pacer()
        held = [client.sending() for _ in range(3)]
        sends = [await h.__aenter__() for h in held]
        client.observe(sends[0], reading(remaining=2, reset_in=30.0))
        await held[0].__aexit__(None, None, None)
        # Two left, but the two sent after the reading's request may have taken them.
        with trio.move_on_after(5):
            async with client.sending():
                pytest.fail("admitted past a budget that is spent")
        for h in held[1:]:
            await h.__aexit__(None, None, None)

    run_virtual(main)


def test_the_latest_sent_reading_wins_and_a_late_answer_cannot_raise_the_count() -> None:
    async def main() -> None:
        client = pacer()
        first, second = client.sending(), client.sending()
        one, two = await first.__aenter__(), await second.__aenter__()
        # The later send answers first, from a window 23 h long (a daily quota) ...
        client.observe(two, reading(remaining=0, reset_in=23 * 3600.0))
        await second.__aexit__(None, None, None)
        # ... and the earlier send's answer, arriving after, says nothing newer.
        client.observe(one, reading(remaining=50, reset_in=1.0))
        await first.__aexit__(None, None, None)
        assert client.latest is not None
        assert client.latest.remaining == 0

    run_virtual(main)


def test_within_a_window_the_lowest_remaining_is_the_latest_count() -> None:
    """An answer counted later can come back sooner: the same reset, fewer left, wins."""

    async def main() -> None:
        client = pacer()
        early, late = client.sending(), client.sending()
        one, two = await early.__aenter__(), await late.__aenter__()
        reset_in = 30.0
        client.observe(one, reading(remaining=0, reset_in=reset_in))  # counted after two
        await early.__aexit__(None, None, None)
        client.observe(two, reading(remaining=1, reset_in=reset_in))
        await late.__aexit__(None, None, None)
        with trio.move_on_after(5):
            async with client.sending():
                pytest.fail("spent a request the window no longer has")

    run_virtual(main)


def test_critical_senders_go_before_fan_out_and_each_class_is_first_come_first_served() -> None:
    order: list[str] = []

    async def main() -> None:
        client = pacer(max_concurrency=1)
        gate = client.sending()
        await gate.__aenter__()

        async def sender(name: str, critical: bool) -> None:
            async with client.sending(critical=critical) as send:
                order.append(name)
                client.observe(send, None)

        async with trio.open_nursery() as nursery:
            for name, critical in [("chunk1", False), ("chunk2", False), ("page1", True)]:
                nursery.start_soon(sender, name, critical)
                await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(sender, "page2", True)
            await trio.testing.wait_all_tasks_blocked()
            assert client.waiting == 4
            await gate.__aexit__(None, None, None)

    run_virtual(main)
    assert order == ["page1", "page2", "chunk1", "chunk2"]


def test_a_critical_sender_overtakes_a_fan_out_head_waiting_for_the_budget() -> None:
    order: list[str] = []

    async def main() -> None:
        client = pacer()
        async with client.sending() as send:
            client.observe(send, reading(remaining=0, reset_in=5.0))

        async def sender(name: str, critical: bool) -> None:
            async with client.sending(critical=critical) as send:
                order.append(name)
                client.observe(send, reading(remaining=0, reset_in=5.0 - trio.current_time()))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(sender, "chunk", False)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(sender, "page", True)

    run_virtual(main)
    assert order[0] == "page"


def test_a_running_listing_finds_a_slot_free_for_its_next_page() -> None:
    """Fan-out wide enough to fill the cap leaves one slot while a listing runs, so each
    next page goes the moment it is asked for. (Before: all four slots were out with chunks
    and each page waited up to a chunk's round trip, 40 ms, however first it was queued.)"""
    waits: list[float] = []
    most_fan_out = [0]

    async def main() -> None:
        client = pacer(max_concurrency=4)

        async def chunk() -> None:
            async with client.sending() as send:
                most_fan_out[0] = max(most_fan_out[0], client.in_flight - pages_out[0])
                await trio.sleep(0.04)
                client.observe(send, reading(remaining=900, reset_in=1.0, limit=1000))

        pages_out = [0]

        async def listing() -> None:
            for _ in range(10):
                asked = trio.current_time()
                async with client.sending(critical=True) as send:
                    waits.append(trio.current_time() - asked)
                    pages_out[0] += 1
                    await trio.sleep(0.04)
                    pages_out[0] -= 1
                    client.observe(send, reading(remaining=900, reset_in=1.0, limit=1000))
                await trio.sleep(0.003)  # the page decoded before the next is asked for

        async with trio.open_nursery() as nursery:
            for _ in range(60):
                nursery.start_soon(chunk)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(listing)

    run_virtual(main)
    # Before any page, fan-out has every slot: the first page waits for one.
    assert most_fan_out[0] == 4
    assert waits[0] > 0
    assert waits[1:] == [0.0] * 9


def test_max_concurrency_caps_what_is_in_flight() -> None:
    run = job("fixed-epoch", requests=200, limit=1000, max_concurrency=3)
    assert run.ok == 200
    assert run.peak_in_flight == 3


def test_a_cancelled_waiter_leaves_the_queue_and_the_next_goes() -> None:
    async def main() -> None:
        client = pacer(max_concurrency=1)
        gate = client.sending()
        await gate.__aenter__()
        admitted: list[str] = []

        async def sender(name: str) -> None:
            async with client.sending() as send:
                admitted.append(name)
                client.observe(send, None)

        async with trio.open_nursery() as nursery:
            doomed = trio.CancelScope()
            nursery.start_soon(_cancellable, sender, "first", doomed)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(sender, "second")
            await trio.testing.wait_all_tasks_blocked()
            assert client.waiting == 2
            doomed.cancel()
            await trio.testing.wait_all_tasks_blocked()
            assert client.waiting == 1
            await gate.__aexit__(None, None, None)
        assert admitted == ["second"]
        assert (client.in_flight, client.waiting) == (0, 0)

    run_virtual(main)


async def _cancellable(sender: object, name: str, scope: trio.CancelScope) -> None:
    with scope:
        await sender(name)  # type: ignore[operator]


def test_a_cancelled_sender_frees_its_slot() -> None:
    async def main() -> None:
        client = pacer(max_concurrency=1)
        with trio.move_on_after(1.0):
            async with client.sending():
                await trio.sleep(10)  # the request hangs; the caller gives up
        assert client.in_flight == 0
        async with client.sending() as send:  # the slot is free again at once
            client.observe(send, None)
        assert trio.current_time() == pytest.approx(1.0)

    run_virtual(main)


def test_a_cancelled_probe_lets_the_next_probe_go() -> None:
    """A send made on a belief (one at a time) that never answers does not block the rest."""

    async def main() -> None:
        client = pacer(max_concurrency=4)
        async with client.sending() as send:
            client.observe(send, reading(remaining=0, reset_in=1.0))
        for _ in range(3):
            with trio.move_on_after(2.0):
                async with client.sending():
                    await trio.sleep(10)
        assert (client.in_flight, client.waiting) == (0, 0)

    run_virtual(main)


# -- 429s ---------------------------------------------------------------------------------------


async def _answered(
    sender: Pacer, remaining: int, reset_in: float, *, limit: int = 100, after: float = 0.04
) -> float:
    """One send through ``sender``, answered ``after`` seconds on with ``remaining`` left until
    a reset ``reset_in`` seconds from then; the reset (virtual Unix seconds)."""
    async with sender.sending() as send:
        await trio.sleep(after)
        answer = reading(remaining, reset_in, limit=limit)
        sender.observe(send, answer)
    assert answer.reset_at is not None
    return answer.reset_at


async def _last_one_out(sender: Pacer, nursery: trio.Nursery) -> None:
    """One of two left after an answer; then the last one sent, its answer 0.3 s away (it
    could say the budget is back sooner than the reading does)."""
    await _answered(sender, 1, 0.5, limit=2)
    nursery.start_soon(functools.partial(_answered, sender, 0, 0.5, limit=2, after=0.3))


async def _refused(sender: Pacer, deadline_in: float) -> tuple[float, float]:
    """A send through ``sender`` with a deadline ``deadline_in`` seconds on, which must be
    refused: how long that took, and when the refusal says the budget is back."""
    asked = now()
    with pytest.raises(PastDeadline) as held:
        async with sender.sending(until=asked + deadline_in):
            pass
    return now() - asked, held.value.back_at


def test_a_wait_for_the_budget_past_the_caller_s_deadline_is_refused_at_once() -> None:
    """A sender whose deadline comes before the budget is back is told so at once (with
    when it is back), not held until the deadline; one whose deadline comes after waits for
    the budget and goes."""
    seen: list[float] = []

    async def main() -> None:
        sender = pacer()
        reset_at = await _answered(sender, 0, 0.5)
        refused_after, back_at = await _refused(sender, 0.1)
        seen.extend([refused_after, back_at - reset_at])
        async with sender.sending(until=now() + 2.0):
            seen.append(now() - reset_at)

    run_virtual(main)
    refused_after, back_at_off, granted_after_reset = seen
    assert refused_after == 0
    assert back_at_off == 0
    assert 0 <= granted_after_reset < 0.01


@pytest.mark.parametrize("deadline_in", [0.1, 0.0004])
def test_a_wait_past_the_deadline_with_an_answer_still_to_come_ends_at_the_deadline(
    deadline_in: float,
) -> None:
    """With a send out, its answer could say the budget is back sooner than the reading
    does (a probe's would): the sender waits, and is refused when its deadline comes, not a
    moment after. (Before: a deadline under a millisecond away was dozed past by the
    millisecond that keeps the pacer from a busy loop.)"""
    seen: list[float] = []

    async def main() -> None:
        sender = pacer()
        async with trio.open_nursery() as nursery:
            await _last_one_out(sender, nursery)
            await trio.sleep(0.001)
            seen.append((await _refused(sender, deadline_in))[0])

    run_virtual(main)
    assert seen[0] == pytest.approx(deadline_in, abs=1e-6)


def test_a_sender_in_line_whose_deadline_comes_before_the_budget_is_refused_at_once() -> None:
    """Behind a sender held until the budget is back, one whose deadline comes first is told
    so at once, with when the budget is back; the sender ahead goes at the reset."""
    seen: dict[str, float] = {}

    async def main() -> None:
        sender = pacer()
        reset_at = await _answered(sender, 0, 0.5)

        async def ahead() -> None:
            async with sender.sending():
                seen["ahead"] = now() - reset_at

        async with trio.open_nursery() as nursery:
            nursery.start_soon(ahead)
            await trio.testing.wait_all_tasks_blocked()
            refused_after, back_at = await _refused(sender, 0.1)
            seen["refused after"] = refused_after
            seen["back at"] = back_at - reset_at
            assert sender.waiting == 1  # the sender ahead, still held

    run_virtual(main)
    assert seen["refused after"] == 0
    assert seen["back at"] == 0
    assert 0 <= seen["ahead"] < 0.01


def test_a_sender_in_line_is_refused_when_its_deadline_comes() -> None:
    """With a send out whose answer could say the budget is back sooner, a sender in line
    waits; it is refused at its own deadline, not once it reaches the head of the line."""
    seen: list[float] = []

    async def main() -> None:
        sender = pacer()

        async def ahead() -> None:
            async with sender.sending():
                pass

        async with trio.open_nursery() as nursery:
            await _last_one_out(sender, nursery)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(ahead)
            await trio.testing.wait_all_tasks_blocked()
            seen.append((await _refused(sender, 0.1))[0])

    run_virtual(main)
    assert seen[0] == pytest.approx(0.1, abs=1e-6)


def test_a_sender_waiting_for_a_slot_is_refused_at_its_deadline() -> None:
    """Every slot out, and no answer in time: the sender waiting for one is refused at its
    deadline, and one in line behind it at its own."""
    seen: list[float] = []

    async def main() -> None:
        sender = pacer(max_concurrency=1)

        async def out() -> None:
            async with sender.sending():
                await trio.sleep(1.0)

        async def refused(deadline_in: float) -> None:
            refused_after, back_at = await _refused(sender, deadline_in)
            assert back_at == math.inf  # nothing says when a slot is free
            seen.append(refused_after)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(out)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(refused, 0.2)
            await trio.testing.wait_all_tasks_blocked()
            nursery.start_soon(refused, 0.1)

    run_virtual(main)
    assert seen == [pytest.approx(0.1, abs=1e-6), pytest.approx(0.2, abs=1e-6)]


def test_senders_joining_the_line_with_later_deadlines_leave_the_head_asleep() -> None:
    """A deadline in line after the head's wake time needs nothing from the head: twenty such
    senders joining the line do not wake it to ask the budget again (the head sleeps once,
    until the reset, not 21 times) and all go once the budget is back."""
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        await trio.sleep(seconds)

    async def main() -> None:
        sender = Pacer(clock=now, sleep=sleep, max_wait=60.0)
        await _answered(sender, 0, 0.5)
        sleeps.clear()

        async def send(until: float | None) -> None:
            async with sender.sending(until=until):
                pass

        async with trio.open_nursery() as nursery:
            nursery.start_soon(send, None)
            await trio.testing.wait_all_tasks_blocked()
            for _ in range(20):
                nursery.start_soon(send, now() + 10.0)
                await trio.testing.wait_all_tasks_blocked()
        assert sender.waiting == 0

    run_virtual(main)
    assert len(sleeps) == 1


def test_senders_held_as_long_as_allowed_go_one_at_a_time_each_the_server_takes_ending_a_wait() -> (
    None
):
    """Three senders held behind a reset an hour away, past the minute the policy honours.
    One goes; the others wait for its answer. The server took it: the line went on, and the
    next goes a minute after it. That one is refused: the last goes at its answer. (Before:
    all three went at the minute, and on a real limiter every sender after them, whatever
    the budget said: 28 429s in a row on a sliding-window counter of 10 a minute.)"""
    granted: list[float] = []

    async def main() -> None:
        client = pacer(max_wait=60.0)
        await _answered(client, 0, 3600.0)

        async def send() -> None:
            async with client.sending() as sent:
                granted.append(trio.current_time())
                refused = len(granted) == 2
                await trio.sleep(1.0)
                if refused:
                    client.rate_limited(sent, None)
                client.observe(sent, reading(0, 3600.0))

        async with trio.open_nursery() as nursery:
            for _ in range(3):
                nursery.start_soon(send)

    run_virtual(main)
    assert granted == pytest.approx([60.04, 120.04, 121.04], abs=0.01)


def _held_until(
    retry_after: float | None,
    reset_in: float | None,
    max_wait: float = 60.0,
    left: int = 0,
    budget: Any = None,
) -> float:
    """When the second send goes after the first drew a 429 with these headers (``left``:
    the 429's ``remaining``), on the client's own budget or the one given."""
    when: list[float] = []

    async def main() -> None:
        client = pacer(max_wait=max_wait, budget=budget)
        async with client.sending() as send:
            client.rate_limited(send, retry_after)
            client.observe(send, None if reset_in is None else reading(left, reset_in))
        async with client.sending() as send:
            when.append(trio.current_time())
            client.observe(send, None if reset_in is None else reading(5, reset_in + 10))

    run_virtual(main)
    return when[0]


@pytest.mark.parametrize("store", [False, True])
def test_a_429_holds_every_sender_for_its_retry_after(store: bool) -> None:
    """On a budget store (shared with other clients) the hold is the store's, told through it
    (each take there is a round trip of a millisecond)."""
    budget = _AnsweredAfterARoundTrip() if store else None
    assert _held_until(retry_after=7.0, reset_in=None, budget=budget) == pytest.approx(
        7.0, abs=0.01
    )


def test_a_reset_header_sooner_than_a_rounded_up_retry_after_wins() -> None:
    # Retry-After: 2 at 0.37 s past a second; the reset says the next whole second.
    assert _held_until(retry_after=2.0, reset_in=0.5) == pytest.approx(0.63, abs=1e-6)


def test_a_429_without_retry_after_holds_every_sender_until_its_reset() -> None:
    """Even when it says some are left (another of the server's limits refused it). At 0.37
    s past a second, the reset is the next whole second."""
    assert _held_until(retry_after=None, reset_in=0.5, left=5) == pytest.approx(0.63, abs=1e-6)


def test_a_retry_after_longer_than_the_policy_honours_holds_no_longer_than_it() -> None:
    assert _held_until(retry_after=3600.0, reset_in=None, max_wait=60.0) == pytest.approx(60.0)


def test_one_429_pauses_every_waiting_sender_once() -> None:
    starts: list[float] = []

    async def main() -> None:
        client = pacer()

        async def sender(index: int) -> None:
            async with client.sending() as send:
                starts.append(trio.current_time())
                if index == 0:
                    await trio.sleep(0.05)
                    client.rate_limited(send, 5.0)
                client.observe(send, None)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(sender, 0)
            await trio.testing.wait_all_tasks_blocked()
            await trio.sleep(0.01)
            for index in range(1, 4):
                nursery.start_soon(sender, index)

    run_virtual(main)
    # Three went before the 429 was answered; none went during the hold.
    assert all(t < 0.05 or t >= 5.05 for t in starts), starts


def test_an_answer_to_a_later_send_ends_a_hold() -> None:
    """The limiter let a later request through: it is open again, whatever the 429 said."""

    async def main() -> None:
        client = pacer()
        refused, answered = client.sending(), client.sending()
        one, two = await refused.__aenter__(), await answered.__aenter__()
        client.rate_limited(one, 30.0)
        client.observe(one, None)
        await refused.__aexit__(None, None, None)
        client.observe(two, None)
        await answered.__aexit__(None, None, None)
        async with client.sending() as send:
            client.observe(send, None)
        assert trio.current_time() < 1.0

    run_virtual(main)


# -- without headers -------------------------------------------------------------------------


def test_cubic_climbs_back_to_the_last_429s_rate_in_its_recovery_time() -> None:
    assert cubic_rate(0.0, 100.0) == pytest.approx(CUBIC_BETA * 100.0)
    assert cubic_rate(CUBIC_RECOVERY, 100.0) == pytest.approx(100.0)
    assert cubic_rate(CUBIC_RECOVERY / 2, 100.0) > 95.0  # steep first, flat near the peak
    assert cubic_rate(2 * CUBIC_RECOVERY, 100.0) > 100.0  # then slowly above it
    assert cubic_rate(1.0, 0.0) > 0  # never to a halt


def test_a_found_rate_climbs_back_over_a_hundred_sends_and_probes_above_it_as_fast_as_ever() -> (
    None
):
    """Each climb ends in a 429: on a slow key one every three seconds was a third of its
    sends (nginx's ``rate=60r/m``). Once found, the climb back takes as long as
    ``CUBIC_RECOVERY_SENDS`` at the rate, within bounds; while it is still being found, three
    seconds. Past the peak it rises as fast whatever the climb took, so a rate cut far
    below the key's is not long in finding it again."""
    assert cubic_recovery(1.0, found=True) == pytest.approx(CUBIC_RECOVERY_SENDS)
    assert cubic_recovery(1.0, found=False) == CUBIC_RECOVERY
    assert cubic_recovery(1000.0, found=True) == CUBIC_RECOVERY
    assert cubic_recovery(MIN_RATE, found=True) == CUBIC_RECOVERY_LONGEST
    for climb in (CUBIC_RECOVERY, 100.0):
        assert cubic_rate(0.0, 1.0, climb) == pytest.approx(CUBIC_BETA)
        assert cubic_rate(climb, 1.0, climb) == pytest.approx(1.0)
        above = cubic_rate(climb + CUBIC_RECOVERY, 1.0, climb)
        assert above == pytest.approx(1.0 + (1 - CUBIC_BETA))


def _cut(budget: LocalBudget, at: float, *, let_through_first: bool) -> float:
    """A send refused without headers at ``at`` (after one let through, if so): the
    discovered rate the cut leaves."""
    if let_through_first:
        taken = budget.take_now(at - 0.5, Rule(), force=True)
        assert taken.seq is not None
        budget.record_now(taken.seq, at - 0.5, None, guessed=False, now=at - 0.46)
    taken = budget.take_now(at, Rule(), force=True)
    assert taken.seq is not None
    budget.record_now(taken.seq, at, None, guessed=False, now=at + 0.04, refused=True)
    budget.throttle_now(at + 0.04, taken.seq, at, at + 0.04, discover=True)
    rate = budget.discovered_rate(at + 0.04)
    assert rate is not None
    return rate


def test_429_after_429_with_nothing_let_through_halves_the_rate_and_climbs_back_fast() -> None:
    """Nothing let through between two cuts: the rate is still far above the key's (or the
    server refuses everything for now), so it halves, and the climb after it is the short
    one. A cut after sends were let through is the rate found: a third off, a long climb."""
    budget = LocalBudget()
    for n in range(10):  # two a second for five seconds
        taken = budget.take_now(_T0 + n / 2, Rule())
        assert taken.seq is not None
        budget.record_now(taken.seq, _T0 + n / 2, None, guessed=False, now=_T0 + n / 2)
    first = _cut(budget, _T0 + 5.0, let_through_first=False)
    second = _cut(budget, _T0 + 5.1, let_through_first=False)
    # A third off the rate the 429 came at, and a third off that: about half.
    assert second / cubic_rate(0.1, first / CUBIC_BETA) == pytest.approx(CUBIC_BETA**2)
    assert budget._recovery == CUBIC_RECOVERY
    third = _cut(budget, _T0 + 6.1, let_through_first=True)
    assert budget._recovery > CUBIC_RECOVERY
    assert third < second


def test_without_headers_the_first_429_paces_every_sender_at_one_rate() -> None:
    run = job("headerless", requests=1500)
    assert run.ok == 1500
    assert run.rate >= 0.9 * 100
    assert run.refused_share <= 0.02


_T0 = START


@pytest.mark.parametrize(("limit", "requests", "most_refused"), [(60, 300, 36), (10, 60, 50)])
def test_without_headers_a_key_of_a_few_a_minute_draws_few_429s(
    limit: int, requests: int, most_refused: int
) -> None:
    """nginx ``limit_req`` at ``rate=60r/m`` and ``10r/m`` (a leaky bucket, bare 429s).
    (Before: a climb of three seconds ended in a 429 every three seconds, and the rate
    found never fell below one every two seconds: 146 429s in the 300 requests, 167 in
    the 60; now 29 and 34, the wall within 3 %.)"""
    run = job("headerless", requests=requests, limit=limit, window=60.0)
    assert run.ok == requests
    assert run.refused <= most_refused
    burst = max(limit // 10, 1) + 1
    assert run.wall < 1.05 * (requests - burst) * 60.0 / limit


@pytest.mark.parametrize("seed", range(12))
def test_without_headers_the_first_cut_lands_near_the_rate(seed: int) -> None:
    """The first 429 comes with the first burst at twice the rate: a cut to 80 % of that still
    sent above it, and each 429 that followed cut again. The AWS SDKs' 70 % lands nearer.
    (Before: 6-10 refused on the bench's 300-request job; now 5-8.)"""
    run = job("headerless", requests=270, pages=30, seed=seed)
    assert run.refused <= 8
    assert run.wall < 3.05


@pytest.mark.parametrize(
    ("max_concurrency", "seed", "most_refused"),
    [(8, 1, 3), (8, 2, 3), (32, 1, 4), (32, 2, 4), (32, 3, 3)],
)
def test_without_headers_the_rate_climbs_back_slowly_enough_to_spare_a_429(
    max_concurrency: int, seed: int, most_refused: int
) -> None:
    """After a cut, the discovered rate is back at the last 429's in ``CUBIC_RECOVERY`` and
    probes above it after that, a 429 each time it finds the limit. On the bench's 3 s job,
    at 2 s that was one probe too many: one 429 more in each of these jobs. (On the bench,
    two rounds of six each side: the header-less fake 56 429s against 64 at a cap of 8,
    nginx 40 against 48; the same speed.)"""
    run = job(
        "headerless",
        requests=270,
        pages=30,
        seed=seed,
        load=0.0015,
        max_concurrency=max_concurrency,
    )
    assert run.ok == 300
    assert run.refused <= most_refused
    assert run.wall < 3.05


@pytest.mark.parametrize("shared", [False, True])
def test_a_server_that_stops_sending_headers_is_not_paced_by_its_last_count(
    shared: bool,
) -> None:
    """Once answers to sends after the last count's reset carry none, the client paces as
    it does a server that never sent one. (Before: every send was counted against that last
    count for good, and once it was spent the client went one probe at a time, each answer
    without a count to end it: this 1,500-request job on 100 a second took 127 s, and 184 s
    through a budget store; now 24.7 s, where one whose server never sent headers takes
    19.8 s.)"""
    budget = LocalBudget() if shared else None
    never = job("fixed-epoch", requests=1500, reported=0)
    run = job("fixed-epoch", requests=1500, reported=150, budget=budget)
    assert run.ok == 1500
    assert run.wall < 1.5 * never.wall
    assert run.refused <= 1.5 * never.refused


@pytest.mark.parametrize(("unreported", "most_refused"), [(50, 0.06), (90, 0.045)])
def test_a_429_whose_count_shows_room_paces_by_the_rate_found_from_429s(
    unreported: int, most_refused: float
) -> None:
    """A second limit the headers do not report (as GitHub's secondary limits: a 429 with
    the primary count showing plenty) is found as a server without headers is. (Before:
    the count was trusted to the end of every window, and each window ended in 429s: 13.4 %
    of the sends at 50 a second under a reported 100, 7.9 % at 90.)"""
    run = job("fixed-epoch", requests=1500, unreported=unreported)
    assert run.ok == 1500
    assert run.refused_share <= most_refused
    assert run.wall < 1.1 * (1 + (1500 - 2 * unreported) / unreported)


@pytest.mark.parametrize(
    "server",
    [
        {"limit": 60, "window": 6.0, "requests": 600},
        {"limit": 1000, "window": 10.0, "requests": 3000},
        {"requests": 1500, "clock_ahead": -0.6},
        {"requests": 1500, "kind": "fixed-first", "from_now": math.floor},
        {"requests": 1500, "kind": "moving", "max_concurrency": 32},
    ],
    ids=["60-per-6s", "1000-per-10s", "resets-early", "reset-in-seconds-rounded-down", "moving"],
)
def test_a_429_without_headers_on_a_key_whose_answers_carry_them_is_the_counted_limit_s(
    server: dict[str, Any],
) -> None:
    """A server that writes its rate-limit headers on its successes only (its 429s carry
    ``Retry-After`` alone) is paced as one that writes them on every answer: a probe of a
    reopening refused, or a count spent by what was out, is that count's 429, not a second
    limit to find the rate of; and it does not say the server stopped counting. (Before:
    every sender was cut to a rate found from 429s for the rest of the job: the
    60-per-6-s job took 65.8 s for its 2 refused probes, 54.0 s with the headers on them;
    1,000 per 10 s, 43.4 s against 24.7 s. With resets early, the count was dropped at the
    first 429 after its reset, and 26 were refused where 9 are with the headers.)"""
    server = {"kind": "fixed-epoch", **server}
    full = job(**server)
    bare = job(**server, bare_refusals=True)
    assert bare.ok == server["requests"]
    assert bare.refused <= full.refused
    assert bare.wall <= full.wall + 0.05


@pytest.mark.parametrize(
    ("scene", "found"),
    [("room", True), ("spent", False), ("probe", False), ("uncounted", True)],
)
def test_a_429_without_headers_is_a_second_limit_only_where_the_count_had_room(
    scene: str, found: bool
) -> None:
    """Two sends out on a count of 2 left; one is refused without headers. With the count
    still showing room for both ("room"), it does not explain the 429: a second
    limit, whose rate is found from 429s. Once an answer shows it spent (by others:
    "spent"), the 429 is the count's own; so is a refused probe of a reopening ("probe").
    On a key whose latest success carried no headers ("uncounted"), any 429 is a find."""
    discovered: list[float | None] = []

    async def main() -> None:
        budget = LocalBudget()
        client = pacer(budget=budget)
        async with client.sending() as send:
            client.observe(send, reading(remaining=0 if scene == "probe" else 2, reset_in=0.5))
        if scene == "uncounted":
            async with client.sending() as send:
                client.observe(send, None)
        handles = [client.sending() for _ in range(1 if scene == "probe" else 2)]
        sends = [await handle.__aenter__() for handle in handles]
        if scene == "probe":
            assert sends[0].guessed
        if scene == "spent":
            client.observe(sends[0], reading(remaining=0, reset_in=0.4))
            await handles[0].__aexit__(None, None, None)
        refused, handle = sends[-1], handles[-1]
        client.rate_limited(refused, None)
        client.observe(refused, None)
        await handle.__aexit__(None, None, None)
        discovered.append(budget.discovered_rate(now()))
        for send, handle in zip(sends, handles, strict=True):
            if not send.answered:
                client.observe(send, None)
                await handle.__aexit__(None, None, None)

    run_virtual(main)
    assert (discovered[0] is not None) == found


def test_a_second_limit_whose_429s_carry_no_headers_paces_by_the_rate_found_from_429s() -> None:
    """The same 429s without headers, with the count showing room for everything out, are
    a second limit the count does not report, found as one whose 429s carry the count."""
    counted = job("fixed-epoch", requests=1500, unreported=50)
    bare = job("fixed-epoch", requests=1500, unreported=50, bare_refusals=True)
    assert bare.ok == 1500
    assert bare.refused_share <= 0.06
    assert bare.wall < 1.1 * counted.wall


def test_a_limit_the_server_lowers_is_believed_not_taken_for_other_consumers() -> None:
    """The latest limit the headers give is the limit. (Before: the highest ever seen was,
    and a key lowered from 100 to 50 a second looked shared with a consumer spending the
    other 50: the client kept to a part of the 50 and went at 17 a second for 8 s; the job
    took 29.8 s, 24.8 s now.)"""
    run = job("fixed-epoch", requests=1500, limit_from=(3.0, 50))
    assert run.ok == 1500
    assert run.refused == 0
    assert run.wall < 25.5


def test_without_headers_a_429_sent_before_the_last_cut_does_not_cut_again() -> None:
    starts: list[float] = []

    async def main() -> None:
        client = pacer()
        for _ in range(10):  # ten a second, as a warm-up
            async with client.sending() as send:
                client.observe(send, None)
            await trio.sleep(0.1)
        first, second = client.sending(), client.sending()
        one, two = await first.__aenter__(), await second.__aenter__()
        for send, handle in ((one, first), (two, second)):
            client.rate_limited(send, None)
            client.observe(send, None)
            await handle.__aexit__(None, None, None)
        for _ in range(3):
            async with client.sending() as send:
                starts.append(trio.current_time())
                client.observe(send, None)

    run_virtual(main)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    # One cut from about 11 a second (not two): sends about 1 / (0.8 × 11) s apart.
    assert all(0.09 < gap < 0.13 for gap in gaps), gaps


def test_requests_per_minute_is_a_ceiling_headers_do_not_lift() -> None:
    starts: list[float] = []

    async def main() -> None:
        client = pacer(requests_per_minute=60)
        for index in range(4):
            async with client.sending() as send:
                starts.append(trio.current_time())
                generous = reading(remaining=1000, reset_in=60.0, limit=1000)
                client.observe(send, generous if index else None)

    run_virtual(main)
    assert starts == pytest.approx([0.0, 1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("requests_per_minute", 0),
        ("max_wait", -1.0),
        ("max_concurrency", 0),
        ("max_concurrency", 2.5),
        ("max_concurrency", True),
        ("requests_per_minute", "60"),
        ("requests_per_minute", True),
        ("budget", "redis://127.0.0.1:6379/0"),
        ("budget", object()),
    ],
)
def test_the_pacer_s_options_are_checked_before_any_send(option: str, value: object) -> None:
    with pytest.raises(ValueError, match=option):
        Pacer(clock=now, sleep=trio.sleep, **{option: value})


def test_a_redis_url_given_as_the_budget_is_pointed_to_the_store() -> None:
    with pytest.raises(ValueError, match=r"a Redis URL goes to RedisBudget\(url, name=\.\.\.\)"):
        Pacer(clock=now, sleep=trio.sleep, budget="redis://127.0.0.1:6379/0")  # type: ignore[arg-type]


# -- limiters learned --------------------------------------------------------------------------


def test_an_epoch_aligned_reset_is_not_tested_with_a_429() -> None:
    """Epoch-aligned windows end no earlier than a whole-second window opened by the first
    send could, so nothing says their reset may be late: it is not tested. (Before: a probe
    50 ms before each of the first two resets, both refused.)"""
    run = job("fixed-epoch", requests=1500)
    assert run.refused == 0
    assert run.rate >= 0.97 * 100


def _four_on_one_key(**options: Any) -> Run:
    """The benchmark's four processes on one key's epoch-aligned window: 270 chunks split
    68/67/67/68, the first client also listing 30 pages, on a server slowed 1.5 ms a round
    trip by each request it holds."""
    return job(
        "fixed-epoch", requests=[68, 67, 67, 68], pages=30, clients=4, load=0.0015, **options
    )


def test_a_window_another_client_saw_open_is_not_tested_as_this_client_s_first() -> None:
    """Four clients on one shared budget, starting 0.4 s into an epoch-aligned window: only
    the client whose answer was the budget's freshest as the next window opened sees it open.
    The others' models still hold the first window's hypothesis (a whole number of seconds
    from their own first send) and tested it against the next window's reset: a probe before
    it, refused. A reset that moved since a client's first reading is another window,
    which its first send did not open. (Before: 4 refused over these seeds; on the benchmark's
    Redis row, two a run at some phases.)"""
    runs = [_four_on_one_key(delay=0.4, seed=seed, budget=LocalBudget()) for seed in (1, 2, 3)]
    assert sum(run.refused for run in runs) == 0


def test_a_reset_rounded_up_to_whole_seconds_does_not_cost_a_second_a_window() -> None:
    run = job("fixed-first", requests=1500)
    assert run.refused_share <= 0.005
    assert run.rate >= 0.93 * 100  # a window only ever opens by a send: some is lost


def test_a_long_window_is_spent_whole_at_its_reset() -> None:
    run = job("fixed-epoch", requests=1200, limit=1000, window=10.0)
    assert run.refused <= 2
    assert run.wall < 12.0


def test_a_moving_window_is_spent_as_it_regenerates() -> None:
    """slowapi's reset is a second late; each send comes back a measured window after it."""
    run = job("moving", requests=1500)
    assert run.refused <= 2
    assert run.rate >= 0.95 * 100


@pytest.mark.parametrize(("requests", "pages"), [(1500, 0), (270, 30)])
def test_a_moving_window_whose_headers_are_written_as_the_answer_leaves(
    requests: int, pages: int
) -> None:
    """slowapi counts a request as it arrives and writes its headers after the handler: a
    reading can show what came back and what was counted while it was on its way. Neither
    belief about a rolling limiter is judged wrong for that, and neither counts it twice.
    (Before: a refill believed from that noise spent budget that was not back, each 429 held
    a second by Retry-After: 2-24 refused and 58-86 a second on the long job, 67 a second on
    the short one.)"""
    run = job("moving", requests=requests, pages=pages, proxy=True)
    assert run.refused <= 1
    assert run.rate >= 0.93 * 100


def test_a_token_bucket_refills_steadily() -> None:
    run = job("token-bucket", requests=1500)
    assert run.refused_share <= 0.01
    assert run.rate >= 0.95 * 100


@pytest.mark.parametrize(("seed", "delay"), [(1, 0.3), (1, 0.4), (4, 0.8)])
def test_a_bucket_is_spent_at_its_refill_whatever_the_second_it_starts_in(
    seed: int, delay: float
) -> None:
    """Envoy's reset is the next token's whole second, so every reading of a second shares
    it; the bucket refills in between. Its lowest reading of the second was spent as if
    current, and the job's last second went at 75 a second with three in flight. (Before:
    2.28 s and 2.30 s at the first two phases, 2.08 s at others; the ideal with eight in
    flight is about 2.04 s.) At the third, a bucket spent to nothing once its refill over
    a reading's round trip was counted, the count rising under a moved reset looked like
    a window opening (2.24 s, before the last count was weighed)."""
    run = job("token-bucket", requests=270, pages=30, seed=seed, delay=delay)
    assert run.refused == 0
    assert run.wall < 2.12


@pytest.mark.parametrize(
    ("fractional", "refuted", "by"),
    [(True, False, "window"), (True, True, "refill"), (False, False, "refill")],
)
def test_a_log_of_sends_keeps_to_per_send_expiry_until_a_reading_refutes_it(
    fractional: bool, refuted: bool, by: str
) -> None:
    """A reset in fractions of a second that moves with every answer is slowapi's: a log of
    sends or a counter. Its sends expire one by one until a reading refutes that (a counter
    counts sends far older than the window), however the two beliefs' overshoot compares:
    a moving window's refill measured over a job's thinning tail (63 a second) let out two
    sends that were not back, a 429 and a second's Retry-After (1 of 5 bench repeats at one
    phase). A whole-second reset (Envoy's bucket) is judged by the overshoot as before, and
    its refill is steady; a counter's changes with each window."""
    model = LimiterModel()
    model.limit = 100
    model._fractional = fractional
    model._rollings = 3
    model._counts_for, model._counts_within = 0.99, 1.0
    model._expiry_refuted = refuted
    if refuted:
        model._counts_within = math.inf
    model._refill_rate_seen = 63.0
    model._overshot_by_rate, model._overshot_by_window = 1.0, 4.0
    model._reading = Reading(seq=10, sent_at=START, remaining=1, reset_at=START + 1.0)
    model._update()
    assert (model.rule.refill is not None) == (by == "refill")
    assert (model.rule.window is not None) == (by == "window")
    assert model.rule.steady == (by == "refill" and not fractional)


@pytest.mark.parametrize(
    ("counted_for", "refuted"),
    [(1.24, True), (1.12, False), (0.9 + 2 * 0.045 + 0.005, False)],
)
def test_a_send_counted_far_longer_than_the_tightest_measure_refutes_per_send_expiry(
    counted_for: float, refuted: bool
) -> None:
    """A counter whose last window held a burst counts some of it for most of the next: on
    the fake's counter the tightest measure was 0.907 s and the longest 1.239 s, short of
    the half (0.45 s) refutation needed, and the counter was paced as a 1.26 s moving window
    all job, about five requests a round trip left unspent (bench, 20 runs over 5 phases:
    the fake's counter 3.07 s before, 3.02 s after; slowapi's 3.06 s and 3.01 s). A quarter
    of the tightest measure refutes it; a moving window's measures differ by round trips
    (two of them, 45 ms each, are within)."""
    model = LimiterModel()
    model.latency, model.jitter = 0.045, 0.0
    model._tightest = model._counts_within = 0.9
    model._counts_for = counted_for
    model._check_expiry()
    assert model._expiry_refuted == refuted
    assert math.isinf(model._counts_within) == refuted


def test_a_refill_first_measured_as_none_is_replaced_not_averaged() -> None:
    """A counter gives nothing back in its first window (there is no window before it to
    weigh), so the first refill measured is none. Averaged with that, a measure of 90 a
    second came out as 27 (on the bench: 30, then 51 and 63 a second, where the counter
    refilled at about 96), and sends waited for readings. It is replaced, as an unmeasured
    rate is."""
    model = LimiterModel()
    model.limit = 100
    for seq in range(1, 61):  # 60 sends 10 ms apart, each counted at once
        model.sent(seq, START + 0.01 * seq)
    model._refill_rate_seen = 0.0
    model._refill_from = Reading(seq=10, sent_at=START + 0.1, remaining=50, reset_at=None)
    # 50 sends later and half a second on, 45 came back: 90 a second.
    model._measure_refill(Reading(seq=60, sent_at=START + 0.6, remaining=45, reset_at=None))
    assert model._refill_rate_seen == pytest.approx(90.0)


def _rolling_of_ten(sends: int) -> LimiterModel:
    """A rolling limiter of 10, measured to count a send at least half a second, after
    ``sends`` sends 0.1 s apart from START + 0.1 s on."""
    model = LimiterModel()
    model.limit = 10
    model._rollings = 1
    model._counts_for = 0.5
    for seq in range(1, sends + 1):
        model.sent(seq, START + 0.1 * seq)
    return model


@pytest.mark.parametrize(("fractional", "counted_for"), [(True, 1.1), (False, 0.9)])
def test_slowapi_s_reset_says_how_long_the_oldest_counted_send_still_counts(
    fractional: bool, counted_for: float
) -> None:
    """Ten sends 0.1 s apart, all counted by the last one's reading, written at START + 1.04
    s, whose reset (in fractions of a second: slowapi's) is START + 2.2 s: a second after
    the oldest send it counts, sent at START + 0.1 s, stops counting. Sends count at least
    1.1 s then, not the 0.9 s the reading's own send time shows, and none is let out as
    gone before that. (Before: only the send time bounded it; on slowapi's sliding-window
    counter a page went at the measured expiry, 34 ms before slowapi's reset less its
    second, and drew a 429 and a second's Retry-After: 1 run in 4 at the phase where the
    job's first window is 50 ms.) A whole-second reset says no such thing."""
    model = _rolling_of_ten(sends=10)
    model._fractional = fractional
    model._counts_within, model._tightest = 0.95, 0.95
    model._refill_rate_seen = 50.0
    model._overshot_by_rate = 1.0
    fresh = Reading(10, START + 1.0, remaining=0, reset_at=START + 2.2, answered_at=START + 1.04)
    model._measure_rolling(fresh)
    model._reading = fresh
    model._update()
    assert model.rule.counted_for == pytest.approx(counted_for)
    assert model.rule.window is not None
    assert model.rule.window > counted_for


@pytest.mark.parametrize(("own", "rolling"), [(4, True), (1, False)])
def test_a_bucket_s_count_rising_as_its_whole_second_reset_moves_is_no_window(
    own: int, rolling: bool
) -> None:
    """Envoy's bucket keeps one whole-second reset for a second while its count rises and
    falls; the ledger passes the lowest of them (1), the reading's own count was 4. One
    send and a millisecond later the bucket shows 5, under the next second's reset: 5 back
    counted from the lowest, 2 from the last count, and only the last count says how much
    came back. (Before: 5 back, more than 100 a second could refill in the 41 ms between
    the sends give or take a round trip, was taken for a window opening and the bucket was
    paced as a fixed window from then on: a 300-request job in the simulation took 2.24 s
    where 2.09 s is possible.) Had the last count been the lowest, it would be a window."""
    model = LimiterModel()
    model.limit = 100
    model._rollings = 1
    model.base_latency = 0.04
    model._reading = Reading(seq=10, sent_at=START, remaining=own, reset_at=START + 1.0)
    previous = Reading(seq=10, sent_at=START, remaining=1, reset_at=START + 1.0)
    model._compare(Reading(11, START + 0.001, 5, START + 2.0), previous)
    assert model.rolling is rolling


@pytest.mark.parametrize(("guessed", "counts_for"), [(True, 1.0), (False, 0.5)])
def test_a_refused_probe_of_a_rolling_limiter_says_sends_count_longer(
    guessed: bool, counts_for: float
) -> None:
    """A probe sent when the oldest counted send was believed gone drew a 429 that counts
    the ten before it: the oldest, 1 s before the probe, still counted, so a send counts at
    least that long. A 429 to a send that was no test says nothing of it."""
    model = _rolling_of_ten(sends=11)  # the last, at START + 1.1 s, the probe
    fresh = Reading(seq=11, sent_at=START + 1.1, remaining=0, reset_at=START + 2.0)
    model.refused(sent_at=START + 1.1, now=START + 1.14, fresh=fresh, guessed=guessed)
    assert model._counts_for == pytest.approx(counts_for)
    assert not model._expiry_refuted


def _window_narrowed_to(shortest: float, longest: float) -> LimiterModel:
    """A fixed window whose reset was proved late, opened at START by this client's send,
    and measured by probes to be longer than ``shortest`` and no longer than ``longest``."""
    model = LimiterModel()
    model.limit = 100
    model._windows = 1
    model._late = True
    model._opened_at = START
    model._shortest, model._longest = shortest, longest
    return model


def test_a_send_refused_where_the_window_was_known_open_makes_it_longer() -> None:
    """Believed no longer than 0.95 s, the window refused a send 0.98 s after it opened: it
    is at least that long, and what is known of its end moves past the refused send."""
    model = _window_narrowed_to(0.9, 0.95)
    model.refused(sent_at=START + 0.98, now=START + 1.02, fresh=None, guessed=True)
    assert model._shortest == pytest.approx(0.98)
    window = model.window()
    assert window is not None
    assert window > 0.98


def test_a_refused_probe_narrows_a_window_from_below_and_one_that_moved_is_measured_again() -> None:
    """Between 0.5 and 1 s long, probed at 0.9 s and refused: longer than 0.9 s (no longer
    than 1 s still). Probed and refused again at 1 s, the window cannot be where it was
    measured (another consumer, or a server restart, moved it): it is measured afresh
    rather than believed at an end already past."""
    model = _window_narrowed_to(0.5, 1.0)
    model._probe_at, model._probe_until = START + 0.875, START + 1.0
    model.refused(sent_at=START + 0.9, now=START + 0.94, fresh=None, guessed=True)
    assert (model._shortest, model.window()) == (pytest.approx(0.9), 1.0)
    assert model._probe_at is None
    model._probe_at, model._probe_until = START + 0.95, START + 1.2
    model.refused(sent_at=START + 1.0, now=START + 1.04, fresh=None, guessed=True)
    assert (model._shortest, model._longest) == (0.0, math.inf)


@pytest.mark.parametrize(
    ("shortest", "reopen_in", "guesses", "sure_in"),
    [(0.5, 0.875, 1, 1.001), (0.999, 1.001, UNLIMITED, None)],
)
def test_a_late_window_is_probed_within_what_is_known_of_its_length_then_spent_at_its_end(
    shortest: float, reopen_in: float, guesses: int, sure_in: float | None
) -> None:
    """Opened at START and known to be 0.5-1 s long (resets with fractions: no whole number
    of seconds is tried first), the window is tested with one probe three quarters of the
    way into what is not known, and is sure to be back at the longest. Known to a
    millisecond, it is spent whole at its end, with no probe."""
    model = _window_narrowed_to(shortest, 1.0)
    model._fractional = True
    model._reading = Reading(seq=5, sent_at=START + 0.5, remaining=0, reset_at=START + 1.5)
    model._update()
    rule = model.rule
    assert rule.reopen_at is not None
    assert rule.reopen_at - START == pytest.approx(reopen_in)
    assert rule.guesses == guesses
    assert (None if rule.sure_at is None else rule.sure_at - START) == (
        None if sure_in is None else pytest.approx(sure_in)
    )


@pytest.mark.parametrize("answered", [False, True])
def test_a_window_answered_at_a_whole_second_is_tested_a_second_shorter_once(
    answered: bool,
) -> None:
    """A probe 2.04 s after the send that opened the window (a round trip of 40 ms and two
    whole seconds) was answered from a new window: the window is 2 s long as far as whole
    seconds go, unless the reset is a second late or more (a server whose clock runs
    ahead of the one that counts). One probe tests a second less. Refused, the window is
    2 s, and the next one is spent whole at its end with no test; answered, it is no
    longer than the probe's 1.04 s."""
    model = _window_narrowed_to(0.0, 2.041)
    model.latency = 0.04
    before = Reading(seq=5, sent_at=START + 0.5, remaining=0, reset_at=START + 2.6)
    model._reading = before
    model._update()
    probe_at = model.rule.reopen_at
    assert probe_at is not None
    assert probe_at - START == pytest.approx(1.041)
    assert model.rule.guesses == 1
    if answered:
        fresh = Reading(seq=6, sent_at=probe_at, remaining=99, reset_at=START + 3.6)
        model.answered(
            sent_at=probe_at,
            now=probe_at + 0.04,
            fresh=fresh,
            previous=before,
            rate_limit=None,
            guessed=True,
        )
        assert model.window() == pytest.approx(1.041)
        return
    model.refused(sent_at=probe_at, now=probe_at + 0.04, fresh=None, guessed=True)
    assert model.rule.guesses == UNLIMITED
    model._opened_at = START + 2.05  # the next window, opened by a send at its start
    model._reading = Reading(seq=9, sent_at=START + 2.5, remaining=0, reset_at=START + 4.7)
    model._update()
    assert model.rule.reopen_at == pytest.approx(START + 2.05 + 2.041 + model.margin())
    assert model.rule.guesses == UNLIMITED


@pytest.mark.parametrize("clock_ahead", [1.0, -0.6])
def test_a_window_whose_resets_are_off_by_the_server_s_clock_is_spent_from_its_opening(
    clock_ahead: float,
) -> None:
    """The server's clock is a second ahead of ours, or 0.6 s behind: the resets it sends,
    whole seconds of its clock, come over a second late (a probe a second short finds the
    window open) or early (a send after one is refused, and the window is measured from
    the send that opened it). Either way each window, opened by the first request, is
    spent from its opening. (Before: late resets were waited out, every other second
    unspent, 29.2 s; early ones were spent into 429s and Retry-After's second, 40.2 s and
    105 429s; on time, the job takes 15.2 s.) A server whose resets are on time pays one
    429 a job for the test, on windows of 2 to 4 s only (a second of a longer one is too
    little to spend a 429 on)."""
    on_time = job("fixed-first", requests=1500)
    run = job("fixed-first", requests=1500, clock_ahead=clock_ahead)
    assert run.refused <= 1
    assert run.wall < 1.1 * on_time.wall
    assert job("fixed-first", requests=600, limit=200, window=2.0).refused <= 1
    assert job("fixed-first", requests=600, limit=60, window=6.0).refused == 0


@pytest.mark.parametrize("kind", ["fixed-first", "fixed-epoch"])
@pytest.mark.parametrize("rounded", [math.ceil, math.floor])
def test_a_window_whose_reset_is_whole_seconds_from_now_is_spent_as_one_given_as_a_date(
    kind: str, rounded: Callable[[float], int]
) -> None:
    """The reset sent as seconds from now, rounded up or down: each window is spent as
    when it is sent as a date. (Before: read against each answer's time, it moved by a
    second within a window, and on the first-request window 1,500 requests at 100 a second
    took 22.0 s and drew 30 429s; on the epoch-aligned one, 16.0 s and 14 to 18.)"""
    as_dates = job(kind, requests=1500)
    run = job(kind, requests=1500, from_now=rounded)
    assert run.refused <= 3
    assert run.wall < 1.1 * as_dates.wall


@pytest.mark.parametrize("clock_ahead", [0.3, -0.3])
@pytest.mark.parametrize("max_concurrency", [8, 32])
def test_an_epoch_aligned_window_off_the_server_s_clock_is_placed_by_its_resets_lag(
    clock_ahead: float, max_concurrency: int
) -> None:
    """An epoch-aligned window, the server's clock 0.3 s ahead of ours or behind: its
    resets, whole seconds of that clock, come 0.3 s late or early. Measured from the send
    that opened it, the window's length varies with that send (the window began before
    it), so once a flight is refused where that measure said the window was over, the
    window is placed by how late its resets come instead. (Before: 161 and 193 of these
    1,500 requests were refused at a cap of 32, 32 and 73 at 8; now at most a flight.)"""
    on_time = job("fixed-epoch", requests=1500, max_concurrency=max_concurrency)
    run = job(
        "fixed-epoch", requests=1500, max_concurrency=max_concurrency, clock_ahead=clock_ahead
    )
    assert run.refused <= max_concurrency + 2
    assert run.wall < 1.1 * on_time.wall


@pytest.mark.parametrize("kind", ["fixed-first", "fixed-epoch"])
def test_a_job_queued_for_several_windows_waits_for_each_in_turn(kind: str) -> None:
    """1,500 requests at once on a key of 600 a minute: the last 300 wait two minutes in
    line, each wait for a window under the minute the policy honours. A sender is let
    through to hear the server only when nothing has gone out for that long. (Before: a
    sender held a minute in line went, whatever it was waiting for, and drew the 429
    that said so: 300 429s in this job, 3,600 in one of 3,000 requests; the same wall
    time.)"""
    run = job(kind, requests=1500, limit=600, window=60.0)
    assert run.refused <= 2
    assert run.wall < 123


@pytest.mark.parametrize(
    ("kind", "most_refused", "longest"), [("sliding", 4, 316.0), ("fixed-first", 0, 185.0)]
)
def test_a_key_of_10_a_minute_draws_no_run_of_429s_after_a_minute_held(
    kind: str, most_refused: int, longest: float
) -> None:
    """40 requests on a key of 10 a minute: its first ten spent at once, the rest held a
    minute for the next, the policy's longest wait. (Before: every sender held that long
    went at once, 52 429s on a sliding-window counter and 30 on a fixed window; 310 s and
    180 s.)"""
    run = job(kind, requests=40, limit=10, window=60.0)
    assert run.ok == 40
    assert run.refused <= most_refused
    assert run.wall < longest


@pytest.mark.parametrize(("limit", "window", "requests"), [(300, 30.0, 1000), (50, 10.0, 300)])
def test_a_bucket_s_answers_out_of_order_do_not_spend_its_tokens_twice(
    limit: int, window: float, requests: int
) -> None:
    """A bucket refilling ten (or five) a second, sends granted a few at a time and
    answered in any order. (Before: the latest-sent answer's count was taken for the
    latest, though the server counted it first: 35 and 15 429s a job; now 1 and none.)"""
    run = job("token-bucket", requests=requests, limit=limit, window=window)
    assert run.ok == requests
    assert run.refused <= 5


@pytest.mark.parametrize(("limit", "requests"), [(60, 300), (100, 500)])
def test_a_bucket_s_first_readings_taken_for_a_moving_window_send_one_at_a_time(
    limit: int, requests: int
) -> None:
    """A bucket of 60 (or 100) a minute, its first burst spent: two probes a second apart
    each answered with none left read as a moving window of under two seconds, whose
    expiry let six sends go at once into an empty bucket. A belief in expiry now sends one
    at a time until a send on it is let through. (Before: 6 and 10 429s a job.)"""
    run = job("token-bucket", requests=requests, limit=limit, window=60.0)
    assert run.ok == requests
    assert run.refused <= 2


def test_slowapi_s_counter_is_probed_at_its_reset_not_held_for_the_sends_expiry() -> None:
    """A sliding-window counter of 100 a minute, 500 requests: believed a moving window,
    its sends were held until they expired, a minute on, though slowapi's reset (less its
    second) says one is back each time the counter's weight drops. One at a time goes
    then. (Before: 36 429s in 303.7 s; now none, in 299.1 s.)"""
    run = job("sliding", requests=500, limit=100, window=60.0)
    assert run.ok == 500
    assert run.refused <= 2
    assert run.wall < 305.0


@pytest.mark.parametrize(("limit", "requests", "most_refused"), [(60, 300, 12), (100, 500, 40)])
def test_a_counter_of_a_few_a_minute_is_not_spent_on_counts_answered_out_of_order(
    limit: int, requests: int, most_refused: int
) -> None:
    """A sliding-window counter of 60 (or 100) a minute gives back one a second (or less):
    the client sends a few at a time, and their answers come back in any order. (Before:
    the last answer's count was taken for the latest, though the server counted it first:
    46 429s in 300 requests and 78 in 500; the same wall time. With that fixed alone, 24
    in the 300; 28 once a belief in expiry sends one at a time until a send on it is let
    through, which spares a bucket's first probes their 429s; 8 once the answers to sends
    granted together are read by their lowest count.)"""
    run = job("sliding", requests=requests, limit=limit, window=60.0)
    assert run.ok == requests
    assert run.refused <= most_refused
    assert run.wall < 310.0


@pytest.mark.parametrize(("kind", "longest"), [("sliding", 201.0), ("moving", 186.0)])
def test_a_minute_s_rolling_window_spent_at_once_comes_back_as_the_limiter_gives_it(
    kind: str, longest: float
) -> None:
    """2,000 requests on a key of 600 a minute, its first 600 spent in two seconds. A
    counter gives them back ten a second through the next minute, a moving window at
    second 60: each is spent as it comes. (Before: the times of those first sends had been
    forgotten, ten seconds on, and the key was believed spent until the sends of second
    60 expired; the sender held that minute went, and every sender after it went too,
    whatever the budget said: on the counter, 877 429s and 262 s.)"""
    run = job(kind, requests=2000, limit=600, window=60.0)
    assert run.ok == 2000
    assert run.refused <= 2
    assert run.wall < longest


@pytest.mark.parametrize(("kind", "most_refused"), [("token-bucket", 1), ("moving", 0)])
def test_a_rolling_limiter_s_next_request_is_probed_a_second_early_only_while_that_works(
    kind: str, most_refused: int
) -> None:
    """30 requests on a key of 10 a minute. A bucket's next token is back somewhere in the
    second before its reset (whole seconds, rounded up): a probe a second early, as slowapi's
    late resets want, is refused; once refused more often than answered, the next request
    waits for the reset. slowapi's moving window keeps its probe a second early. (Before:
    every token of the bucket cost a 429, 18 in this job, at the same wall time.)"""
    run = job(kind, requests=30, limit=10, window=60.0)
    assert run.ok == 30
    assert run.refused <= most_refused
    assert run.wall < 121.0


@pytest.mark.parametrize(
    ("limit", "window", "requests", "before", "now"),
    [(100, 1.0, 1500, 27.8, 15.0), (5, 1.0, 100, 37.4, 20.0), (60, 6.0, 600, 62.5, 55.0)],
)
def test_slowapi_s_fixed_window_is_back_a_second_before_its_reset(
    limit: int, window: float, requests: int, before: float, now: float
) -> None:
    """slowapi's default (the ``limits`` fixed window, opened by the first request) writes
    ``1 +`` the window's end as its reset, in fractions of a second. A probe a second
    before the first window's reset finds the next one back, and every window after is
    spent from there. (Before: each window was waited for to its reset, a second late:
    ``before`` seconds for the job, under ``now`` now; no more 429s. Against slowapi
    itself, 300 requests: 0.62 of the oracle, 0.84 now; 0.67 at a cap of 32, 0.96 now.)"""
    paced = job("fixed-first", requests=requests, limit=limit, window=window, slowapi=True)
    assert paced.ok == requests
    assert paced.wall < now < before
    assert paced.refused <= 3


def test_slowapi_s_moving_window_of_a_few_a_second_is_spent_as_its_requests_expire() -> None:
    """slowapi's moving window of 5 a second, under the default cap: each second's five
    go in one flight and come back together, as a fixed window's would. Its first test of
    the second-early reset was let through with none left: its probe had left before the
    other four, and only it had expired. That is a moving window's answer, not a refuted
    lead. (Before: taken as refuted for good and paced as a fixed window to each reset, a
    second late: 36.4 s for 100 requests where 19 s is possible; now 19.6 s.)"""
    run = job("moving", requests=100, limit=5, window=1.0)
    assert run.ok == 100
    assert run.refused <= 3
    assert run.wall < 21.0


@pytest.mark.parametrize(
    ("kind", "limit"),
    [("sliding", 5), ("sliding", 3), ("sliding", 2), ("moving", 3), ("moving", 2)],
)
def test_slowapi_s_limits_of_a_few_a_second_are_spent_at_their_rate(kind: str, limit: int) -> None:
    """slowapi's sliding-window counter and moving window at 2 to 5 a second (its usual
    ``"5/second"``), 20 seconds' worth of requests: no 429 but the first flight's (sent
    before any answer told the limit), and the job within 5 % of 20 s.

    Before, at seed 0: the counter of 5 a second 27.1 s and 17 429s; of 3, 21.1 s and 12;
    of 2, 21.1 s and 41. The moving windows of 3 and 2 a second, 36.4 s. A refill of half
    a small limit was taken for a window come back (a pause's worth, on a counter); the
    refill measured from a counter's answers, paced at, fell by a third each window (the
    counter gives back what was sent a window before); and a flight at a believed
    reopening, let through in part, was not read as a limiter giving requests back."""
    requests = 20 * limit
    run = job(kind, requests=requests, limit=limit, window=1.0)
    assert run.ok == requests
    assert run.refused <= 8 - limit
    assert run.wall < 20 * 1.05


@pytest.mark.parametrize("fractional", [True, False])
def test_a_flight_on_belief_let_through_in_part_is_a_limiter_giving_requests_back(
    fractional: bool,
) -> None:
    """A sliding-window counter of 5 a second came back whole for its first windows (the
    last window's weight all gone) and was taken for a fixed window: each believed
    reopening got a flight of five, and the counter let one through, its weight having
    dropped by one. Some of one flight let through and some refused, where resets have
    fractions of a second (slowapi's), is a limiter giving requests back one by one. On
    whole-second resets it is a window others spent part of first: still a window."""
    model = LimiterModel()
    model.limit = 5
    model._windows = 2
    model._fractional = fractional
    reset_at = START + 2.23 if fractional else float(math.ceil(START) + 2)
    model._reading = Reading(seq=10, sent_at=START, remaining=0, reset_at=reset_at - 1.0)
    at = START + 1.0
    for seq in (11, 12, 13):
        model.sent(seq, at)
    assert not model.rolling
    model.answered(
        sent_at=at,
        now=at + 0.04,
        fresh=Reading(11, at, 0, reset_at),
        previous=model._reading,
        rate_limit=RateLimit(limit=5, remaining=0, reset_at=reset_at),
        guessed=True,
    )
    for seq in (12, 13):
        model.refused(sent_at=at, now=at + 0.041, fresh=Reading(seq, at, 0, reset_at), guessed=True)
    assert model.rolling is fractional


@pytest.mark.parametrize("window", [1.0, 10.0, 60.0])
def test_a_moving_window_spent_in_flights_is_not_tested_for_slowapi_s_late_reset(
    window: float,
) -> None:
    """A moving window of 10 spent in two flights (8 and 2, at the default cap) comes back
    a flight at a time: its windows come back in part, so its resets are not tested a
    second early. (Tested, its flights were taken for windows and other consumers, and a
    job of five windows took up to 4.6 times as long.)"""
    run = job("moving", requests=50, limit=10, window=window)
    assert run.ok == 50
    assert run.wall < 4 * window * 1.1


def test_a_send_refused_a_second_before_a_reset_ends_the_belief_it_is_late() -> None:
    """Windows believed back a second before their resets (slowapi's): a send refused in
    that second says this one was not, and resets are taken as they come again."""
    model = LimiterModel()
    model.limit = 10
    model._windows = 2
    model._fractional = True
    model._reset_lead = 1.0
    reading = Reading(seq=10, sent_at=START, remaining=0, reset_at=START + 2.25)
    model._reading = reading
    model._update()
    assert model.rule.reopen_at == START + 1.25
    model.refused(sent_at=START + 1.3, now=START + 1.34, fresh=None, guessed=False)
    assert model._reset_lead == 0.0
    assert model.rule.reopen_at == START + 2.25


def test_a_send_refused_after_its_window_s_reset_makes_resets_early() -> None:
    """A send at START + 1.02 s, after the reset its window gave (START + 1 s), drew a 429
    whose count still shows that reset: the reset is early, by up to a second (a reset
    rounded down, a server clock behind ours). The window is longer than the time from
    its opening to that send, and is back by a second after its reset at the latest: one
    probe goes there (how far before it the window ends is not measured yet)."""
    model = LimiterModel()
    model.limit = 100
    model._windows = 1
    model._first_at = START
    reading = Reading(seq=100, sent_at=START + 0.5, remaining=0, reset_at=START + 1.0)
    model._reading = reading
    refused = Reading(seq=101, sent_at=START + 1.02, remaining=0, reset_at=START + 1.0)
    back = model.refused(sent_at=START + 1.02, now=START + 1.06, fresh=refused, guessed=True)
    assert back == START + 2.0
    assert model._shortest == pytest.approx(1.02)
    assert (model.rule.reopen_at, model.rule.guesses) == (START + 2.0, 1)


def test_an_answer_counted_after_the_reset_it_gives_makes_resets_early() -> None:
    """Sent at START + 0.7 s and answered from a window whose reset is START + 0.5 s: the
    server counted it after that reset, in the window the reset ends, so resets are
    early. Answered, it says nothing of how long the window is."""
    model = LimiterModel()
    model.limit = 100
    before = Reading(seq=1, sent_at=START, remaining=99, reset_at=START + 0.5)
    model._reading = before
    fresh = Reading(seq=2, sent_at=START + 0.7, remaining=98, reset_at=START + 0.5)
    model.answered(
        sent_at=START + 0.7,
        now=START + 0.74,
        fresh=fresh,
        previous=before,
        rate_limit=None,
        guessed=False,
    )
    assert model.resets_late
    assert model._known_reopen(fresh) == START + 1.5
    assert (model._shortest, model._longest) == (0.0, math.inf)


def test_a_window_whose_probe_was_refused_is_spent_whole_at_its_reset() -> None:
    """This client's first send (at START, answered 40 ms later) may have opened the window
    whose reset is START + 1.63 s (the whole second after): a window of a whole second from
    it would be over by START + 1.04 s, where one probe tests that. Refused, the window is
    the reset's: no second probe there, and everything goes at the reset."""
    model = LimiterModel()
    model.limit = 100
    model._windows = 1
    model._first_at, model._first_back_at = START, START + 0.04
    reset_at = START + 1.63
    model._first_reset = reset_at
    model._reading = Reading(seq=90, sent_at=START + 0.5, remaining=0, reset_at=reset_at)
    model._update()
    probe_at = model.rule.reopen_at
    assert probe_at is not None
    assert probe_at - START == pytest.approx(1.04, abs=0.002)
    assert model.rule.guesses == 1
    model.refused(sent_at=probe_at, now=probe_at + 0.04, fresh=None, guessed=True)
    assert model.rule.reopen_at == reset_at
    assert model.rule.guesses == UNLIMITED


def test_a_measured_window_long_past_says_nothing_of_the_one_a_reading_is_in() -> None:
    """Measured as 1 s from an opening at START, a window would be back at START + 1 s; a
    reading sent at START + 1.5 s is from a later window, and its reset says when that one
    is back (not the measured end, already past when the reading left)."""
    model = _window_narrowed_to(0.98, 1.0)
    fresh = Reading(seq=5, sent_at=START + 1.5, remaining=0, reset_at=START + 2.0)
    back = model.refused(sent_at=START + 1.5, now=START + 1.54, fresh=fresh, guessed=False)
    assert back == START + 2.0


def test_a_sliding_window_counter_is_kept_to() -> None:
    """Neither a log of sends nor a steady refill: kept under, not yet spent to the full."""
    run = job("sliding", requests=1500)
    assert run.refused_share <= 0.01
    assert run.rate >= 0.75 * 100


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_counter_whose_first_window_held_few_sends_is_no_moving_window(seed: int) -> None:
    """A job that starts in the last hundredths of a counter's window sends a few there; the
    counter then counts part of them for a whole second. Matched to this client's sends,
    each reading seems to count an older send than the last: a moving window measured from
    that was believed a little longer each time and let out what was still counted. (Before:
    a 429 and slowapi's Retry-After second, 2.38-2.42 s; now 1.58-1.70 s.)"""
    run = job("sliding", requests=120, pages=30, seed=seed, delay=0.6)
    assert run.refused == 0
    assert run.wall < 1.9


@pytest.mark.parametrize(
    "kind", ["fixed-epoch", "fixed-first", "moving", "sliding", "token-bucket", "headerless"]
)
def test_a_higher_concurrency_cap_is_never_slower_and_never_refused_more(kind: str) -> None:
    eight = job(kind, requests=1000, max_concurrency=8)
    many = job(kind, requests=1000, max_concurrency=32)
    assert many.wall <= eight.wall * 1.02
    assert many.refused <= eight.refused + 1


@pytest.mark.parametrize("kind", ["fixed-epoch", "fixed-first"])
def test_a_higher_cap_spends_a_fixed_window_sooner(kind: str) -> None:
    """A fixed window's budget is all there at its opening: with no listing to keep the
    server's queue short for, fan-out may have the whole cap out, and the job's last window
    is spent in a third of the time. (Before: Little's law kept 9 out at a cap of 32, and
    a higher cap ended no sooner.)"""
    eight = job(kind, requests=300, max_concurrency=8)
    many = job(kind, requests=300, max_concurrency=32)
    assert many.wall <= eight.wall - 0.3
    assert many.refused <= eight.refused
    assert many.peak_in_flight_later > 12


@pytest.mark.parametrize(
    "kind", ["fixed-epoch", "fixed-first", "moving", "sliding", "token-bucket"]
)
@pytest.mark.parametrize("max_concurrency", [8, 32])
def test_a_listing_runs_at_latency_speed_while_fan_out_fills_the_rest(
    kind: str, max_concurrency: int
) -> None:
    """30 pages, each asked for when the one before is back (40 ms), beside 120 chunks on 100
    a second: fan-out that spent each window first stalled the listing until the window
    reopened (2.3 s, 2.7 s at a cap of 32)."""
    run = job(kind, requests=120, pages=30, max_concurrency=max_concurrency)
    assert run.chain_wall <= 30 * 0.04 * 1.15
    assert run.wall <= run.chain_wall + 0.25


def test_what_is_left_of_a_window_goes_before_it_is_back() -> None:
    """A job that starts with a quarter of a second left of a whole window, a listing beside
    its fan-out at a cap of 32: in flight is what spending the rest before the reset needs,
    not what the limit's rate does. (Before: 9 in flight, 200 a second, 1.33-2.39 s where
    the listing alone takes 1.2 s.)"""
    run = job("fixed-epoch", requests=170, pages=30, max_concurrency=32, delay=0.4)
    assert run.refused == 0
    assert run.wall <= run.chain_wall + 0.05


@pytest.mark.parametrize("kind", ["fixed-epoch", "fixed-first"])
def test_clients_sharing_an_in_process_budget_ask_it_again(kind: str) -> None:
    """Four clients given one LocalBudget: a sender waiting on what only another client's
    answer can free asks again rather than wait for a wake-up that never comes. (Before:
    each such wait ran to max_wait, 120 s for 400 requests, and the forced sends drew 125
    429s.)"""
    run = job(kind, requests=400, clients=4, budget=LocalBudget())
    assert run.ok == 400
    assert run.wall < 5.0
    assert run.refused <= 3


@pytest.mark.parametrize(("kind", "most"), [("fixed-epoch", 1.45), ("fixed-first", 1.45)])
def test_a_listing_is_left_its_pages_by_other_clients_of_its_budget(kind: str, most: float) -> None:
    """Four clients sharing one budget (as four processes on Redis do), the first listing:
    the others' fan-out leaves the pages it keeps until the reset the server gave, and a
    reopening only tested for is a probe, not a window to spend. (Before: they spent each
    window whole and 30 pages of 40 ms took 4.2 s and 4.8 s; then, keeping only until the
    tested reopening, 2.0 s on epoch windows.)"""
    run = job(kind, requests=400, pages=30, clients=4, budget=LocalBudget())
    assert run.chain_wall <= most
    assert run.refused <= 6


def _left_beside_a_listing_never_freshest() -> int:
    """Two clients of one budget: the lister's first page is answered after the other's
    chunk, sent later, so no reading of the lister's is ever the budget's freshest. Once it
    asks for its next page, how many of what is left the other client's fan-out may take."""
    budget = LocalBudget()
    taken: list[int] = []

    async def main() -> None:
        lister, other = pacer(budget=budget), pacer(budget=budget)
        async with lister.sending(critical=True) as page:
            async with other.sending() as chunk:
                await trio.sleep(0.04)
                other.observe(chunk, reading(60, 0.9))
            await trio.sleep(0.005)
            lister.observe(page, reading(61, 0.9))
        async with lister.sending(critical=True) as page:
            window = Rule(reopen_at=START + 1.0, limit=100, guesses=1 << 30)
            taken.append(sum(budget.take_now(now(), window).seq is not None for _ in range(100)))

    run_virtual(main)
    return taken[0]


def test_a_listing_is_kept_for_by_a_client_none_of_whose_readings_was_the_freshest() -> None:
    """A client of a shared budget whose answers others' always overtake (one that started
    late, beside busy ones) learns nothing of the window from them; its listing is kept for
    until the reset its answers gave all the same: about a page a round trip until then.
    (Before: nothing was kept, the others' fan-out spent the window, and the listing waited
    for the next one: 0.9 s in one of the four-process benchmark's runs.)"""
    left = 59  # the chunk's reading said 60, and the second page is out since
    asked = START + 0.045  # the second page, a round trip after the first
    reset_at = math.ceil(asked + 0.9)  # what the lister's reading said
    pages = math.ceil((reset_at - asked - 0.045) / 0.045)  # up to a round trip before it
    assert _left_beside_a_listing_never_freshest() == left - pages


def _kept_while_a_slow_page_is_out(out_for: float) -> bool:
    """A client of a shared budget lists: two pages back in 40 ms each, asked for 10 ms
    apart; the third is still out after ``out_for``. Whether the budget then still tells
    another client that a listing keeps part of it."""
    budget = LocalBudget()
    told: list[bool] = []

    async def main() -> None:
        lister = pacer(budget=budget)
        for remaining in (99, 98):
            async with lister.sending(critical=True) as page:
                await trio.sleep(0.04)
                lister.observe(page, reading(remaining, 0.9))
            await trio.sleep(0.01)
        async with lister.sending(critical=True) as page:
            await trio.sleep(out_for)
            told.append(budget.take_now(now(), Rule()).listing)
            lister.observe(page, reading(96, 0.9))

    run_virtual(main)
    return told[0]


def _left_to_others_beside_crawling_pages() -> tuple[int, float]:
    """A client of a shared budget: a chunk back in 40 ms (the bare round trip), then three
    pages in 70 ms each (a busy server), each next one asked for 2 ms after the last is back.
    Once the fourth is out: how many of what is left another client's fan-out may take, and
    how long until the reset."""
    budget = LocalBudget()
    taken: list[tuple[int, float]] = []

    async def main() -> None:
        lister = pacer(budget=budget)
        async with lister.sending() as chunk:
            await trio.sleep(0.04)
            lister.observe(chunk, reading(99, 0.2))
        for remaining in (90, 80, 70):
            async with lister.sending(critical=True) as page:
                await trio.sleep(0.07)
                last = reading(remaining, 0.2)
                lister.observe(page, last)
            await trio.sleep(0.002)
        async with lister.sending(critical=True):
            assert last.reset_at is not None
            window = Rule(reopen_at=last.reset_at, limit=100, guesses=1 << 30)
            left = sum(budget.take_now(now(), window).seq is not None for _ in range(100))
            taken.append((left, last.reset_at - now()))

    run_virtual(main)
    return taken[0]


def test_a_listing_is_kept_for_at_the_pace_its_pages_go_once_the_fan_out_is_held() -> None:
    """Pages a busy server slows go at the bare round trip (and the client's own step to
    the next) once every client's fan-out is held for them; kept for at the crawl, what is
    kept ran out before the reset: on the Redis row at one phase, three pages short at the
    first window's end, before any unhurried page had set the brisk pace. (Before: five
    kept here, at the 72 ms the pages had gone; now eight, at 42 ms.)"""
    left, until_reset = _left_to_others_beside_crawling_pages()
    pages = math.ceil((until_reset - 0.04) / (0.04 + 0.002))  # each reaching it in time
    assert left == 70 - 1 - pages  # the fourth page is out


def test_what_a_listing_keeps_lasts_while_a_page_a_busy_server_slowed_is_out() -> None:
    """What a listing keeps is told to the budget's other clients with its page's take, for
    two of its cycles (a page's grant to the next page's request) and a round trip each: a
    page a busy server slowed past two cycles (50 ms here) is still out, and the others'
    fan-out would spend what is kept for the next. (Before: two cycles alone; in a
    simulated four-client job at a cap of 32 the keep lapsed 7 ms before a 130 ms page came
    back, and the listing waited for the next window: 2.66 s where it takes 2.07 s.)"""
    assert _kept_while_a_slow_page_is_out(0.15)
    assert not _kept_while_a_slow_page_is_out(0.2)  # two cycles and round trips: over


def test_a_listing_s_end_is_told_to_the_budget_s_other_clients_at_once() -> None:
    """Its last page back, a listing keeps nothing: the budget's other clients are told then,
    not on the lister's next take, which may never come (its fan-out done, the lister's
    keep held the others about 0.2 s, each window's end of the four-process benchmark)."""
    budget = LocalBudget()
    told: list[bool] = []

    async def main() -> None:
        lister = pacer(budget=budget)
        for remaining in (99, 98, 97):
            async with lister.sending(critical=True) as page:
                await trio.sleep(0.04)
                lister.observe(page, reading(remaining, 0.9))
            await trio.sleep(0.005)
        told.append(budget.take_now(now(), Rule()).listing)
        await lister.listing_ended()
        told.append(budget.take_now(now(), Rule()).listing)

    run_virtual(main)
    assert told == [True, False]


def _page_granted_after_the_reset(*, another_client_probes: bool) -> float:
    """A client of a shared budget lists: its first page's reading says the window is spent.
    Just past the reset, another client's fan-out has (or has not) taken a probe; then the
    next page is asked for. How long after the reset it is granted."""
    budget = LocalBudget()
    granted: list[float] = []

    async def main() -> None:
        lister = pacer(budget=budget)
        async with lister.sending(critical=True) as page:
            await trio.sleep(0.04)
            spent = reading(0, 0.5)
            lister.observe(page, spent)
        assert spent.reset_at is not None
        await trio.sleep(spent.reset_at - now() + 0.001)
        if another_client_probes:
            probe = budget.take_now(now(), Rule(reopen_at=spent.reset_at, limit=100))
            assert probe.guessed  # out, and unanswered while the page is asked for
        async with lister.sending(critical=True) as page:
            granted.append(now() - spent.reset_at)
            lister.observe(page, reading(98, 0.9))

    run_virtual(main)
    return granted[0]


def test_a_page_joins_a_probe_another_client_of_its_budget_has_out() -> None:
    """At a reopening a client's model still doubts (its first window's), the budget's other
    clients reach the reset first, their fan-out's probes out; the page waited for their
    answers, a round trip each window of the four-process benchmark's listing (about
    55 ms at both reopenings of a 2.2 s job). A page is one send: it may test the reopening
    beside theirs. (Before: it waited for the probe's answer, which never comes here: 60 s,
    the pacer's ``max_wait``; now it is granted at once, as with no probe out.)"""
    assert _page_granted_after_the_reset(another_client_probes=False) < 0.005
    assert _page_granted_after_the_reset(another_client_probes=True) < 0.005


@functools.cache
def _on_a_busy_server_shared_by_four(max_concurrency: int = 8) -> tuple[Run, ...]:
    """Four clients sharing one budget on a server slowed 1.5 ms a round trip by each request
    it holds, the first listing 30 pages beside the fan-out: six phases and seeds (the
    virtual clock makes every run the same)."""
    runs = []
    for delay in (0.0, 0.3, 0.6):
        for seed in (1, 2):
            runs.append(
                _four_on_one_key(
                    budget=LocalBudget(), delay=delay, seed=seed, max_concurrency=max_concurrency
                )
            )
    return tuple(runs)


def test_a_listing_is_kept_for_at_the_pace_its_pages_go_once_fan_out_stops() -> None:
    """While 32 chunks are out, the pages crawl (80-90 ms); once the window's fan-out is
    spent they go at 40 ms, and what was kept at the crawl ran out half way to the reset:
    the listing stalled there. Kept at the listing's brisk pace (its fastest lately), and
    only for pages that reach the server before the window is over, it stalls less. (Before:
    the chain took 2.22 s on average here, the job 2.28 s.)"""
    runs = _on_a_busy_server_shared_by_four()
    assert sum(run.chain_wall for run in runs) / len(runs) < 2.17


def test_clients_of_a_shared_budget_keep_what_a_listing_needs_out_between_them() -> None:
    """Four clients sharing a budget on a busy server, one listing: while it runs, what the
    rate and latency need in flight is the key's, counted over every client of the budget,
    whatever each one's cap, from what the budget told each of them within the last round
    trip (their sends are back by then). At max_concurrency=32 each filled its own 32 at
    every window's opening (the server held 37-57), the pages crawled behind them, and the
    job took 19 % longer than at 8. Counted together, 5 % longer; with counts no older than
    a round trip, no longer."""
    eight = _on_a_busy_server_shared_by_four()
    wide = _on_a_busy_server_shared_by_four(max_concurrency=32)
    assert sum(run.wall for run in wide) < 1.02 * sum(run.wall for run in eight)
    assert sum(run.chain_wall for run in wide) / len(wide) < 2.2


def test_a_listing_is_kept_for_up_to_a_round_trip_before_the_reset_the_server_gave() -> None:
    """Where the window's end is the reset the server gave (a shared budget), pages are kept
    for up to a round trip before it, without the margin a believed end needs; and the next
    page is counted from a brisk step after the last one's grant, not an average one slowed
    by the first burst. A page not kept for waits for the reset. (Before: the chain took
    2.14 s on average here; 2.12 s with only the brisk step, 2.00 s with only the reset.)"""
    runs = _on_a_busy_server_shared_by_four()
    assert sum(run.chain_wall for run in runs) / len(runs) < 1.98


def test_what_a_listing_kept_is_spent_as_soon_as_its_last_page_is_back() -> None:
    """The pager says when a listing's last page is back; the pacer no longer keeps budget
    for a next page until two of its cycles pass without one, and tells the other clients
    of the budget so. (Without that, and with the rest as it is: the jobs took 2.25 s on
    average here; now 2.18 s. Measured on the job, not on how long the fan-out goes on after
    the listing: the listing ends sooner than it did, and the windows do not.)"""
    runs = _on_a_busy_server_shared_by_four()
    assert sum(run.wall for run in runs) / len(runs) < 2.22


@pytest.mark.parametrize("delay", [0.1, 0.4, 0.7])
def test_no_page_is_kept_for_that_would_reach_the_server_after_the_window(delay: float) -> None:
    """300 requests are three 100-request windows to the last one: a request kept for a
    page that reaches the server after the window closed is lost to it, and the job takes a
    window longer. Pages are kept for only if they arrive before the reset by how much
    round trips vary, as well as the round trip. (Without that margin, at the listing's
    brisk pace: 3.14 s at each of these phases, with none refused.)"""
    run = job("fixed-first", requests=270, pages=30, seed=1, delay=delay)
    assert run.refused == 0
    assert run.wall < 2.9


@pytest.mark.parametrize("seed", [2, 3])
def test_no_page_is_kept_for_past_the_first_window_s_end_when_the_first_flight_was_slow(
    seed: int,
) -> None:
    """The first flight's round trips 100 ms longer than the rest (new connections), the
    extra time spent after the limiter counted them: the first window is believed to end
    that much later than it can. Pages are kept for only if they reach the server before
    the soonest it can end, or one is lost to the window and the job takes one more.
    (Before: 3.17 and 3.18 s; the benchmark's first-request row lost a window in half its
    runs, whose first answers took 112 ms against 52-87 ms.)"""
    run = job("fixed-first", requests=270, pages=30, seed=seed, load=0.0015, cold=0.1)
    assert run.refused == 0
    assert run.wall < 3.0


def test_a_page_is_kept_for_past_the_window_s_end_when_all_that_waits_fits_the_next() -> None:
    """150 requests, a first-request window of 100: what is still waiting near the first
    window's end fits in the next with room to spare, so a send the first one loses to a
    page kept for past its end costs nothing, and the page goes at once rather than wait for
    the reopening. (Before: 1.535, 1.571 and 1.577 s; the cursor chain on the benchmark took
    3 % longer.) With more waiting than the next window holds, the page that may come too
    late is not kept for (the test above)."""
    runs = [
        job("fixed-first", requests=120, pages=30, seed=seed, load=0.0015) for seed in (1, 2, 3)
    ]
    assert all(run.refused == 0 for run in runs)
    assert sum(run.wall for run in runs) / len(runs) < 1.54


def test_what_a_listing_was_left_is_spent_once_it_ends() -> None:
    """The reserve lapses with the listing: the windows after it are spent whole."""
    run = job("fixed-epoch", requests=995, pages=5)
    assert run.refused <= 2
    assert run.rate >= 0.97 * 100


@pytest.mark.parametrize("kind", ["moving", "token-bucket"])
def test_in_flight_fan_out_is_what_rate_and_latency_need(kind: str) -> None:
    """Little's law: a rate of 100 a second at 40 ms needs about 4 in flight, not 32; before
    any answer, nothing is known: a default client's 8 (each connection opened then stays).
    In the first second a bucket reads as a window: what it holds goes before its reset
    (about 150 a second, 13 in flight at twice the round trip). (Before: a bucket's first
    second read as a window of tens of milliseconds, and 19 went at once.)"""
    run = job(kind, requests=1000, max_concurrency=32)
    assert run.sends[:9] == [0.0] * 8 + [run.sends[8]]
    assert run.sends[8] > 0.0
    assert run.peak_in_flight <= 16
    assert run.peak_in_flight_later <= 12


def test_in_flight_follows_the_round_trip_without_queues() -> None:
    """A server slowed by what it holds answers slower; that is no reason to send more at a
    time (at a cap of 32 the listing's pages waited behind chunks at the server)."""
    model = LimiterModel()

    def answer(at: float, elapsed: float) -> None:
        model.answered(
            sent_at=at, now=at + elapsed, fresh=None, previous=None, rate_limit=None, guessed=False
        )

    for i in range(20):
        answer(START + i, 0.04 if i < 5 else 0.2)
    assert model.latency is not None
    assert model.latency > 0.15
    assert model.base_latency is not None
    assert model.base_latency < 0.07
    answer(START + 30, 0.03)
    assert model.base_latency == pytest.approx(0.03)  # a faster answer sets it at once


@pytest.mark.parametrize(("kind", "most_refused"), [("fixed-first", 2), ("fixed-epoch", 12)])
def test_others_spending_the_first_window_are_seen_before_it_closes(
    kind: str, most_refused: int
) -> None:
    """Four clients on one key, none knowing of the others, each spending the first window
    as fast as it can: the fall of ``remaining`` their own sends do not explain holds each
    back. (Before: 24 refused on the opened-by-first-request window, 29-33 on epoch ones.)"""
    run = job(kind, requests=300, clients=4)
    assert run.ok == 300
    assert run.refused <= most_refused


def test_a_share_of_the_window_stays_spent_past_a_reopening_only_believed_in() -> None:
    """Four clients on one key, none knowing of the others, one listing: each keeps to its
    part of the window until a reading shows the new one, not until the reopening it only
    tests for. (Before: at that instant all four spent what the last reading showed left,
    at once: 18 refused of 298.)"""
    run = job("fixed-epoch", requests=268, pages=30, clients=4)
    assert run.ok == 298
    assert run.refused <= 2


@pytest.mark.parametrize("seed", [1, 2])
def test_a_listings_first_page_out_keeps_its_next_from_a_wide_fan_out(seed: int) -> None:
    """Four clients on one key, none knowing of the others, at max_concurrency=32, one
    listing: the job starts just before a window opens. Before its second page is asked for
    (the first step of its pace), a round trip stands in for the pace: the listing's own
    fan-out leaves its next pages what they need. (Before: nothing was kept until then, the
    fan-out spent each window first, and the listing got a few pages a window: 3.2 and 5.8
    s, against 3.1 s now.)"""
    run = _four_on_one_key(max_concurrency=32, seed=seed, delay=0.6)
    assert run.ok == 300
    assert run.wall < 3.15


def test_what_others_left_of_a_window_is_spent_once_they_have_stopped() -> None:
    """Four clients on one key, none knowing of the others; three have 50 requests each, the
    fourth 30 pages and 120 more. Once the others have been quiet for a few round trips, the
    rest of the window is the fourth's; it no longer keeps to its part of it. (Before: it
    kept to its part until each window closed, and took 3.0-6.8 s over 4 seeds.)"""
    run = job("fixed-epoch", requests=[120, 50, 50, 50], pages=30)
    assert run.ok == 300
    assert run.refused == 0
    assert run.wall <= 2.8


@pytest.mark.parametrize(("seed", "delay"), [(1, 0.15), (2, 0.3)])
def test_a_client_past_its_part_reads_the_window_again_once_the_others_are_done(
    seed: int, delay: float
) -> None:
    """Four clients on one key, none knowing of the others and none listing: one has 210
    requests, the others 30 each. Once the three are done, the fourth is past its part of
    the window and sends nothing, so no answer could show it that they stopped: one send,
    once they have been quiet for a few round trips, reads the window again, and it spends
    what they left. (Before: it waited for the next window with half of this one unspent,
    2.80 and 3.57 s; now 2.52 and 2.37 s, none refused.)"""
    run = job("fixed-epoch", requests=[210, 30, 30, 30], seed=seed, delay=delay)
    assert run.ok == 300
    assert run.refused == 0
    assert run.wall < 2.6


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_client_past_its_part_spends_what_the_others_leave_of_the_last_window(seed: int) -> None:
    """Four clients on one key, none knowing of the others, starting half way into a
    window: the job needs all of three windows' budget. A client that has used its part of
    the last one takes what the readings show left beyond what the others spend a window
    until it is back, instead of waiting for a fourth. (Before: 3.18-3.23 s, a window more;
    now 2.39-2.42 s, none refused.)"""
    run = _four_on_one_key(delay=0.5, seed=seed)
    assert run.ok == 300
    assert run.refused == 0
    assert run.wall < 2.6


def test_a_listing_s_pages_go_on_what_a_shared_window_has_left_not_on_their_client_s_part() -> None:
    """Four clients on one key, none knowing of the others, at a cap of 32; the first lists
    30 pages beside its chunks. Its pages go on whatever the window has left, one at a time,
    not on its part of it: the part was a quarter of what the reading showed, so three left
    were none for the next page, and the listing waited for the next window while the
    others' parts went unspent. (Before: its listing took 3.08, 2.37 and 2.98 s at these
    phases; on the benchmark's four processes, 18 interleaved runs each, the job took
    2.55 s against 2.63 s at a cap of 8 and 2.62 s against 2.71 s at 32, with half the
    429s.)"""
    chains = [
        _four_on_one_key(delay=delay, seed=seed, max_concurrency=32).chain_wall
        for delay, seed in [(0.2, 3), (0.4, 3), (0.5, 1)]
    ]
    assert sum(chains) / len(chains) < 2.3


@pytest.mark.parametrize("delay", [0.3, 0.4, 0.5, 0.6])
def test_four_unseen_clients_at_a_cap_of_32_are_refused_no_more_than_at_8(delay: float) -> None:
    """Four clients on one key, none knowing of the others, with a cap of 32: until a window
    has closed and said who spent it, fan-out in flight grows with the answers (twice what
    came back), so each reading can tell of the others before the next step. (Before: each
    had its whole cap out on its first answer, 128 for what was left of 100: 13-64 refused
    at these phases, none at a cap of 8.)"""
    eight = job("fixed-epoch", requests=270, pages=30, clients=4, delay=delay)
    many = job("fixed-epoch", requests=270, pages=30, clients=4, max_concurrency=32, delay=delay)
    assert many.ok == eight.ok == 298  # 67 chunks a client and 30 pages
    assert many.refused <= eight.refused + 1


@pytest.mark.parametrize("shared", [False, True])
def test_a_client_whose_sends_are_gone_is_not_held_by_what_another_sent(shared: bool) -> None:
    """A moving window a consumer outside the client's budget spent whole: the reading
    counts none of the budget's sends, which all left more than a window ago, so none coming
    back frees it, and no answer is on its way to change that. It sends at the reading's
    reset (a window later on a shared budget, whose other clients bring answers of their
    own), and the answer decides. (Before: it waited ``max_wait``, 60 s.)"""
    waited: list[float] = []

    async def main() -> None:
        server, run = Server("moving", 100, 1.0), Run()
        budget = LocalBudget() if shared else None
        mine, theirs = pacer(max_wait=60.0, budget=budget), pacer()
        for _ in range(30):  # enough answers to measure how long a send counts
            await server.send(mine, run)
            await trio.sleep(0.02)
        await trio.sleep(1.5)
        async with trio.open_nursery() as nursery:
            for _ in range(100):
                nursery.start_soon(server.send, theirs, run)
        start = trio.current_time()
        await server.send(mine, run)
        waited.append(trio.current_time() - start)

    run_virtual(main)
    assert waited[0] < (3.5 if shared else 2.5)  # the reset is 1-2 s away


def test_other_consumers_of_the_key_are_left_their_share() -> None:
    """Four clients on one key, none knowing of the others."""
    run = job("fixed-epoch", requests=1600, clients=4)
    assert run.ok == 1600
    assert run.refused_share <= 0.03
    assert run.rate >= 0.85 * 100


# -- readings that cannot be right (issue 15) ---------------------------------------------------


def _after_a_bad_reading(bad: RateLimit) -> Run:
    """A job on an epoch window with one absurd reading injected after its first windows."""
    result = Run()

    async def main() -> None:
        server = Server("fixed-epoch", 100, 1.0)
        client = pacer()
        async with trio.open_nursery() as nursery:
            for _ in range(300):
                nursery.start_soon(server.send, client, result)
        # One answer with the bad headers, then the server is honest again.
        async with client.sending() as send:
            client.observe(send, bad)
        started = trio.current_time()
        async with trio.open_nursery() as nursery:
            for _ in range(300):
                nursery.start_soon(server.send, client, result)
        result.wall = trio.current_time() - started

    run_virtual(main)
    return result


def test_one_reset_23_hours_away_then_honest_headers_paces_normally_within_one_window() -> None:
    run = _after_a_bad_reading(RateLimit(limit=100, remaining=0, reset_at=START + 23 * 3600))
    assert run.wall < 4.0  # 300 requests at 100 a second: within a window of normal
    assert run.refused <= 3


def test_a_reset_in_milliseconds_is_ignored() -> None:
    run = _after_a_bad_reading(RateLimit(limit=100, remaining=3, reset_at=START * 1000))
    assert run.refused <= 3
    assert run.wall < 4.0


def test_a_reset_in_the_past_is_ignored() -> None:
    run = _after_a_bad_reading(RateLimit(limit=100, remaining=0, reset_at=START - 3600))
    assert run.refused <= 3
    assert run.wall < 4.0


class _HeldElsewhere:
    """A shared store whose budget another process holds until ``free_at``: until then it
    knows no time to wake at (the other process's answer will tell), and no answer of
    this client's comes to wake its waiting senders."""

    def __init__(self, free_at: float) -> None:
        self.free_at = free_at
        self.asked = 0

    async def take(self, now: float, rule: Rule, *, force: bool = False) -> Taken:
        self.asked += 1
        if force or now >= self.free_at:
            return Taken(self.asked)
        return Taken(None, math.inf)

    async def record(self, *args: object, **kwargs: object) -> tuple[bool, None]:
        return False, None

    async def throttle(self, *args: object, **kwargs: object) -> None:
        return None

    async def keep(self, *args: object, **kwargs: object) -> None:
        return None


def test_a_sender_on_a_shared_budget_asks_again_rather_than_wait_for_a_wake_up() -> None:
    # Before: a waiter nobody in its own process could wake waited max_wait (60 s) and then
    # went unasked-for (four processes on Redis, 63 s runs).
    budget = _HeldElsewhere(free_at=START + 2.0)
    admitted: list[float] = []

    async def main() -> None:
        client = pacer(budget=budget)
        async with client.sending() as send:
            admitted.append(trio.current_time())
            client.observe(send, None)

    run_virtual(main)
    assert 2.0 <= admitted[0] <= 2.0 + SHARED_POLL + 1e-9
    assert budget.asked <= 2.0 / SHARED_POLL + 3  # polled, not spun


class _AnsweredAfterARoundTrip:
    """An in-process ledger reached, like Redis, through a round trip on every take."""

    def __init__(self) -> None:
        self.ledger = LocalBudget()

    async def take(self, now: float, rule: Rule, *, force: bool = False) -> Taken:
        await trio.sleep(0.001)
        return self.ledger.take_now(now, rule, force=force)

    async def record(self, *args: Any, **kwargs: Any) -> tuple[bool, Reading | None]:
        return self.ledger.record_now(*args, **kwargs)

    async def throttle(self, *args: Any, **kwargs: Any) -> None:
        self.ledger.throttle_now(*args, **kwargs)

    async def keep(self, *args: Any, **kwargs: Any) -> None:
        self.ledger.keep_now(*args, **kwargs)


def test_senders_arriving_while_a_shared_store_answers_wait_for_a_slot() -> None:
    # Before: each sender found the slots free while the first take was on its way, and a
    # 30-chunk fan-out went at once in each of four processes (30 % of a job refused).
    inside: list[int] = []

    async def main() -> None:
        client = pacer(max_concurrency=3, budget=_AnsweredAfterARoundTrip())

        async def sender() -> None:
            async with client.sending() as send:
                inside.append(client.in_flight)
                await trio.sleep(0.04)
                client.observe(send, None)

        async with trio.open_nursery() as nursery:
            for _ in range(20):
                nursery.start_soon(sender)

    run_virtual(main)
    assert len(inside) == 20
    assert max(inside) == 3


class _Answered:
    """A :class:`LimiterModel` fed this client's sends one at a time, each answered 40 ms
    later with the reading given, as the freshest."""

    def __init__(self) -> None:
        self.model = LimiterModel()
        self._previous: Reading | None = None
        self._seq = 0

    def send(self, at: float, *, limit: int | None, remaining: int, reset_at: float) -> None:
        self._seq += 1
        self.model.sent(self._seq, at)
        fresh = Reading(self._seq, at, remaining, reset_at)
        self.model.answered(
            sent_at=at,
            now=at + 0.04,
            fresh=fresh,
            previous=self._previous,
            rate_limit=RateLimit(limit=limit, remaining=remaining, reset_at=reset_at),
            guessed=False,
        )
        self._previous = fresh


def test_a_moving_window_refilled_after_a_hold_is_not_taken_for_other_consumers() -> None:
    """After a 429 hold on a moving window, the whole limit is back at once, as a fixed
    window's would be; the answers under each of its ever-moving resets are not a window's
    tally, so they must not make the client think others spend the key (it kept 11 %)."""
    answered = _Answered()
    limit, window = 20, 1.0
    counted: list[float] = []  # when the server counted each send it still counts

    def send(at: float) -> None:
        while counted and counted[0] <= at - window:
            counted.pop(0)
        counted.append(at)
        reset_at = counted[0] + window + 0.25
        answered.send(at, limit=limit, remaining=limit - len(counted), reset_at=reset_at)

    for i in range(20):  # the limit spent, a little faster than it regenerates
        send(START + 0.03 * i)
    for i in range(30):  # then as it regenerates: requests come back one by one
        send(START + 1.0 + 0.05 * i)
    assert answered.model.rolling
    send(START + 4.0)  # after a long hold: the whole limit is back at once
    assert answered.model.share() == 1.0


def test_what_others_spent_of_the_first_windows_is_kept_for_them_whole() -> None:
    """The first window closed (and the first whose start is known) is all there is to
    remember: what others spent of it is not blended with the nothing before (which kept
    them 30 % of their share, and 70 % of the rate they spend at, the next window)."""
    answered = _Answered()
    for second in range(3):  # each window: 25 sends of this client, 75 of others
        for i in range(25):
            at = START + second + 0.02 * i
            answered.send(at, limit=100, remaining=100 - 4 * (i + 1), reset_at=START + second + 1)
    model = answered.model
    assert model.share() == pytest.approx(0.25, abs=0.01)
    # Others spent 75 over the window's second (its start known from the second window on).
    assert model.rule.others_rate == pytest.approx(75, rel=0.05)


def test_a_log_whose_reset_is_whole_seconds_is_spent_as_its_requests_come_back() -> None:
    """A moving window of 100 a second whose reset is its oldest request's expiry rounded
    up to a whole second (a log written from the docs): requests come back under one reset
    before it moves, and are spent then. 300 requests within 30 % of the 2.5 s the limiter
    allows (3.19 s), with at most one 429. (Before: 4.14 s, each second's requests waited
    for to the reset's second.)"""
    run = job("moving", requests=300, whole_log=True)
    assert run.ok == 300
    assert run.refused <= 1
    assert run.wall < 2.5 * 1.3


def test_a_bucket_whose_reset_is_when_it_is_full_again_is_not_taken_for_no_headers() -> None:
    """A bucket of 600 a minute whose reset is when it is full again, a minute on once it
    is spent: its first readings looked like a moving window of about a second, and resets
    further than a few of those were taken for readings that cannot be right, as if the
    answers had no headers. Answer after answer saying so, the measure is wrong, not the
    resets. (Before, seeds 0-2: 42, 32 and 47 429s in 2,000 requests, the rate found from
    them; now 5, 0 and 5.)"""
    run = job("token-bucket", requests=2000, limit=600, window=60.0, full_reset=True)
    assert run.ok == 2000
    assert run.refused <= 10
    assert run.wall < 140 * 1.02


def test_resets_that_move_on_with_the_clock_within_a_window_are_the_window_s_first() -> None:
    """A server that writes ``now + window`` as every answer's reset: a fixed window of 600
    a minute, spent in three seconds, gave resets a second apart as the count only fell.
    They are one window's, and it is back by the first of them. (Before: each reset's
    answers were tallied as a window of their own, so when the next window opened, only
    those under the last reset were this client's and the rest other consumers', a share of
    12 %; and the window was waited for to its last reset, 3 s late.)"""
    answered = _Answered()
    for i in range(600):
        at = START + 0.005 * i
        answered.send(at, limit=600, remaining=599 - i, reset_at=float(math.ceil(at + 60)))
    model = answered.model
    first_reset = float(math.ceil(START + 60))
    reopen_at = model.rule.reopen_at
    assert reopen_at is not None
    assert reopen_at <= first_reset
    at = first_reset + 0.1
    answered.send(at, limit=600, remaining=599, reset_at=float(math.ceil(at + 60)))
    assert model.share() == 1.0


def test_a_window_of_a_second_whose_reset_moves_on_with_the_clock_is_tested_by_its_first() -> None:
    """A window of 100 a second opened by the first request, behind a server whose every
    reset is ``now + 1``: the reset moves on a second while the window is spent, and the
    test of whether it is rounded up (a probe a whole second after the opening send) is of
    the first reset the window gave, not the one it moved on to. (Before, seed 1: the test
    was dropped and each window waited for to its last reset, 300 requests in 4.0 s where
    2.5 s is possible; now 3.2 s.)"""
    run = job("fixed-first", requests=300, drifting=True, seed=1, delay=0.2)
    assert run.ok == 300
    assert run.refused == 0
    assert run.wall < 3.4


def test_a_server_writing_now_plus_its_window_as_the_reset_is_paced_by_its_window() -> None:
    """A fixed window of 600 a minute (opened by the first request, and epoch-aligned)
    behind a server whose every reset is ``now + 60``: 2,000 requests end within 2 % of
    the 181 s the limiter allows, without a 429. (Before: 250 s, a third of each window
    kept for other consumers who were not there.)"""
    for kind in ("fixed-first", "fixed-epoch"):
        run = job(kind, requests=2000, limit=600, window=60.0, drifting=True)
        assert run.ok == 2000
        assert run.refused == 0
        assert run.wall < 181 * 1.02


def test_others_speeding_up_are_counted_at_their_pace_now_not_their_average() -> None:
    """Other processes start a window slowly and speed up as their answers come back: what
    they spend while this client's sends are on their way is their pace of the last round
    trip, not their average since the window opened (taken at that average, four processes
    spent the end of the first window twice over, a 429 a run for each)."""
    answered = _Answered()
    edge = math.ceil(START)

    def theirs(after: float) -> float:  # 50 a second for 0.1 s, then 400 a second
        return 50 * min(after, 0.1) + 400 * max(after - 0.1, 0.0)

    for i in range(25):
        after = 0.01 * i
        remaining = 100 - (i + 1) - math.floor(theirs(after))
        answered.send(edge + after, limit=100, remaining=remaining, reset_at=edge + 1.0)
    average = theirs(0.24) / 0.24
    assert average < 260
    assert answered.model.rule.others_rate > 340


def test_others_are_watched_for_after_a_first_flight_counted_across_a_window_s_end() -> None:
    """A job's first flight leaves just before a window's end: one answer is counted in the
    old window, the next in the new one with a little more left, under a reset a window
    later, as a rolling limiter's request come back reads. Until a window has closed, that
    is no reason to stop watching for others spending the key: four uncoordinated clients
    at a cap of 32 each went on doubling their sends and spent a window twice over (51
    429s in one simulated job; 52 in 30 jobs, 17 now; at a cap of 8, 17 and 1)."""
    answered = _Answered()
    edge = math.ceil(START)
    answered.send(edge - 0.01, limit=100, remaining=97, reset_at=edge)
    answered.send(edge - 0.01, limit=100, remaining=97, reset_at=edge + 1.0)
    assert answered.model.rolling  # as far as two readings tell
    for i in range(10):  # others spend 4 for each of this client's sends
        at = edge + 0.05 + 0.01 * i
        answered.send(at, limit=100, remaining=96 - 5 * (i + 1), reset_at=edge + 1.0)
    assert answered.model.others_now


def test_others_spending_less_is_believed_at_once() -> None:
    """Once the other processes of a job are done, the one left spends the whole window
    from the next on (it finished at their share, a window at a time)."""
    answered = _Answered()
    opens = math.ceil(START)  # whole-second windows
    for second in range(4):  # others spend 75 of each window, then stop
        theirs = 3 if second < 3 else 0
        for i in range(25):
            at = opens + second + 0.02 * i
            remaining = 100 - (theirs + 1) * (i + 1)
            answered.send(at, limit=100, remaining=remaining, reset_at=opens + second + 1)
        if second == 2:
            assert answered.model.share() == pytest.approx(0.25, abs=0.01)
    answered.send(opens + 4.0, limit=100, remaining=99, reset_at=opens + 5)
    assert answered.model.share() == 1.0


def test_a_send_that_waited_before_it_was_counted_does_not_shorten_a_moving_window() -> None:
    """A send whose round trip took longer than the fastest may have left (or been counted)
    that much later: a moving window measured from when it was granted came out short, and
    requests went again before they had come back (a 429 and a second's hold each)."""
    model = LimiterModel()
    previous: Reading | None = None
    seq = 0

    def send(at: float, took: float, remaining: int) -> None:
        nonlocal previous, seq
        seq += 1
        model.sent(seq, START + at)
        reset_at = START + at + 1.25  # slowapi's fractions
        fresh = Reading(seq, START + at, remaining, reset_at)
        model.answered(
            sent_at=START + at,
            now=START + at + took,
            fresh=fresh,
            previous=previous,
            rate_limit=RateLimit(limit=20, remaining=remaining, reset_at=reset_at),
            guessed=False,
        )
        previous = fresh

    first = [0.03 * i for i in range(20)]  # a moving window of 20 a second, spent at once
    for i, at in enumerate(first):
        send(at, 0.04, 19 - i)
    again = [1.00, 1.03, 1.06]  # then a second round: the last one counted 60 ms late
    for k, at in enumerate(again):
        late = 0.06 if k == 2 else 0.0
        alive = [s for s in first if s > at + late - 1.0] + again[: k + 1]
        send(at, 0.04 + late, 20 - len(alive))
    window = model.window()
    assert window is not None
    assert window >= 1.0  # before: 0.97


def test_a_window_opened_after_one_little_spent_is_still_a_window() -> None:
    """A job starting late in an epoch window spends only part of it; the next window's
    first reading gives back less than half the limit, but all of it: a window, not a
    rolling limiter (which it was taken for, and paced at a trickle of a refill rate)."""
    answered = _Answered()
    edge = math.ceil(START)  # resets are whole seconds
    for seq in range(1, 31):  # 30 sends in the last 0.3 s of the window ending at the edge
        answered.send(edge - 0.3 + 0.01 * seq, limit=100, remaining=100 - seq, reset_at=edge)
    # The first answer from the next window.
    answered.send(edge + 0.02, limit=100, remaining=99, reset_at=edge + 1.0)
    model = answered.model
    assert not model.rolling
    assert model.rule.refill is None
    assert model.rule.reopen_at is not None
    assert model.rule.reopen_at <= edge + 1.0


def test_a_window_others_spent_much_of_before_its_first_reading_is_still_a_window() -> None:
    """A job's first flight straddles two epoch windows on a key other processes share: of
    five sends that left together, four were counted in the old window and one in the new,
    which others had spent of already. Eight back between two sends that left at once is
    more than any refill of 100 a second brings in a round trip: a window opened, not a
    rolling limiter (which it was taken for, and its fan-out paced as one)."""
    answered = _Answered()
    edge = math.ceil(START)
    for remaining in (99, 97, 94, 91):  # the old window, others' sends among these
        answered.send(edge - 0.03, limit=100, remaining=remaining, reset_at=edge)
    answered.send(edge - 0.03, limit=100, remaining=98, reset_at=edge + 1.0)
    model = answered.model
    assert not model.rolling
    assert model.windowed


def test_a_few_answers_out_of_order_are_no_steady_refill() -> None:
    """A moving window gives nothing back in its first second, but an answer that overtook
    two others reads as two back. That is not a refill of four a second (believed, it sent
    guesses that drew 429s, each holding every sender a second)."""
    answered = _Answered()
    for i in range(40):
        overtook = 2 if i % 10 == 5 else 0
        answered.send(
            START + 0.015 * i, limit=100, remaining=99 - i + overtook, reset_at=START + 1.25
        )
    assert answered.model.rolling
    assert answered.model.rule.refill is None
    assert not answered.model._refill_rate()  # measured as none, not as 4 a second


def test_without_headers_the_cap_opens_once_answers_show_no_limit() -> None:
    """No headers and no 429: 8 at a time until 100 answers came back, then the cap."""
    run = job("headerless", requests=1000, limit=1_000_000, max_concurrency=32)
    assert run.refused == 0
    assert run.peak_in_flight == 32
    assert run.sends[:9] == [0.0] * 8 + [run.sends[8]]
    # Eight at a time, 40 ms each, for the first hundred (32 at a time: ~0.15 s).
    assert run.sends[99] >= 12 * 0.04 * 0.9


def test_fan_out_kept_back_for_a_listing_goes_the_moment_the_listing_ends() -> None:
    """What a running listing's next pages need is kept out of what the reading shows left,
    and the client's own fan-out waits behind it; told the listing ended (its last page
    back), the waiting fan-out goes at once, not when it next asks (a listing's cycle later)."""
    granted: list[float] = []
    ended: list[float] = []

    async def chunk(client: Pacer) -> None:
        async with client.sending() as send:
            granted.append(now())
            client.observe(send, reading(3, 9.0))

    async def main() -> None:
        client = pacer()
        async with trio.open_nursery() as nursery:
            for remaining in (6, 5, 4):  # 40 ms a page; the reset 10 s away: all kept
                async with client.sending(critical=True) as page:
                    await trio.sleep(0.04)
                    client.observe(page, reading(remaining, 10.0))
            nursery.start_soon(chunk, client)
            await trio.sleep(0.01)
            assert not granted
            ended.append(now())
            await client.listing_ended()

    run_virtual(main)
    assert granted == ended


def test_a_sender_queued_behind_a_shared_store_s_refusal_asks_again_when_it_is_back() -> None:
    """One slot, a shared store a round trip away, the window spent: the first sender's take
    is refused while a second waits for the slot. The slot is free again once the answer is
    in: the second is told then and asks in turn (else nothing would ever wake it, with
    nothing out), and both go once the window is back."""
    granted: list[float] = []
    back_at: list[float] = []

    async def main() -> None:
        client = pacer(max_concurrency=1, budget=_AnsweredAfterARoundTrip())
        async with client.sending() as send:
            await trio.sleep(0.04)
            spent = reading(0, 0.5)
            assert spent.reset_at is not None
            back_at.append(spent.reset_at)
            client.observe(send, spent)

        async def sender() -> None:
            async with client.sending() as send:
                granted.append(now())
                await trio.sleep(0.04)
                client.observe(send, reading(98, 1.5))

        with trio.fail_after(10):
            async with trio.open_nursery() as nursery:
                nursery.start_soon(sender)
                nursery.start_soon(sender)

    run_virtual(main)
    assert len(granted) == 2
    assert min(granted) >= back_at[0]


def test_a_sender_in_line_is_refused_at_its_deadline_whoever_left_the_line_before() -> None:
    """The one slot out for good; in line for it: a sender whose deadline is 5 s away, one
    with none (its caller gives up at 0.1 s), and one whose deadline is 0.6 s away. The
    last is refused at its deadline, not when it reaches the head 5 s later: the line keeps
    count of who in it has a deadline, through senders with and without one leaving."""
    refused: list[float] = []
    scopes: list[trio.CancelScope] = []

    async def main() -> None:
        client = pacer(max_concurrency=1)
        start = now()

        async def out_for_good() -> None:
            async with client.sending():
                await trio.sleep_forever()

        async def gives_up() -> None:
            with trio.CancelScope() as scope:
                scopes.append(scope)
                async with client.sending():
                    pass

        async def waits(until: float) -> None:
            try:
                async with client.sending(until=until):
                    pass
            except PastDeadline:
                refused.append(now() - start)

        async with trio.open_nursery() as nursery:
            nursery.start_soon(out_for_good)
            await trio.sleep(0.001)
            nursery.start_soon(waits, start + 5.0)
            await trio.sleep(0.001)
            nursery.start_soon(gives_up)
            await trio.sleep(0.001)
            nursery.start_soon(waits, start + 0.6)
            await trio.sleep(0.1)
            scopes[0].cancel()
            await trio.sleep(1.0)
            nursery.cancel_scope.cancel()

    run_virtual(main)
    assert refused == [pytest.approx(0.6)]


def test_a_listing_s_first_page_out_keeps_its_next_pages_from_the_client_s_fan_out() -> None:
    """The listing's first page is out and no second asked for yet, so its pace is not
    known: a round trip stands in for it, and what the next pages need until the window is
    back is kept from the client's fan-out all the same (six left, a page every 40 ms, the
    reset half a second away or more: all of it kept)."""
    granted: list[float] = []

    async def main() -> None:
        client = pacer()
        for remaining in (9, 8):  # two chunks answered: the round trip is known
            async with client.sending() as send:
                await trio.sleep(0.04)
                client.observe(send, reading(remaining, 0.5))

        async def page() -> None:
            async with client.sending(critical=True) as send:
                await trio.sleep(0.04)
                client.observe(send, reading(7, 0.5))

        async def chunk() -> None:
            async with client.sending() as send:
                granted.append(now())
                client.observe(send, reading(6, 0.5))

        async with trio.open_nursery() as nursery:
            nursery.start_soon(page)
            await trio.sleep(0.001)
            with trio.move_on_after(0.03):
                await chunk()

    run_virtual(main)
    assert not granted


def test_a_limit_the_headers_leave_out_is_one_more_than_the_most_ever_left() -> None:
    """Without a limit header, the most ``remaining`` ever read, and one more spent, is the
    least the limit can be; a reading that shows more left than a limit sent before raises
    it (a key moved to a bigger plan)."""
    answered = _Answered()
    reset_at = math.ceil(START) + 1.0
    answered.send(START, limit=None, remaining=9, reset_at=reset_at)
    assert answered.model.limit == 10
    answered.send(START + 0.01, limit=None, remaining=8, reset_at=reset_at)
    assert answered.model.limit == 10
    answered.send(START + 2.0, limit=10, remaining=49, reset_at=reset_at + 2.0)
    assert answered.model.limit == 50


def test_a_bucket_s_steady_refill_is_measured_and_becomes_the_rule() -> None:
    """A token bucket (100, refilled at 100 a second) spent down in a tenth of a second,
    then sent on at its refill: what came back over half a second and more, beyond this
    client's sends, is its rate, and the client paces on it (steadily: the reset is in
    whole seconds)."""
    clock = [START]
    bucket = make_limiter("token-bucket", 100, 1.0, lambda: clock[0])
    answered = _Answered()
    for i in range(250):
        clock[0] = START + (0.001 * i if i < 100 else 0.1 + 0.01 * (i - 100))
        headers = {k.lower(): v for k, v in bucket.hit("key").headers().items()}
        rate_limit = parse_rate_limit(headers, now=clock[0])
        assert rate_limit is not None
        answered.send(
            clock[0],
            limit=rate_limit.limit,
            remaining=rate_limit.remaining,
            reset_at=rate_limit.reset_at,
        )
    assert answered.model.rolling
    assert answered.model.rule.refill == pytest.approx(100, rel=0.1)
    assert answered.model.rule.steady


def test_a_hold_longer_than_the_policy_honours_ends_for_senders_that_came_later_too() -> None:
    """A 429 asks for an hour; the policy honours a minute. The hold itself ends then, so a
    sender that comes half way through goes at the minute, not a whole ``max_wait`` after it
    came."""
    when: list[float] = []

    async def main() -> None:
        client = pacer(max_wait=60.0)
        async with client.sending() as send:
            client.rate_limited(send, 3600.0)
            client.observe(send, None)
        await trio.sleep(30.0)
        async with client.sending() as send:
            when.append(trio.current_time())
            client.observe(send, None)

    run_virtual(main)
    assert when == [pytest.approx(60.0)]


def test_a_spent_window_with_no_usable_reset_is_tried_again_a_second_later() -> None:
    """The budget is spent and its reset says nothing that still holds (already past): it is
    believed back a window later (a second, before one is measured), one probe at a time,
    not at once."""
    model = LimiterModel()
    model.sent(1, START)
    model.answered(
        sent_at=START,
        now=START + 0.04,
        fresh=Reading(1, START, 0, None),
        previous=None,
        rate_limit=RateLimit(limit=100, remaining=0, reset_at=START - 5.0),
        guessed=False,
    )
    assert model.rule.reopen_at == pytest.approx(START + 1.0, abs=1e-6)
    assert model.rule.guesses == 1


def test_a_probe_answered_from_a_new_window_bounds_the_window_s_length() -> None:
    """A window opened by its first request, its reset rounded up to whole seconds: a probe
    sent where the window could first be over, and answered from a new one, says the window
    is no longer than from its opening to the probe. (Bounded only by the rounded-up resets,
    it was taken for 1.49 s long.)"""
    measured: list[float | None] = []

    async def main() -> None:
        server, run = Server("fixed-first", 100, 1.0), Run()
        client = pacer()
        async with trio.open_nursery() as nursery:
            for _ in range(350):
                nursery.start_soon(server.send, client, run)
        measured.append(client._model.window())

    run_virtual(main)
    assert measured[0] is not None
    assert 1.0 <= measured[0] < 1.1


def test_a_shared_budget_s_clients_hold_no_more_out_together_than_a_listing_needs() -> None:
    """Four clients of one budget at the default cap, one listing: while it runs, what they
    have out together is what the key's rate and latency need, not four times the cap each
    may fill. (Counted per client, the busy server held all 32 after the first second in
    every run, 21 on average counted together, and the pages crawled behind them: the chain
    took 1.86 s on average, 1.72 s now.)"""
    runs = _on_a_busy_server_shared_by_four()
    assert sum(run.peak_in_flight_later for run in runs) / len(runs) < 26
    assert sum(run.chain_wall for run in runs) / len(runs) < 1.8


def test_answers_overtaking_one_another_on_a_large_window_are_not_other_consumers() -> None:
    """Alone on a key of 1,000 a window, with answers that overtook one another: a reading
    may show up to a dozen more spent than this client's answered sends explain. That is
    the order they were counted in, not another consumer (the noise scales with the
    limit: 3 % of it, 30 here); taken for one, it held the client to a share."""
    answered = _Answered()
    reset_at = math.ceil(START) + 10.0
    for i in range(198):  # the last reading is one that shows a dozen more
        # Counted out of order: each reading is off by up to 12 either way.
        counted = i + 1 + (12 if i % 5 == 2 else -min(i, 12) if i % 5 == 4 else 0)
        answered.send(START + 0.02 * i, limit=1000, remaining=1000 - counted, reset_at=reset_at)
    assert not answered.model.others_now


def test_fan_out_on_a_shared_budget_tests_a_believed_reopening_one_probe_at_a_time() -> None:
    """A shared budget's window is spent; where this client believes it could be back
    (before the reset the server rounded up), one fan-out send tests it, and the rest wait
    for its answer: five at once would be five 429s if the belief were wrong. (A page may
    join the probes; fan-out may not.)"""
    granted: list[float] = []

    async def main() -> None:
        client = pacer(budget=LocalBudget())
        async with client.sending() as send:
            await trio.sleep(0.04)
            client.observe(send, reading(0, 0.5))

        async def chunk() -> None:
            async with client.sending() as send:
                granted.append(now())
                await trio.sleep(0.04)
                client.observe(send, reading(50, 1.5))

        async with trio.open_nursery() as nursery:
            for _ in range(5):
                nursery.start_soon(chunk)

    run_virtual(main)
    assert len(granted) == 5
    assert granted.count(granted[0]) == 1
    assert granted[1] >= granted[0] + 0.04


@pytest.mark.parametrize("delay", [0.3, 1.1])
def test_a_reset_two_tests_found_exact_is_taken_as_exact(delay: float) -> None:
    """An epoch-aligned window of 2 s: its whole-second reset reads like one rounded up, and
    the window may have opened with this client's first send, a whole number of seconds
    long. That is tested, refused twice, and then the reset is taken as exact. (Tested
    every window instead, 8 or 9 of a 1,000-request job's sends were refused.)"""
    run = job("fixed-epoch", requests=1000, window=2.0, delay=delay)
    assert run.ok == 1000
    assert run.refused <= 2
