"""Stateful fakes of the APIs creatorsdk speaks, for tests, examples and local development.

They share no code with the clients on purpose: a fake built from the client's own models
could not catch the client's mistakes.
"""

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
