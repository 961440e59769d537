"""A key's budget shared through Redis by every process and machine that uses the key.

Each of the ledger's three steps (take, record, throttle) is one Lua script, so it runs
atomically in Redis whatever the number of senders: two processes never both take the last
request of a window. The arithmetic is the in-process ledger's (``_local.py``), step for step.
Times are the callers' Unix clocks; machines sharing a key should keep theirs in sync (NTP).
"""

from __future__ import annotations

import math
from types import TracebackType
from typing import Any, Self

from creatorsdk._engine.checks import positive_arg
from creatorsdk._engine.pacing.readings import RateLimit, usable_reset
from creatorsdk.budgets._ledger import (
    CUBIC_BETA,
    CUBIC_RECOVERY,
    CUBIC_RECOVERY_LONGEST,
    CUBIC_RECOVERY_SENDS,
    MIN_RATE,
    MOST_COUNTED,
    TIED,
    TRIP_MARGIN,
    Keep,
    Reading,
    Rule,
    Taken,
)
from creatorsdk.errors import InvalidArgumentError

try:
    from redis.asyncio import Redis
except ImportError as error:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "RedisBudget needs the redis extra: pip install 'creatorsdk[redis]'"
    ) from error

__all__ = ["RedisBudget"]

#: Send times kept for what comes back later (at least; longer when a rule needs them).
_KEEP_SECONDS = 10.0

_COMMON = """
local function num(v)
  if v == nil or v == false or v == '' then return nil end
  return tonumber(v)
end
local function f(x)
  return string.format('%.17g', x)
end
local function expire(ttl)
  for _, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ttl) end
end
"""

#: CUBIC's rate (``cubic_rate``), once ``beta``, ``recovery`` and ``min_rate`` are read.
_CUBIC = f"""
local recovery_sends, recovery_longest = {CUBIC_RECOVERY_SENDS}, {CUBIC_RECOVERY_LONGEST!r}
local function cubic(elapsed, peak, climb)
  if elapsed <= climb then
    return math.max(min_rate, peak - peak * (1 - beta) * (1 - elapsed / climb) ^ 3)
  end
  return peak + peak * (1 - beta) * ((elapsed - climb) / recovery) ^ 3
end
"""

