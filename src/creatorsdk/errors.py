"""The exception hierarchy shared by every API client.

Everything the SDK raises on purpose derives from :class:`CreatorSDKError`. Errors that come
from a server response are :class:`APIError` subclasses chosen by status (and by the API's own
error code where callers branch on it); network failures are :class:`APIConnectionError`.
No message, repr or attribute ever carries the API key.

Every error pickles and unpickles with all its attributes (so one raised in a
``ProcessPoolExecutor`` worker reaches the parent intact). ``__cause__`` is not carried
across, as for any pickled exception; what it said is already in the message.
"""

from __future__ import annotations

import copyreg
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

__all__ = [
    "APIConnectionError",
    "APIDeprecationWarning",
    "APIError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BatchError",
    "ChunkFailure",
    "ConflictError",
    "CreatorSDKError",
    "DailyQuotaExceededError",
    "DecodeError",
    "DefaultPayoutMethodError",
    "FieldError",
    "ForkedClientError",
    "GoneError",
    "InsufficientScopeError",
    "InvalidArgumentError",
    "LimitReachedError",
    "MalformedResponseError",
    "NotAcceptableError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "QuotaExceededError",
    "RateLimitError",
    "ResponseTooLargeError",
    "RetentionExceededError",
    "ServerError",
    "ServiceUnavailableError",
    "UnsupportedMediaTypeError",
    "ValidationError",
]


class CreatorSDKError(Exception):
    """Root of every exception the SDK raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The default rebuilds an exception by calling ``cls(*self.args)``, which fails for
        # keyword-only constructors; restore the instance's state without calling __init__.
        return (_unpickle, (type(self), self.args, self.__dict__))


def _unpickle(
    cls: type[CreatorSDKError], args: tuple[Any, ...], state: dict[str, Any]
) -> CreatorSDKError:
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error


def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _pickle_read_only_mapping(
    mapping: MappingProxyType[Any, Any],
) -> tuple[Any, tuple[dict[Any, Any]]]:
    return (_read_only, (dict(mapping),))


# Models (and so the results a BatchError keeps) hold read-only MappingProxyType views, which
# pickle refuses by default; a read-only copy of the same items is what they stand for.
copyreg.pickle(MappingProxyType, _pickle_read_only_mapping)


@attrs.frozen
class FieldError:
    """One entry of a 422's ``errors`` list: which field, and what is wrong with it."""

    field: str
    message: str


class APIError(CreatorSDKError):
    """The server answered with an error status.

    Carries the parsed problem document (RFC 9457 for CreatorAudit, the ``{error, meta}``
    envelope for trackagoat), the request id to quote to support, how many attempts were
    made before giving up, and ``retry_after``: the wait in seconds the server asked for
    (``None`` when it sent none, or sent something unusable).
    """

    #: Whether any retry policy may repeat a request that failed this way.
    retryable: ClassVar[bool] = True

    def __init__(
        self,
        *,
        status: int,
        code: str,
        title: str = "",
        detail: str = "",
        type: str = "about:blank",
        request_id: str | None = None,
        errors: Sequence[FieldError] = (),
        attempts: int = 1,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.type = type
        self.request_id = request_id
        self.errors: tuple[FieldError, ...] = tuple(errors)
        self.attempts = attempts
        self.method = method
        self.path = path
        self.retry_after = retry_after
        self.extra: Mapping[str, Any] = dict(extra or {})
        super().__init__(self._message())

    def _message(self) -> str:
        where = f" on {self.method} {self.path}" if self.method and self.path else ""
        text = f"{self.status} {self.code}{where}: {self.detail or self.title or 'no detail'}"
        if self.errors:
            text += " (" + "; ".join(f"{e.field}: {e.message}" for e in self.errors) + ")"
        return f"{text} [request_id={self.request_id or 'unknown'}]"

    def __str__(self) -> str:
        # attempts can change after construction (the retry loop sets it), so build late.
        return self._message()

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, "
            f"request_id={self.request_id!r}, attempts={self.attempts!r})"
        )


