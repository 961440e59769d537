"""The pytest plugin's fixtures, used here as a user's test suite would use them.

The plugin is loaded through its ``pytest11`` entry point (the editable install registers
it), so these tests take its fixtures by name with nothing imported; the last ones run small
test files in a nested pytest to check what only a whole session shows (markers, strict
mode, a bad marker).
"""

from __future__ import annotations

import importlib.util
import sys
import textwrap

import pytest

from creatorsdk import (
    AsyncCreatorAudit,
    AsyncTrackAGoat,
    CreatorAudit,
    RetryPolicy,
    TrackAGoat,
    errors,
)
from creatorsdk.testing import FakeClock, FakeCreatorAudit, FakeTrackAGoat, FaultPlan, pytest_plugin


async def test_async_client_talks_to_the_fake(
    creatoraudit_client: AsyncCreatorAudit, creatoraudit_fake: FakeCreatorAudit
) -> None:
    me = await creatoraudit_client.whoami()
    accounts = await creatoraudit_client.accounts.list().to_list()

    assert me.organization_id == creatoraudit_fake.organization_id
    assert {a.id for a in accounts} == set(creatoraudit_fake.store.accounts)
    assert creatoraudit_fake.requests[0].path == "/v2/whoami"


def test_sync_client_talks_to_the_fake(
    creatoraudit_sync_client: CreatorAudit, creatoraudit_fake: FakeCreatorAudit
) -> None:
    assert creatoraudit_sync_client.whoami().organization_id == creatoraudit_fake.organization_id


@pytest.mark.creatoraudit_fake(seed=3, accounts=5, tracked_videos=2)
def test_marker_passes_the_fakes_options(creatoraudit_fake: FakeCreatorAudit) -> None:
    assert creatoraudit_fake.seed == 3
    assert len(creatoraudit_fake.store.accounts) == 5
    assert len(creatoraudit_fake.store.videos) == 2


def test_the_fake_keeps_time_on_the_tests_clock(
    creatoraudit_fake: FakeCreatorAudit, creatorsdk_clock: FakeClock
) -> None:
    assert creatoraudit_fake.clock is creatorsdk_clock
    assert creatoraudit_fake.faults == FaultPlan()  # no marker, no faults


@pytest.mark.creatorsdk_faults(error_429=0.3, seed=4, retry_after=7)
async def test_fault_marker_injects_and_waits_take_no_real_time(
    creatoraudit_client: AsyncCreatorAudit,
    creatoraudit_fake: FakeCreatorAudit,
    creatorsdk_clock: FakeClock,
    creatorsdk_faults: FaultPlan,
) -> None:
    started = creatorsdk_clock()

    for _ in range(6):
        await creatoraudit_client.whoami()

    throttled = creatoraudit_fake.faults_injected["error_429"]
    assert creatorsdk_faults.error_429 == 0.3
    assert creatoraudit_fake.faults is creatorsdk_faults
    assert throttled >= 1
    # Each 429 said Retry-After: 7, and the client waited it out on the test's clock.
    assert creatorsdk_clock() - started >= 7 * throttled


@pytest.mark.creatorsdk_faults(FaultPlan(error_503=1.0, paths={"/whoami"}))
async def test_fault_marker_takes_a_plan(creatoraudit_client: AsyncCreatorAudit) -> None:
    with pytest.raises(errors.ServiceUnavailableError) as caught:
        await creatoraudit_client.whoami()

    assert caught.value.attempts == RetryPolicy().max_attempts
    await creatoraudit_client.meta()  # not covered by the plan's paths


@pytest.mark.trackagoat_fake(plan="starter", projects=1)
@pytest.mark.creatorsdk_faults(error_503=0.0)
async def test_trackagoat_client_is_paced_on_the_tests_clock(
    trackagoat_client: AsyncTrackAGoat,
    trackagoat_fake: FakeTrackAGoat,
    creatorsdk_clock: FakeClock,
) -> None:
    started = creatorsdk_clock()

    for _ in range(5):
        projects = await trackagoat_client.projects.list().to_list()

    assert [p.id for p in projects] == list(trackagoat_fake.store.projects)
    assert trackagoat_fake.plan == "starter"
    # The documented 60 requests a minute: five requests span at least four seconds.
    assert creatorsdk_clock() - started >= 4.0


