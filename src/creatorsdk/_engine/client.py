"""The base client both APIs are built on: one ``request()`` path for every call.

A call takes the client's concurrency limit, waits for the rate pacer, sends, reads the
rate-limit headers, maps errors, and retries or returns. The first attempt runs without any
retry machinery (it is the common case and tenacity costs tens of microseconds); only a
retryable failure hands the call to the tenacity loop, which replays that first outcome so
attempts and waits are counted exactly as if it had run every attempt.
"""

from __future__ import annotations

import copy
import functools
import inspect
import ipaddress
import json
import logging
import math
import os
import ssl
import textwrap
import time
import uuid
import warnings
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, ClassVar, Self

import anyio
import attrs
import certifi
import httpx
import tenacity

from creatorsdk import errors
from creatorsdk._engine.checks import positive_arg
from creatorsdk._engine.credentials import BearerAuth, checked_api_key, sealed
from creatorsdk._engine.deprecation import endpoint_of, parse_deprecation
from creatorsdk._engine.identity import user_agent
from creatorsdk._engine.observing import (
    LOGGED_WAIT,
    CallInfo,
    Hooks,
    RequestEvent,
    ResponseEvent,
    RetryEvent,
    WaitEvent,
    run_hook,
)
from creatorsdk._engine.pacing import Pacer, PastDeadline, RateLimit
from creatorsdk._engine.parsing import NotJSONNumber, parse_json
from creatorsdk._engine.problems import ProblemParser, error_from_problem, parse_problem_json
from creatorsdk._engine.raw import Exchange, RawView, recording
from creatorsdk._engine.retry import RetryPolicy, parse_retry_after
from creatorsdk._engine.retry import retrying as retrying_for
from creatorsdk._engine.transfer import DEFAULT_MAX_RESPONSE_BYTES, AttemptLimits, exchange
from creatorsdk._engine.urls import checked_query
from creatorsdk.budgets import Budget
from creatorsdk.errors import InvalidArgumentError
from creatorsdk.transports import TransportFactory, _pool_limits

__all__ = ["BaseClient", "Reply"]

logger = logging.getLogger("creatorsdk")

_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})
#: Failures the retry policy may repeat; anything else leaves the loop at once.
_RETRYABLE = (errors.APIError, errors.APIConnectionError, errors.MalformedResponseError)


@attrs.frozen
class Reply:
    """A successful response: status, headers, the body parsed as JSON when it is JSON, and
    the rate-limit reading the pacer took from it."""

    status: int
    headers: httpx.Headers
    data: Any
    text: str
    request_id: str | None
    rate_limit: RateLimit | None = None


