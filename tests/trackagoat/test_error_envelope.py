"""The trackagoat error parser as a pure function of (status, reason, headers, body)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from creatorsdk import errors
from creatorsdk._engine.problems import error_from_problem
from creatorsdk.trackagoat._error_envelope import parse_problem


def body(error: str | None, meta: dict[str, Any] | None = None) -> bytes:
    return json.dumps({"data": None, "error": error, "meta": meta}).encode()


def parse(status: int, content: bytes, headers: dict[str, str] | None = None) -> errors.APIError:
    problem = parse_problem(status, "Reason", httpx.Headers(headers or {}), content)
    return error_from_problem(problem, attempts=1, method="POST", path="/api/v1/x")


LIMIT_REACHED = body(
    "Limit reached: max_creators_per_org",
    {"code": "limit_reached", "limitKey": "max_creators_per_org", "current": 5, "max": 5},
)
INSUFFICIENT_SCOPE = body(
    "This action requires the 'write' scope. Granted: [read]",
    {"code": "insufficient_scope", "required": "write", "granted": ["read"]},
)
DAILY_QUOTA = body("Rate limit exceeded", {"code": "rate_limit_exceeded", "retryAfter": 3421})
PER_KEY = body("Too many requests", {"code": "rate_limit_exceeded"})


def test_limit_reached_keeps_limit_key_current_and_max() -> None:
    error = parse(402, LIMIT_REACHED, {"X-Request-ID": "req_1"})
    assert isinstance(error, errors.LimitReachedError)
    assert (error.limit_key, error.current, error.max) == ("max_creators_per_org", 5, 5)
    assert error.code == "limit_reached"
    assert error.detail == "Limit reached: max_creators_per_org"
    assert error.request_id == "req_1"
    assert error.status == 402


def test_retention_exceeded() -> None:
    error = parse(402, body("History retention exceeded", {"code": "retention_exceeded"}))
    assert isinstance(error, errors.RetentionExceededError)
    assert error.code == "retention_exceeded"


def test_insufficient_scope_keeps_required_and_granted() -> None:
    error = parse(403, INSUFFICIENT_SCOPE)
    assert isinstance(error, errors.InsufficientScopeError)
    assert error.required == ("write",)
    assert error.granted == ("read",)


def test_banned_org_without_code_is_a_plain_403() -> None:
    error = parse(403, body("Organization is banned"))
    assert type(error) is errors.PermissionDeniedError
    assert error.code == "forbidden"


def test_gone_points_to_analytics() -> None:
    error = parse(410, body("This endpoint has been removed"))
    assert isinstance(error, errors.GoneError)
    assert "/analytics" in error.detail
    said = parse(410, body("Removed; use GET /api/v1/analytics?entity=creator"))
    assert said.detail == "Removed; use GET /api/v1/analytics?entity=creator"


def test_daily_quota_has_meta_retry_after_and_no_header() -> None:
    error = parse(429, DAILY_QUOTA)
    assert isinstance(error, errors.DailyQuotaExceededError)
    assert error.code == "daily_quota_exceeded"
    assert error.retry_after == 3421.0
    assert not error.retryable


def test_per_key_window_429_leaves_the_wait_to_its_header() -> None:
    problem = parse_problem(429, "Too Many Requests", httpx.Headers({"Retry-After": "12"}), PER_KEY)
    assert problem.code == "rate_limit_exceeded"
    assert problem.retry_after is None  # the engine reads Retry-After itself
    error = error_from_problem(problem, attempts=1, method="GET", path="/x")
    assert type(error) is errors.RateLimitError


@pytest.mark.parametrize(
    "content",
    [PER_KEY, body("Too many requests", {"code": "too_many_requests"}), body(None), b""],
)
def test_per_key_429_without_any_wait_means_60_seconds(content: bytes) -> None:
    error = parse(429, content)
    assert type(error) is errors.RateLimitError
    assert error.retry_after == 60.0


def test_429_with_both_header_and_meta_wait_is_the_retryable_window() -> None:
    content = body("Too many requests", {"code": "rate_limit_exceeded", "retryAfter": 5})
    error = parse(429, content, {"Retry-After": "5"})
    assert type(error) is errors.RateLimitError


def test_daily_limit_key_marks_the_quota_even_with_a_header() -> None:
    content = body("Rate limit exceeded", {"limitKey": "max_api_requests_per_day"})
    error = parse(429, content, {"Retry-After": "3600"})
    assert isinstance(error, errors.DailyQuotaExceededError)


@pytest.mark.parametrize("code", ["handle_taken", "creator_banned", "invalid_handle", "no_change"])
def test_rename_codes_in_meta_code(code: str) -> None:
    error = parse(409, body("Conflict", {"code": code}))
    assert isinstance(error, errors.ConflictError)
    assert error.code == code


@pytest.mark.parametrize(
    ("message", "code"),
    [
        ("handle_taken", "handle_taken"),
        ("creator_banned", "creator_banned"),
        ("Rename failed: invalid_handle (length/characters)", "invalid_handle"),
        ("NO_CHANGE", "no_change"),
    ],
)
def test_rename_codes_in_the_error_string(message: str, code: str) -> None:
    for meta in (None, {"code": "conflict"}):
        error = parse(409, body(message, meta))
        assert isinstance(error, errors.ConflictError)
        assert error.code == code
        assert error.detail == message


def test_other_409_keeps_its_code_and_never_reads_codes_from_prose() -> None:
    assert parse(409, body("Idempotency key reused", None)).code == "conflict"
    assert parse(409, body("Key reused", {"code": "idempotency_conflict"})).code == (
        "idempotency_conflict"
    )
    assert parse(400, body("handle_taken", None)).code == "bad_request"


def test_error_as_object_is_tolerated() -> None:
    content = json.dumps({"data": None, "error": {"message": "Nope", "code": "invalid_body"}})
    error = parse(400, content.encode())
    assert isinstance(error, errors.BadRequestError)
    assert (error.code, error.detail) == ("invalid_body", "Nope")


def test_meta_fields_are_kept_in_snake_case() -> None:
    content = body("Bad", {"code": "invalid_query", "fieldName": "limit", "max": 100})
    error = parse(400, content)
    assert error.extra == {"field_name": "limit", "max": 100}


def test_field_errors_in_meta() -> None:
    content = body(
        "Invalid body", {"code": "invalid_body", "errors": [{"field": "name", "message": "req"}]}
    )
    assert parse(400, content).errors == (errors.FieldError("name", "req"),)


def test_request_id_falls_back_to_meta() -> None:
    error = parse(
        401,
        body("Invalid or missing API key", {"code": "invalid_api_key", "requestId": "req_meta"}),
    )
    assert isinstance(error, errors.AuthenticationError)
    assert error.request_id == "req_meta"
    assert error.code == "invalid_api_key"


def test_request_id_from_a_plain_mapping_of_headers() -> None:
    problem = parse_problem(404, "Not Found", {"X-Request-ID": "req_dict"}, body("Not found"))
    assert problem.request_id == "req_dict"
    assert problem.code == "not_found"


@pytest.mark.parametrize(
    ("status", "content", "cls"),
    [
        (502, b"<html><title>502 Bad Gateway</title></html>", errors.ServerError),
        (500, b"", errors.ServerError),
        (404, b"Not Found", errors.NotFoundError),
        (503, b'["not", "an", "object"]', errors.ServiceUnavailableError),
    ],
)
def test_non_envelope_bodies_still_give_the_status(
    status: int, content: bytes, cls: type[errors.APIError]
) -> None:
    error = parse(status, content)
    assert type(error) is cls
    assert error.status == status
    assert error.request_id is None


def test_html_body_is_shown_briefly() -> None:
    error = parse(502, b"<html><title>502 Bad Gateway</title></html>")
    assert "502 Bad Gateway" in error.detail
    assert error.code == "upstream_error"
