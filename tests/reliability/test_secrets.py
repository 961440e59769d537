"""Secrets and transport safety: the key stays secret, and only goes where it should.

- With every logger at DEBUG (``creatorsdk``, ``httpx``, ``httpcore``, the root), a session of
  real calls, retries and failures over loopback HTTP never logs the key; no repr of anything
  the SDK hands out shows it; no exception text or formatted traceback of real errors (their
  causes included) contains it.
- A redirect is never followed, so the key never reaches another origin.
- Plain ``http://`` is refused unless the host is loopback, however the URL is disguised.
- TLS verification is on in the default transport, environment variables cannot turn it off,
  and a server with an untrusted certificate is refused before any request byte is sent. The
  only way to change TLS is the documented one: pass your own ``transport=``.
"""

from __future__ import annotations

import datetime as dt
import logging
import ssl
import traceback
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from creatorsdk import AsyncCreatorAudit, AsyncTrackAGoat, RetryPolicy, errors
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat, FaultPlan

from .conftest import Figures
from .servers import CERT, tls_server

WRONG_KEY = "ca_live_WRONGKEY_5f0c2d9e8b7a6f5e4d3c2b1a"


def secrets_in(text: str, *keys: str) -> list[str]:
    """The keys (or a long enough piece of one) that ``text`` gives away."""
    found = []
    for key in keys:
        if key in text or key[-24:] in text:
            found.append(key[:8] + "...")
    return found


class Everything(logging.Handler):
    """Keeps every record, rendered every way a log pipeline might render it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.rendered: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.rendered.append(
            f"{record.getMessage()} | {record.args!r} | {record.__dict__!r} | {record.exc_text}"
        )


@pytest.fixture
def debug_logs() -> Iterator[Everything]:
    handler = Everything()
    names = ["", "creatorsdk", "httpx", "httpcore", "anyio"]
    loggers = [logging.getLogger(name) for name in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    try:
        yield handler
    finally:
        logging.getLogger().removeHandler(handler)
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def rendered_error(error: BaseException) -> str:
    """Everything a user, a log or an error tracker could print about ``error``."""
    parts = [str(error), repr(error), "".join(traceback.format_exception(error))]
    # Error trackers record every frame's locals; so does this.
    with_locals = traceback.TracebackException.from_exception(error, capture_locals=True)
    parts.append("".join(with_locals.format()))
    for attribute in ("errors", "extra", "failures", "results", "rate_limit", "detail"):
        parts.append(repr(getattr(error, attribute, None)))
    return "\n".join(parts)


async def real_errors(fake: FakeCreatorAudit, base_url: str) -> list[BaseException]:
    """One of each failure a user meets, made for real against the served fake."""
    clock = FakeClock()
    caught: list[BaseException] = []
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)

    async def expect(call: Any) -> None:
        try:
            await call
        except errors.CreatorSDKError as error:
            caught.append(error)
        else:  # pragma: no cover - the scenario is wrong, not the SDK
            raise AssertionError("expected an error")

    async with AsyncCreatorAudit(api_key=fake.api_key, base_url=base_url, retry=policy) as ca:
        await ca.whoami()
        await ca.accounts.list(limit=3).to_list()
        await expect(ca.accounts.get(str(uuid.UUID(int=7, version=4))))  # 404
        await expect(ca.accounts.create("tiktok", "x" * 65))  # 422 from the server
        fake.faults = FaultPlan(error_503=1.0, paths={"/videos/deltas"})
        await expect(ca.videos.deltas([str(uuid.UUID(int=i, version=4)) for i in range(300)]))
        fake.faults = FaultPlan(truncated_body=1.0, paths={"/whoami"})
        await expect(ca.whoami())  # malformed, retried, given up
        fake.faults = FaultPlan(drop_before_commit=1.0, paths={"/creators"})
        await expect(ca.creators.list().to_list())  # connection dropped
        fake.faults = FaultPlan()
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url=base_url, retry=policy, timeout=0.02
    ) as slow:
        fake.faults = FaultPlan(slow=1.0, slow_seconds=0.1, paths={"/whoami"})
        await expect(slow.whoami())  # timeout
        fake.faults = FaultPlan()
    async with AsyncCreatorAudit(api_key=WRONG_KEY, base_url=base_url, retry=policy) as wrong:
        await expect(wrong.whoami())  # 401
    async with AsyncCreatorAudit(
        api_key=fake.api_key, base_url="http://127.0.0.1:9/v2", retry=policy
    ) as nowhere:
        await expect(nowhere.whoami())  # connection refused
    return caught


async def trackagoat_errors(fake: FakeTrackAGoat, base_url: str) -> list[BaseException]:
    """The trackagoat client's share: a session with a bulk add, a 404, a 403 and a 401."""
    clock = FakeClock()
    policy = RetryPolicy(max_attempts=2, sleep=clock.sleep, clock=clock)
    caught: list[BaseException] = []
    project = next(iter(fake.store.projects))
    options: dict[str, Any] = {"base_url": base_url, "retry": policy, "requests_per_minute": 6e4}
    async with AsyncTrackAGoat(api_key=fake.api_key, **options) as tg:
        await tg.projects.list().to_list()
        await tg.creators.create_many(project, [f"secret_{n}" for n in range(60)])
        try:
            await tg.creators.delete(str(uuid.UUID(int=7, version=4)))
        except errors.NotFoundError as error:
            caught.append(error)
    async with AsyncTrackAGoat(api_key=fake.read_only_api_key, **options) as reader:
        try:
            await reader.creators.create(project, "nope")
        except errors.PermissionDeniedError as error:
            caught.append(error)
    async with AsyncTrackAGoat(api_key=WRONG_KEY, **options) as wrong:
        try:
            await wrong.schema()
        except errors.AuthenticationError as error:
            caught.append(error)
    assert len(caught) == 3
    return caught


