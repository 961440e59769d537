"""Hostile servers and odd keys (issue 15): bounded attempts, bounded memory, no key anywhere.

Real loopback servers (``servers.py``) send what broken backends and proxies send: a body or a
header line trickled a byte at a time, a 2 GB ``Content-Length``, an endless chunked body, a
gzip bomb, encodings stacked or never asked for. Every call ends within its ``timeout`` in an
SDK error saying which bound fired, and memory stays under the response-size cap. Keys that
cannot travel in a header are refused at construction without being shown; the accepted key
lives only in the auth object. Cursor cycles of any length end; over-long queries and bad base
URLs are ``ValueError``; every error pickles, also through a process pool.
"""

from __future__ import annotations

import concurrent.futures
import copy
import gc
import json
import multiprocessing
import pickle
import sys
import time
import traceback
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from types import FunctionType, MappingProxyType, ModuleType
from typing import Any

import anyio
import anyio.abc
import attrs
import httpx
import pytest

from creatorsdk import (
    AsyncCreatorAudit,
    AsyncTrackAGoat,
    CreatorAudit,
    RateLimit,
    RetryPolicy,
    TrackAGoat,
    errors,
)
from creatorsdk._engine.credentials import BearerAuth, checked_api_key
from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FaultPlan

from ..conftest import closed_port
from . import servers
from .conftest import Figures
from .servers import JSON_15_BYTES, Script, answer, raw_server

KEY = "ca_live_hostile_5f0c2d9e8b7a6f5e4d3c"
SUITE = "hostile servers"
PROBE = Path(__file__).with_name("rss_probe.py")
MIB = 1024 * 1024


def client(base_url: str, **options: Any) -> AsyncCreatorAudit:
    """A client on ``base_url`` making one attempt per call unless told otherwise."""
    options.setdefault("retry", RetryPolicy(max_attempts=1))
    return AsyncCreatorAudit(api_key=KEY, base_url=base_url, **options)


async def timed(call: Awaitable[Any]) -> tuple[BaseException | None, float]:
    """What ``call`` raised (or ``None``) and how long it took; never more than 10 s."""
    started = time.perf_counter()
    try:
        with anyio.fail_after(10):  # today's code would hang on some of these
            await call
    except Exception as error:
        return error, time.perf_counter() - started
    return None, time.perf_counter() - started


# -- each attempt bounded as a whole ------------------------------------------------------------


@pytest.mark.slow
async def test_a_body_trickled_a_byte_a_second_fails_within_the_timeout(figures: Figures) -> None:
    """The issue's figure: a 15-byte body at 1 byte/s with ``timeout=2`` took 14 s."""
    scripts = {"/whoami": servers.trickled_body(JSON_15_BYTES, every=1.0)}
    async with raw_server(scripts) as served, client(served.base_url, timeout=2) as ca:
        error, elapsed = await timed(ca.request("GET", "/whoami"))
    assert isinstance(error, errors.APITimeoutError), error
    assert error.bound == "timeout"
    assert "timeout=2s" in str(error)
    assert "connect, response headers and body together" in str(error)
    assert elapsed <= 2.5
    figures.line(
        SUITE, f"15-byte body at 1 byte/s, timeout=2: APITimeoutError after {elapsed:.2f} s"
    )


TRICKLES: dict[str, Callable[[], Script]] = {
    "body": lambda: servers.trickled_body(JSON_15_BYTES, every=0.05),
    "header line": lambda: servers.trickled_header(every=0.05),
}


@pytest.mark.parametrize("what", sorted(TRICKLES))
async def test_a_trickling_server_cannot_stretch_an_attempt(what: str) -> None:
    # Every byte arrives well within httpx's per-read timeout; only the whole-attempt bound
    # can stop it (the trickled body alone would take 0.75 s, the header line 500 s).
    timeout = 0.25
    async with (
        raw_server({"/slow": TRICKLES[what]()}) as served,
        client(served.base_url, timeout=timeout) as ca,
    ):
        error, elapsed = await timed(ca.request("GET", "/slow"))
    assert isinstance(error, errors.APITimeoutError), error
    assert error.bound == "timeout"
    assert error.attempts == 1
    assert isinstance(error.__cause__, TimeoutError)
    assert f"timeout={timeout:g}s" in str(error)
    assert elapsed <= timeout + 0.2