_TAKE = (
    _COMMON
    + f"local most_counted = {MOST_COUNTED}\n"
    + """
local now = tonumber(ARGV[1])
local force = ARGV[2] == '1'
local reopen_at, sure_at, limit = num(ARGV[3]), num(ARGV[4]), num(ARGV[5])
local window, counted_for = num(ARGV[6]), num(ARGV[7])
local guesses, share, interval = tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10])
local slack, refill, others_rate = tonumber(ARGV[11]), num(ARGV[12]), tonumber(ARGV[13])
local keep, ttl = tonumber(ARGV[14]), tonumber(ARGV[15])
local beta, recovery, min_rate = tonumber(ARGV[16]), tonumber(ARGV[17]), tonumber(ARGV[18])
local reserve, kept, kept_until = tonumber(ARGV[19]), num(ARGV[20]), num(ARGV[21])
local steady, trip_margin = ARGV[22] == '1', tonumber(ARGV[23])
local probe_at = num(ARGV[24])
local state, log, out, guessing = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local inf = math.huge
"""
    + _CUBIC
    + """

local s = redis.call('HMGET', state, 'seq', 'r_seq', 'r_sent', 'r_rem',
  'paused_until', 'next_at', 'cut_at', 'peak', 'kept', 'kept_until', 'r_answered',
  'l_rem', 'l_answered', 'climb')
local seq = tonumber(s[1]) or 0
local r_seq, r_sent, r_rem = num(s[2]), num(s[3]), num(s[4])
-- What came back by the time the reading may have been taken may be in it already.
local as_of = num(s[11]) or r_sent
if refill and num(s[12]) then
  -- A steady refill: the latest answer's count, not the lowest under its reset.
  r_rem, as_of = num(s[12]), num(s[13])
end
local paused_until, next_at = tonumber(s[5]) or 0, tonumber(s[6]) or 0
local cut_at, peak = num(s[7]), tonumber(s[8]) or 0
-- Whether another client's listing keeps some of the budget now, and how many sends of all
-- the clients are out (told on every answer).
local elsewhere, busy = 0, redis.call('ZCARD', out)
if kept then
  -- This client's listing keeps them: it tells the others, and may spend them itself.
  redis.call('HSET', state, 'kept', kept, 'kept_until', f(kept_until))
elseif now < (tonumber(s[10]) or 0) then
  reserve = math.max(reserve, tonumber(s[9]) or 0)
  elsewhere = 1
end
local need = 1 + reserve

local function grant(spacing, guessed)
  seq = seq + 1
  redis.call('HSET', state, 'seq', seq)
  redis.call('HSETNX', state, 'first_at', f(now))
  redis.call('ZADD', log, now, seq)
  redis.call('ZADD', out, seq, seq)
  if guessed then redis.call('ZADD', guessing, seq, seq) end
  if spacing > 0 then
    redis.call('HSET', state, 'next_at', f(math.max(next_at, now) + spacing))
  end
  local old = redis.call('ZCOUNT', log, '-inf', '(' .. f(now - keep))
  if limit then
    old = math.min(old, redis.call('ZCARD', log) - math.min(limit, most_counted))
  end
  if old > 0 then redis.call('ZREMRANGEBYRANK', log, 0, old - 1) end
  expire(ttl)
  return {seq, '0', guessed and 1 or 0, elsewhere, busy}
end

if force then return grant(0, false) end
if now < paused_until then return {-1, f(paused_until), 0, elsewhere, busy} end
local spacing = interval
if cut_at then
  local rate = cubic(math.max(now - cut_at, 0), peak, num(s[14]) or recovery)
  spacing = math.max(interval, 1 / rate)
end
if spacing > 0 and now < next_at then return {-1, f(next_at), 0, elsewhere, busy} end

local function returned(spare)
  local wake = inf
  if reopen_at and r_sent < reopen_at then
    if now >= reopen_at then
      local whole = limit or (r_rem + 1)
      local since = redis.call('ZCOUNT', log, f(reopen_at), '+inf')
      return math.floor(whole * share) - since, inf
    end
    wake = reopen_at
  end
  if refill and refill > 0 then
    -- The reading's round trip: the lesser of a steady refill and the sends made meanwhile.
    local credit = 0
    if steady then
      local trip = refill * math.max(as_of - r_sent, 0)
      local sent = redis.call('ZCOUNT', log, '(' .. f(r_sent), '(' .. f(as_of))
      credit = math.max(math.min(sent, trip) - trip_margin, 0)
    end
    local needed = need - spare - credit
    spare = spare + math.floor(credit + math.max(now - as_of - slack, 0) * refill)
    if spare < need then wake = math.min(wake, as_of + slack + needed / refill + 1e-6) end
  end
  if window then
    local low = as_of - (counted_for or window) + slack
    local from, inclusive = '(' .. f(low), false
    if limit and limit > r_rem then
      -- It counted limit - remaining sends at most: none sent before the first of those.
      local first = redis.call('ZSCORE', log, string.format('%d', r_seq - (limit - r_rem) + 1))
      if first and tonumber(first) > low then
        low, from, inclusive = tonumber(first), first, true
      end
    end
    local high = now - window
    local some = high > low or (inclusive and high == low)
    if some then
      spare = spare + redis.call('ZCOUNT', log, from, f(high))
    end
    if spare < need then
      local after = from
      if some then after = '(' .. f(high) end
      local next = redis.call('ZRANGEBYSCORE', log, after,
        '+inf', 'WITHSCORES', 'LIMIT', string.format('%d', need - 1 - spare), 1)
      if next[2] then wake = math.min(wake, tonumber(next[2]) + window) end
    end
  end
  return spare, wake
end

local guessed = false
if r_seq then
  local unsure = seq - r_seq + redis.call('ZCOUNT', out, '-inf', '(' .. f(r_seq))
  local remaining = r_rem
  if others_rate > 0 then
    remaining = remaining - math.ceil(others_rate * math.max(now - r_sent, 0))
  end
  local spare = math.floor(math.max(remaining, 0) * share) - unsure
  local believed = spare < need
  if believed then
    local back, wake = returned(spare)
    if back < need then
      -- One send may go at probe_at on the limiter's own word, one at a time.
      if not probe_at or reserve > 0 or redis.call('ZCARD', guessing) > 0 then
        return {-1, f(wake), 0, elsewhere, busy}
      end
      if now < probe_at then return {-1, f(math.min(wake, probe_at)), 0, elsewhere, busy} end
    end
    -- A probe, unless one is out, or the reading still shows what a listing keeps.
    if not (sure_at and now >= sure_at) and (redis.call('ZCARD', guessing) >= guesses
        or (guesses == 1 and spare >= 1)) then
      return {-1, f(sure_at or inf), 0, elsewhere, busy}
    end
    guessed = true
  end
end
return grant(spacing, guessed)
"""
)