class BaseClient:
    """Owns the HTTP connection pool, the key, the limit, the pacer and the retry policy.

    Subclasses set the environment variable names, the default base URL and the error-body
    parser of their API, and add resources that call :meth:`request`.

    TLS is always verified; there is no switch to turn it off. What is trusted is explicit
    (``verify=``, or the settings of your own ``transport=`` or ``http_client=``), never the
    environment. Redirects are never followed, so the key is only ever sent to the base URL's
    origin.
    """

    _api_name: ClassVar[str] = "API"
    _env_api_key: ClassVar[str]
    _env_base_url: ClassVar[str]
    _default_base_url: ClassVar[str]
    _parse_problem: ClassVar[ProblemParser] = staticmethod(parse_problem_json)
    #: The API's documented per-key request rate, when it sends no rate-limit headers.
    _default_requests_per_minute: ClassVar[float | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__doc__ = document_options(cls.__doc__)

    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: float = 30.0,
        max_concurrency: int = 8,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | TransportFactory | None = None,
        requests_per_minute: float | None = None,
        app_info: str | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        verify: str | ssl.SSLContext | None = None,
        proxy: str | httpx.Proxy | None = None,
        budget: Budget | None = None,
        hooks: Hooks | None = None,
        http_client: httpx.AsyncClient | None = None,
    ) -> None:
        """Build a client; nothing is sent until the first call. Every argument is a keyword.

        - ``api_key``: the API key, sent as a bearer token. Default: the API's environment
          variable (``CREATORAUDIT_API_KEY`` or ``TRACKAGOAT_API_KEY``); none at all raises
          ``ValueError`` here, before any request.
        - ``base_url``: where the API lives. Default: ``CREATORAUDIT_BASE_URL`` /
          ``TRACKAGOAT_BASE_URL``, else the API's public URL. Plain ``http://`` is refused
          (``ValueError``) unless the host is loopback, so the key never travels unencrypted.
        - ``timeout``: seconds one attempt may take (default ``30.0``); retries get their own.
        - ``max_concurrency``: requests in flight at once for the whole client, shared by every
          task and batch call using it (default ``8``); the connection pool is sized to it.
        - ``retry``: a :class:`~creatorsdk.RetryPolicy`. Default ``RetryPolicy()``: 5 attempts,
          full-jitter backoff from 0.5 s capped at 10 s, ``Retry-After`` honoured up to 60 s,
          no total deadline. Its ``sleep`` and ``clock`` are also the rate pacer's.
        - ``transport``: an ``httpx.AsyncBaseTransport`` to send through (a fake's
          ``transport()``, or one with your own settings, which it keeps: pool size, TLS,
          proxy), or a factory from :mod:`creatorsdk.transports` (``transports.aiohttp()``),
          which the client builds with its own pool size, ``verify`` and ``proxy``. Default:
          httpx's, sized to ``max_concurrency``, with TLS verification on.
        - ``requests_per_minute``: the pace to keep when the API sends no rate-limit headers.
          Default: ``None`` for CreatorAudit (its headers set the pace), 60 for trackagoat
          (its documented per-key budget).
        - ``app_info``: your application's product token(s), e.g. ``"my-app/1.2"``, put first
          in the ``User-Agent`` (default: none).
        - ``max_response_bytes``: the largest body read, counted after decompression (default
          32 MiB); a larger one raises :class:`~creatorsdk.errors.ResponseTooLargeError`.
        - ``verify``: the TLS trust: a CA bundle path or an ``ssl.SSLContext`` (default: the
          certifi bundle httpx ships with). Verification cannot be turned off, and the
          environment (``SSL_CERT_FILE``, ``SSL_CERT_DIR``) does not change it.
        - ``proxy``: an HTTP(S) proxy URL or ``httpx.Proxy`` (default: the environment's
          ``HTTPS_PROXY``/``ALL_PROXY``/``NO_PROXY``). A loopback ``http://`` base URL never
          goes through a proxy: the key would travel in cleartext.
        - ``budget``: where the key's rate budget is kept (default: in this client). A
          :class:`~creatorsdk.budgets.RedisBudget` shares it with every process and machine
          using the same key, so together they keep to the key's limit.
        - ``hooks``: a :class:`~creatorsdk.Hooks` of callbacks for each call, attempt,
          response, retry and pacer wait, for tracing and metrics (``creatorsdk.otel`` builds
          OpenTelemetry ones). Default: none.
        - ``http_client``: an ``httpx.AsyncClient`` you own (its pool, proxies, TLS and event
          hooks), closed by you, never by this client. The SDK sends each request through it
          with its own key, ``timeout``, headers and base URL, never following redirects, and
          changes nothing on it; size its pool to at least ``max_concurrency`` (httpx's
          default is 100 connections, 20 kept alive). Not with ``transport``, ``verify`` or
          ``proxy``: those are the client's then. Default: one the SDK builds and closes.
        """
        api_key = sealed(api_key)  # type: ignore[assignment]  # repr redacted from here on
        self.retry_policy = _checked_retry(retry)
        # First: the pacer checks max_concurrency (which sizes the pool below), the pace and
        # the budget store.
        self._pacer = Pacer(
            clock=self.retry_policy.clock,
            sleep=self.retry_policy.sleep,
            max_concurrency=max_concurrency,
            requests_per_minute=requests_per_minute or self._default_requests_per_minute,
            max_wait=self.retry_policy.max_retry_after,
            budget=budget,
        )
        timeout = _checked_timeout(timeout)
        key = _resolve_api_key(api_key, self._env_api_key, self._api_name)
        self.base_url = _checked_base_url(
            base_url or os.environ.get(self._env_base_url) or self._default_base_url
        )
        proxy = _checked_proxy(proxy)
        _check_transport(transport)
        hooks = _checked_hooks(hooks)
        plain_loopback = self.base_url.startswith("http://")
        if plain_loopback and proxy is not None:
            raise InvalidArgumentError(
                "proxy cannot be used with a plain http:// base URL: the key would cross "
                "it in cleartext"
            )
        if http_client is not None:
            _check_http_client(http_client, transport=transport, verify=verify, proxy=proxy)
        tls = _tls_context(verify)
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            transport = transport(
                pool_size=max_concurrency,
                verify=tls,
                proxy=proxy,
            )
        self.max_concurrency = max_concurrency
        self._attempt_limits = AttemptLimits(timeout, max_response_bytes)
        # The pool is never smaller than our own limit, so no request ever waits on it
        # (httpx counts pool waits against the pool timeout: encode/httpx#1171).
        self._auth = BearerAuth(key)
        identity = {"User-Agent": user_agent(app_info), "Accept": "application/json"}
        # A caller's client keeps its own defaults: ours travel with each request instead.
        self._per_request = _PerRequest(self.base_url, identity, timeout, shared=http_client)
        self._http = http_client or httpx.AsyncClient(
            base_url=self.base_url,
            headers=identity,
            timeout=httpx.Timeout(timeout, pool=None),
            limits=_pool_limits(max_concurrency),
            transport=transport,
            follow_redirects=False,
            verify=tls,
            proxy=proxy,
            # The environment may name proxies, never for plain loopback http; with ``verify``
            # always explicit it cannot change TLS trust (SSL_CERT_FILE is read only by
            # httpx's default context).
            trust_env=not plain_loopback,
        )
        self.stats = RequestStats()
        self._overrides = _Overrides()
        self._hooks = hooks
        self._deprecations_seen: set[str] = set()
        self._view_of: BaseClient | None = None

    def __repr__(self) -> str:
        # getattr: a constructor that failed half-way must still repr (error trackers do).
        return f"{type(self).__name__}(base_url={getattr(self, 'base_url', None)!r})"

    @property
    def rate_limit(self) -> RateLimit | None:
        """The latest rate-limit state the server reported, or ``None`` before any."""
        return self._pacer.latest

    async def _listing_ended(self) -> None:
        """A listing's last page is back: the pacer keeps no budget for its next page."""
        await self._pacer.listing_ended()

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
        """Close the connection pool. The client cannot be used afterwards.

        On a view made by :meth:`with_options` this does nothing: the pool is the client's.
        """
        if self._view_of is None and self._per_request.shared is None:
            await self._http.aclose()

    def with_options(
        self,
        *,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        deadline: float | None = None,
        headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, Any] | None = None,
        extra_body: Mapping[str, Any] | None = None,
    ) -> Self:
        """This client with other options for the calls made through the returned view.

        The view shares the connection pool, the concurrency limit, the rate pacer and the
        counters with this client (one key, one budget); only what is passed changes:
        ``timeout`` per attempt, the ``retry`` policy, a ``deadline`` in seconds for each
        whole call (pacer waits and backoff included), ``headers`` added to every request,
        ``extra_query`` parameters and ``extra_body`` fields for what the SDK does not model.
        Views nest; closing one does nothing.
        """
        overrides = self._overrides.merged(
            timeout=_checked_timeout(timeout) if timeout is not None else None,
            headers=checked_headers("headers", headers),
            query=checked_mapping("extra_query", extra_query),
            body=checked_mapping("extra_body", extra_body, json_only=True),
        )
        policy = _checked_retry(retry, self.retry_policy)
        if deadline is not None:
            positive_arg("deadline", deadline, what="a number of seconds")
            policy = attrs.evolve(policy, deadline=float(deadline))
        view = copy.copy(self)
        # Resources built for this client must not serve the view: they would call the client.
        for name in [n for n in vars(view) if _builds_per_client(type(self), n)]:
            del view.__dict__[name]
        view.retry_policy = policy
        view._overrides = overrides
        if overrides.timeout is not None:
            view._attempt_limits = attrs.evolve(self._attempt_limits, timeout=overrides.timeout)
        view._view_of = self._view_of or self
        return view

    @property
    def with_raw_response(self) -> Any:
        """The same resources and calls, each returning a :class:`RawResponse`.

        ``await ca.with_raw_response.videos.get(video_id)`` gives status, headers, request id,
        rate-limit state, elapsed time and attempts; ``.parse()`` gives the typed result.
        """
        return RawView(self)

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        idempotent: bool | None = None,
        idempotency_key: str | None = None,
        create: bool = False,
        headers: Mapping[str, str] | None = None,
        critical: bool = False,
        parse: Callable[[bytes], Any] | None = None,
    ) -> Reply:
        """Send one logical request, retrying as the policy allows, and return its reply.

        ``idempotent`` says whether repeating the request after an ambiguous failure (a 500,
        a dropped connection) is safe; it defaults to true for GET, PUT and DELETE and for
        any request carrying an ``idempotency_key``. ``create=True`` marks a call that
        creates something: without the caller's own ``idempotency_key`` one is minted here
        for this logical call, and every attempt sends the same key. ``critical`` requests
        (one that unlocks more work, like a listing's next page) go before fan-out ones queued
        for the budget. ``parse`` reads a successful JSON body in place of the JSON parser
        and must accept and refuse the same bodies (a listing page decoded straight from its
        bytes); it runs inside the retry loop, so a body it refuses is retried alike.

        One loop makes every attempt. Tenacity is consulted only after a failure: the
        failure is recorded in its state and tenacity says how long to wait or re-raises it
        (the success path pays nothing for the retry machinery). A 429 is the pacer's to
        wait out: it holds every sender of the client at once, this one included.
        """
        overrides = self._overrides
        if overrides.active:
            params, json, headers = overrides.apply(params, json, headers)
        extra_headers = dict(headers or {})
        if create and idempotency_key is None:
            idempotency_key = str(uuid.uuid4())
        if idempotency_key is not None:
            extra_headers["Idempotency-Key"] = idempotency_key
        per_request = self._per_request
        request = self._http.build_request(
            method,
            per_request.url(path),
            params=_query(params),
            json=json,
            headers=per_request.headers(extra_headers),
            timeout=overrides.timeout_or(per_request.timeout),
        )
        if idempotent is None:
            idempotent = method in _IDEMPOTENT_METHODS or idempotency_key is not None
        hooks = self._hooks
        if hooks is None:
            return await self._send(request, idempotent, critical, parse, None)
        call = CallInfo(request.method, request.url.path, str(request.url.copy_with(query=None)))
        run_hook(hooks.on_start, call)
        try:
            reply = await self._send(request, idempotent, critical, parse, call)
        except BaseException as error:
            run_hook(hooks.on_end, call, error)
            raise
        run_hook(hooks.on_end, call, None)
        return reply

    async def _send(
        self,
        request: httpx.Request,
        idempotent: bool,
        critical: bool,
        parse: Callable[[bytes], Any] | None,
        call: CallInfo | None,
    ) -> Reply:
        """Every attempt of one logical request, in one loop, until a reply or a give-up."""
        policy = self.retry_policy
        retries = _Retries(policy, idempotent=idempotent)
        number = 1
        while True:
            try:
                reply = await self._attempt_within_deadline(
                    request, number, retries, critical, parse, call
                )
                exchanges = recording.get()
                if exchanges is not None:
                    exchanges.append(retries.exchange(request, reply, number))
                return reply
            except _RETRYABLE as error:
                # A 429's wait is zero here: the pacer holds every sender (this one too).
                wait = await retries.after(error)  # re-raises it when the policy gives up
                self._report_retry(call, request, number, error, wait)
            self.stats.retries += 1
            if wait > 0:
                await policy.sleep(wait)
            number += 1

    def _report_retry(
        self,
        call: CallInfo | None,
        request: httpx.Request,
        number: int,
        error: BaseException,
        wait: float,
    ) -> None:
        logger.info(
            "%s %s: attempt %d failed (%s); retrying%s",
            request.method,
            request.url.path,
            number,
            error if isinstance(error, errors.APIError) else type(error).__name__,
            f" in {wait:.2f} s" if wait > 0 else " when the pacer lets it go",
        )
        if call is not None and self._hooks is not None:
            run_hook(self._hooks.on_retry, RetryEvent(call, number, error, wait))

    async def _attempt_within_deadline(
        self,
        request: httpx.Request,
        number: int,
        retries: _Retries,
        critical: bool,
        parse: Callable[[bytes], Any] | None,
        call: CallInfo | None,
    ) -> Reply:
        """One attempt; with a policy deadline, an attempt still running when it passes is cut."""
        left = retries.time_left()
        if left is None:
            return await self._attempt(request, number, critical, parse, call)
        message = f"the retry policy's deadline of {self.retry_policy.deadline:g} s passed"
        with anyio.move_on_after(left) as scope:
            until = self.retry_policy.clock() + left
            try:
                return await self._attempt(request, number, critical, parse, call, until)
            except PastDeadline as held:
                # Waiting for the budget cannot end in time: said now, not at the deadline.
                back_in = held.back_at - self.retry_policy.clock()
                message = (
                    f"the rate limit's budget is back in {back_in:.1f} s, after the retry "
                    f"policy's deadline of {self.retry_policy.deadline:g} s"
                    if back_in < math.inf
                    else message
                )
        raise errors.APITimeoutError(
            message,
            method=request.method,
            path=request.url.path,
            attempts=number,
            bound="deadline",
            # Held by the pacer, this attempt sent nothing (an earlier one may have).
            sent=scope.cancelled_caught or number > 1,
        )

    async def _attempt(
        self,
        request: httpx.Request,
        number: int,
        critical: bool,
        parse: Callable[[bytes], Any] | None,
        call: CallInfo | None,
        until: float | None = None,
    ) -> Reply:
        method, path = request.method, request.url.path
        pacer = self._pacer
        clock = self.retry_policy.clock
        queued = clock()
        async with pacer.sending(critical=critical, until=until) as send:
            waited = clock() - queued
            if waited > 0:
                self._report_wait(call, method, path, waited)
            if call is not None and self._hooks is not None:
                run_hook(self._hooks.on_request, RequestEvent(call, number))
            began = time.perf_counter()
            try:
                # Bounded as a whole by the timeout, its body by max_response_bytes.
                response = await exchange(
                    self._http, request, self._attempt_limits, number, self._auth
                )
            except errors.CreatorSDKError:
                self.stats.requests += 1
                raise
            answered_at = clock()
            server = pacer.server_clock
            server.observe(response.headers.get("date"), send.sent_at, answered_at)
            rate_limit = server.reading(response.headers, send.sent_at, answered_at)
            failure = None
            if not (response.is_success or response.status_code == 304):
                failure = self._error(response, rate_limit, method, path, number)
                if isinstance(failure, errors.RateLimitError) and failure.retryable:
                    # The one place a 429 becomes a wait: for every sender, in the pacer.
                    pacer.rate_limited(send, failure.retry_after)
            pacer.observe(send, rate_limit)
        self.stats.requests += 1
        elapsed = time.perf_counter() - began + waited
        request_id = response.headers.get("x-request-id")
        logger.debug(
            "%s %s status=%d attempt=%d elapsed=%.3fs (pacer wait %.3fs) request_id=%s",
            method,
            path,
            response.status_code,
            number,
            elapsed,
            waited,
            request_id,
        )
        if call is not None and self._hooks is not None:
            event = ResponseEvent(
                call, number, response.status_code, elapsed, request_id, rate_limit
            )
            run_hook(self._hooks.on_response, event)
        if "deprecation" in response.headers or "sunset" in response.headers:
            self._warn_deprecated(method, path, response.headers)
        if failure is None:
            return _reply(
                response, request_id, method, path, number, parse or parse_json, rate_limit
            )
        raise failure

    def _report_wait(self, call: CallInfo | None, method: str, path: str, waited: float) -> None:
        if waited >= LOGGED_WAIT:
            logger.info("%s %s: the pacer held it %.2f s for the budget", method, path, waited)
        if call is not None and self._hooks is not None:
            run_hook(self._hooks.on_wait, WaitEvent(call, waited, "pacing"))

    def _warn_deprecated(self, method: str, path: str, headers: httpx.Headers) -> None:
        """One warning per endpoint per client when the server says it is going away."""
        notice = parse_deprecation(headers)
        if notice is None:
            return
        endpoint = endpoint_of(method, path)
        parts = [f"the server deprecated {endpoint}"]
        if notice.sunset is not None:
            parts.append(f"it goes away on {notice.sunset:%Y-%m-%d}")
        if notice.link is not None:
            parts.append(f"see {notice.link}")
        self._warn_deprecated_once(endpoint, "; ".join(parts), stacklevel=5)

    def _warn_deprecated_once(self, subject: str, message: str, *, stacklevel: int = 3) -> None:
        """An :class:`~creatorsdk.errors.APIDeprecationWarning` with ``message``, the first
        time this client hears that ``subject`` (an endpoint, an API version) is retiring."""
        if subject in self._deprecations_seen:
            return
        self._deprecations_seen.add(subject)
        warnings.warn(errors.APIDeprecationWarning(message), stacklevel=stacklevel)

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
        # A Retry-After date is on the server's clock: "now" is read on it too.
        now = self.retry_policy.clock() + self._pacer.server_clock.ahead
        return parse_retry_after(response.headers.get("retry-after"), now)


