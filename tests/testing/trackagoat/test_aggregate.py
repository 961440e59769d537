"""The fake's aggregate endpoints, annotations and OpenAPI documents over plain HTTP: what each
query may hold, paging by offset, and the bare OpenAPI file."""

from __future__ import annotations

import httpx
import pytest

from creatorsdk.testing import FakeTrackAGoat
from creatorsdk.testing.trackagoat.routes_aggregate import ENDPOINTS
from tests.testing.trackagoat.conftest import meta_code

BASE = "/analytics/aggregate"


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
async def test_every_endpoint_needs_a_known_project(client: httpx.AsyncClient, name: str) -> None:
    missing = await client.get(f"{BASE}/{name}")
    assert (missing.status_code, meta_code(missing)) == (400, "invalid_query")
    unknown = await client.get(
        f"{BASE}/{name}",
        params={
            "project_id": "00000000-0000-4000-8000-00000000dead",
            "from": "2026-06-01",
            "to": "2026-06-02",
        },
    )
    assert (unknown.status_code, meta_code(unknown)) == (404, "not_found")


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("posting-heatmap", {"from": "2026-06-01"}),
        ("posting-heatmap", {"from": "2026-06-01", "to": "2026-06-02", "tz": "Mars/Base"}),
        ("video-leaderboard", {"order": "vibes"}),
        ("video-leaderboard", {"limit": "0"}),
        ("video-leaderboard", {"limit": "101"}),
        ("creator-leaderboard", {"offset": "-1"}),
        ("outliers", {"min_ratio": "zero"}),
        ("goal-compliance", {"period": "hourly"}),
        ("view-distribution", {"from": "2026-06-02", "to": "2026-06-01"}),
    ],
)
async def test_bad_queries_are_400(
    client: httpx.AsyncClient, project: str, name: str, params: dict[str, str]
) -> None:
    response = await client.get(f"{BASE}/{name}", params={"project_id": project, **params})
    assert (response.status_code, meta_code(response)) == (400, "invalid_query")


async def test_leaderboard_pages_by_offset_with_a_total(
    client: httpx.AsyncClient, project: str
) -> None:
    query = {"project_id": project, "from": "2026-03-01", "to": "2026-06-14"}
    whole = (await client.get(f"{BASE}/video-leaderboard", params=query)).json()
    total = whole["meta"]["total_count"]
    assert total == len(whole["data"]) > 4
    pages = []
    for offset in range(0, total, 4):
        body = (
            await client.get(
                f"{BASE}/video-leaderboard", params={**query, "limit": 4, "offset": offset}
            )
        ).json()
        assert body["meta"] == {"total_count": total, "limit": 4, "offset": offset}
        pages.extend(body["data"])
    assert pages == whole["data"]


async def test_annotation_bodies_are_checked(client: httpx.AsyncClient, project: str) -> None:
    for body, field in [
        ({"label": "x"}, "date"),
        ({"date": "2026-06-01"}, "label"),
        ({"date": "2026-06-01", "label": " "}, "label"),
        ({"date": "2026-06-01", "label": "x", "entity": "creator"}, "entity"),
        ({"date": "2026-06-01", "label": "x", "kind": "party"}, "kind"),
        ({"date": "soon", "label": "x"}, "date"),
    ]:
        response = await client.post("/analytics/annotations", json=body)
        assert (response.status_code, meta_code(response)) == (400, "invalid_body"), body
        assert field in response.json()["error"]
    wrong = await client.post(
        "/analytics/annotations",
        json={
            "date": "2026-06-01",
            "label": "x",
            "entity": "project",
            "entity_id": project,
            "project_id": "00000000-0000-4000-8000-00000000dead",
        },
    )
    assert wrong.status_code == 400


async def test_the_openapi_file_is_bare_and_lists_every_route(
    client: httpx.AsyncClient, fake: FakeTrackAGoat
) -> None:
    response = await client.get("/openapi.json")
    document = response.json()
    assert "data" not in document
    assert document["openapi"] == "3.1.0"
    assert document["servers"] == [{"url": "/api/v1"}]
    assert len(document["paths"]) >= 45
    assert document["paths"]["/payout-payments"]["post"]["security"] == [{"bearer": ["write"]}]
    schema = (await client.get("/analytics/schema")).json()
    assert schema["error"] is None
    assert set(schema["data"]["paths"]) <= set(document["paths"])
