"""Hostile input: whatever the server sends, and whatever the caller passes.

- Any response (status, headers, body) to any public method of either client ends in a model
  or a ``DecodeError`` / ``APIError`` (a batch method wraps those in ``BatchError``), never in
  a ``KeyError``, ``TypeError``, ``AttributeError`` or the like. Every model decoder and both
  error-body parsers are fuzzed directly too, with bodies shaped like the real ones.
- ``Retry-After`` and rate-limit headers, fuzzed, never produce a negative, infinite or NaN
  wait, and never a wait longer than the policy honours.
- Huge and deeply nested bodies are refused or decoded quickly; they never hang and never end
  up whole in an exception message.
- Every public method rejects out-of-range arguments with ``ValueError`` before any request.

Example counts follow the hypothesis profile (``conftest.py``): small in CI, large with
``CREATORSDK_HYPOTHESIS_PROFILE=thorough``.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import math
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import creatorsdk.creatoraudit.models as ca_models
import creatorsdk.trackagoat.aggregate_models as tg_aggregate_models
import creatorsdk.trackagoat.models as tg_models
import creatorsdk.trackagoat.payout_models as tg_payout_models
from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk._engine.client import BaseClient
from creatorsdk._engine.decoding import Model, decode
from creatorsdk._engine.pacing import Pacer, parse_rate_limit
from creatorsdk._engine.problems import error_from_problem, parse_problem_json
from creatorsdk._engine.retry import parse_retry_after
from creatorsdk.testing import FakeClock
from creatorsdk.trackagoat._error_envelope import parse_problem as parse_trackagoat_problem

from .conftest import Figures, examples

CA_URL = "https://api.creatoraudit.test/v2"
TG_URL = "https://www.trackagoat.test/api/v1"
KEY = "hostile_test_key_0123456789abcdef"
U1 = "00000000-0000-4000-8000-000000000001"
U2 = "00000000-0000-4000-8000-000000000002"
NOW = 1_800_000_000.0


def models_of(module: Any) -> list[type[Model]]:
    found = [getattr(module, name) for name in module.__all__]
    return [m for m in found if isinstance(m, type) and issubclass(m, Model) and attrs.has(m)]


MODELS = (
    models_of(ca_models)
    + models_of(tg_models)
    + models_of(tg_payout_models)
    + models_of(tg_aggregate_models)
)
FIELD_NAMES = sorted(
    {f.name for model in MODELS for f in attrs.fields(model)}
    | {"data", "meta", "pagination", "error", "results", "filters", "code", "status"}
    | {"next_cursor", "has_next", "nextCursor", "hasMore", "not_found", "windows", "7d", "1d"}
    | {"type", "title", "detail", "request_id", "errors", "retryAfter", "limitKey", "requestId"}
)

# -- strategies -------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from([U1, U2.upper(), "2026-06-14T09:30:00Z", "2026-06-14", "not-a-date", ""])
)
keys = st.sampled_from(FIELD_NAMES) | st.text(max_size=6)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=4),
    max_leaves=8,
)
#: Objects whose keys are mostly real field names: they get past the first check of a decoder.
shaped = st.dictionaries(keys, json_values, max_size=8)
envelopes = st.fixed_dictionaries(
    {"data": json_values | shaped | st.lists(shaped, max_size=3)},
    optional={
        "meta": shaped,
        "pagination": shaped,
        "error": json_values,
        "request_id": scalars,
    },
)


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A response body: JSON of any shape, cut-off JSON, or arbitrary bytes."""
    kind = draw(st.sampled_from(["envelope", "json", "cut", "bytes", "empty"]))
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "empty":
        return b""
    value = draw(envelopes if kind in ("envelope", "cut") else json_values)
    encoded = json.dumps(value).encode()
    return encoded[: len(encoded) // 2] if kind == "cut" else encoded


header_text = (
    st.text(max_size=20)
    | st.sampled_from(["0", "1", "-1", "1.5", "inf", "nan", "1e400", "120", "86400", "99999999999"])
    | st.builds(lambda n: str(n), st.integers(min_value=-(10**12), max_value=10**12))
)
http_dates = st.datetimes(
    min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(9999, 12, 31)
).map(lambda d: d.strftime("%a, %d %b %Y %H:%M:%S GMT"))


@st.composite
def responses(draw: st.DrawFn) -> tuple[int, dict[str, str], bytes]:
    # Half successes (to reach the decoders), half every kind of failure.
    status = draw(
        st.sampled_from([200, 201])
        | st.sampled_from([202, 204, 302, 304, 400, 401, 402, 403, 404, 409])
        | st.sampled_from([410, 418, 422, 429, 500, 502, 503, 504])
    )
    headers = {
        "content-type": draw(
            st.sampled_from(["application/json", "application/problem+json", "text/html", ""])
            | st.sampled_from(["application/json; charset=bogus", "text/plain; charset=utf-16"])
        )
    }
    for name in ("retry-after", "x-ratelimit-remaining", "x-ratelimit-reset", "x-request-id"):
        if draw(st.booleans()):
            headers[name] = draw(header_text | http_dates)
    if draw(st.integers(0, 3)) == 0:  # a body that is not encoded the way it says
        headers["content-encoding"] = draw(st.sampled_from(["gzip", "deflate", "br", "x-bogus"]))
    return status, headers, draw(bodies())


# -- the public methods, each with valid arguments ----------------------------------------------


async def _iter_deltas(ca: AsyncCreatorAudit) -> list[Any]:
    async with ca.videos.iter_deltas([U1], windows=[7]) as parts:
        return [part async for part in parts]


CA_CALLS: dict[str, Callable[[AsyncCreatorAudit], Awaitable[Any]]] = {
    "whoami": lambda ca: ca.whoami(),
    "meta": lambda ca: ca.meta(),
    "health": lambda ca: ca.health(),
    "overview": lambda ca: ca.overview("30d"),
    "search": lambda ca: ca.search("ada"),
    "accounts.list": lambda ca: ca.accounts.list(limit=5).to_list(),
    "accounts.get": lambda ca: ca.accounts.get(U1),
    "accounts.create": lambda ca: ca.accounts.create("tiktok", "ada"),
    "accounts.update": lambda ca: ca.accounts.update(U1, is_active=False),
    "accounts.delete": lambda ca: ca.accounts.delete(U1),
    "accounts.metrics": lambda ca: ca.accounts.metrics([U1]),
    "account_videos.list": lambda ca: ca.account_videos.list().to_list(),
    "account_videos.metrics": lambda ca: ca.account_videos.metrics([1], [2]),
    "videos.list": lambda ca: ca.videos.list().to_list(),
    "videos.get": lambda ca: ca.videos.get(U1),
    "videos.create": lambda ca: ca.videos.create("tiktok", "7300000000000000001"),
    "videos.update": lambda ca: ca.videos.update(U1, is_active=True),
    "videos.delete": lambda ca: ca.videos.delete(U1),
    "videos.deltas": lambda ca: ca.videos.deltas([U1, U2], windows=[1, 7]),
    "videos.iter_deltas": _iter_deltas,
    "videos.metrics": lambda ca: ca.videos.metrics([U1]),
    "creators.list": lambda ca: ca.creators.list().to_list(),
    "creators.get": lambda ca: ca.creators.get(U1),
    "creators.create": lambda ca: ca.creators.create("Ada"),
    "creators.update": lambda ca: ca.creators.update(U1, name="Ada"),
    "creators.delete": lambda ca: ca.creators.delete(U1),
    "creators.link_account": lambda ca: ca.creators.link_account(U1, U2),
    "creators.unlink_account": lambda ca: ca.creators.unlink_account(U1, U2),
    "creators.top": lambda ca: ca.creators.top("30d"),
    "creators.analytics": lambda ca: ca.creators.analytics(U1),
}

TG_CALLS: dict[str, Callable[[AsyncTrackAGoat], Awaitable[Any]]] = {
    "schema": lambda tg: tg.schema(),
    "goal_compliance": lambda tg: tg.goal_compliance(U1),
    "projects.list": lambda tg: tg.projects.list().to_list(),
    "creators.list": lambda tg: tg.creators.list(project_id=U1).to_list(),
    "creators.create": lambda tg: tg.creators.create(U1, "ada"),
    "creators.create_many": lambda tg: tg.creators.create_many(U1, ["ada", "bob"]),
    "creators.update": lambda tg: tg.creators.update(U1, display_name="Ada"),
    "creators.delete": lambda tg: tg.creators.delete(U1),
    "creators.scrape": lambda tg: tg.creators.scrape(U1),
    "creators.bulk_remove": lambda tg: tg.creators.bulk_remove(U1, [U2]),
    "creators.bulk_reenable": lambda tg: tg.creators.bulk_reenable(U1, [U2]),
    "videos.list": lambda tg: tg.videos.list(project_id=U1).to_list(),
    "videos.create": lambda tg: tg.videos.create(U1, "https://www.tiktok.com/@ada/video/1"),
    "videos.update": lambda tg: tg.videos.update(U1, readme="x"),
    "videos.delete": lambda tg: tg.videos.delete(U1),
    "videos.scrape": lambda tg: tg.videos.scrape(U1),
    "videos.disable_tracking": lambda tg: tg.videos.disable_tracking(U1),
    "campaigns.list": lambda tg: tg.campaigns.list().to_list(),
    "campaigns.create": lambda tg: tg.campaigns.create(U1, "Launch"),
    "campaigns.update": lambda tg: tg.campaigns.update(U1, name="Launch 2"),
    "campaigns.delete": lambda tg: tg.campaigns.delete(U1),
    "campaigns.add_item": lambda tg: tg.campaigns.add_item(U1, "creator", U2),
    "campaigns.remove_item": lambda tg: tg.campaigns.remove_item(U1, "creator", U2),
    "analytics.query": lambda tg: tg.analytics.query("creator", U1, "views"),
    "payout_methods.list": lambda tg: tg.payout_methods.list().to_list(),
    "payout_methods.create": lambda tg: tg.payout_methods.create("Zelle"),
    "payout_methods.delete": lambda tg: tg.payout_methods.delete(U1),
    "payout_structures.create": lambda tg: tg.payout_structures.create(
        U1, "Retainer", rule_type="recurring", amount_cents=100
    ),
    "payout_structures.assign": lambda tg: tg.payout_structures.assign(U1, [U2]),
    "payout_structures.unassign": lambda tg: tg.payout_structures.unassign(U1, [U2]),
    "payout_accruals.list": lambda tg: tg.payout_accruals.list(status="open").to_list(),
    "payout_accruals.update": lambda tg: tg.payout_accruals.update(U1, status="paid"),
    "payout_payments.create": lambda tg: tg.payout_payments.create(U1, U2, 100, accrual_ids=[U1]),
    "payout_payments.void": lambda tg: tg.payout_payments.void(U1),
    "aggregate.video_leaderboard": lambda tg: tg.aggregate.video_leaderboard(U1).to_list(),
    "aggregate.posting_heatmap": lambda tg: tg.aggregate.posting_heatmap(
        U1, "2026-06-01", "2026-06-02"
    ),
    "aggregate.view_distribution": lambda tg: tg.aggregate.view_distribution(U1),
    "aggregate.goal_compliance": lambda tg: tg.aggregate.goal_compliance(U1),
    "annotations.create": lambda tg: tg.annotations.create("2026-06-01", "Launch"),
    "openapi": lambda tg: tg.openapi(),
}

ACCEPTED = (errors.DecodeError, errors.APIError)
SUITE = "hostile input"


def judge(outcome: object, figures: Figures) -> None:
    """A result, or an error of the accepted kinds (inside a BatchError for batch calls)."""
    if isinstance(outcome, errors.BatchError):
        assert outcome.failures
        for failure in outcome.failures:
            judge(failure.error, figures)
        return
    if isinstance(outcome, BaseException):
        if not isinstance(outcome, ACCEPTED):
            raise AssertionError(f"hostile response raised {outcome!r}") from outcome
        key = "DecodeError" if isinstance(outcome, errors.DecodeError) else "APIError"
        figures.count(SUITE, f"responses ending in {key}")
        if isinstance(outcome, errors.APIError):
            str(outcome), repr(outcome)  # building the message must not fail either
        return
    figures.count(SUITE, "responses ending in a result")


def serving(reply: tuple[int, dict[str, str], bytes]) -> httpx.MockTransport:
    """A transport answering every request with ``reply``; header values go out as UTF-8
    bytes, as a careless server would send them."""
    status, headers, body = reply
    raw = [(name.encode(), value.encode("utf-8")) for name, value in headers.items()]
    return httpx.MockTransport(lambda request: httpx.Response(status, headers=raw, content=body))


async def call_with(
    make: Callable[[], Any], call: Callable[[Any], Awaitable[Any]], figures: Figures
) -> None:
    async with make() as client:
        started = time.perf_counter()
        try:
            await call(client)
        except Exception as error:
            judge(error, figures)
        else:
            judge(None, figures)
        assert time.perf_counter() - started < 2.0
    figures.count(SUITE, "fuzzed responses")


#: Examples per public method (each method gets its own run of the response fuzzer).
SWEEP = examples(8)


@pytest.mark.parametrize("name", sorted(CA_CALLS))
@settings(max_examples=SWEEP)
@given(reply=responses())
async def test_creatoraudit_survives_any_response(
    name: str, reply: tuple[int, dict[str, str], bytes], figures: Figures
) -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)

    def make() -> AsyncCreatorAudit:
        return AsyncCreatorAudit(
            api_key=KEY, base_url=CA_URL, transport=serving(reply), retry=policy
        )

    await call_with(make, CA_CALLS[name], figures)
    assert all(0 <= wait <= policy.max_retry_after for wait in clock.sleeps), clock.sleeps