@attrs.define
class RequestStats:
    """Counters of what a client has sent: attempts, retries and 429s seen."""

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0


@attrs.frozen
class _Overrides:
    """What a :meth:`BaseClient.with_options` view changes in each request it sends."""

    timeout: float | None = None
    headers: Mapping[str, str] = attrs.field(factory=dict)
    query: Mapping[str, Any] = attrs.field(factory=dict)
    body: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def active(self) -> bool:
        """Whether anything is added to the requests (a timeout is applied separately)."""
        return bool(self.headers or self.query or self.body)

    def merged(
        self,
        *,
        timeout: float | None,
        headers: Mapping[str, str] | None,
        query: Mapping[str, Any] | None,
        body: Mapping[str, Any] | None,
    ) -> _Overrides:
        """These overrides with the given ones on top (a nested view)."""
        return _Overrides(
            timeout=timeout if timeout is not None else self.timeout,
            headers={**self.headers, **(headers or {})},
            query={**self.query, **(query or {})},
            body={**self.body, **(body or {})},
        )

    def apply(
        self, params: Mapping[str, Any] | None, json: Any, headers: Mapping[str, str] | None
    ) -> tuple[Mapping[str, Any] | None, Any, Mapping[str, str] | None]:
        """The request's query, body and headers with the view's additions."""
        if self.query:
            params = {**(params or {}), **self.query}
        if self.body:
            if json is not None and not isinstance(json, Mapping):
                raise InvalidArgumentError("extra_body needs a request whose body is a JSON object")
            json = {**(json or {}), **self.body}
        if self.headers:
            headers = {**self.headers, **(headers or {})}
        return params, json, headers

    def timeout_or(self, default: Any) -> Any:
        """The per-attempt timeout for httpx: the view's, or the client's ``default``."""
        return default if self.timeout is None else httpx.Timeout(self.timeout, pool=None)