class BadRequestError(APIError):
    """400: the request was malformed."""


class AuthenticationError(APIError):
    """401: the API key is missing or invalid."""


class PaymentRequiredError(APIError):
    """402: the plan does not allow this (trackagoat)."""


class LimitReachedError(PaymentRequiredError):
    """402 ``limit_reached``: a plan limit is used up (``limit_key``, ``current``, ``max``)."""

    @property
    def limit_key(self) -> str | None:
        """Which plan limit was reached."""
        return _str_or_none(self.extra.get("limit_key"))

    @property
    def current(self) -> int | None:
        """How much of the limit is in use."""
        return _int_or_none(self.extra.get("current"))

    @property
    def max(self) -> int | None:
        """The plan's ceiling for this limit."""
        return _int_or_none(self.extra.get("max"))


class RetentionExceededError(PaymentRequiredError):
    """402 ``retention_exceeded``: the date range reaches past the plan's retention."""


class PermissionDeniedError(APIError):
    """403: the key or subscription is inactive, or the key lacks a permission."""


class InsufficientScopeError(PermissionDeniedError):
    """403 ``INSUFFICIENT_SCOPE``: the key lacks the scope this call needs."""

    @property
    def required(self) -> tuple[str, ...]:
        """Scopes the call needs, when the server said."""
        return _strings(self.extra.get("required"))

    @property
    def granted(self) -> tuple[str, ...]:
        """Scopes the key has, when the server said."""
        return _strings(self.extra.get("granted"))


class QuotaExceededError(PermissionDeniedError):
    """403 ``QUOTA_EXCEEDED``: the organization's tracked-accounts cap is reached."""


class NotFoundError(APIError):
    """404: no such resource in this organization."""


class NotAcceptableError(APIError):
    """406: the ``Accept`` header cannot be satisfied."""


class ConflictError(APIError):
    """409: a duplicate, or a state conflict such as an account owned by another creator."""


class DefaultPayoutMethodError(ConflictError):
    """409 ``default_method``: Venmo, Cash App and PayPal are seeded defaults and cannot be
    deleted; disable one instead with ``payout_methods.update(method_id, is_active=False)``."""

    def _message(self) -> str:
        hint = "disable it instead: payout_methods.update(method_id, is_active=False)"
        text = super()._message()
        return text if "is_active" in text else f"{text} ({hint})"


class GoneError(APIError):
    """410: the endpoint was removed; ``detail`` names its replacement."""


class UnsupportedMediaTypeError(APIError):
    """415: the request body was not JSON."""


class ValidationError(APIError):
    """422: the server rejected an argument; ``errors`` names the fields."""


class RateLimitError(APIError):
    """429: too many requests.

    ``retry_after`` is the wait the server asked for, and ``rate_limit`` the
    :class:`~creatorsdk.RateLimit` read off the response (``None`` without headers).
    """

    def __init__(self, *, rate_limit: Any = None, **kwargs: Any) -> None:
        self.rate_limit = rate_limit
        super().__init__(**kwargs)


class DailyQuotaExceededError(RateLimitError):
    """429 ``daily_quota_exceeded`` (trackagoat): raised at once, never slept until midnight."""

    retryable: ClassVar[bool] = False


class ServerError(APIError):
    """5xx: the server failed."""


class ServiceUnavailableError(ServerError):
    """503: temporarily unavailable."""


class APIConnectionError(CreatorSDKError):
    """The request never produced a response: DNS, connect, reset or protocol failure.

    ``__cause__`` is the underlying transport exception. ``sent`` is false when the failure
    happened before any byte of the request left (connect errors), so repeating it is safe.
    """

    def __init__(
        self, message: str, *, method: str, path: str, attempts: int = 1, sent: bool = True
    ) -> None:
        self.method = method
        self.path = path
        self.attempts = attempts
        self.sent = sent
        super().__init__(message)

    def __str__(self) -> str:
        return f"{self.args[0]} on {self.method} {self.path} after {self.attempts} attempt(s)"