@pytest.mark.parametrize("name", sorted(TG_CALLS))
@settings(max_examples=SWEEP)
@given(reply=responses())
async def test_trackagoat_survives_any_response(
    name: str, reply: tuple[int, dict[str, str], bytes], figures: Figures
) -> None:
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)

    def make() -> AsyncTrackAGoat:
        return AsyncTrackAGoat(api_key=KEY, base_url=TG_URL, transport=serving(reply), retry=policy)

    await call_with(make, TG_CALLS[name], figures)
    # trackagoat spaces requests 1 s apart by itself; anything longer must be the policy's.
    assert all(0 <= wait <= policy.max_retry_after for wait in clock.sleeps), clock.sleeps


# -- decoders and parsers directly ---------------------------------------------------------------


@pytest.mark.parametrize(
    "model", MODELS, ids=lambda m: f"{m.__module__.split('.')[1]}.{m.__name__}"
)
@settings(max_examples=examples(15))
@given(data=shaped | json_values)
def test_every_model_decodes_or_raises_decode_error(
    model: type[Model], data: Any, figures: Figures
) -> None:
    figures.count(SUITE, "model decodings")
    try:
        decoded = decode(data, model)
    except errors.DecodeError as error:
        message = str(error)
        assert message.startswith("response does not fit")
    else:
        assert isinstance(decoded, model)
        # Only what the model does not know is kept aside (a server field named "extra" is
        # unknown too: the model's own extra is not a wire field).
        known = {f.name for f in attrs.fields(model)} - {"extra"}
        assert known.isdisjoint(decoded.extra)