def _checked_timeout(timeout: object) -> float:
    return float(positive_arg("timeout", timeout))


def _checked_retry(retry: object, fallback: RetryPolicy | None = None) -> RetryPolicy:
    """``retry``, or ``fallback`` (a default policy) when it is ``None``."""
    if retry is None:
        return fallback if fallback is not None else RetryPolicy()
    if not isinstance(retry, RetryPolicy):
        raise InvalidArgumentError(f"retry must be a RetryPolicy, got {retry!r}")
    return retry


def _checked_proxy(proxy: object) -> httpx.Proxy | None:
    if proxy is None or isinstance(proxy, httpx.Proxy):
        return proxy
    if not isinstance(proxy, str):
        raise InvalidArgumentError(f"proxy must be a proxy URL or an httpx.Proxy, got {proxy!r}")
    try:
        return httpx.Proxy(proxy)
    except ValueError as error:
        raise InvalidArgumentError(f"proxy is not a proxy URL: {error}") from error


def _check_transport(transport: object) -> None:
    if transport is None or isinstance(transport, httpx.AsyncBaseTransport) or callable(transport):
        return
    raise InvalidArgumentError(
        "transport must be an httpx.AsyncBaseTransport or a factory from "
        f"creatorsdk.transports, got {transport!r}"
    )