async def test_a_timed_out_attempt_frees_its_concurrency_slot_at_once() -> None:
    timeout = 0.25
    scripts = {"/slow": servers.trickled_body(JSON_15_BYTES, 0.05), "/fast": answer(b"{}")}
    finished: dict[str, float] = {}
    outcomes: dict[str, object] = {}
    async with (
        raw_server(scripts) as served,
        client(served.base_url, timeout=timeout, max_concurrency=1) as ca,
    ):

        async def call(path: str) -> None:
            if path == "/fast":
                await served.arrived.wait()  # the slow call holds the only slot
            outcomes[path], _ = await timed(ca.request("GET", path))
            finished[path] = time.perf_counter()

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            group.start_soon(call, "/slow")
            group.start_soon(call, "/fast")
    assert isinstance(outcomes["/slow"], errors.APITimeoutError)
    assert outcomes["/fast"] is None
    assert finished["/fast"] - started <= timeout + 0.2
    assert served.paths() == ["/v2/slow", "/v2/fast"]


@pytest.mark.slow
async def test_the_deadline_cuts_the_attempt_in_progress(figures: Figures) -> None:
    """Each attempt dies at ``timeout=1``, with no backoff: the third one starts at 2 s, under
    ``deadline=2.5``, and is cut at 2.5 s (it used to run on to 3 s)."""
    deadline = 2.5
    policy = RetryPolicy(max_attempts=10, deadline=deadline, random=lambda: 0.0)
    scripts = {"/slow": servers.trickled_body(JSON_15_BYTES, every=0.1)}
    async with (
        raw_server(scripts) as served,
        AsyncCreatorAudit(api_key=KEY, base_url=served.base_url, timeout=1, retry=policy) as ca,
    ):
        started = time.perf_counter()
        with anyio.fail_after(10), pytest.raises(errors.APITimeoutError) as caught:
            await ca.request("GET", "/slow")
        elapsed = time.perf_counter() - started
    assert caught.value.bound == "deadline"
    assert elapsed <= deadline + 0.3
    figures.line(
        SUITE, f"timeout=1, deadline=2.5, every attempt too slow: cut after {elapsed:.2f} s"
    )


# -- bodies bounded in size -------------------------------------------------------------------

HUGE: dict[str, Callable[[], Script]] = {
    "/huge": servers.declared_huge,  # Content-Length: 2 GB
    "/endless": servers.endless_chunked,
    "/bomb": servers.endless_gzip,  # gzip, inflating about 1000:1, never ending
}


def huge_scripts() -> dict[str, Script]:
    return {"/small": answer(b"{}"), **{path: make() for path, make in HUGE.items()}}


@pytest.mark.parametrize("path", sorted(HUGE))
async def test_a_body_past_the_cap_is_refused_while_it_streams(figures: Figures, path: str) -> None:
    cap = MIB
    vtime = FakeClock()
    policy = RetryPolicy(max_attempts=3, sleep=vtime.sleep, clock=vtime)
    async with (
        raw_server(huge_scripts()) as served,
        client(served.base_url, max_response_bytes=cap, retry=policy) as ca,
    ):
        await ca.request("GET", "/small")
        tracemalloc.start()
        try:
            error, elapsed = await timed(ca.request("GET", path))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert isinstance(error, errors.ResponseTooLargeError), error
    assert not isinstance(error, errors.MalformedResponseError)  # which policies retry
    assert error.limit == cap
    assert error.status == 200
    assert "max_response_bytes=1,048,576" in str(error)
    assert served.paths() == ["/v2/small", f"/v2{path}"]  # not retried
    assert peak < 4 * cap
    assert elapsed < 2.0
    figures.line(SUITE, f"GET {path}, cap 1 MiB: traced peak {peak / MIB:.2f} MiB, {elapsed:.2f} s")


