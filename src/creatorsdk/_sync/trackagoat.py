"""``TrackAGoat``: the blocking twin of ``AsyncTrackAGoat``.

Each line below only names an async method; its parameters, return type, docstring and
behaviour all come from :mod:`creatorsdk.trackagoat`.
"""

from __future__ import annotations

from creatorsdk._sync._client import SyncClient
from creatorsdk._sync._wrap import SyncResource, sync
from creatorsdk.trackagoat import (
    aggregate,
    analytics,
    campaigns,
    creators,
    payout_accruals,
    payout_methods,
    payout_payments,
    payout_structures,
    projects,
    videos,
)
from creatorsdk.trackagoat import annotations as chart_notes  # not to shadow __future__'s
from creatorsdk.trackagoat.client import AsyncTrackAGoat

__all__ = [
    "Aggregate",
    "Analytics",
    "Annotations",
    "Campaigns",
    "Creators",
    "PayoutAccruals",
    "PayoutMethods",
    "PayoutPayments",
    "PayoutStructures",
    "Projects",
    "TrackAGoat",
    "Videos",
]


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
    schema = sync(analytics.Analytics.schema)


class Aggregate(SyncResource, mirrors=aggregate.Aggregate):
    video_leaderboard = sync(aggregate.Aggregate.video_leaderboard)
    creator_leaderboard = sync(aggregate.Aggregate.creator_leaderboard)
    campaign_leaderboard = sync(aggregate.Aggregate.campaign_leaderboard)
    posting_heatmap = sync(aggregate.Aggregate.posting_heatmap)
    view_distribution = sync(aggregate.Aggregate.view_distribution)
    outliers = sync(aggregate.Aggregate.outliers)
    posting_consistency = sync(aggregate.Aggregate.posting_consistency)
    creator_scatter = sync(aggregate.Aggregate.creator_scatter)
    goal_compliance = sync(aggregate.Aggregate.goal_compliance)
    member_overlap = sync(aggregate.Aggregate.member_overlap)


class Annotations(SyncResource, mirrors=chart_notes.Annotations):
    list = sync(chart_notes.Annotations.list)
    create = sync(chart_notes.Annotations.create)
    update = sync(chart_notes.Annotations.update)
    delete = sync(chart_notes.Annotations.delete)


class PayoutMethods(SyncResource, mirrors=payout_methods.PayoutMethods):
    list = sync(payout_methods.PayoutMethods.list)
    get = sync(payout_methods.PayoutMethods.get)
    create = sync(payout_methods.PayoutMethods.create)
    update = sync(payout_methods.PayoutMethods.update)
    delete = sync(payout_methods.PayoutMethods.delete)


class PayoutStructures(SyncResource, mirrors=payout_structures.PayoutStructures):
    list = sync(payout_structures.PayoutStructures.list)
    get = sync(payout_structures.PayoutStructures.get)
    create = sync(payout_structures.PayoutStructures.create)
    update = sync(payout_structures.PayoutStructures.update)
    delete = sync(payout_structures.PayoutStructures.delete)
    list_assignments = sync(payout_structures.PayoutStructures.list_assignments)
    assign = sync(payout_structures.PayoutStructures.assign)
    unassign = sync(payout_structures.PayoutStructures.unassign)


class PayoutAccruals(SyncResource, mirrors=payout_accruals.PayoutAccruals):
    list = sync(payout_accruals.PayoutAccruals.list)
    get = sync(payout_accruals.PayoutAccruals.get)
    update = sync(payout_accruals.PayoutAccruals.update)


class PayoutPayments(SyncResource, mirrors=payout_payments.PayoutPayments):
    list = sync(payout_payments.PayoutPayments.list)
    get = sync(payout_payments.PayoutPayments.get)
    create = sync(payout_payments.PayoutPayments.create)
    update = sync(payout_payments.PayoutPayments.update)
    void = sync(payout_payments.PayoutPayments.void)


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
    aggregate: Aggregate
    annotations: Annotations
    payout_methods: PayoutMethods
    payout_structures: PayoutStructures
    payout_accruals: PayoutAccruals
    payout_payments: PayoutPayments

    schema = sync(AsyncTrackAGoat.schema)
    openapi = sync(AsyncTrackAGoat.openapi)
    goal_compliance = sync(AsyncTrackAGoat.goal_compliance)