def _checked_hooks(hooks: object) -> Hooks | None:
    if hooks is not None and not isinstance(hooks, Hooks):
        raise InvalidArgumentError(f"hooks must be a creatorsdk.Hooks, got {hooks!r}")
    return hooks


#: Headers the client sets itself; a view may not replace them (the key, the content type).
_RESERVED_HEADERS = frozenset({"authorization", "content-type", "content-length", "host"})


def checked_mapping(name: str, value: object, *, json_only: bool = False) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise InvalidArgumentError(f"{name} must be a mapping with str keys, got {value!r}")
    if json_only:
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise InvalidArgumentError(f"{name} must hold only JSON values: {error}") from None
    return dict(value) or None


def checked_headers(name: str, headers: object) -> dict[str, str] | None:
    """Headers to add to requests, refused (naming ``name``) unless one line of ASCII each."""
    if headers is None:
        return None
    if not isinstance(headers, Mapping):
        raise InvalidArgumentError(f"{name} must be a mapping of str to str, got {headers!r}")
    checked: dict[str, str] = {}
    for header, value in headers.items():
        if not isinstance(header, str) or not isinstance(value, str):
            raise InvalidArgumentError(
                f"{name} must map str to str, got {header!r}: {type(value).__name__}"
            )
        if header.lower() in _RESERVED_HEADERS:
            raise InvalidArgumentError(f"{name} may not set {header!r}: the client sets it")
        if not (header.isascii() and value.isascii()) or any(
            ch in header + value for ch in "\r\n\0"
        ):
            raise InvalidArgumentError(f"{name}: header {header!r} must be one line of ASCII")
        checked[header] = value
    return checked