@pytest.mark.slow
@pytest.mark.parametrize("path", sorted(HUGE))
async def test_peak_rss_grows_less_than_100_mib_at_the_default_cap(
    figures: Figures, path: str
) -> None:
    """The issue's figures, in a fresh process: 2 GB body 4.9 GB RSS, endless body until
    killed, gzip bomb 4.1 GB. Now the default 32 MiB cap stops each one."""
    async with raw_server(huge_scripts()) as served:
        done = await anyio.run_process([sys.executable, str(PROBE), served.base_url, path])
    probe = json.loads(done.stdout)
    growth = (probe["peak_kib"] - probe["before_kib"]) / 1024
    assert probe["error"] == "ResponseTooLargeError", probe
    assert "max_response_bytes=33,554,432" in probe["message"]
    assert growth < 100
    figures.line(
        SUITE,
        f"GET {path}: {probe['error']} after {probe['elapsed']:.2f} s, "
        f"peak RSS growth {growth:.1f} MiB",
    )


async def test_an_error_status_keeps_its_type_whatever_its_body() -> None:
    # A 500 whose body is a gzip bomb is still a ServerError: the body only explains it.
    cap = MIB
    scripts = {
        "/bomb": servers.endless_gzip(status="500 Internal Server Error"),
        "/stacked": answer(
            servers.gzip_bytes(b"{}", layers=2),
            status="503 Service Unavailable",
            headers={"content-encoding": "gzip, gzip", "x-request-id": "req_503"},
        ),
    }
    async with raw_server(scripts) as served, client(served.base_url, max_response_bytes=cap) as ca:
        bomb, elapsed = await timed(ca.request("GET", "/bomb"))
        stacked, _ = await timed(ca.request("GET", "/stacked"))
    assert isinstance(bomb, errors.ServerError), bomb
    assert bomb.status == 500
    assert elapsed < 2.0
    assert isinstance(stacked, errors.ServiceUnavailableError), stacked
    assert stacked.request_id == "req_503"


PAYLOAD = b'{"data": {"organization_id": "org_1", "api_key_name": "ci"}}'


def _deflate(data: bytes, wbits: int) -> bytes:
    import zlib

    deflate = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return deflate.compress(data) + deflate.flush()