_RECORD = (
    _COMMON
    + f"local tied = {TIED!r}\n"
    + """
local seq, sent_at, now = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local refused, guessed = ARGV[4] == '1', ARGV[5] == '1'
local has_reading, remaining, reset = ARGV[6] == '1', tonumber(ARGV[7]), ARGV[8]
local ttl = tonumber(ARGV[9])
local state, log, out, guessing = KEYS[1], KEYS[2], KEYS[3], KEYS[4]

redis.call('ZREM', out, seq)
if guessed then redis.call('ZREM', guessing, seq) end
local s = redis.call('HMGET', state, 'paused_until', 'paused_by',
  'r_seq', 'r_sent', 'r_rem', 'r_reset', 'r_answered', 'cut_seq', 'cut_taken')
if not refused and s[9] ~= '1' and seq > (tonumber(s[8]) or 0) then
  redis.call('HSET', state, 'cut_taken', '1')
end
if refused then
  redis.call('ZREM', log, seq)
elseif seq > (tonumber(s[2]) or 0) and now < (tonumber(s[1]) or 0) then
  redis.call('HSET', state, 'paused_until', '0')
end
local previous = {s[3] or '', s[4] or '', s[5] or '', s[6] or '', s[7] or ''}
if not has_reading then
  -- Sent after the reading's window ended, and let through without a count: the server no
  -- longer reports one, and the old count is no budget of any window now. (A 429 without
  -- one says nothing of it: some servers write their counts on successes only.)
  local r_reset = num(s[6])
  if not refused and r_reset and tonumber(sent_at) > r_reset then
    redis.call('HDEL', state, 'r_seq', 'r_sent', 'r_rem', 'r_reset', 'r_answered', 'l_rem',
      'l_answered')
  end
  return {0, previous}
end
local r_seq, r_rem = num(s[3]), num(s[5])
local same_window = reset ~= '' and s[6] and s[6] ~= '' and tonumber(reset) == tonumber(s[6])
if r_seq and seq <= r_seq then
  if same_window and remaining < r_rem then redis.call('HSET', state, 'r_rem', remaining) end
  -- Its count is the latest only if lower (higher, it was counted before the reading's).
  if remaining < (num(redis.call('HGET', state, 'l_rem')) or r_rem) then
    redis.call('HSET', state, 'l_rem', remaining, 'l_answered', ARGV[3])
  end
  return {0, previous}
end
-- Sent together with the send of the latest count, and higher by no more than the sends
-- that left together: counted before it, not refilled since.
local latest, l_prev, r_sent = remaining, num(redis.call('HGET', state, 'l_rem')), num(s[4])
if l_prev and r_sent and tonumber(sent_at) - r_sent <= tied and latest > l_prev then
  local together = redis.call('ZCOUNT', log, f(r_sent - tied), f(tonumber(sent_at) + tied))
  if latest - l_prev < together then latest = l_prev end
end
redis.call('HSET', state, 'l_rem', latest, 'l_answered', ARGV[3])
-- The same window keeps its lowest count, unless this left once that count was back (counted
-- after it: requests came back under one reset).
if same_window and r_rem < remaining and tonumber(sent_at) <= (num(s[7]) or r_sent or 0) then
  remaining = r_rem
end
redis.call('HSET', state, 'r_seq', seq, 'r_sent', sent_at, 'r_rem', remaining, 'r_reset', reset,
  'r_answered', ARGV[3])
redis.call('ZREMRANGEBYSCORE', guessing, '-inf', seq)
expire(ttl)
return {1, previous}
"""
)

