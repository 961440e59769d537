"""Type checkers see the sync methods with the async methods' parameters and sync results.

Runs mypy --strict on a small program that uses both sync clients; ``assert_type`` makes
every expectation an error if it does not hold.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from mypy import api

PROGRAM = textwrap.dedent(
    """
    from collections.abc import Iterator
    from contextlib import AbstractContextManager
    from typing import assert_type

    from creatorsdk import CreatorAudit, SyncPager, TrackAGoat
    from creatorsdk.creatoraudit import Account, Deltas, Whoami
    from creatorsdk.trackagoat import AnalyticsResult, CreateManyResult

    with CreatorAudit(api_key="k", max_concurrency=4) as ca:
        assert_type(ca.whoami(), Whoami)
        assert_type(ca.videos.deltas(["id"], windows=[7]), Deltas)
        assert_type(ca.accounts.list(platform="tiktok"), SyncPager[Account])
        for account in ca.accounts.list():
            assert_type(account, Account)
        parts = ca.videos.iter_deltas(["id"])
        assert_type(parts, AbstractContextManager[Iterator[Deltas], bool | None])
        assert_type(ca.videos.delete("id"), None)
        ca.videos.get(1)  # expect: arg-type
        ca.accounts.list(colour="red")  # expect: call-arg

    with TrackAGoat(api_key="k") as tg:
        assert_type(tg.creators.create_many("p", ["a"]), CreateManyResult)
        assert_type(tg.analytics.query("creator", "id", "views"), AnalyticsResult)
        assert_type(tg.analytics.query("creator", "id", "views", format="csv"), str)
    """
)


@pytest.mark.slow
def test_sync_methods_are_statically_typed(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(PROGRAM)
    out, err, status = api.run(
        [
            "--strict",
            "--python-version",
            "3.11",
            "--cache-dir",
            str(tmp_path / "cache"),
            "--no-error-summary",
            "--hide-error-context",
            str(program),
        ]
    )
    assert err == ""
    assert status == 1, out
    found = {}
    for line in out.splitlines():
        _, number, severity, message = line.split(":", 3)
        assert severity.strip() == "error", line
        found[int(number)] = message.strip()
    expected = {
        number: comment.split("# expect: ")[1]
        for number, comment in enumerate(PROGRAM.splitlines(), start=1)
        if "# expect: " in comment
    }
    assert sorted(found) == sorted(expected), out
    for number, code in expected.items():
        assert found[number].endswith(f"[{code}]"), found[number]
    assert 'incompatible type "int"; expected "str"' in found[min(expected)]
