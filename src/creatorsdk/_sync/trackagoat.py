"""``TrackAGoat``: the blocking twin of ``AsyncTrackAGoat``.

Each line below only names an async method; its parameters, return type, docstring and
behaviour all come from :mod:`creatorsdk.trackagoat`.
"""

from __future__ import annotations

from creatorsdk._sync._client import SyncClient
from creatorsdk._sync._wrap import SyncResource, sync
from creatorsdk.trackagoat import analytics, campaigns, creators, projects, videos
from creatorsdk.trackagoat.client import AsyncTrackAGoat

__all__ = ["Analytics", "Campaigns", "Creators", "Projects", "TrackAGoat", "Videos"]


class Projects(SyncResource, mirrors=projects.Projects):
    list = sync(projects.Projects.list)


class Creators(SyncResource, mirrors=creators.Creators):
    list = sync(creators.Creators.list)
    create = sync(creators.Creators.create)
    create_many = sync(creators.Creators.create_many)
    update = sync(creators.Creators.update)
    delete = sync(creators.Creators.delete)
    scrape = sync(creators.Creators.scrape)
    bulk_remove = sync(creators.Creators.bulk_remove)
    bulk_reenable = sync(creators.Creators.bulk_reenable)


class Videos(SyncResource, mirrors=videos.Videos):
    list = sync(videos.Videos.list)
    create = sync(videos.Videos.create)
    update = sync(videos.Videos.update)
    delete = sync(videos.Videos.delete)
    scrape = sync(videos.Videos.scrape)
    disable_tracking = sync(videos.Videos.disable_tracking)


class Campaigns(SyncResource, mirrors=campaigns.Campaigns):
    list = sync(campaigns.Campaigns.list)
    create = sync(campaigns.Campaigns.create)
    update = sync(campaigns.Campaigns.update)
    delete = sync(campaigns.Campaigns.delete)
    add_item = sync(campaigns.Campaigns.add_item)
    remove_item = sync(campaigns.Campaigns.remove_item)


class Analytics(SyncResource, mirrors=analytics.Analytics):
    query = sync(analytics.Analytics.query)


class TrackAGoat(SyncClient[AsyncTrackAGoat], mirrors=AsyncTrackAGoat):
    """Blocking client of the trackagoat v1 API, for scripts, notebooks and thread pools.

    Takes the same arguments as :class:`~creatorsdk.AsyncTrackAGoat` and offers the same
    resources, methods, models and errors without ``await``; listings are plain iterators
    fetched page by page. The async client runs on the client's own event-loop thread.
    """

    projects: Projects
    creators: Creators
    videos: Videos
    campaigns: Campaigns
    analytics: Analytics

    schema = sync(AsyncTrackAGoat.schema)
    goal_compliance = sync(AsyncTrackAGoat.goal_compliance)