_THROTTLE = (
    _COMMON
    + """
local now, seq, sent_at, till = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]),
  tonumber(ARGV[4])
local discover, ttl = ARGV[5] == '1', tonumber(ARGV[6])
local beta, recovery, min_rate = tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9])
local state, log = KEYS[1], KEYS[2]
"""
    + _CUBIC
    + """
local s = redis.call('HMGET', state, 'paused_until', 'paused_by', 'cut_at', 'peak', 'next_at',
  'first_at', 'cut_taken', 'climb')
if till > (tonumber(s[1]) or 0) then
  redis.call('HSET', state, 'paused_until', f(till),
    'paused_by', math.max(tonumber(s[2]) or 0, seq))
end
if discover then
  local cut_at, peak = num(s[3]), tonumber(s[4]) or 0
  if seq <= (tonumber(redis.call('HGET', state, 'cut_seq')) or 0) then
    expire(ttl)
    return 0
  end
  if not cut_at then
    local span = math.min(1.0, math.max(now - (tonumber(s[6]) or now), 0.05))
    -- Sends since then, the refused included: sequence numbers, not the log's entries.
    local seq = tonumber(redis.call('HGET', state, 'seq')) or 0
    local last = redis.call('ZREVRANGEBYSCORE', log, f(now - span), '-inf', 'WITHSCORES',
      'LIMIT', 0, 1)
    local first = redis.call('ZRANGE', log, 0, 0, 'WITHSCORES')
    local base = 0
    -- Sends granted at the same instant tie on the score and sort as strings ('9' after
    -- '10'): the latest (or earliest) of them by number.
    local function tied(score, pick)
      local found
      for _, member in ipairs(redis.call('ZRANGEBYSCORE', log, score, score)) do
        found = found and pick(found, tonumber(member)) or tonumber(member)
      end
      return found
    end
    if last[1] then base = tied(last[2], math.max)
    elseif first[1] then base = tied(first[2], math.min) - 1 end
    peak = math.max((seq - base) / span, min_rate)
  else
    peak = cubic(now - cut_at, peak, num(s[8]) or recovery)
    -- Nothing let through since the last cut: the rate halves.
    if s[7] ~= '1' then peak = math.max(peak * beta, min_rate) end
  end
  local climb = recovery
  if cut_at and s[7] == '1' then
    climb = math.min(math.max(recovery, recovery_sends / peak), recovery_longest)
  end
  local rate = cubic(0, peak, climb)
  redis.call('HSET', state, 'cut_at', f(now), 'peak', f(peak), 'climb', f(climb),
    'cut_taken', '0', 'cut_seq', tonumber(redis.call('HGET', state, 'seq')) or 0,
    'next_at', f(math.max(tonumber(s[5]) or 0, now + 1 / rate)))
end
expire(ttl)
return 1
"""
)

_KEEP = (
    _COMMON
    + """
redis.call('HSET', KEYS[1], 'kept', tonumber(ARGV[1]), 'kept_until', f(tonumber(ARGV[2])))
expire(tonumber(ARGV[3]))
return 1
"""
)


def _connect_to(url: str | None) -> Redis:
    """A client for ``url`` (no connection is opened yet), or the argument's error."""
    if url is None:
        raise InvalidArgumentError(
            "RedisBudget needs url= (a Redis URL) or redis= (a redis.asyncio.Redis client)"
        )
    if not isinstance(url, str):
        raise InvalidArgumentError(f"url must be a Redis URL string, got {url!r}")
    try:
        return Redis.from_url(url)
    except ValueError as error:  # redis-py's: a scheme it does not know, a bad port or db
        raise InvalidArgumentError(f"url {url!r} is not a Redis URL: {error}") from error