def _builds_per_client(cls: type, name: str) -> bool:
    """Whether ``name`` on ``cls`` is a resource built per client (cached in its dict)."""
    return bool(getattr(getattr(cls, name, None), "builds_per_client", False))


class _Retries:
    """The retry state of one logical call: tenacity's controller, built on the first failure.

    Each failure is recorded in tenacity's call state and tenacity decides, from the policy,
    whether to wait and retry or to re-raise. Nothing is replayed and a call that succeeds at
    once never builds any of it.
    """

    def __init__(self, policy: RetryPolicy, *, idempotent: bool) -> None:
        self._policy = policy
        self._idempotent = idempotent
        self._started = policy.clock()
        self._retrying: tenacity.AsyncRetrying | None = None
        self._state: tenacity.RetryCallState | None = None

    async def after(self, error: BaseException) -> float:
        """Seconds to wait before the next attempt; re-raises ``error`` to give up."""
        if self._retrying is None or self._state is None:
            self._retrying = retrying_for(
                self._policy, idempotent=self._idempotent, started=self._started
            )
            self._retrying.begin()
            self._state = tenacity.RetryCallState(self._retrying, fn=None, args=(), kwargs={})
        else:
            self._state.prepare_for_next_attempt()
        self._state.set_exception((type(error), error, error.__traceback__))
        action = await self._retrying.iter(self._state)
        # With an outcome recorded, tenacity either re-raises it or answers with a wait.
        assert isinstance(action, tenacity.DoSleep)
        return float(action)

    def exchange(self, request: httpx.Request, reply: Reply, attempts: int) -> Exchange:
        """What a raw-response call reports of this request's successful end."""
        return Exchange(
            method=request.method,
            path=request.url.path,
            status=reply.status,
            headers=reply.headers,
            request_id=reply.request_id,
            rate_limit=reply.rate_limit,
            elapsed=self._policy.clock() - self._started,
            attempts=attempts,
        )

    def time_left(self) -> float | None:
        """Seconds until the policy's deadline (never negative), or ``None`` without one."""
        deadline = self._policy.deadline
        if deadline is None:
            return None
        return max(0.0, self._started + deadline - self._policy.clock())


