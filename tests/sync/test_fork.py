"""A sync client created before fork() fails at once in the child instead of hanging."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from creatorsdk import CreatorAudit, errors

pytestmark = pytest.mark.skipif(
    not hasattr(os, "fork") or sys.platform == "darwin", reason="needs a POSIX fork()"
)


def _in_child(ca: CreatorAudit, write_end: int) -> None:
    """Runs in the forked child: report what using and closing the client did, then exit."""
    outcome = "no error"
    try:
        ca.whoami()
    except errors.ForkedClientError as error:
        outcome = "forked: " + str(error)
    except BaseException as error:  # anything else is a failure the parent reports
        outcome = f"other: {type(error).__name__}: {error}"
    ca.close()  # must not block on the parent's loop thread
    os.write(write_end, outcome.encode())
    os._exit(0)


def _wait_for(pid: int, seconds: float = 20.0) -> int:
    """The child's wait status; a child still running after ``seconds`` is killed: a hang."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    pytest.fail(f"the forked child hung for {seconds} s")


def test_a_sync_client_used_after_fork_raises_a_clear_error_at_once() -> None:
    ca = CreatorAudit(api_key="ca_key", base_url="https://api.creatoraudit.test/v2")
    try:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's coverage is not collected
            _in_child(ca, write_end)
        os.close(write_end)
        status = _wait_for(pid)
        report = os.read(read_end, 4096).decode()
        os.close(read_end)
    finally:
        ca.close()
    assert os.waitstatus_to_exitcode(status) == 0
    assert report.startswith("forked: "), report
    assert "create a new client" in report
    assert "ca_key" not in report


def test_the_parent_keeps_using_its_client_after_a_fork() -> None:
    with CreatorAudit(api_key="ca_key", base_url="https://api.creatoraudit.test/v2") as ca:
        pid = os.fork()
        if pid == 0:  # pragma: no cover
            os._exit(0)
        _wait_for(pid)
        assert not ca.closed
        assert ca.base_url == "https://api.creatoraudit.test/v2"
