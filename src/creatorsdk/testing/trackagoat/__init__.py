"""The trackagoat v1 fake: :class:`FakeTrackAGoat` and its :class:`Store`."""

from creatorsdk.testing.trackagoat.fake import FakeTrackAGoat
from creatorsdk.testing.trackagoat.store import Store

__all__ = ["FakeTrackAGoat", "Store"]
