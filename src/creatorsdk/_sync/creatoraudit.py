"""``CreatorAudit``: the blocking twin of ``AsyncCreatorAudit``.

Each line below only names an async method; its parameters, return type, docstring and
behaviour all come from :mod:`creatorsdk.creatoraudit`.
"""

from __future__ import annotations

from creatorsdk import creatoraudit as aio
from creatorsdk._sync._client import SyncClient
from creatorsdk._sync._wrap import SyncResource, sync

__all__ = ["AccountVideos", "Accounts", "CreatorAudit", "Creators", "Videos"]


class Accounts(SyncResource, mirrors=aio.Accounts):
    list = sync(aio.Accounts.list)
    get = sync(aio.Accounts.get)
    create = sync(aio.Accounts.create)
    update = sync(aio.Accounts.update)
    delete = sync(aio.Accounts.delete)
    metrics = sync(aio.Accounts.metrics)


class AccountVideos(SyncResource, mirrors=aio.AccountVideos):
    list = sync(aio.AccountVideos.list)
    metrics = sync(aio.AccountVideos.metrics)


class Videos(SyncResource, mirrors=aio.Videos):
    list = sync(aio.Videos.list)
    get = sync(aio.Videos.get)
    create = sync(aio.Videos.create)
    update = sync(aio.Videos.update)
    delete = sync(aio.Videos.delete)
    deltas = sync(aio.Videos.deltas)
    iter_deltas = sync(aio.Videos.iter_deltas)
    metrics = sync(aio.Videos.metrics)


class Creators(SyncResource, mirrors=aio.Creators):
    list = sync(aio.Creators.list)
    get = sync(aio.Creators.get)
    create = sync(aio.Creators.create)
    update = sync(aio.Creators.update)
    delete = sync(aio.Creators.delete)
    link_account = sync(aio.Creators.link_account)
    unlink_account = sync(aio.Creators.unlink_account)
    top = sync(aio.Creators.top)
    analytics = sync(aio.Creators.analytics)


class CreatorAudit(SyncClient[aio.AsyncCreatorAudit], mirrors=aio.AsyncCreatorAudit):
    """Blocking client of the CreatorAudit v2 API, for scripts, notebooks and thread pools.

    Takes the same arguments as :class:`~creatorsdk.AsyncCreatorAudit` and offers the same
    resources, methods, models and errors without ``await``: ``with CreatorAudit() as ca:
    ca.videos.deltas(ids)``; ``for account in ca.accounts.list(): ...`` fetches page by page.
    The async client runs on the client's own event-loop thread, so this works in plain
    scripts, from many threads at once, and inside a running event loop (a notebook).
    ``close()`` (or leaving the ``with`` block) closes it.

    Resources: ``accounts``, ``account_videos``, ``videos`` (with ``deltas``,
    ``iter_deltas`` and ``metrics``) and ``creators``; calls on the client: ``whoami()``,
    ``meta()``, ``health()``, ``overview()`` and ``search()``; ``rate_limit``,
    ``retry_policy`` and ``stats`` as on the async client.

    """

    #: Tracked accounts.
    accounts: Accounts
    #: Videos discovered in tracked accounts' feeds.
    account_videos: AccountVideos
    #: Individually tracked videos, and batch deltas/metrics.
    videos: Videos
    #: Creators, their linked accounts, leaderboard and analytics.
    creators: Creators

    whoami = sync(aio.AsyncCreatorAudit.whoami)
    meta = sync(aio.AsyncCreatorAudit.meta)
    health = sync(aio.AsyncCreatorAudit.health)
    overview = sync(aio.AsyncCreatorAudit.overview)
    search = sync(aio.AsyncCreatorAudit.search)