def test_trackagoat_sync_client(
    trackagoat_sync_client: TrackAGoat, trackagoat_fake: FakeTrackAGoat
) -> None:
    assert len(trackagoat_sync_client.projects.list().to_list()) == len(
        trackagoat_fake.store.projects
    )


async def test_env_serves_the_fake_for_code_that_builds_its_own_client(
    creatoraudit_env: str,
    creatoraudit_fake: FakeCreatorAudit,
    creatorsdk_clock: FakeClock,
) -> None:
    async with AsyncCreatorAudit() as ca:
        me = await ca.whoami()

        assert ca.base_url == creatoraudit_env
        assert creatoraudit_env.startswith("http://127.0.0.1:")
        assert me.organization_id == creatoraudit_fake.organization_id
        assert ca.retry_policy.clock is creatorsdk_clock
    assert RetryPolicy(max_attempts=2).sleep == creatorsdk_clock.sleep


def test_trackagoat_env_paces_on_the_tests_clock(
    trackagoat_env: str, creatorsdk_clock: FakeClock
) -> None:
    started = creatorsdk_clock()

    with TrackAGoat() as tg:
        for _ in range(3):
            tg.projects.list().to_list()

        assert tg.base_url == trackagoat_env
    assert creatorsdk_clock() - started >= 2.0


def test_policies_wait_really_again_after_an_env_test() -> None:
    policy = RetryPolicy()

    assert not isinstance(policy.clock, FakeClock)


def test_a_user_suite_in_strict_mode(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.asyncio
            @pytest.mark.creatoraudit_fake(accounts=2)
            async def test_listing(creatoraudit_client):
                assert len(await creatoraudit_client.accounts.list().to_list()) == 2

            @pytest.mark.asyncio
            @pytest.mark.creatorsdk_faults(error_500=1.0, paths=["/accounts"])
            async def test_faults(creatoraudit_client, creatoraudit_fake):
                with pytest.raises(Exception):
                    await creatoraudit_client.accounts.list().to_list()
                assert creatoraudit_fake.faults_injected["error_500"] == 5

            def test_sync(trackagoat_sync_client, trackagoat_fake):
                projects = trackagoat_sync_client.projects.list().to_list()
                assert [p.id for p in projects] == list(trackagoat_fake.store.projects)

            @pytest.mark.creatorsdk_faults("often")
            def test_plan_not_a_plan(creatoraudit_fake):
                pass

            @pytest.mark.creatoraudit_fake(3)
            def test_positional_options(creatoraudit_fake):
                pass
            """
        )
    )

    result = pytester.runpytest_inprocess(
        "-p",
        "no:cacheprovider",
        "--strict-markers",
        "-o",
        "asyncio_mode=strict",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
    )

    result.assert_outcomes(passed=3, errors=2)
    result.stdout.fnmatch_lines(["*creatorsdk_faults takes one FaultPlan*"])
    result.stdout.fnmatch_lines(["*creatoraudit_fake takes keyword arguments only*"])


def test_the_plugin_loads_without_the_testing_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    """pytest loads the plugin wherever creatorsdk is installed, so importing it must not
    need Starlette or uvicorn (only a fixture asking for a fake does)."""
    for name in ("starlette", "uvicorn"):
        monkeypatch.setitem(sys.modules, name, None)  # ``import starlette`` now fails
    spec = importlib.util.spec_from_file_location("plugin_copy", pytest_plugin.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)

    spec.loader.exec_module(module)

    assert callable(module.pytest_configure)
    with pytest.raises(ImportError):
        import starlette  # noqa: F401