@given(
    status=st.integers(min_value=300, max_value=599),
    reason=st.text(max_size=20),
    headers=st.dictionaries(st.sampled_from(["x-request-id", "retry-after"]), header_text),
    body=bodies(),
)
def test_both_problem_parsers_accept_any_error_body(
    status: int, reason: str, headers: dict[str, str], body: bytes
) -> None:
    for parse in (parse_problem_json, parse_trackagoat_problem):
        problem = parse(status, reason, headers, body)
        error = error_from_problem(problem, attempts=1, method="GET", path="/x")
        assert isinstance(error, errors.APIError)
        assert error.status == status
        assert len(str(error)) < 2_000 + len(body)
        repr(error)


@given(value=header_text | http_dates | st.text())
def test_retry_after_is_never_negative_infinite_or_nan(value: str) -> None:
    seconds = parse_retry_after(value, NOW)
    assert seconds is None or (math.isfinite(seconds) and seconds >= 0)


@given(
    remaining=header_text | st.none(),
    reset=header_text | st.builds(lambda d: str(int(NOW + d)), st.integers(-100, 10**6)),
    limit=header_text | st.none(),
)
async def test_rate_limit_headers_never_make_a_long_or_negative_wait(
    remaining: str | None, reset: str, limit: str | None
) -> None:
    headers = {"x-ratelimit-reset": reset}
    if remaining is not None:
        headers["x-ratelimit-remaining"] = remaining
    if limit is not None:
        headers["x-ratelimit-limit"] = limit
    reading = parse_rate_limit(headers)
    if reading is not None:
        assert reading.remaining >= 0
        assert math.isfinite(reading.reset_at)
    clock = FakeClock()
    policy = RetryPolicy(sleep=clock.sleep, clock=clock)
    pacer = Pacer(clock=clock, sleep=clock.sleep, max_wait=policy.max_retry_after)
    for _ in range(4):  # every send answered with these headers
        async with pacer.sending() as send:
            pacer.observe(send, reading)
    assert all(0 <= wait <= policy.max_retry_after for wait in clock.sleeps), clock.sleeps


