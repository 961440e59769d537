"""The CreatorAudit v2 fake: :class:`FakeCreatorAudit` and its :class:`Store`."""

from creatorsdk.testing.creatoraudit.fake import FakeCreatorAudit
from creatorsdk.testing.creatoraudit.store import Store

__all__ = ["FakeCreatorAudit", "Store"]
