"""The base client both APIs are built on: one ``request()`` path for every call.

A call takes the client's concurrency limit, waits for the rate pacer, sends, reads the
rate-limit headers, maps errors, and retries or returns. The first attempt runs without any
retry machinery (it is the common case and tenacity costs tens of microseconds); only a
retryable failure hands the call to the tenacity loop, which replays that first outcome so
attempts and waits are counted exactly as if it had run every attempt.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import time
import uuid
from collections.abc import Mapping
from types import TracebackType
from typing import Any, ClassVar, Self

import attrs
import httpx
import tenacity

from creatorsdk import errors
from creatorsdk._engine.pacing import Pacer, RateLimit, parse_rate_limit
from creatorsdk._engine.problems import ProblemParser, error_from_problem, parse_problem_json
from creatorsdk._engine.retry import RetryPolicy, parse_retry_after, retrying
from creatorsdk.budgets import Budget

__all__ = ["BaseClient", "Reply", "mint_idempotency_key"]

logger = logging.getLogger("creatorsdk")

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
_USER_AGENT = "creatorsdk/0.1 (+python; httpx)"


def mint_idempotency_key() -> str:
    """A fresh key for one logical create call, reused by every attempt of it."""
    return str(uuid.uuid4())


@attrs.frozen
class Reply:
    """A successful response: status, headers, and the body parsed as JSON when it is JSON."""

    status: int
    headers: httpx.Headers
    data: Any
    text: str
    request_id: str | None


class BaseClient:
    """Owns the HTTP connection pool, the key, the limit, the pacer and the retry policy.

    Subclasses set the environment variable names, the default base URL and the error-body
    parser of their API, and add resources that call :meth:`request`.

    TLS is always verified by the transport the client builds; there is no ``verify`` switch
    to flip by accident. The one way to change TLS (a private CA, a corporate proxy) is
    explicit: pass your own ``transport=``, e.g. ``httpx.AsyncHTTPTransport(verify=context)``,
    whose settings are then yours. Redirects are never followed, so the key is only ever sent
    to the base URL's origin.
    """

    _api_name: ClassVar[str] = "API"
    _env_api_key: ClassVar[str]
    _env_base_url: ClassVar[str]
    _default_base_url: ClassVar[str]
    _parse_problem: ClassVar[ProblemParser] = staticmethod(parse_problem_json)
    #: The API's documented per-key request rate, when it sends no rate-limit headers.
    _default_requests_per_minute: ClassVar[float | None] = None

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        requests_per_minute: float | None = None,
        budget: Budget | None = None,
    ) -> None:
        if not (isinstance(max_concurrency, int) and max_concurrency >= 1):
            raise ValueError(f"max_concurrency must be an integer >= 1, got {max_concurrency!r}")
        if not (isinstance(timeout, int | float) and timeout > 0):
            raise ValueError(f"timeout must be a number > 0, got {timeout!r}")
        key = _resolve_api_key(api_key, self._env_api_key, self._api_name)
        self.base_url = _checked_base_url(
            base_url or os.environ.get(self._env_base_url) or self._default_base_url
        )
        self.max_concurrency = max_concurrency
        self.retry_policy = retry or RetryPolicy()
        self._pacer = Pacer(
            clock=self.retry_policy.clock,
            sleep=self.retry_policy.sleep,
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute or self._default_requests_per_minute,
            max_wait=self.retry_policy.max_retry_after,
            budget=budget,
        )
        # The pool is never smaller than our own limit, so no request ever waits on it
        # (httpx counts pool waits against the pool timeout: encode/httpx#1171).
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers={
                "Authorization": f"Bearer {key}",
                "User-Agent": _USER_AGENT,
                "Accept": "application/json",
            },
            timeout=httpx.Timeout(timeout, pool=None),
            limits=httpx.Limits(
                max_connections=max_concurrency, max_keepalive_connections=max_concurrency
            ),
            transport=transport,
            follow_redirects=False,
        )
        self.stats = RequestStats()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    @property
    def rate_limit(self) -> RateLimit | None:
        """The latest rate-limit state the server reported, or ``None`` before any."""
        return self._pacer.latest

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool. The client cannot be used afterwards."""
        await self._http.aclose()

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        idempotency_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        critical: bool = False,
    ) -> Reply:
        """Send one logical request, retrying as the policy allows, and return its reply.

        ``idempotent`` says whether repeating the request after an ambiguous failure (a 500,
        a dropped connection) is safe; it defaults to true for GET, PUT and DELETE and for
        any request carrying an ``idempotency_key``. ``critical`` requests (one that unlocks
        more work, like a listing's next page) go before fan-out ones queued for the budget.
        """
        extra_headers = dict(headers or {})
        if idempotency_key is not None:
            extra_headers["Idempotency-Key"] = idempotency_key
        request = self._http.build_request(
            method, path, params=_query(params), json=json, headers=extra_headers or None
        )
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS or idempotency_key is not None
        policy = self.retry_policy
        started = policy.clock()
        try:
            return await self._attempt(request, 1, critical)
        except (errors.APIError, errors.APIConnectionError, errors.MalformedResponseError) as e:
            if policy.max_attempts == 1 or not policy.should_retry(e, idempotent=idempotent):
                raise
            first_failure = e
        return await self._retry(
            request, first_failure, idempotent=idempotent, started=started, critical=critical
        )

    async def _retry(
        self,
        request: httpx.Request,
        first_failure: Exception,
        *,
        idempotent: bool,
        started: float,
        critical: bool,
    ) -> Reply:
        rate_limited = False

        def count_retry(state: tenacity.RetryCallState) -> None:
            nonlocal rate_limited
            self.stats.retries += 1
            failure = state.outcome.exception() if state.outcome else None
            rate_limited = isinstance(failure, errors.RateLimitError)

        async def sleep(seconds: float) -> None:
            # A 429's wait is the pacer's, for every sender at once; the retry just queues.
            if not rate_limited:
                await self.retry_policy.sleep(seconds)

        loop = retrying(
            self.retry_policy,
            idempotent=idempotent,
            started=started,
            before_sleep=count_retry,
            sleep=sleep,
        )
        async for attempt in loop:
            with attempt:
                number = attempt.retry_state.attempt_number
                if number == 1:
                    raise first_failure  # replay the attempt already made
                return await self._attempt(request, number, critical)
        raise AssertionError("tenacity ended without a result")  # pragma: no cover

    async def _attempt(self, request: httpx.Request, number: int, critical: bool = False) -> Reply:
        method, path = request.method, request.url.path
        pacer = self._pacer
        async with pacer.sending(critical=critical) as send:
            began = time.perf_counter()
            try:
                response = await self._http.send(request)
            except httpx.TransportError as error:
                self.stats.requests += 1
                raise _connection_error(error, method, path, number) from error
            except httpx.DecodingError as error:
                # A body that is not compressed as its Content-Encoding says (a proxy mangled
                # it, the stream was cut): served but unreadable, like a truncated body.
                self.stats.requests += 1
                raise errors.MalformedResponseError(
                    f"{method} {path} returned a body that could not be decoded: {error}",
                    attempts=number,
                ) from error
            rate_limit = parse_rate_limit(response.headers, now=self.retry_policy.clock())
            failure = None
            if not (response.is_success or response.status_code == 304):
                failure = self._error(response, rate_limit, method, path, number)
                if isinstance(failure, errors.RateLimitError) and failure.retryable:
                    pacer.rate_limited(send, failure.retry_after)
            pacer.observe(send, rate_limit)
        self.stats.requests += 1
        elapsed = time.perf_counter() - began
        request_id = response.headers.get("x-request-id")
        logger.debug(
            "%s %s status=%d attempt=%d elapsed=%.3fs request_id=%s",
            method,
            path,
            response.status_code,
            number,
            elapsed,
            request_id,
        )
        if failure is None:
            return _reply(response, request_id, method, path, number)
        raise failure

    def _error(
        self,
        response: httpx.Response,
        rate_limit: RateLimit | None,
        method: str,
        path: str,
        number: int,
    ) -> errors.APIError:
        problem = type(self)._parse_problem(
            response.status_code, response.reason_phrase, response.headers, response.content
        )
        header_wait = self._retry_after(response)
        if header_wait is not None:
            problem = attrs.evolve(problem, retry_after=header_wait)
        if response.status_code == 429:
            self.stats.rate_limited += 1
        return error_from_problem(
            problem, attempts=number, method=method, path=path, rate_limit=rate_limit
        )

    def _retry_after(self, response: httpx.Response) -> float | None:
        return parse_retry_after(response.headers.get("retry-after"), self.retry_policy.clock())