async def test_a_far_reset_never_means_a_silent_hour_long_sleep() -> None:
    """Found by the fuzzing above: ``Remaining: 0`` with a reset an hour away (a skewed
    server clock, an hourly window) made the pacer sleep until the reset, silently, however
    long. Now no single wait is longer than the policy honours; the server's 429 then says
    how long, and a wait that long is raised at once."""
    clock = FakeClock()
    reset = str(int(clock() + 3600))
    answers = iter(
        [
            httpx.Response(
                200,
                json={"data": {"organization_id": "o"}},
                headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset},
            ),
            httpx.Response(
                429,
                json={"code": "RATE_LIMITED"},
                headers={"Retry-After": "3599", "X-Request-ID": "req_429"},
            ),
        ]
    )
    transport = httpx.MockTransport(lambda request: next(answers))
    policy = RetryPolicy(sleep=clock.sleep, clock=clock)
    async with AsyncCreatorAudit(
        api_key=KEY, base_url=CA_URL, transport=transport, retry=policy
    ) as ca:
        await ca.whoami()
        with pytest.raises(errors.RateLimitError) as caught:
            await ca.whoami()
    assert caught.value.retry_after == 3599
    assert caught.value.attempts == 1
    assert clock.sleeps == [policy.max_retry_after]


async def test_a_body_that_does_not_match_its_charset_is_not_a_unicode_error() -> None:
    """Found by the response fuzzer: a 200 declared ``text/plain; charset=utf-16`` whose
    body is not UTF-16 raised a bare ``UnicodeError`` out of every call. The text is now
    read leniently, so the call decodes what it can or raises ``DecodeError``."""
    reply = (200, {"content-type": "text/plain; charset=utf-16"}, b"OK")
    async with AsyncCreatorAudit(api_key=KEY, base_url=CA_URL, transport=serving(reply)) as ca:
        health = await ca.health()
        with pytest.raises(errors.DecodeError):
            await ca.whoami()
    assert health.status == "OK"


