"""Error bodies → typed exceptions, on recorded bodies and no network."""

from __future__ import annotations

import json

import pytest

from creatorsdk import errors
from creatorsdk._engine.problems import error_from_problem, parse_problem_json

RATE_LIMITED = json.dumps(
    {
        "type": "urn:creatoraudit:error:rate-limited",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Rate limit exceeded.",
        "code": "RATE_LIMITED",
        "instance": "/v2/accounts",
        "request_id": "req_body_1",
    }
).encode()

VALIDATION = json.dumps(
    {
        "type": "urn:creatoraudit:error:validation-error",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "Request validation failed.",
        "code": "VALIDATION_ERROR",
        "request_id": "req_2",
        "errors": [{"field": "platform", "message": "must be one of: instagram, tiktok"}, "junk"],
    }
).encode()

PROXY_502 = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


def _error(status: int, body: bytes, headers: dict[str, str] | None = None) -> errors.APIError:
    problem = parse_problem_json(status, "Reason", headers or {}, body)
    return error_from_problem(problem, attempts=2, method="GET", path="/v2/accounts")


def test_request_id_header_wins_over_body() -> None:
    error = _error(429, RATE_LIMITED, {"x-request-id": "req_header"})
    assert isinstance(error, errors.RateLimitError)
    assert error.request_id == "req_header"
    assert error.code == "RATE_LIMITED"
    assert error.type == "urn:creatoraudit:error:rate-limited"
    assert error.attempts == 2


def test_request_id_falls_back_to_body() -> None:
    assert _error(429, RATE_LIMITED).request_id == "req_body_1"


def test_validation_errors_become_field_errors() -> None:
    error = _error(422, VALIDATION)
    assert isinstance(error, errors.ValidationError)
    assert error.errors == (errors.FieldError("platform", "must be one of: instagram, tiktok"),)
    assert "platform: must be one of" in str(error)


def test_proxy_html_is_still_an_api_error() -> None:
    error = _error(502, PROXY_502)
    assert type(error) is errors.ServerError
    assert error.status == 502
    assert error.code == "UPSTREAM_ERROR"
    assert "502 Bad Gateway" in error.detail
    assert error.request_id is None


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (400, "BAD_REQUEST", errors.BadRequestError),
        (401, "UNAUTHORIZED", errors.AuthenticationError),
        (403, "FORBIDDEN", errors.PermissionDeniedError),
        (403, "INSUFFICIENT_SCOPE", errors.InsufficientScopeError),
        (403, "QUOTA_EXCEEDED", errors.QuotaExceededError),
        (404, "NOT_FOUND", errors.NotFoundError),
        (406, "NOT_ACCEPTABLE", errors.NotAcceptableError),
        (409, "CONFLICT", errors.ConflictError),
        (410, "GONE", errors.GoneError),
        (415, "UNSUPPORTED_MEDIA_TYPE", errors.UnsupportedMediaTypeError),
        (422, "VALIDATION_ERROR", errors.ValidationError),
        (429, "RATE_LIMITED", errors.RateLimitError),
        (500, "INTERNAL_ERROR", errors.ServerError),
        (502, "UPSTREAM_ERROR", errors.ServerError),
        (503, "SERVICE_UNAVAILABLE", errors.ServiceUnavailableError),
        (418, "TEAPOT", errors.APIError),
    ],
)
def test_every_documented_code_maps_to_its_class(
    status: int, code: str, cls: type[errors.APIError]
) -> None:
    body = json.dumps({"status": status, "code": code, "title": "t", "detail": "d"}).encode()
    error = _error(status, body, {"x-request-id": "req_9"})
    assert type(error) is cls
    assert (error.status, error.code, error.request_id) == (status, code, "req_9")
    assert isinstance(error, errors.APIError)


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"null",
        b"[1,2]",
        b'"text"',
        b"{",
        b"\xff\xfe",
        b'{"code": 5, "errors": "x"}',
        b"[" * 100_000,
    ],
)
def test_any_body_parses_to_a_problem(body: bytes) -> None:
    error = _error(500, body)
    assert isinstance(error, errors.ServerError)
    assert error.code == "INTERNAL_ERROR"
    assert error.errors == ()


def test_str_names_status_code_detail_and_request_id() -> None:
    text = str(_error(429, RATE_LIMITED, {"x-request-id": "req_h"}))
    for part in ("429", "RATE_LIMITED", "Rate limit exceeded.", "req_h", "/v2/accounts"):
        assert part in text