class RedisBudget:
    """A key's budget kept in Redis, shared by every client given a store of the same name.

    ``url`` is a Redis URL (``redis://host:6379/0``, ``rediss://`` for TLS, ``unix://`` for a
    socket); ``name`` tells budgets apart (one per API key). Every process and machine whose
    client gets ``RedisBudget(url, name=...)`` with the same URL and name spends one budget:
    N uvicorn workers, N ingest jobs or N machines on one key together stay under its limit,
    and a documented per-key rate is split across them instead of multiplied. State left
    unused for ``ttl`` seconds expires. Use it with ``async with`` (it connects as it is
    entered, so a wrong URL fails at startup, and closes its connections on the way out), or
    call :meth:`connect` and :meth:`aclose` yourself. ``redis``: a ``redis.asyncio.Redis``
    client of your own (its pool, TLS, Sentinel or retry settings), given instead of ``url``;
    it is closed by you, never by the budget.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        name: str = "default",
        ttl: float = 3600.0,
        redis: Redis | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise InvalidArgumentError(f"name must be a non-empty string, got {name!r}")
        positive_arg("ttl", ttl, what="a finite number of seconds", finite=True)
        if redis is not None and url is not None:
            raise InvalidArgumentError(
                "give RedisBudget url= or redis=, not both (the client's own settings would win)"
            )
        self.name = name
        self._redis: Redis = redis if redis is not None else _connect_to(url)
        self._owns_redis = redis is None  # a caller's own client is theirs to close
        self._ttl_ms = str(int(ttl * 1000))
        prefix = f"creatorsdk:budget:{{{name}}}"
        self._keys = [f"{prefix}:state", f"{prefix}:log", f"{prefix}:out", f"{prefix}:guessing"]
        self._take = self._redis.register_script(_TAKE)
        self._record = self._redis.register_script(_RECORD)
        self._throttle = self._redis.register_script(_THROTTLE)
        self._keep = self._redis.register_script(_KEEP)
        self._scripts = (self._take, self._record, self._throttle, self._keep)

    def __repr__(self) -> str:
        return f"RedisBudget(name={self.name!r})"

    async def __aenter__(self) -> Self:
        """:meth:`connect`, then the budget."""
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def connect(self) -> None:
        """Connect to Redis and load the budget's scripts into it (``async with`` does).

        A wrong URL, a Redis that is down or one that refuses scripts then fails here, at
        startup, rather than on the first request; and that request's take does not also
        pay for a connection and three round trips to load its script (the pacer waits on
        it, and the first page of a listing is the one everything else waits behind).
        """
        async with self._redis.pipeline(transaction=False) as pipe:
            for script in self._scripts:
                pipe.script_load(script.script)
            await pipe.execute()

    async def aclose(self) -> None:
        """Close the connection pool to Redis (not a client passed as ``redis``)."""
        if self._owns_redis:
            await self._redis.aclose()

    async def take(self, now: float, rule: Rule, *, force: bool = False) -> Taken:
        """Grant one send now (a sequence number) or say when to ask again."""
        keep = max(_KEEP_SECONDS, 2 * (rule.window or 0.0))
        if rule.reopen_at is not None:
            keep = max(keep, now - rule.reopen_at + 1.0)
        answer = await self._take(
            keys=self._keys,
            args=[
                repr(now),
                "1" if force else "0",
                _opt(rule.reopen_at),
                _opt(rule.sure_at),
                _opt(rule.limit),
                _opt(rule.window),
                _opt(rule.counted_for),
                str(min(rule.guesses, 1 << 30)),
                repr(rule.share),
                repr(rule.interval),
                repr(rule.slack),
                _opt(rule.refill),
                repr(rule.others_rate),
                repr(keep),
                self._ttl_ms,
                repr(CUBIC_BETA),
                repr(CUBIC_RECOVERY),
                repr(MIN_RATE),
                str(rule.reserve),
                "" if rule.keep is None else str(rule.keep.sends),
                "" if rule.keep is None else repr(rule.keep.until),
                "1" if rule.steady else "0",
                str(TRIP_MARGIN),
                _opt(rule.probe_at),
            ],
        )
        seq, wake_at, guessed = int(answer[0]), float(answer[1]), bool(int(answer[2]))
        listing, out = bool(int(answer[3])), int(answer[4])
        if seq < 0:
            return Taken(None, wake_at, listing=listing, out=out)
        return Taken(seq, guessed=guessed, listing=listing, out=out)

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
        """Report send ``seq``'s answer and reading: whether the reading is now the freshest,
        and the one before."""
        reset = None if rate_limit is None else usable_reset(rate_limit.reset_at, now)
        answer = await self._record(
            keys=self._keys,
            args=[
                str(seq),
                repr(sent_at),
                repr(now),
                "1" if refused else "0",
                "1" if guessed else "0",
                "0" if rate_limit is None else "1",
                "0" if rate_limit is None else str(rate_limit.remaining),
                _opt(reset),
                self._ttl_ms,
            ],
        )
        return bool(int(answer[0])), _reading(answer[1])

    async def throttle(
        self, now: float, seq: int, sent_at: float, until: float, *, discover: bool
    ) -> None:
        """Send ``seq`` drew a 429: hold every sender until ``until``; ``discover``: cut the
        discovered rate."""
        await self._throttle(
            keys=self._keys,
            args=[
                repr(now),
                str(seq),
                repr(sent_at),
                repr(until),
                "1" if discover else "0",
                self._ttl_ms,
                repr(CUBIC_BETA),
                repr(CUBIC_RECOVERY),
                repr(MIN_RATE),
            ],
        )

    async def keep(self, now: float, keep: Keep) -> None:
        """Tell every client of the budget, without a send, that a listing keeps
        ``keep.sends`` spare until ``keep.until``."""
        await self._keep(keys=self._keys, args=[str(keep.sends), repr(keep.until), self._ttl_ms])


def _opt(value: float | None) -> str:
    """A number for a script argument; empty for ``None`` (and infinities)."""
    if value is None or math.isinf(value):
        return ""
    return repr(float(value))


def _reading(fields: Any) -> Reading | None:
    seq, sent_at, remaining, reset, answered = (_text(field) for field in fields)
    if not seq:
        return None
    return Reading(
        seq=int(float(seq)),
        sent_at=float(sent_at),
        remaining=int(float(remaining)),
        reset_at=float(reset) if reset else None,
        answered_at=float(answered) if answered else None,
    )


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