async def test_the_key_never_shows_in_debug_logs_reprs_errors_or_tracebacks(
    debug_logs: Everything, figures: Figures
) -> None:
    fake = FakeCreatorAudit(0, accounts=6, rate_limit=None)
    goat = FakeTrackAGoat(3, rate_limit=None)
    keys = (fake.api_key, WRONG_KEY, goat.api_key, goat.read_only_api_key)
    async with goat.serve() as goat_url:
        caught = await trackagoat_errors(goat, goat_url)
    async with fake.serve() as base_url:
        caught += await real_errors(fake, base_url)
        async with AsyncCreatorAudit(api_key=fake.api_key, base_url=base_url) as ca:
            pager = ca.accounts.list(limit=2)
            accounts = await pager.to_list()
            reprs = [
                repr(ca),
                str(ca),
                repr(vars(ca)),
                repr(ca._http.headers),
                repr(ca.accounts),
                repr(pager),
                repr(accounts),
                repr(ca.retry_policy),
                repr(ca.rate_limit),
                repr(ca.stats),
            ]

    kinds = sorted({type(e).__name__ for e in caught})
    assert {"NotFoundError", "ValidationError", "BatchError", "AuthenticationError"} <= set(kinds)
    assert {"MalformedResponseError", "APIConnectionError", "APITimeoutError"} <= set(kinds)
    assert "PermissionDeniedError" in kinds or "InsufficientScopeError" in kinds
    assert any(isinstance(e.__cause__, httpx.HTTPError) for e in caught)  # causes are kept
    leaks = [(type(e).__name__, secrets_in(rendered_error(e), *keys)) for e in caught]
    assert [leak for leak in leaks if leak[1]] == []
    assert secrets_in("\n".join(reprs), *keys) == []
    # The log pipeline saw plenty, at DEBUG, from every library: just never a key.
    assert len(debug_logs.rendered) > 50
    assert any("creatorsdk" in line for line in debug_logs.rendered)
    assert any("httpcore" in line for line in debug_logs.rendered)
    assert secrets_in("\n".join(debug_logs.rendered), *keys) == []
    figures.line(
        "secrets",
        f"debug log records={len(debug_logs.rendered)} errors={len(caught)} ({', '.join(kinds)}) "
        f"reprs={len(reprs)}: key found 0 times",
    )


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("client", ["creatoraudit", "trackagoat"])
async def test_a_redirect_to_another_origin_is_never_followed(
    client: str, status: int, figures: Figures
) -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, headers={"Location": "https://collector.evil.test/grab"})

    transport = httpx.MockTransport(handle)
    cls = AsyncCreatorAudit if client == "creatoraudit" else AsyncTrackAGoat
    base = "https://api.creatoraudit.test/v2" if client == "creatoraudit" else "https://tg.test/v1"
    async with cls(api_key="k_" + "9" * 30, base_url=base, transport=transport) as api:
        call = api.whoami() if isinstance(api, AsyncCreatorAudit) else api.schema()
        with pytest.raises(errors.APIError) as caught:
            await call
    assert caught.value.status == status
    assert [r.url.host for r in seen] == [httpx.URL(base).host]
    figures.count("transport", "cross-origin redirects not followed")