@attrs.define
class RequestStats:
    """Counters of what a client has sent: attempts, retries and 429s seen."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


def _reply(
    response: httpx.Response, request_id: str | None, method: str, path: str, number: int
) -> Reply:
    body = response.content
    content_type = response.headers.get("content-type", "")
    data: Any = None
    text = ""
    if body and ("json" in content_type or not content_type):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as error:
            raise errors.MalformedResponseError(
                f"{method} {path} returned a body that is not valid JSON "
                f"({len(body)} bytes; truncated?)",
                request_id=request_id,
                attempts=number,
            ) from error
    elif body:
        text = _text_of(response)
    return Reply(
        status=response.status_code,
        headers=response.headers,
        data=data,
        text=text,
        request_id=request_id,
    )


def _text_of(response: httpx.Response) -> str:
    """The body as text; a charset the body does not match must not raise ``UnicodeError``."""
    try:
        return response.text
    except (UnicodeError, LookupError):
        return response.content.decode("utf-8", "replace")


def _connection_error(
    error: httpx.TransportError, method: str, path: str, number: int
) -> errors.APIConnectionError:
    # Nothing left the machine when connecting failed, so even a keyless POST may repeat.
    sent = not isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    cls = (
        errors.APITimeoutError
        if isinstance(error, httpx.TimeoutException)
        else (errors.APIConnectionError)
    )
    reason = str(error) or type(error).__name__
    return cls(reason, method=method, path=path, attempts=number, sent=sent)


def _query(params: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Drop ``None`` values and spell booleans as the API does."""
    if not params:
        return None
    query: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        query[name] = ("true" if value else "false") if isinstance(value, bool) else value
    return query


def _resolve_api_key(api_key: str | None, env_name: str, api_name: str) -> str:
    key = api_key if api_key is not None else os.environ.get(env_name)
    if key is None or not key.strip():
        raise ValueError(
            f"no {api_name} API key: pass api_key= or set the {env_name} environment variable"
        )
    if key != key.strip() or any(ch in key for ch in "\r\n\t"):
        raise ValueError("api_key must not contain whitespace or line breaks")
    return key


def _checked_base_url(base_url: str) -> str:
    url = httpx.URL(base_url)
    if url.scheme == "https":
        return base_url
    if url.scheme == "http" and _is_loopback(url.host):
        return base_url
    if url.scheme == "http":
        raise ValueError(
            f"refusing plain http:// base URL {base_url!r}: the API key would travel "
            "unencrypted; use https:// (plain http is allowed only for loopback hosts)"
        )
    raise ValueError(f"base_url must be an https:// URL, got {base_url!r}")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
