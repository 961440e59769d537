"""What a client reports: hooks, log lines, the CREATORSDK_LOG switch, OTel spans, deprecations."""

from __future__ import annotations

import logging
import subprocess
import sys
import warnings

import httpx
import pytest
import respx

from creatorsdk import AsyncCreatorAudit, Hooks, RetryPolicy, errors
from creatorsdk._engine.observing import CallInfo, configure_logging_from_env, logger
from creatorsdk.testing import FakeClock

from ..conftest import API_KEY, BASE_URL
from .test_client import ok, problem


async def test_hooks_see_the_call_each_attempt_each_retry_and_its_end(
    api: respx.MockRouter, policy: RetryPolicy
) -> None:
    seen: list[tuple[str, object]] = []
    hooks = Hooks(
        on_start=lambda call: seen.append(("start", call.path)),
        on_request=lambda event: seen.append(("request", event.attempt)),
        on_response=lambda event: seen.append(("response", event.status)),
        on_retry=lambda event: seen.append(("retry", type(event.error).__name__)),
        on_end=lambda call, error: seen.append(("end", error)),
    )
    api.get("/whoami").mock(
        side_effect=[problem(503, "SERVICE_UNAVAILABLE"), ok({"organization_id": "o"})]
    )
    async with AsyncCreatorAudit(
        api_key=API_KEY, base_url=BASE_URL, retry=policy, hooks=hooks
    ) as ca:
        await ca.whoami()
    assert seen == [
        ("start", "/v2/whoami"),
        ("request", 1),
        ("response", 503),
        ("retry", "ServiceUnavailableError"),
        ("request", 2),
        ("response", 200),
        ("end", None),
    ]


async def test_the_end_hook_gets_the_error_the_call_raises(
    api: respx.MockRouter, policy: RetryPolicy
) -> None:
    ended: list[BaseException | None] = []
    api.get("/whoami").mock(return_value=problem(404, "NOT_FOUND"))
    hooks = Hooks(on_end=lambda call, error: ended.append(error))
    async with AsyncCreatorAudit(
        api_key=API_KEY, base_url=BASE_URL, retry=policy, hooks=hooks
    ) as ca:
        with pytest.raises(errors.NotFoundError) as caught:
            await ca.whoami()
    assert ended == [caught.value]


async def test_a_hook_that_raises_never_breaks_the_call(
    api: respx.MockRouter, policy: RetryPolicy, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: object) -> None:
        raise RuntimeError("metrics backend down")

    api.get("/whoami").mock(return_value=ok({"organization_id": "o"}))
    async with AsyncCreatorAudit(
        api_key=API_KEY, base_url=BASE_URL, retry=policy, hooks=Hooks(on_request=broken)
    ) as ca:
        me = await ca.whoami()
    assert me.organization_id == "o"
    assert "hook" in caplog.text


def test_a_hook_that_cannot_be_called_is_refused_when_built() -> None:
    with pytest.raises(errors.InvalidArgumentError, match=r"Hooks\.on_end must be callable"):
        Hooks(on_end=5)  # type: ignore[arg-type]


def test_hooks_combine_in_order() -> None:
    order: list[str] = []
    both = Hooks(on_start=lambda c: order.append("a")) | Hooks(on_start=lambda c: order.append("b"))
    assert both.on_start is not None
    both.on_start(CallInfo("GET", "/x", "https://h/x"))
    assert order == ["a", "b"]


async def test_retries_and_long_pacer_waits_are_logged_at_info(
    api: respx.MockRouter, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    policy = RetryPolicy(sleep=clock.sleep, clock=clock)
    api.get("/whoami").mock(
        side_effect=[
            problem(429, "RATE_LIMITED", **{"Retry-After": "3"}),
            ok({"organization_id": "o"}),
        ]
    )
    caplog.set_level(logging.INFO, logger="creatorsdk")
    async with AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, retry=policy) as ca:
        await ca.whoami()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("attempt 1 failed" in m and "429" in m for m in messages), messages
    assert any("pacer held it" in m for m in messages), messages
    assert API_KEY not in caplog.text


def test_creatorsdk_log_turns_logging_on_without_code() -> None:
    script = (
        "import logging, creatorsdk; print(logging.getLogger('creatorsdk').getEffectiveLevel())"
    )
    for value, level in (("debug", logging.DEBUG), ("INFO", logging.INFO)):
        done = subprocess.run(
            [sys.executable, "-c", script],
            env={"CREATORSDK_LOG": value, "PATH": ""},
            capture_output=True,
            text=True,
            check=True,
        )
        assert done.stdout.strip() == str(level)