@pytest.mark.parametrize(
    "url",
    [
        "http://api.creatoraudit.com/v2",
        "HTTP://API.CREATORAUDIT.COM/v2",
        "http://127.0.0.1.nip.io/v2",
        "http://localhost.evil.test/v2",
        "http://127.0.0.1@evil.test/v2",
        "http://evil.test#@127.0.0.1/v2",
        "http://evil.test/?127.0.0.1",
        "http://0.0.0.0:8080/v2",
        "http://10.0.0.1/v2",
        "http://[::ffff:10.0.0.1]/v2",
        "ws://127.0.0.1/v2",
        "ftp://127.0.0.1/v2",
        "//evil.test/v2",
        "api.creatoraudit.com/v2",
    ],
)
@pytest.mark.parametrize("cls", [AsyncCreatorAudit, AsyncTrackAGoat])
def test_plain_http_is_refused_unless_loopback(url: str, cls: type[Any]) -> None:
    with pytest.raises(ValueError, match="base"):
        cls(api_key="k_" + "9" * 30, base_url=url)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v2",
        "http://127.5.6.7/v2",
        "http://localhost:1/v2",
        "http://LOCALHOST/v2",
        "http://[::1]:8080/v2",
        "https://api.creatoraudit.com/v2",
    ],
)
def test_loopback_http_and_any_https_are_accepted(url: str) -> None:
    AsyncCreatorAudit(api_key="k_" + "9" * 30, base_url=url)


def test_the_base_url_from_the_environment_is_checked_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CREATORAUDIT_BASE_URL", "http://api.creatoraudit.com/v2")
    monkeypatch.setenv("TRACKAGOAT_BASE_URL", "http://www.trackagoat.com/api/v1")
    with pytest.raises(ValueError, match="http"):
        AsyncCreatorAudit(api_key="k_" + "9" * 30)
    with pytest.raises(ValueError, match="http"):
        AsyncTrackAGoat(api_key="k_" + "9" * 30)


@pytest.mark.parametrize("cls", [AsyncCreatorAudit, AsyncTrackAGoat])
def test_the_default_transport_verifies_tls_whatever_the_environment(
    cls: type[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Switches other HTTP stacks honour; none may turn verification off here.
    for name, value in {
        "PYTHONHTTPSVERIFY": "0",
        "CURL_CA_BUNDLE": "",
        "REQUESTS_CA_BUNDLE": "",
        "HTTPX_SSL_VERIFY": "0",
        "SSL_VERIFY": "false",
    }.items():
        monkeypatch.setenv(name, value)
    client = cls(api_key="k_" + "9" * 30)
    context = client._http._transport._pool._ssl_context
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname is True
    # verify= changes whom the client trusts; nothing turns verification off.
    for off in (False, 0, ""):
        with pytest.raises(ValueError, match="verify"):
            cls(api_key="k_" + "9" * 30, verify=off)


async def test_an_untrusted_certificate_is_refused_before_any_request_byte(
    figures: Figures,
) -> None:
    body = b'{"data": {"type": "whoami", "organization_id": "org"}}'
    key = "ca_live_" + "7" * 32
    policy = RetryPolicy(max_attempts=1)
    async with tls_server(body) as served:
        base_url = served.base_url
        async with AsyncCreatorAudit(api_key=key, base_url=base_url, retry=policy) as ca:
            with pytest.raises(errors.APIConnectionError) as refused:
                await ca.whoami()
        assert isinstance(refused.value.__cause__, httpx.ConnectError)
        assert "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
        assert served.received == []  # nothing, the key least of all, went over the wire

        # The documented opt-out: your own transport, with TLS set up as you choose.
        trusting = ssl.create_default_context(cafile=str(CERT))
        transport = httpx.AsyncHTTPTransport(verify=trusting)
        async with AsyncCreatorAudit(
            api_key=key, base_url=base_url, retry=policy, transport=transport
        ) as ca:
            assert (await ca.whoami()).organization_id == "org"
    assert len(served.received) == 1
    assert b"authorization: bearer " + key.encode() in served.received[0].lower()
    figures.line("transport", "untrusted certificate refused before any byte")


def test_the_test_certificate_is_still_valid() -> None:
    """The checked-in certificate must outlive the suite (it was made for 100 years)."""
    cert = ssl._ssl._test_decode_cert(str(CERT))  # type: ignore[attr-defined]
    not_after = dt.datetime.strptime(cert["notAfter"], "%b %d %H:%M:%S %Y %Z")
    assert not_after > dt.datetime(2100, 1, 1)
