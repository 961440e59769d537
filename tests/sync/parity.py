"""Walk an async client and its sync twin side by side and list every difference.

Independent of the facade's own machinery on purpose: it reads only what ``inspect`` and
``typing`` report, and has its own idea of how a return type turns sync.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Callable, Collection, Iterator
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, get_args, get_origin

from creatorsdk import AsyncPager, SyncPager

#: Async-only lifecycle names and their sync spelling.
RENAMED = {"aclose": "close"}
#: Sync-only names that have no async counterpart (a sync client can say it is closed).
SYNC_ONLY = frozenset({"close", "closed"})


def parity_problems(async_client: object, sync_client: object) -> list[str]:
    """Every method, argument, return type, resource or attribute that differs."""
    problems = _compare_init(type(async_client), type(sync_client))
    async_resources = _resources(async_client)
    sync_resources = {
        name: value for name, value in vars(sync_client).items() if hasattr(value, "_target")
    }
    for name in sorted(async_resources.keys() - sync_resources.keys()):
        problems.append(f"{name}: resource only on the async client")
    for name in sorted(sync_resources.keys() - async_resources.keys()):
        problems.append(f"{name}: resource only on the sync client")
    for name in sorted(async_resources.keys() & sync_resources.keys()):
        problems += _compare_members(name, type(async_resources[name]), type(sync_resources[name]))
    attributes = {
        name: value
        for name, value in vars(async_client).items()
        if not name.startswith("_") and name not in async_resources
    }
    problems += _compare_members(
        "client",
        type(async_client),
        type(sync_client),
        sync_only=SYNC_ONLY | attributes.keys(),
        resources=async_resources.keys(),
    )
    for name, value in attributes.items():
        if not hasattr(type(sync_client), name):
            problems.append(f"client.{name}: attribute only on the async client")
        elif type(getattr(sync_client, name)) is not type(value):
            problems.append(f"client.{name}: attribute of another type on the sync client")
    return problems


def _resources(client: object) -> dict[str, object]:
    # A resource is whatever the client hands itself to (``Videos(self)``), whether set on the
    # instance or declared on the class and built on first access.
    names = dict.fromkeys([*vars(client), *dir(type(client))])
    return {
        name: value
        for name in names
        if not name.startswith("_")
        and getattr(value := getattr(client, name), "_client", None) is client
    }


def _public(cls: type) -> dict[str, Any]:
    members: dict[str, Any] = {}
    for klass in reversed(cls.__mro__[:-1]):  # without object
        for name, value in vars(klass).items():
            if not name.startswith("_"):
                members[name] = value
    return members


def _compare_members(
    where: str,
    async_cls: type,
    sync_cls: type,
    *,
    sync_only: frozenset[str] = frozenset(),
    resources: Collection[str] = (),
) -> list[str]:
    problems: list[str] = []
    async_members = {
        RENAMED.get(n, n): v for n, v in _public(async_cls).items() if n not in resources
    }
    sync_members = _public(sync_cls)
    for name in sorted(async_members.keys() - sync_members.keys()):
        problems.append(f"{where}.{name}: only on the async client")
    for name in sorted(sync_members.keys() - async_members.keys() - sync_only):
        problems.append(f"{where}.{name}: only on the sync client")
    for name in sorted(async_members.keys() & sync_members.keys()):
        problems += _compare_member(f"{where}.{name}", async_members[name], sync_members[name])
    return problems


def _compare_member(where: str, async_value: Any, sync_value: Any) -> list[str]:
    if isinstance(async_value, property) or isinstance(sync_value, property):
        if not (isinstance(async_value, property) and isinstance(sync_value, property)):
            return [f"{where}: a property on one client only"]
        async_type = inspect.signature(async_value.fget, eval_str=True).return_annotation
        sync_type = inspect.signature(sync_value.fget, eval_str=True).return_annotation
        return [] if async_type == sync_type else [f"{where}: {async_type} vs {sync_type}"]
    if not (callable(async_value) and callable(sync_value)):
        return [f"{where}: not a method on both clients"]
    if inspect.iscoroutinefunction(sync_value):
        return [f"{where}: the sync twin is a coroutine function"]
    if where.endswith(".close"):  # aclose and close: both take nothing, return None
        return _compare_signatures(where, async_value, sync_value, returns=lambda t: t)
    return _compare_signatures(where, async_value, sync_value, returns=expected_sync_return)


def _compare_init(async_cls: type, sync_cls: type) -> list[str]:
    return _compare_signatures(
        "client.__init__", async_cls.__init__, sync_cls.__init__, returns=lambda t: t
    )


def _compare_signatures(
    where: str,
    async_fn: Callable[..., Any],
    sync_fn: Callable[..., Any],
    *,
    returns: Callable[[Any], Any],
) -> list[str]:
    async_sig = inspect.signature(async_fn, eval_str=True)
    sync_sig = inspect.signature(sync_fn, eval_str=True)
    problems: list[str] = []
    async_params = [_describe(p) for p in async_sig.parameters.values()]
    sync_params = [_describe(p) for p in sync_sig.parameters.values()]
    if async_params != sync_params:
        problems.append(f"{where}: arguments differ: {async_params} vs {sync_params}")
    expected = returns(async_sig.return_annotation)
    if sync_sig.return_annotation != expected:
        problems.append(
            f"{where}: returns {sync_sig.return_annotation}, expected {expected} "
            f"(async returns {async_sig.return_annotation})"
        )
    return problems


def _describe(p: inspect.Parameter) -> tuple[str, str, Any, Any]:
    return (p.name, p.kind.description, p.default, p.annotation)


def expected_sync_return(annotation: Any) -> Any:
    """What a sync twin should return where the async method returns ``annotation``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is AsyncPager:
        return SyncPager[args[0]]  # type: ignore[valid-type]
    if origin is AbstractAsyncContextManager and get_origin(args[0]) is AsyncIterator:
        return AbstractContextManager[Iterator[get_args(args[0])[0]]]  # type: ignore[misc]
    return annotation
