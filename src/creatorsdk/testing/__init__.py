"""Stateful fakes of the APIs creatorsdk speaks, for tests, examples and local development.

They share no code with the clients on purpose: a fake built from the client's own models
could not catch the client's mistakes.
"""

try:
    # The fakes are Starlette apps served by uvicorn: optional dependencies of the SDK.
    import starlette  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as error:
    raise ImportError(
        "creatorsdk.testing needs the 'testing' extra: pip install 'creatorsdk[testing]'",
        name=error.name,
    ) from error

from creatorsdk.testing._clock import Clock, FakeClock
from creatorsdk.testing._faults import FAULT_KINDS, FaultPlan
from creatorsdk.testing._harness import FakeServer
from creatorsdk.testing._recording import RecordedRequest
from creatorsdk.testing.creatoraudit import FakeCreatorAudit
from creatorsdk.testing.trackagoat import FakeTrackAGoat

__all__ = [
    "FAULT_KINDS",
    "Clock",
    "FakeClock",
    "FakeCreatorAudit",
    "FakeServer",
    "FakeTrackAGoat",
    "FaultPlan",
    "RecordedRequest",
]