async def test_a_body_not_encoded_as_it_says_is_a_malformed_response() -> None:
    """Found by the response fuzzer: ``Content-Encoding: gzip`` on a body that is not gzip
    raised a bare ``httpx.DecodingError`` out of every call. It is a served but unreadable
    body, like a truncated one: ``MalformedResponseError``, retried when safe."""
    sent: list[httpx.Request] = []

    def mangled(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        headers = {"content-type": "application/json", "content-encoding": "gzip"}
        return httpx.Response(200, headers=headers, content=b'{"data": {}}')

    clock = FakeClock()
    policy = RetryPolicy(max_attempts=3, sleep=clock.sleep, clock=clock)
    transport = httpx.MockTransport(mangled)
    async with AsyncCreatorAudit(
        api_key=KEY, base_url=CA_URL, transport=transport, retry=policy
    ) as ca:
        with pytest.raises(errors.MalformedResponseError) as caught:
            await ca.whoami()
        assert isinstance(caught.value.__cause__, httpx.DecodingError)
        assert caught.value.attempts == 3
        with pytest.raises(errors.MalformedResponseError):
            await ca.accounts.create("tiktok", "ada", idempotency_key="k1")
    assert len(sent) == 6  # both retried: a GET, and a create carrying its idempotency key


TRANSPORT_FAILURES = [
    (httpx.ConnectError, errors.APIConnectionError, False),
    (httpx.ConnectTimeout, errors.APITimeoutError, False),
    (httpx.PoolTimeout, errors.APITimeoutError, False),
    (httpx.ReadTimeout, errors.APITimeoutError, True),
    (httpx.WriteTimeout, errors.APITimeoutError, True),
    (httpx.ReadError, errors.APIConnectionError, True),
    (httpx.WriteError, errors.APIConnectionError, True),
    (httpx.RemoteProtocolError, errors.APIConnectionError, True),
    (httpx.LocalProtocolError, errors.APIConnectionError, True),
    (httpx.ProxyError, errors.APIConnectionError, True),
    (httpx.UnsupportedProtocol, errors.APIConnectionError, True),
    (httpx.DecodingError, errors.MalformedResponseError, None),
]


@pytest.mark.parametrize(("raised", "expected", "sent"), TRANSPORT_FAILURES)
async def test_every_transport_failure_maps_to_an_sdk_error(
    raised: type[Exception], expected: type[Exception], sent: bool | None
) -> None:
    """Whatever a transport (httpx's, the aiohttp one, a user's) raises from httpx's
    hierarchy comes out as the SDK's error, its cause kept; a keyless POST is repeated only
    when nothing of it left the machine."""
    calls: list[str] = []

    def fail(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise raised("boom", request=request)  # type: ignore[call-arg]

    clock = FakeClock()
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)
    transport = httpx.MockTransport(fail)
    async with AsyncCreatorAudit(
        api_key=KEY, base_url=CA_URL, transport=transport, retry=policy
    ) as ca:
        with pytest.raises(expected) as caught:
            await ca.whoami()
        assert type(caught.value.__cause__) is raised
        calls.clear()
        with pytest.raises(expected):  # a non-idempotent POST: never blindly repeated
            await ca.request("POST", "/accounts", json={"platform": "tiktok", "username": "x"})
    assert len(calls) == (2 if sent is False else 1)
    if sent is not None:
        assert caught.value.sent is sent  # type: ignore[attr-defined]


# -- huge and deeply nested bodies -----------------------------------------------------------------

HOSTILE_BODIES: dict[str, Callable[[], bytes]] = {
    "nested 100k arrays": lambda: b"[" * 100_000 + b"]" * 100_000,
    "nested 100k objects": lambda: b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "nested data 900 deep": lambda: b'{"data": ' + b'{"a":' * 900 + b"1" + b"}" * 900 + b"}",
    "5000-digit integer": lambda: b'{"data": {"id": "x", "follower_count": ' + b"9" * 5000 + b"}}",
    "1e400": lambda: b'{"data": {"organization_id": "o", "x": 1e400, "count": 1e400}}',
    "10 MB string": lambda: b'{"data": {"organization_id": "' + b"x" * 10_000_000 + b'"}}',
    "50k items": lambda: b'{"data": [' + b",".join([b'{"id": "a"}'] * 50_000) + b"]}",
}


@pytest.mark.parametrize("status", [200, 500])
@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
async def test_huge_and_deep_bodies_end_quickly(name: str, status: int) -> None:
    body = HOSTILE_BODIES[name]()
    reply = (status, {"content-type": "application/json"}, body)
    policy = RetryPolicy(max_attempts=1)
    for call in (lambda ca: ca.whoami(), lambda ca: ca.accounts.list().to_list()):
        started = time.perf_counter()
        async with AsyncCreatorAudit(
            api_key=KEY, base_url=CA_URL, transport=serving(reply), retry=policy
        ) as ca:
            message = ""
            try:
                await call(ca)
            except ACCEPTED as error:
                message = str(error)
            assert len(message) < 5_000, "a hostile body ended up in an error message"
        assert time.perf_counter() - started < 3.0, f"{name} took too long"


# -- bad arguments never reach the network -------------------------------------------------------

BAD_CA_CALLS: dict[str, Callable[[AsyncCreatorAudit], Any]] = {
    "list limit 0": lambda ca: ca.accounts.list(limit=0),
    "list limit 201": lambda ca: ca.videos.list(limit=201),
    "list limit bool": lambda ca: ca.creators.list(limit=True),
    "list empty cursor": lambda ca: ca.account_videos.list(cursor=""),
    "list bad platform": lambda ca: ca.accounts.list(platform="youtube"),
    "list bad order_by": lambda ca: ca.videos.list(order_by="name"),
    "list bad sort": lambda ca: ca.accounts.list(sort="-nope"),
    "list bad creator_id": lambda ca: ca.accounts.list(creator_id="42"),
    "list is_active str": lambda ca: ca.accounts.list(is_active="true"),
    "get malformed id": lambda ca: ca.accounts.get("../whoami"),
    "get int id": lambda ca: ca.videos.get(42),
    "create no username": lambda ca: ca.accounts.create("tiktok", " "),
    "create bad platform": lambda ca: ca.accounts.create("myspace", "ada"),
    "create interval 0": lambda ca: ca.accounts.create("tiktok", "a", scrape_interval_hours=0),
    "create 21 metadata keys": lambda ca: ca.videos.create(
        "tiktok", "1", metadata={str(i): i for i in range(21)}
    ),
    "create key with newline": lambda ca: ca.creators.create("Ada", idempotency_key="a\nb"),
    "metadata with a datetime": lambda ca: ca.accounts.create(
        "tiktok", "ada", metadata={"when": dt.datetime(2026, 1, 1)}
    ),
    "metadata with NaN": lambda ca: ca.videos.update(U1, metadata={"score": math.nan}),
    "idempotency key not ASCII": lambda ca: ca.videos.create("tiktok", "1", idempotency_key="clé"),
    "creator name 256 chars": lambda ca: ca.creators.create("x" * 256),
    "update nothing": lambda ca: ca.accounts.update(U1),
    "deltas no ids": lambda ca: ca.videos.deltas([]),
    "deltas a bare string": lambda ca: ca.videos.deltas(U1),
    "deltas bad id": lambda ca: ca.videos.deltas([U1, "nope"]),
    "deltas window 0": lambda ca: ca.videos.deltas([U1], windows=[0]),
    "deltas window 366": lambda ca: ca.videos.deltas([U1], windows=[366]),
    "deltas 11 windows": lambda ca: ca.videos.deltas([U1], windows=range(1, 12)),
    "deltas no windows": lambda ca: ca.videos.deltas([U1], windows=[]),
    "iter_deltas window -1": lambda ca: ca.videos.iter_deltas([U1], windows=[-1]),
    "metrics bad period": lambda ca: ca.videos.metrics([U1], period="1y"),
    "metrics custom without dates": lambda ca: ca.accounts.metrics([U1], period="custom"),
    "metrics start after end": lambda ca: ca.accounts.metrics(
        [U1], "custom", dt.date(2026, 2, 1), dt.date(2026, 1, 1)
    ),
    "metrics datetime": lambda ca: ca.accounts.metrics(
        [U1], "custom", dt.datetime(2026, 1, 1), dt.date(2026, 2, 1)
    ),
    "account-video metrics none": lambda ca: ca.account_videos.metrics(),
    "account-video metrics negative": lambda ca: ca.account_videos.metrics([-1]),
    "overview 1d": lambda ca: ca.overview("1d"),
    "search limit 26": lambda ca: ca.search("a", limit=26),
    "search q 129 chars": lambda ca: ca.search("a" * 129),
    "top limit 0": lambda ca: ca.creators.top(limit=0),
    "link bad account": lambda ca: ca.creators.link_account(U1, "acct"),
    "analytics reversed": lambda ca: ca.creators.analytics(
        U1, dt.date(2026, 3, 1), dt.date(2026, 1, 1)
    ),
}

BAD_TG_CALLS: dict[str, Callable[[AsyncTrackAGoat], Any]] = {
    "list limit 0": lambda tg: tg.projects.list(limit=0),
    "list limit 101": lambda tg: tg.creators.list(limit=101),
    "list bad project": lambda tg: tg.videos.list(project_id="p1"),
    "create bad handle": lambda tg: tg.creators.create(U1, "no spaces allowed"),
    "create long handle": lambda tg: tg.creators.create(U1, "a" * 31),
    "create bad mode": lambda tg: tg.creators.create(U1, "ada", tracking_mode="sometimes"),
    "create_many none": lambda tg: tg.creators.create_many(U1, []),
    "create_many key not ASCII": lambda tg: tg.creators.create_many(
        U1, ["ada"], idempotency_key="\x80"
    ),
    "create_many bare string": lambda tg: tg.creators.create_many(U1, "ada"),
    "bulk_remove none": lambda tg: tg.creators.bulk_remove(U1, []),
    "bulk_reenable bad id": lambda tg: tg.creators.bulk_reenable(U1, ["x"]),
    "scrape bad job": lambda tg: tg.creators.scrape(U1, job_type="everything"),
    "update nothing": lambda tg: tg.creators.update(U1),
    "metadata with a date": lambda tg: tg.videos.update(U1, metadata={"d": dt.date(2026, 1, 1)}),
    "video bad url": lambda tg: tg.videos.create(U1, "https://example.com/v/1"),
    "disable none": lambda tg: tg.videos.disable_tracking([], project_id=U1),
    "disable list without project": lambda tg: tg.videos.disable_tracking([U1, U2]),
    "campaign no name": lambda tg: tg.campaigns.create(U1, ""),
    "campaign negative target": lambda tg: tg.campaigns.create(U1, "x", target_views=-1),
    "item bad type": lambda tg: tg.campaigns.add_item(U1, "project", U2),
    "item itself": lambda tg: tg.campaigns.add_item(U1, "campaign", U1),
    "analytics blank entity": lambda tg: tg.analytics.query(" ", U1, "views"),
    "analytics metric with spaces": lambda tg: tg.analytics.query("creator", U1, "views a day"),
    "analytics 6 ids": lambda tg: tg.analytics.query(
        "creator",
        entity_ids=[f"00000000-0000-4000-8000-00000000000{i}" for i in range(6)],
        metric="views",
    ),
    "goals bad period": lambda tg: tg.goal_compliance(U1, period="hourly"),
}


#: What each refusal's message must name (the argument, or the call for "nothing to update").
BAD_CA_NAMES = {
    "list limit 0": "limit",
    "list limit 201": "limit",
    "list limit bool": "limit",
    "list empty cursor": "cursor",
    "list bad platform": "platform",
    "list bad order_by": "order_by",
    "list bad sort": "sort",
    "list bad creator_id": "creator_id",
    "list is_active str": "is_active",
    "get malformed id": "account_id",
    "get int id": "video_id",
    "create no username": "username",
    "create bad platform": "platform",
    "create interval 0": "scrape_interval_hours",
    "create 21 metadata keys": "metadata",
    "create key with newline": "idempotency_key",
    "metadata with a datetime": "metadata",
    "metadata with NaN": "metadata",
    "idempotency key not ASCII": "idempotency_key",
    "creator name 256 chars": "name",
    "update nothing": "update",
    "deltas no ids": "video_ids",
    "deltas a bare string": "video_ids",
    "deltas bad id": "video_ids[1]",
    "deltas window 0": "windows",
    "deltas window 366": "windows",
    "deltas 11 windows": "windows",
    "deltas no windows": "windows",
    "iter_deltas window -1": "windows",
    "metrics bad period": "period",
    "metrics custom without dates": "start_date",
    "metrics start after end": "start_date",
    "metrics datetime": "start_date",
    "account-video metrics none": "instagram_post_ids",
    "account-video metrics negative": "instagram_post_ids[0]",
    "overview 1d": "period",
    "search limit 26": "limit",
    "search q 129 chars": "q",
    "top limit 0": "limit",
    "link bad account": "account_id",
    "analytics reversed": "start_date",
}
BAD_TG_NAMES = {
    "list limit 0": "limit",
    "list limit 101": "limit",
    "list bad project": "project_id",
    "create bad handle": "handle",
    "create long handle": "handle",
    "create bad mode": "tracking_mode",
    "create_many none": "handles",
    "create_many key not ASCII": "idempotency_key",
    "create_many bare string": "handles",
    "bulk_remove none": "creator_ids",
    "bulk_reenable bad id": "creator_ids",
    "scrape bad job": "job_type",
    "update nothing": "update",
    "metadata with a date": "metadata",
    "video bad url": "url",
    "disable none": "video_ids",
    "disable list without project": "project_id",
    "campaign no name": "name",
    "campaign negative target": "target_views",
    "item bad type": "item_type",
    "item itself": "item_id",
    "analytics blank entity": "entity",
    "analytics metric with spaces": "metric",
    "analytics 6 ids": "entity_ids",
    "goals bad period": "period",
}


def _refusing() -> tuple[httpx.MockTransport, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(500)

    return httpx.MockTransport(handle), sent


async def _expect_value_error(call: Callable[[Any], Any], client: Any, names: str) -> None:
    """``call`` raises ``ValueError`` naming ``names``, whether it fails when called, when
    awaited or when entered."""
    with pytest.raises(ValueError, match=re.escape(names)):  # noqa: PT012 - sync or async
        result = call(client)
        if hasattr(result, "__aenter__"):
            async with result:
                pass
        elif hasattr(result, "__await__"):
            await result


@pytest.mark.parametrize("name", sorted(BAD_CA_CALLS))
async def test_creatoraudit_rejects_bad_arguments_before_the_network(
    name: str, figures: Figures
) -> None:
    transport, sent = _refusing()
    async with AsyncCreatorAudit(api_key=KEY, base_url=CA_URL, transport=transport) as ca:
        await _expect_value_error(BAD_CA_CALLS[name], ca, BAD_CA_NAMES[name])
    assert sent == []
    figures.count(SUITE, "bad-argument calls refused before the network")


@pytest.mark.parametrize("name", sorted(BAD_TG_CALLS))
async def test_trackagoat_rejects_bad_arguments_before_the_network(
    name: str, figures: Figures
) -> None:
    transport, sent = _refusing()
    async with AsyncTrackAGoat(api_key=KEY, base_url=TG_URL, transport=transport) as tg:
        await _expect_value_error(BAD_TG_CALLS[name], tg, BAD_TG_NAMES[name])
    assert sent == []
    figures.count(SUITE, "bad-argument calls refused before the network")


#: A valid value for every required parameter of every public method, by name.
VALID_ARGUMENTS: dict[str, Any] = {
    **dict.fromkeys(["account_id", "campaign_id", "creator_id", "item_id"], U2),
    **dict.fromkeys(["project_id", "video_id"], U1),
    **dict.fromkeys(["method_id", "structure_id", "accrual_id", "payment_id", "annotation_id"], U1),
    "from_": "2026-06-01",
    "to": "2026-06-02",
    "date": "2026-06-01",
    "label": "Launch",
    "amount_cents": 100,
    "rule_type": "recurring",
    **dict.fromkeys(("account_ids", "creator_ids", "ids", "video_ids"), (U1,)),
    "entity": "creator",
    "handle": "ada",
    "handles": ("ada",),
    "identifier": "7300000000000000001",
    "item_type": "creator",
    "metric": "views",
    "name": "Ada",
    "platform": "tiktok",
    "q": "ada",
    "url": "https://www.tiktok.com/@ada/video/1",
    "username": "ada",
}
RESOURCES = (
    "accounts",
    "account_videos",
    "videos",
    "creators",
    "projects",
    "campaigns",
    "payout_methods",
    "payout_structures",
    "payout_accruals",
    "payout_payments",
    "aggregate",
    "annotations",
)
hostile_arguments = st.one_of(
    scalars,
    st.just(math.nan),
    st.binary(max_size=4),
    st.lists(scalars, max_size=3),
    st.dictionaries(st.text(max_size=3) | st.integers(), scalars, max_size=3),
    st.dates(),
    st.datetimes(),
    st.just(object()),
    st.just(range(3)),
    st.sampled_from([U1, "tiktok", "instagram", "views", "creator", "30d", 0, 1, 200, -1]),
)


def public_methods(client: Any) -> list[tuple[str, Any]]:
    found = []
    for owner in [client, *(getattr(client, r) for r in RESOURCES if hasattr(client, r))]:
        for name in dir(owner):
            method = getattr(owner, name)
            engine = name in ("aclose", "request")
            if not name.startswith("_") and not engine and inspect.ismethod(method):
                found.append((f"{type(owner).__name__}.{name}", method))
    return found


async def _exercise(result: Any) -> None:
    """Run whatever a public method returned to its end: awaitable, pager or stream."""
    if isinstance(result, BaseClient):
        return  # with_options: a view, nothing is sent until it is used
    if hasattr(result, "__aenter__"):
        async with result as parts:
            async for _ in parts:
                pass
    elif hasattr(result, "to_list"):
        await result.to_list()
    elif hasattr(result, "__await__"):
        await result


@pytest.mark.parametrize("api", ["creatoraudit", "trackagoat"])
@settings(max_examples=examples(150))
@given(data=st.data())
async def test_any_argument_to_any_method_is_refused_cleanly_or_sent(
    api: str, data: st.DataObject, figures: Figures
) -> None:
    """Arbitrary values in any parameter of any public method: a ``ValueError`` with no
    request sent, or a request (answered 500 here); never a ``TypeError`` or the like."""
    transport, sent = _refusing()
    policy = RetryPolicy(max_attempts=1)
    cls = AsyncCreatorAudit if api == "creatoraudit" else AsyncTrackAGoat
    async with cls(api_key=KEY, base_url=CA_URL, transport=transport, retry=policy) as client:
        name, method = data.draw(st.sampled_from(public_methods(client)), label="method")
        arguments: dict[str, Any] = {}
        for parameter in inspect.signature(method).parameters.values():
            required = parameter.default is inspect.Parameter.empty
            if data.draw(st.booleans(), label=f"hostile {parameter.name}"):
                arguments[parameter.name] = data.draw(hostile_arguments, label=parameter.name)
            elif required:
                arguments[parameter.name] = VALID_ARGUMENTS[parameter.name]
        refusal: ValueError | None = None
        try:
            await _exercise(method(**arguments))
        except ValueError as error:
            refusal = error
        except (errors.APIError, errors.DecodeError, errors.BatchError):
            assert sent, f"{name} failed without sending"
            figures.count(SUITE, "fuzzed arguments sent")
    if refusal is not None:
        assert sent == [], f"{name} sent a request before refusing {arguments!r}"
        assert not isinstance(refusal, UnicodeError), f"{name}: {refusal!r}"
        message = str(refusal)
        named = [p for p in inspect.signature(method).parameters if p in message]
        # "update needs at least one field to change" is about the call, not one argument.
        assert named or "at least one" in message, f"{name} refused {arguments!r}: {message}"
        figures.count(SUITE, "fuzzed arguments refused before the network")
