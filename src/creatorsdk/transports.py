"""Transports a client builds itself, sized to its ``max_concurrency``.

A transport instance passed as ``transport=`` keeps the pool it was built with (httpx's
default: 100 connections, 20 kept alive) and its own TLS and proxy settings. A factory from
this module is called by the client instead, with the client's pool size, TLS trust and
proxy, so what the client's options say holds for it too::

    AsyncCreatorAudit(transport=creatorsdk.transports.aiohttp(), max_concurrency=32)
"""

from __future__ import annotations

import ssl
from typing import Any, Protocol

import httpx

from creatorsdk.errors import InvalidArgumentError

__all__ = ["TransportFactory", "aiohttp", "httpx_transport"]


def _pool_limits(size: int) -> httpx.Limits:
    """A pool of ``size`` connections, every one kept alive between requests."""
    return httpx.Limits(max_connections=size, max_keepalive_connections=size)


class TransportFactory(Protocol):
    """Builds the transport of one client, from that client's settings."""

    def __call__(
        self, *, pool_size: int, verify: ssl.SSLContext, proxy: httpx.Proxy | None
    ) -> httpx.AsyncBaseTransport:
        """The transport: ``pool_size`` connections (all kept alive), trusting ``verify``,
        through ``proxy`` when one is given."""
        ...


def httpx_transport(**options: Any) -> TransportFactory:
    """httpx's own transport with ``options`` (``local_address``, ``uds``, ``retries``,
    ``socket_options``, ``http2``, ...), sized to the client's ``max_concurrency``, with its
    ``verify`` and ``proxy``: what ``transport=httpx.AsyncHTTPTransport(...)`` cannot do."""
    reserved = {"limits", "verify", "proxy", "trust_env"} & options.keys()
    if reserved:
        raise InvalidArgumentError(
            f"{', '.join(sorted(reserved))}: set by the client (max_concurrency, verify, proxy)"
        )

    def build(
        *, pool_size: int, verify: ssl.SSLContext, proxy: httpx.Proxy | None
    ) -> httpx.AsyncBaseTransport:
        return httpx.AsyncHTTPTransport(
            verify=verify,
            proxy=proxy,
            trust_env=False,
            limits=_pool_limits(pool_size),
            **options,
        )

    return build


def aiohttp() -> TransportFactory:
    """Send through aiohttp (the ``aiohttp`` extra, ``httpx-aiohttp``) instead of httpcore.

    The client sizes its connection pool to ``max_concurrency`` and gives it its TLS trust
    (``verify=``) and ``proxy=``; the environment's proxies and ``SSL_CERT_FILE`` are not
    read. A refused or reset connection is an
    :class:`~creatorsdk.errors.APIConnectionError` as with the default transport (httpx-aiohttp
    reports every aiohttp connection error as a connect timeout).
    """
    try:
        from creatorsdk._engine.aiohttp_transport import SizedAiohttpTransport
    except ImportError as error:  # pragma: no cover - the test environment has the extra
        raise ImportError(
            "creatorsdk.transports.aiohttp() needs the aiohttp extra: "
            "pip install 'creatorsdk[aiohttp]'"
        ) from error

    def build(
        *, pool_size: int, verify: ssl.SSLContext, proxy: httpx.Proxy | None
    ) -> httpx.AsyncBaseTransport:
        return SizedAiohttpTransport(
            verify=verify,
            trust_env=False,
            proxy=proxy,
            limits=_pool_limits(pool_size),
        )

    return build