ENCODED: dict[str, tuple[str, bytes]] = {
    "identity": ("identity", PAYLOAD),
    "gzip": ("gzip", servers.gzip_bytes(PAYLOAD)),
    "deflate (zlib)": ("deflate", _deflate(PAYLOAD, 15)),
    "deflate (raw)": ("deflate", _deflate(PAYLOAD, -15)),
    "two gzip members": (
        "gzip",
        servers.gzip_bytes(PAYLOAD[:20]) + servers.gzip_bytes(PAYLOAD[20:]),
    ),
    "GZIP in capitals": ("GZIP", servers.gzip_bytes(PAYLOAD)),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
async def test_the_encodings_asked_for_are_decoded(name: str) -> None:
    coding, body = ENCODED[name]
    scripts = {"/whoami": answer(body, headers={"content-encoding": coding})}
    async with raw_server(scripts) as served, client(served.base_url) as ca:
        me = await ca.whoami()
    assert me.organization_id == "org_1"
    head = served.heads[0].lower()
    assert b"\r\naccept-encoding: gzip, deflate\r\n" in head
    assert b"authorization: bearer " + KEY.lower().encode() in head


REFUSED: dict[str, tuple[Mapping[str, str], bytes, str]] = {
    "gzip, gzip (a 3 KB bomb)": (
        {"content-encoding": "gzip, gzip"},
        servers.gzip_bytes(b" " * (64 * MIB), layers=2),
        "2 layers",
    ),
    "gzip then deflate": ({"content-encoding": "gzip, deflate"}, b"x", "2 layers"),
    "br, never asked for": ({"content-encoding": "br"}, b"x", "'br'"),
    "an unknown coding": ({"content-encoding": "x-bogus"}, b"x", "'x-bogus'"),
    "not gzip at all": ({"content-encoding": "gzip"}, PAYLOAD, "not valid gzip"),
    "gzip cut short": ({"content-encoding": "gzip"}, servers.gzip_bytes(PAYLOAD)[:30], "early"),
    "garbage after the gzip": (
        {"content-encoding": "deflate"},
        _deflate(PAYLOAD, 15) + b"garbage",
        "after the end",
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
async def test_encodings_not_asked_for_or_broken_are_malformed_responses(name: str) -> None:
    headers, body, says = REFUSED[name]
    scripts = {"/whoami": answer(body, headers={**headers, "x-request-id": "req_enc"})}
    async with raw_server(scripts) as served, client(served.base_url) as ca:
        error, elapsed = await timed(ca.whoami())
    assert isinstance(error, errors.MalformedResponseError), error
    assert says in str(error)
    assert error.request_id == "req_enc"
    assert elapsed < 1.0


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
async def test_nan_and_infinity_are_not_json_and_not_retried(token: str) -> None:
    body = b'{"data": {"organization_id": "o", "api_key_name": "k", "n": ' + token.encode() + b"}}"
    sent: list[httpx.Request] = []

    def respond(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        headers = {"content-type": "application/json", "x-request-id": "req_nan"}
        return httpx.Response(200, content=body, headers=headers)

    vtime = FakeClock()
    policy = RetryPolicy(max_attempts=3, sleep=vtime.sleep, clock=vtime)
    transport = httpx.MockTransport(respond)
    async with client("https://api.example.test/v2", transport=transport, retry=policy) as ca:
        with pytest.raises(errors.DecodeError, match=f"returned {token}, which JSON") as caught:
            await ca.whoami()
    assert not isinstance(caught.value, errors.MalformedResponseError)
    assert caught.value.request_id == "req_nan"
    assert len(sent) == 1


# -- keys that cannot travel in a header ------------------------------------------------------

#: A key with one bad character at position 17, and what the refusal must call it.
BAD_KEYS: dict[str, tuple[str, str]] = {
    "NUL": ("\x00", "a control character (U+0000)"),
    "vertical tab": ("\x0b", "a control character (U+000B)"),
    "form feed": ("\x0c", "a control character (U+000C)"),
    "DEL": ("\x7f", "a control character (U+007F)"),
    "escape": ("\x1b", "a control character (U+001B)"),
    "zero-width space": ("\u200b", "a non-ASCII character (U+200B ZERO WIDTH SPACE)"),
    "no-break space": ("\xa0", "a non-ASCII character (U+00A0 NO-BREAK SPACE)"),
    "accented letter": ("é", "a non-ASCII character (U+00E9"),
    "space": (" ", "a space"),
    "tab": ("\t", "a tab"),
    "line feed": ("\n", "a line break (U+000A)"),
    "carriage return": ("\r", "a line break (U+000D)"),
}
KEY_HEAD, KEY_TAIL = "ca_live_8f3a91c2", "d7e6b5a4c3b2a1f0e9d8"


def bad_key(name: str) -> str:
    return KEY_HEAD + BAD_KEYS[name][0] + KEY_TAIL


def leaks(text: str) -> bool:
    """Whether ``text`` shows the key or either half of it."""
    return KEY_HEAD in text or KEY_TAIL in text or KEY in text


def renderings(error: BaseException) -> list[str]:
    """Every way an error ends up as text: str, repr, traceback, pickled bytes."""
    return [
        str(error),
        repr(error),
        "".join(traceback.format_exception(error)),
        pickle.dumps(error).decode("latin-1"),
    ]


@pytest.mark.parametrize("cls", [AsyncCreatorAudit, AsyncTrackAGoat, CreatorAudit, TrackAGoat])
@pytest.mark.parametrize("name", sorted(BAD_KEYS))
def test_a_key_that_cannot_travel_in_a_header_is_refused_without_showing_it(
    cls: type[Any], name: str
) -> None:
    with pytest.raises(ValueError, match="api_key") as caught:
        cls(api_key=bad_key(name), base_url="https://api.example.test/v2")
    message = str(caught.value)
    assert f"has {BAD_KEYS[name][1]}" in message
    assert f"at position {len(KEY_HEAD) + 1};" in message
    assert not [text for text in renderings(caught.value) if leaks(text)]


def test_a_bad_key_from_the_environment_is_named_by_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CREATORAUDIT_API_KEY", bad_key("zero-width space"))
    with pytest.raises(ValueError, match="CREATORAUDIT_API_KEY has a non-ASCII") as caught:
        AsyncCreatorAudit(base_url="https://api.example.test/v2")
    assert not leaks(str(caught.value))


def test_a_key_that_is_not_a_string_is_refused_by_type() -> None:
    with pytest.raises(ValueError, match="api_key must be a str, got bytes"):
        AsyncCreatorAudit(api_key=KEY.encode(), base_url="https://x.test")  # type: ignore[arg-type]
    assert checked_api_key(KEY) == KEY


def strings_reachable_from(root: object, *, skip: object) -> list[str | bytes]:
    """Every str and bytes reachable from ``root`` through object references, except via
    ``skip``: where a key could still be found by anything holding the client.

    Functions are followed into their closures and defaults but not their module's globals,
    which lead to everything the interpreter holds.
    """
    found: list[str | bytes] = []
    seen = {id(skip)}
    todo = [root]
    while todo and len(seen) < 200_000:
        item = todo.pop()
        if id(item) in seen or isinstance(item, type | ModuleType):
            continue
        seen.add(id(item))
        if isinstance(item, str | bytes | bytearray):
            found.append(bytes(item) if isinstance(item, bytearray) else item)
        elif isinstance(item, FunctionType):
            todo.extend(cell.cell_contents for cell in item.__closure__ or ())
            todo.extend([item.__defaults__, item.__kwdefaults__])
        else:
            todo.extend(gc.get_referents(item))
    return found


def test_the_key_lives_only_in_the_auth_object() -> None:
    key = f"ca_live_{uuid.uuid4().hex}"  # made here, so no module constant can match it
    ca = AsyncCreatorAudit(api_key=key, base_url="https://api.example.test/v2")
    auth = ca._auth  # handed to each send, so a caller's http_client never holds it
    assert isinstance(auth, BearerAuth)
    reachable = strings_reachable_from(ca, skip=auth)
    # The walk reached the client's default headers, where the key used to be kept.
    assert ca._http.headers["user-agent"].encode() in reachable
    assert not [s for s in reachable if key in (s if isinstance(s, str) else s.decode("latin-1"))]
    for text in (repr(auth), str(auth), repr(ca), repr(ca._http.headers), repr(vars(ca))):
        assert key not in text
    with pytest.raises(TypeError, match="cannot be pickled"):
        pickle.dumps(auth)
    with pytest.raises(TypeError, match="cannot be pickled"):
        copy.deepcopy(auth)
    request = httpx.Request("GET", "https://api.example.test/v2/whoami")
    assert next(auth.auth_flow(request)).headers["authorization"] == f"Bearer {key}"


async def test_no_error_a_request_can_raise_shows_the_key_even_with_frame_locals() -> None:
    """What error trackers record (``capture_locals=True``, the whole cause chain) never
    holds the key, whatever failed: an error status, a refused connection, a timeout, an
    oversized or undecodable body."""
    scripts = {
        "/denied": answer(b'{"title": "no"}', status="401 Unauthorized"),
        "/slow": servers.trickled_body(JSON_15_BYTES, 0.05),
        "/big": answer(b"x" * 2048),
        "/mangled": answer(b"not gzip", headers={"content-encoding": "gzip"}),
    }
    raised: list[BaseException] = []
    async with raw_server(scripts) as served:
        for base_url in (served.base_url, f"http://127.0.0.1:{closed_port()}/v2"):
            async with client(base_url, timeout=0.25, max_response_bytes=1024) as ca:
                for path in scripts:
                    error, _ = await timed(ca.request("GET", path))
                    assert isinstance(error, errors.CreatorSDKError), error
                    raised.append(error)
    kinds = {type(e).__name__ for e in raised}
    assert kinds == {
        "AuthenticationError",
        "APITimeoutError",
        "ResponseTooLargeError",
        "MalformedResponseError",
        "APIConnectionError",
    }
    for error in raised:
        rendered = traceback.TracebackException.from_exception(error, capture_locals=True)
        assert not leaks("".join(rendered.format())), type(error).__name__
        assert not [text for text in renderings(error) if leaks(text)]


# -- cursor cycles of any length --------------------------------------------------------------


def cycling(cursors: list[str], pages_served: list[str | None]) -> Callable[..., Any]:
    """A page source whose cursors go round ``cursors`` for ever, ``has_next`` always true."""

    async def fetch(cursor: str | None) -> Page[int]:
        pages_served.append(cursor)
        at = -1 if cursor is None else cursors.index(cursor)
        return Page(items=[at], next_cursor=cursors[(at + 1) % len(cursors)], has_next=True)

    return fetch


@pytest.mark.parametrize("length", [2, 3, 7])
async def test_a_cursor_cycle_of_any_length_ends_with_a_decode_error(length: int) -> None:
    cursors = [f"c{i}" for i in range(length)]
    served: list[str | None] = []
    with anyio.fail_after(5), pytest.raises(errors.DecodeError) as caught:
        await AsyncPager(cycling(cursors, served)).to_list()
    assert caught.value.field == "pagination.next_cursor"
    assert "back to a cursor it gave before" in str(caught.value)
    assert served == [None, *cursors]  # each page once, then the cycle is seen


async def test_a_cycle_back_to_the_callers_own_cursor_is_caught_too() -> None:
    served: list[str | None] = []
    with pytest.raises(errors.DecodeError):
        await AsyncPager(cycling(["a", "b", "c"], served), cursor="b").to_list()
    assert served == ["b", "c", "a"]


async def test_a_long_listing_without_a_cycle_is_read_to_its_end() -> None:
    async def fetch(cursor: str | None) -> Page[int]:
        at = 0 if cursor is None else int(cursor)
        return Page(items=[at], next_cursor=str(at + 1), has_next=at + 1 < 5000)

    assert await AsyncPager(fetch).to_list() == list(range(5000))


def listing_pages(cursors: Mapping[str | None, str]) -> httpx.MockTransport:
    """CreatorAudit account pages: the page at cursor ``c`` leads to ``cursors[c]``."""

    def respond(request: httpx.Request) -> httpx.Response:
        cursor = request.url.params.get("cursor")
        body = {
            "data": [],
            "pagination": {"has_next": True, "next_cursor": cursors[cursor], "limit": 5},
        }
        return httpx.Response(200, json=body, headers={"x-request-id": f"req_{cursor}"})

    return httpx.MockTransport(respond)


async def test_a_servers_cursor_cycle_ends_a_real_listing() -> None:
    transport = listing_pages({None: "A", "A": "B", "B": "C", "C": "A"})
    async with client("https://api.example.test/v2", transport=transport) as ca:
        with anyio.fail_after(5), pytest.raises(errors.DecodeError) as caught:
            await ca.accounts.list(limit=5).to_list()
    assert caught.value.request_id == "req_C"


# -- queries too long for a URL, bad base URLs ----------------------------------------------------


async def test_a_callers_cursor_too_long_for_a_url_is_a_value_error_before_the_network() -> None:
    sent: list[httpx.Request] = []
    transport = httpx.MockTransport(lambda request: sent.append(request) or httpx.Response(500))
    async with client("https://api.example.test/v2", transport=transport) as ca:
        with pytest.raises(ValueError, match=r"cursor is too long: .* 65,536") as caught:
            await ca.accounts.list(cursor="c" * 70_000).to_list()
        with pytest.raises(ValueError, match="q is too long"):
            await ca.request("GET", "/search", params={"q": "é" * 12_000})
    assert sent == []
    assert not isinstance(caught.value, httpx.InvalidURL)


async def test_a_servers_cursor_too_long_for_a_url_is_a_decode_error() -> None:
    transport = listing_pages({None: "n" * 70_000})
    async with client("https://api.example.test/v2", transport=transport) as ca:
        with pytest.raises(errors.DecodeError, match="next_cursor too long") as caught:
            await ca.accounts.list().to_list()
    assert caught.value.field == "pagination.next_cursor"


BAD_BASE_URLS: list[object] = [
    "http://[::1",  # httpx.InvalidURL before
    "https://exa\x00mple.test/v2",
    "https://",
    "https:///v2",
    "http://127.0.0.1:99999999/v2",
    "https://" + "a" * 70_000,
    b"https://api.example.test/v2",
    42,
]


@pytest.mark.parametrize("cls", [AsyncCreatorAudit, AsyncTrackAGoat])
@pytest.mark.parametrize("base_url", BAD_BASE_URLS, ids=lambda u: repr(u)[:30])
def test_a_bad_base_url_is_a_value_error(cls: type[Any], base_url: object) -> None:
    with pytest.raises(ValueError, match="base_url") as caught:
        cls(api_key=KEY, base_url=base_url)
    assert not isinstance(caught.value, httpx.InvalidURL)
    assert not leaks(str(caught.value))


# -- errors survive pickling ------------------------------------------------------------------


async def real_batch_error() -> errors.BatchError:
    """A BatchError from a real deltas fan-out: some chunks failed, some kept their results."""
    vtime = FakeClock()
    fake = FakeCreatorAudit(
        0, accounts=2, clock=vtime, faults=FaultPlan(seed=1, error_503=0.4, paths={"/videos/*"})
    )
    ids = [str(uuid.UUID(int=i, version=4)) for i in range(1, 1001)]
    policy = RetryPolicy(max_attempts=1, sleep=vtime.sleep, clock=vtime)
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=fake.base_url, transport=fake.transport(), retry=policy
    ) as ca:
        try:
            await ca.videos.deltas(ids, windows=[7])
        except errors.BatchError as error:
            return error
    raise AssertionError("no chunk failed")


def every_error(batch: errors.BatchError) -> dict[str, BaseException]:
    """One instance of each error class, every attribute set to something not default."""
    problem: dict[str, Any] = {
        "code": "SOME_CODE",
        "title": "Title",
        "detail": "Detail",
        "type": "https://docs.example.test/problems/x",
        "request_id": "req_1",
        "errors": (errors.FieldError("limit", "too big"),),
        "attempts": 3,
        "method": "GET",
        "path": "/accounts",
        "retry_after": 1.5,
        "extra": {"limit_key": "creators", "current": 5, "max": 5, "required": ["a:read"]},
    }
    built: dict[str, BaseException] = {}
    for name in errors.__all__:
        cls = getattr(errors, name)
        if not (isinstance(cls, type) and issubclass(cls, BaseException)):
            continue
        if issubclass(cls, errors.RateLimitError):
            built[name] = cls(status=429, rate_limit=RateLimit(60, 0, 1.8e9), **problem)
        elif issubclass(cls, errors.APIError):
            built[name] = cls(status=418, **problem)
        elif cls is errors.APITimeoutError:
            built[name] = cls("slow", method="POST", path="/x", attempts=2, sent=False, bound="x")
        elif cls is errors.APIConnectionError:
            built[name] = cls("reset", method="POST", path="/x", attempts=2, sent=False)
        elif cls is errors.ResponseTooLargeError:
            built[name] = cls(
                "big", limit=10, status=200, method="GET", path="/p", request_id="r", attempts=2
            )
        elif cls is errors.MalformedResponseError:
            built[name] = cls("cut", request_id="req_2", attempts=4)
        elif cls is errors.DecodeError:
            built[name] = cls("bad", field="data.id", request_id="req_3")
        elif cls is errors.BatchError:
            built[name] = batch
        else:
            built[name] = cls("plain")
    for error in built.values():
        error.add_note("a note added by the caller")
    return built


def state_of(value: Any) -> Any:
    """Everything ``value`` holds, as plain data that compares by content."""
    if isinstance(value, BaseException):
        return (type(value), state_of(value.args), state_of(vars(value)), str(value))
    if attrs.has(type(value)):
        fields = attrs.fields(type(value))
        return (type(value), {f.name: state_of(getattr(value, f.name)) for f in fields})
    if isinstance(value, Mapping):
        return (type(value), {k: state_of(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return (type(value), [state_of(v) for v in value])
    return value


async def test_every_error_pickles_with_every_attribute(figures: Figures) -> None:
    built = every_error(await real_batch_error())
    exceptions = {
        name
        for name in errors.__all__
        if isinstance(getattr(errors, name), type) and issubclass(getattr(errors, name), Exception)
    }
    assert set(built) == exceptions  # a new error class must be added here
    for name, error in built.items():
        copied = pickle.loads(pickle.dumps(error))
        assert state_of(copied) == state_of(error), name
    batch = built["BatchError"]
    assert isinstance(batch, errors.BatchError)
    assert batch.failures
    assert batch.results
    assert any(isinstance(r.data, MappingProxyType) for r in batch.results)
    figures.line(SUITE, f"{len(built)} error classes pickle and unpickle with every attribute")


@pytest.mark.slow
async def test_errors_cross_a_process_pool_intact() -> None:
    built = every_error(await real_batch_error())
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        for name, error in built.items():
            future = pool.submit(servers.reraise, error)
            with pytest.raises(type(error)) as caught:
                future.result(timeout=30)
            assert state_of(caught.value) == state_of(error), name