def document_options(doc: str | None) -> str:
    """``doc`` with the constructor's arguments appended, as ``__init__`` documents them.

    The options are documented once, on :meth:`BaseClient.__init__`; every client class
    (async and sync) shows them in its own docstring, so ``help()`` lists them all.
    """
    init_doc = inspect.cleandoc(BaseClient.__init__.__doc__ or "")
    _, _, bullets = init_doc.partition("\n\n")
    indented = textwrap.indent(bullets, "    ")
    return f"{(doc or '').rstrip()}\n\n    Arguments (keywords only):\n\n{indented}\n"


def _reply(
    response: httpx.Response,
    request_id: str | None,
    method: str,
    path: str,
    number: int,
    parse: Callable[[bytes], Any],
    rate_limit: RateLimit | None,
) -> Reply:
    body = response.content
    content_type = response.headers.get("content-type", "")
    data: Any = None
    text = ""
    if body and ("json" in content_type or not content_type):
        try:
            data = parse(body)
        except NotJSONNumber as error:
            # Served whole, but not JSON: asking again gets the same body, so not retried.
            raise errors.DecodeError(
                f"{method} {path} returned {error.token}, which JSON does not allow "
                "(numbers are finite)",
                request_id=request_id,
            ) from error
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
        rate_limit=rate_limit,
    )


def _text_of(response: httpx.Response) -> str:
    """The body as text; a charset the body does not match must not raise ``UnicodeError``."""
    try:
        return response.text
    except (UnicodeError, LookupError):
        return response.content.decode("utf-8", "replace")