class APITimeoutError(APIConnectionError):
    """A call ran out of time; ``bound`` says which limit fired.

    ``"timeout"``: one attempt (connect, headers and body together) took longer than the
    client's ``timeout``; ``"deadline"``: the whole call, retries and waits included, reached
    the retry policy's ``deadline``.
    """

    def __init__(
        self,
        message: str,
        *,
        method: str,
        path: str,
        attempts: int = 1,
        sent: bool = True,
        bound: str = "timeout",
    ) -> None:
        self.bound = bound
        super().__init__(message, method=method, path=path, attempts=attempts, sent=sent)


class DecodeError(CreatorSDKError):
    """A response body did not fit the expected model; ``field`` names where it broke."""

    def __init__(self, message: str, *, field: str | None = None, request_id: str | None = None):
        self.field = field
        self.request_id = request_id
        suffix = f" [request_id={request_id}]" if request_id else ""
        super().__init__(message + suffix)


@attrs.frozen
class ChunkFailure:
    """One chunk of a batch call that failed after its retries."""

    index: int
    ids: tuple[str, ...]
    error: Exception


class MalformedResponseError(DecodeError):
    """A successful status with a body that is not valid JSON, e.g. cut off mid-way.

    Retried like a dropped connection when the request is safe to repeat.
    """

    def __init__(self, message: str, *, request_id: str | None = None, attempts: int = 1):
        self.attempts = attempts
        super().__init__(message, request_id=request_id)


class ResponseTooLargeError(DecodeError):
    """A response body was larger than the client's ``max_response_bytes`` (``limit``).

    Counted as the body arrives, after decompression, so neither a huge body, an endless one
    nor a compression bomb is ever held whole. Never retried: asking again gets the same body.
    It is a :class:`DecodeError` (the body could not be used) but not a
    :class:`MalformedResponseError`, which retry policies repeat.
    """

    def __init__(
        self,
        message: str,
        *,
        limit: int,
        status: int,
        method: str,
        path: str,
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.limit = limit
        self.status = status
        self.method = method
        self.path = path
        self.attempts = attempts
        super().__init__(message, request_id=request_id)


class BatchError(CreatorSDKError):
    """Some chunks of a batch call failed.

    ``failures`` lists every failed chunk with its error; ``results`` holds the results of
    the chunks that succeeded, in chunk order, so nothing already fetched is lost.
    """

    def __init__(self, failures: Sequence[ChunkFailure], results: Sequence[Any]) -> None:
        self.failures = tuple(failures)
        self.results = tuple(results)
        first = self.failures[0].error if self.failures else None
        super().__init__(
            f"{len(self.failures)} of {len(self.failures) + len(self.results)} chunks failed; "
            f"first: {first}"
        )


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part for part in value.replace(",", " ").split() if part)
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return ()


class ForkedClientError(CreatorSDKError, RuntimeError):
    """A sync client was used in a process forked after the client was created.

    Its event-loop thread exists only in the parent and its connections are the parent's:
    create a new client in the child.
    """


class InvalidArgumentError(CreatorSDKError, ValueError):
    """An argument was refused before any request was sent; the message names it.

    A ``ValueError`` too, so ``except ValueError`` (the usual catch for bad input) and
    ``except CreatorSDKError`` (everything the SDK raises) both catch it.
    """


class APIDeprecationWarning(DeprecationWarning):
    """The server announced that an endpoint (or the API version) is deprecated or sunset.

    Raised as a warning once per endpoint per client, from the ``Deprecation`` and ``Sunset``
    response headers and from ``meta()``'s ``deprecation``/``sunset`` fields.
    """