def test_an_unknown_log_level_leaves_logging_alone() -> None:
    before = (logger.level, list(logger.handlers))
    configure_logging_from_env({"CREATORSDK_LOG": "loud"})
    assert (logger.level, list(logger.handlers)) == before


async def test_a_deprecated_endpoint_warns_once_per_client(
    api: respx.MockRouter, policy: RetryPolicy
) -> None:
    video = "6b29fc40-ca47-1067-b31d-00dd010662da"
    body = {"data": {"id": video, "platform": "tiktok"}}
    headers = {"Deprecation": "@1688169599", "Sunset": "Sat, 31 Dec 2026 23:59:59 GMT"}
    api.get(f"/videos/{video}").mock(return_value=httpx.Response(200, json=body, headers=headers))
    async with AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, retry=policy) as ca:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            await ca.videos.get(video)
            await ca.videos.get(video)
    deprecations = [w for w in caught if issubclass(w.category, errors.APIDeprecationWarning)]
    assert len(deprecations) == 1
    assert "GET /v2/videos/{id}" in str(deprecations[0].message)
    assert "2026-12-31" in str(deprecations[0].message)


@pytest.mark.parametrize(
    ("deprecation", "sunset", "says"),
    [
        ("2026-06-01", "2027-01-31", ["API v2 is deprecated (since 2026-06-01)", "2027-01-31"]),
        (None, "2027-01-31T00:00:00Z", ["API v2 is deprecated", "2027-01-31T00:00:00Z"]),
        ("true", None, ["(since true)", "see https://docs.example/v2"]),
    ],
)
async def test_meta_announcing_the_versions_retirement_warns_once(
    api: respx.MockRouter,
    policy: RetryPolicy,
    deprecation: str | None,
    sunset: str | None,
    says: list[str],
) -> None:
    # The docs give no date format, so whatever the server wrote is passed on as written.
    data = {
        "type": "api_meta",
        "api_version": "v2",
        "status": "deprecated",
        "docs_url": "https://docs.example/v2",
        "deprecation": deprecation,
        "sunset": sunset,
    }
    api.get("/meta").mock(return_value=httpx.Response(200, json={"data": data}))
    async with AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, retry=policy) as ca:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            first = await ca.meta()
            await ca.meta()
    assert (first.deprecation, first.sunset) == (deprecation, sunset)
    deprecations = [w for w in caught if issubclass(w.category, errors.APIDeprecationWarning)]
    assert len(deprecations) == 1
    for text in says:
        assert text in str(deprecations[0].message)
    assert deprecations[0].filename == __file__  # points at the caller's line


async def test_meta_of_a_supported_version_does_not_warn(
    api: respx.MockRouter, policy: RetryPolicy
) -> None:
    data = {"type": "api_meta", "api_version": "v2", "deprecation": None, "sunset": None}
    api.get("/meta").mock(return_value=httpx.Response(200, json={"data": data}))
    async with AsyncCreatorAudit(api_key=API_KEY, base_url=BASE_URL, retry=policy) as ca:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert (await ca.meta()).status is None
    # Only what the call itself warns counts: a socket an earlier test left to the garbage
    # collector may be finalized here, and its ResourceWarning is not this call's.
    assert [str(w.message) for w in caught if w.category is not ResourceWarning] == []


async def test_one_span_per_logical_call_with_attempts_as_events(
    api: respx.MockRouter, policy: RetryPolicy
) -> None:
    otel_sdk = pytest.importorskip("opentelemetry.sdk.trace", reason="needs the otel extra")
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from creatorsdk.otel import tracing_hooks

    exporter = InMemorySpanExporter()
    provider = otel_sdk.TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    api.get("/whoami").mock(
        side_effect=[problem(503, "SERVICE_UNAVAILABLE"), ok({"organization_id": "o"})]
    )
    api.get("/overview").mock(return_value=problem(404, "NOT_FOUND"))
    async with AsyncCreatorAudit(
        api_key=API_KEY, base_url=BASE_URL, retry=policy, hooks=tracing_hooks(provider)
    ) as ca:
        await ca.whoami()
        with pytest.raises(errors.NotFoundError):
            await ca.overview()
    first, second = exporter.get_finished_spans()
    assert first.name == "GET"
    assert first.attributes["http.request.method"] == "GET"
    assert first.attributes["server.address"] == "api.creatoraudit.test"
    assert first.attributes["server.port"] == 443
    assert first.attributes["http.response.status_code"] == 200
    assert first.attributes["http.request.resend_count"] == 1
    assert [e.name for e in first.events] == ["attempt", "response", "retry", "attempt", "response"]
    assert second.attributes["error.type"] == "404"
    assert second.status.status_code.name == "ERROR"
    assert all(API_KEY not in str(span.to_json()) for span in (first, second))
