"""The CreatorAudit v2 client: ``AsyncCreatorAudit``, its resources and its response models."""

from creatorsdk.creatoraudit.account_videos import AccountVideos
from creatorsdk.creatoraudit.accounts import Accounts
from creatorsdk.creatoraudit.client import AsyncCreatorAudit
from creatorsdk.creatoraudit.creators import Creators
from creatorsdk.creatoraudit.models import (
    Account,
    AccountsSummary,
    ApiMeta,
    Creator,
    CreatorAnalytics,
    CreatorLink,
    Deltas,
    Health,
    Metrics,
    MetricValues,
    Overview,
    OverviewChanges,
    OverviewStats,
    SearchAccount,
    SearchCreator,
    SearchResults,
    SearchVideo,
    TopCreator,
    Video,
    Whoami,
)
from creatorsdk.creatoraudit.videos import Videos

__all__ = [
    "Account",
    "AccountVideos",
    "Accounts",
    "AccountsSummary",
    "ApiMeta",
    "AsyncCreatorAudit",
    "Creator",
    "CreatorAnalytics",
    "CreatorLink",
    "Creators",
    "Deltas",
    "Health",
    "MetricValues",
    "Metrics",
    "Overview",
    "OverviewChanges",
    "OverviewStats",
    "SearchAccount",
    "SearchCreator",
    "SearchResults",
    "SearchVideo",
    "TopCreator",
    "Video",
    "Videos",
    "Whoami",
]