def _query(params: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """Drop ``None`` values and spell booleans as the API does; refuse what no URL can hold."""
    if not params:
        return None
    query: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        query[name] = ("true" if value else "false") if isinstance(value, bool) else value
    return checked_query(query)


@functools.cache
def certifi_context() -> ssl.SSLContext:
    """certifi's trust, loaded once per process (it takes about 0.1 s) and shared."""
    return ssl.create_default_context(cafile=certifi.where())


def _tls_context(verify: object) -> ssl.SSLContext:
    """The trust ``verify`` names: a context as given, a CA bundle path, or certifi's."""
    if isinstance(verify, ssl.SSLContext):
        return verify
    if verify is None:
        return certifi_context()
    if isinstance(verify, str | os.PathLike) and os.fspath(verify):
        path = os.fspath(verify)
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        try:
            return ssl.create_default_context(cafile=path)
        except (OSError, ssl.SSLError) as error:
            raise InvalidArgumentError(f"verify: cannot load CA bundle {path!r}: {error}") from None
    raise InvalidArgumentError(
        "verify must be a CA bundle path or an ssl.SSLContext (TLS verification cannot be "
        f"turned off), got {verify!r}"
    )


def _resolve_api_key(api_key: str | None, env_name: str, api_name: str) -> str:
    key = api_key if api_key is not None else sealed(os.environ.get(env_name))
    if key is None or (isinstance(key, str) and not key.strip()):
        raise InvalidArgumentError(
            f"no {api_name} API key: pass api_key= or set the {env_name} environment variable"
        )
    return checked_api_key(key, name="api_key" if api_key is not None else env_name)


def _checked_base_url(base_url: object) -> str:
    if not isinstance(base_url, str):
        raise InvalidArgumentError(f"base_url must be a str, got {type(base_url).__name__}")
    url: httpx.URL | None = None
    problem = ""
    try:
        url = httpx.URL(base_url)
    except httpx.InvalidURL as error:
        problem = str(error)
    if url is None:
        # Raised outside the except block: httpx's half-built URL in the context's frames
        # cannot be repr'd, which crashes error trackers that record locals.
        raise InvalidArgumentError(f"base_url is not a valid URL: {problem}")
    if not url.host:
        raise InvalidArgumentError(f"base_url has no host: {base_url!r}")
    if url.port is not None and not 0 < url.port < 65536:
        # httpx accepts any number; the socket layer would fail with a bare OverflowError.
        raise InvalidArgumentError(f"base_url has a port out of range (1-65535): {url.port}")
    if url.scheme == "https":
        return base_url
    if url.scheme == "http" and _is_loopback(url.host):
        return base_url
    if url.scheme == "http":
        raise InvalidArgumentError(
            f"refusing plain http:// base URL {base_url!r}: the API key would travel "
            "unencrypted; use https:// (plain http is allowed only for loopback hosts)"
        )
    raise InvalidArgumentError(f"base_url must be an https:// URL, got {base_url!r}")


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_http_client(
    http_client: object,
    *,
    transport: object,
    verify: str | ssl.SSLContext | None,
    proxy: str | httpx.Proxy | None,
) -> None:
    if not isinstance(http_client, httpx.AsyncClient):
        raise InvalidArgumentError(
            f"http_client must be an httpx.AsyncClient, got {type(http_client).__name__}"
        )
    if http_client.is_closed:
        raise InvalidArgumentError("http_client is closed")
    settings = {"transport": transport, "verify": verify, "proxy": proxy}
    given = [name for name, value in settings.items() if value is not None]
    if given:
        raise InvalidArgumentError(
            f"{', '.join(given)} cannot be given with http_client: set them on that client"
        )


class _PerRequest:
    """What each request carries: only its own headers through the SDK's own client; the
    base URL, the SDK's headers and the timeout too through a caller's (``shared``), whose
    defaults stay as they are."""

    __slots__ = ("_base", "_base_path", "_identity", "shared", "timeout")

    def __init__(
        self,
        base_url: str,
        identity: Mapping[str, str],
        timeout: float,
        *,
        shared: httpx.AsyncClient | None,
    ) -> None:
        self.shared = shared
        self._identity = dict(identity)
        self._base = httpx.URL(base_url)
        path = self._base.raw_path
        self._base_path = path if path.endswith(b"/") else path + b"/"
        # The pool wait is never bounded (see the constructor); ours sets that already.
        self.timeout: Any = (
            httpx.USE_CLIENT_DEFAULT if shared is None else httpx.Timeout(timeout, pool=None)
        )

    def url(self, path: str) -> str | httpx.URL:
        """Where ``path`` is, merged with the base URL as httpx merges a client's."""
        if self.shared is None:
            return path
        return self._base.copy_with(
            raw_path=self._base_path + httpx.URL(path).raw_path.lstrip(b"/")
        )

    def headers(self, extra: dict[str, str]) -> dict[str, str] | None:
        """The request's own headers."""
        if self.shared is None:
            return extra or None
        return {**self._identity, **extra}
