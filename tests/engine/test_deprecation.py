"""Reading the server's deprecation headers, on tables of real-world values."""

from __future__ import annotations

import datetime as dt

import pytest

from creatorsdk._engine.deprecation import Deprecation, endpoint_of, parse_deprecation

UTC = dt.UTC


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"Deprecation": "false"}, None),
        ({"Deprecation": "garbage"}, None),
        ({"Deprecation": "@nope"}, None),
        (
            {"Deprecation": "@1688169599"},
            Deprecation(dt.datetime(2023, 6, 30, 23, 59, 59, tzinfo=UTC), None, None),
        ),
        ({"Deprecation": "true"}, Deprecation(None, None, None)),
        (
            {"Deprecation": "Sun, 11 Nov 2018 23:59:59 GMT"},
            Deprecation(dt.datetime(2018, 11, 11, 23, 59, 59, tzinfo=UTC), None, None),
        ),
        (
            {"Sunset": "Sat, 31 Dec 2026 23:59:59 GMT"},
            Deprecation(None, dt.datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC), None),
        ),
        (
            {
                "Deprecation": "true",
                "Link": '<https://api.example/next>; rel="successor-version", '
                '<https://docs.example/deprecations>; rel="deprecation"',
            },
            Deprecation(None, None, "https://docs.example/deprecations"),
        ),
    ],
)
def test_parse_deprecation(headers: dict[str, str], expected: Deprecation | None) -> None:
    lowered = {name.lower(): value for name, value in headers.items()}
    assert parse_deprecation(lowered) == expected


def test_an_endpoint_is_its_path_without_ids() -> None:
    video = "6B29FC40-CA47-1067-B31D-00DD010662DA"
    assert endpoint_of("GET", f"/v2/videos/{video}") == "GET /v2/videos/{id}"
    assert endpoint_of("DELETE", "/v1/creators/42/links/7") == "DELETE /v1/creators/{id}/links/{id}"
    assert endpoint_of("GET", "/v2/videos") == "GET /v2/videos"
