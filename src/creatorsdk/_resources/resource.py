"""The base of every resource namespace, and how a client declares its resources.

A resource (``ca.accounts``, ``tg.creators``, ...) checks its arguments, sends one logical
request through the client's engine and reads the reply through its API's
:class:`~creatorsdk._resources.envelope.Envelope`. A client declares its resources on the
class (``accounts = resource(Accounts, "Tracked accounts.")``), so it needs no ``__init__``.

Which requests are safe to repeat
---------------------------------
The engine retries a 500, 502, 504, timeout or dropped connection only for a request that is
safe to repeat: one whose repeat cannot leave the server in another state than the first
attempt did. The engine's default follows HTTP (GET, HEAD, OPTIONS, PUT, DELETE, and any
request carrying an ``Idempotency-Key``); this layer adds what the two APIs' contracts make
safe, the same rule for both:

* **PATCH** (:meth:`Resource._update`). Every PATCH of both APIs' contracts sets the fields
  it names to the values it carries (CreatorAudit's ``metadata`` replaces the whole object);
  none adds to a counter or appends to a list. Applying the same body twice leaves the same
  state as applying it once.
  One visible difference remains: a trackagoat rename repeated after a reply that was lost may
  answer ``409 no_change``, which says the handle already is the new one.
* **Creates** (:meth:`Resource._create`) carry an ``Idempotency-Key`` (the caller's, or one
  the engine mints per logical call), so the server answers a repeat with the first result.
* **Read-only POSTs** that the contract documents as free of side effects (CreatorAudit's
  deltas and batch metrics) pass ``idempotent=True`` themselves.

Other POSTs are not safe: a repeated scrape spends the daily quota again, a repeated
bulk-remove or bulk-reenable reports other counts, a repeated item add conflicts.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

from creatorsdk._engine.client import BaseClient
from creatorsdk._engine.decoding import Model
from creatorsdk._engine.paging import AsyncPager
from creatorsdk._resources.arguments import body_of, idempotency_key_arg, optional, patch_body
from creatorsdk._resources.envelope import Envelope

__all__ = ["Resource", "resource"]

M = TypeVar("M", bound=Model)
R = TypeVar("R", bound="Resource")


class Resource:
    """Base of the resource namespaces: they share the client they were built for.

    A subclass names its API's envelope once: ``class Accounts(Resource, envelope=ENVELOPE)``.
    """

    _envelope: ClassVar[Envelope]

    def __init_subclass__(cls, *, envelope: Envelope | None = None, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if envelope is not None:
            cls._envelope = envelope

    def __init__(self, client: BaseClient) -> None:
        self._client = client

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self._client!r}>"

    async def _get(
        self, path: str, model: type[M], *, params: Mapping[str, Any] | None = None
    ) -> M:
        """``GET path`` decoded as one ``model``."""
        reply = await self._client.request("GET", path, params=params)
        return self._envelope.decode(reply, model)

    def _list(
        self,
        path: str,
        model: type[M],
        *,
        params: Mapping[str, Any] | None = None,
        limit: int | None,
        cursor: str | None,
    ) -> AsyncPager[M]:
        """Every ``model`` of ``GET path``, page by page (see :meth:`Envelope.pager`)."""
        return self._envelope.pager(
            self._client, path, model, params=params, limit=limit, cursor=cursor
        )

    async def _create(
        self,
        path: str,
        fields: Mapping[str, Any],
        model: type[M],
        *,
        idempotency_key: str | None,
    ) -> M:
        """``POST path`` with the given ``fields``; the created (or already existing) ``model``.

        ``idempotency_key`` is the caller's; without one the engine mints one for the call.
        Either way every attempt sends the same key, so a retry never creates twice.
        """
        reply = await self._client.request(
            "POST",
            path,
            json=body_of(fields),
            create=True,
            idempotency_key=optional(idempotency_key_arg, "idempotency_key", idempotency_key),
        )
        return self._envelope.decode(reply, model)

    async def _update(
        self,
        path: str,
        fields: Mapping[str, Any],
        model: type[M],
        *,
        clearable: Collection[str] = (),
    ) -> M:
        """``PATCH path`` with the given fields (see :func:`patch_body`); the changed ``model``.

        Retried like a GET: both APIs' PATCHes set fields to values (module docstring).
        """
        body = patch_body(fields, clearable=clearable)
        reply = await self._client.request("PATCH", path, json=body, idempotent=True)
        return self._envelope.decode(reply, model)

    async def _delete(self, path: str, *, json: Any = None) -> None:
        """``DELETE path``; a ``204`` or the ``200`` body, either way nothing to return."""
        await self._client.request("DELETE", path, json=json)


class resource(Generic[R]):  # lowercase: it is used like ``property``
    """Declares a resource on a client class: ``accounts = resource(Accounts, "doc")``.

    Each client builds its own ``Accounts(client)`` on first use and keeps it, so
    ``ca.accounts is ca.accounts``; ``help()`` on the client lists it with ``doc`` (by
    default the first line of the resource class's docstring).
    """

    def __init__(self, cls: type[R], doc: str | None = None) -> None:
        self._cls = cls
        self._name = ""
        first_line = (cls.__doc__ or "").strip().partition("\n")[0]
        self.__doc__ = doc or first_line

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, client: None, owner: type) -> Self: ...
    @overload
    def __get__(self, client: BaseClient, owner: type | None = None) -> R: ...
    def __get__(self, client: BaseClient | None, owner: type | None = None) -> Self | R:
        if client is None:
            return self
        cache = client.__dict__
        try:
            built: R = cache[self._name]
        except KeyError:
            # setdefault: two threads racing here still end up sharing one resource.
            built = cache.setdefault(self._name, self._cls(client))
        return built

    def __set__(self, client: BaseClient, value: R) -> None:
        # A data descriptor, so help() lists it with its docstring; replacing it stays possible.
        client.__dict__[self._name] = value

    def __repr__(self) -> str:
        return f"resource({self._cls.__name__})"
