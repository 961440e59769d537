"""Real third-party limiters in front of a fake, for ``bench_limiters``.

- :func:`serve_slowapi`: slowapi itself (``limits`` fixed window, its default, moving window
  or sliding-window counter, in-memory storage, ``headers_enabled``) on a small Starlette
  reverse proxy whose one route forwards every request to a ``FakeCreatorAudit`` in the same
  process (no limit of its own); ``python -m benchmarks._limiter_servers slowapi ...`` is
  that server.
- :func:`serve_nginx`: nginx ``limit_req`` (``limit_req_status 429``, ``nodelay``) as a reverse
  proxy on loopback in front of a fake served by uvicorn in its own process.
- :func:`serve_redis`: a throwaway ``redis-server`` on a free loopback port, for the shared
  budget store.

Each says why it cannot run (:class:`Unavailable`) instead of crashing the benchmark.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from benchmarks._harness import FakeProcess, optional_module, serve_command, serve_fake

__all__ = ["Unavailable", "serve_nginx", "serve_redis", "serve_slowapi"]

#: slowapi's strategies by the name of the fake limiter that mirrors them.
SLOWAPI_STRATEGIES = {
    "fixed-first": "fixed-window",  # slowapi's default: a window opened by the first request
    "moving": "moving-window",
    "sliding": "sliding-window-counter",
}
_HOP_BY_HOP = frozenset({"connection", "keep-alive", "transfer-encoding", "content-length"})


class Unavailable(Exception):
    """A third-party limiter this machine cannot run, and why (a sentence)."""


# -- slowapi ------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve_slowapi(
    strategy: str, limit: int, window: float, fake_options: dict[str, Any]
) -> Iterator[FakeProcess]:
    """slowapi (``strategy``: ``fixed-first``, ``moving`` or ``sliding``) in front of a fake,
    in one process."""
    missing = [name for name in ("slowapi", "limits") if optional_module(name) is None]
    if missing:
        raise Unavailable(f"{' and '.join(missing)} not installed (`pip install -e '.[bench]'`)")
    if window != int(window):
        raise ValueError(f"the limits library counts whole seconds; got a {window} s window")
    command = [sys.executable, "-m", "benchmarks._limiter_servers", "slowapi"]
    command += ["--strategy", strategy, "--limit", str(limit), "--window", str(int(window))]
    for name, value in fake_options.items():
        text = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        command += [f"--{name.replace('_', '-')}", text]
    with serve_command(command) as server:
        yield server


def _slowapi_main(argv: Sequence[str]) -> None:
    """Serve slowapi in front of an in-process fake until SIGINT; prints the fake's banner."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks._limiter_servers slowapi")
    parser.add_argument("--strategy", choices=sorted(SLOWAPI_STRATEGIES), required=True)
    parser.add_argument("--limit", type=int, required=True)
    parser.add_argument("--window", type=int, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--accounts", type=int, default=1)
    parser.add_argument("--videos-per-account", default="6000,6000")
    parser.add_argument("--tracked-videos", type=int, default=0)
    parser.add_argument("--creators", type=int, default=0)
    parser.add_argument("--history-days", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args(argv)

    import anyio

    low, _, high = args.videos_per_account.partition(",")
    from creatorsdk.testing import FakeCreatorAudit

    fake = FakeCreatorAudit(
        args.seed,
        accounts=args.accounts,
        videos_per_account=(int(low), int(high or low)),
        tracked_videos=args.tracked_videos,
        creators=args.creators,
        history_days=args.history_days,
        rate_limit=None,
        latency=args.latency,
    )
    app = _slowapi_app(fake, SLOWAPI_STRATEGIES[args.strategy], args.limit, args.window)

    async def serve() -> None:
        from creatorsdk.testing._serving import serve_app

        with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
            async with serve_app(app, prefix=fake.api_prefix) as base_url:
                print(f"SlowapiProxy serving {base_url} api_key={fake.api_key}", flush=True)
                async for _ in signals:
                    break

    anyio.run(serve)


def _slowapi_app(fake: Any, strategy: str, limit: int, window: int) -> Any:
    """A Starlette app: slowapi's ASGI middleware, then one route forwarding to ``fake``."""
    import httpx
    from slowapi import Limiter, _rate_limit_exceeded_handler
    from slowapi.errors import RateLimitExceeded
    from slowapi.middleware import SlowAPIASGIMiddleware
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    upstream = httpx.AsyncClient(transport=fake.transport(), base_url="http://upstream")

    async def forward(request: Request) -> Response:
        headers = [(k, v) for k, v in request.headers.items() if k.lower() != "host"]
        path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        answer = await upstream.request(
            request.method, path, content=await request.body(), headers=headers
        )
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in _HOP_BY_HOP}
        return Response(answer.content, status_code=answer.status_code, headers=kept)

    limiter = Limiter(
        # One budget per API key, as the fake's own limiters keep: an application limit,
        # counted for every path at once. (slowapi's default limits are kept per URL: each
        # listing page and the deltas endpoint would each have a budget of their own.)
        key_func=lambda request: request.headers.get("authorization", ""),
        application_limits=[f"{limit} per {window} seconds"],
        strategy=strategy,
        headers_enabled=True,
        storage_uri="memory://",
    )
    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[Route("/{path:path}", forward, methods=methods)])
    app.state.limiter = limiter
    app.add_exception_handler(RateLimitExceeded, _rate_limit_exceeded_handler)  # type: ignore[arg-type]
    app.add_middleware(SlowAPIASGIMiddleware)
    return app


# -- nginx --------------------------------------------------------------------------------------

_NGINX_CONF = """\
worker_processes 1;
error_log {dir}/error.log warn;
pid {dir}/nginx.pid;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {dir}/body;
    proxy_temp_path {dir}/proxy;
    fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi;
    scgi_temp_path {dir}/scgi;
    limit_req_zone $http_authorization zone=api:1m rate={rate}r/s;
    limit_req_status 429;
    upstream fake {{ server {upstream}; keepalive 128; }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            limit_req zone=api burst={burst} nodelay;
            proxy_pass http://fake;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
        }}
    }}
}}
"""


@contextlib.contextmanager
def serve_nginx(rate: int, burst: int, fake_options: dict[str, Any]) -> Iterator[FakeProcess]:
    """nginx ``limit_req rate=<rate>r/s burst=<burst> nodelay`` in front of a served fake."""
    nginx = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.path.exists(p)), None
    )
    if nginx is None:
        raise Unavailable("nginx is not installed (`apt-get install -y nginx`)")
    with (
        serve_fake(**{**fake_options, "rate_limit": 0}) as fake,
        tempfile.TemporaryDirectory(prefix="bench-nginx-") as directory,
    ):
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.makedirs(os.path.join(directory, sub))
        # nginx's workers may run as another user: let them reach the temp dirs.
        for path in Path(directory).rglob("*"):
            path.chmod(0o777)
        Path(directory).chmod(0o777)
        port = _free_port()
        upstream = fake.base_url.split("//", 1)[1].split("/", 1)[0]
        config = _NGINX_CONF.format(
            dir=directory, rate=rate, burst=burst, upstream=upstream, port=port
        )
        Path(directory, "nginx.conf").write_text(config, encoding="utf-8")
        command = [nginx, "-p", directory, "-c", "nginx.conf", "-g", "daemon off;"]
        with _daemon(command, port, Path(directory, "error.log"), "nginx"):
            prefix = fake.base_url.split("//", 1)[1].split("/", 1)[1]
            yield FakeProcess(f"http://127.0.0.1:{port}/{prefix}", fake.api_key, fake.pid)


# -- redis --------------------------------------------------------------------------------------


@contextlib.contextmanager
def serve_redis() -> Iterator[str]:
    """A ``redis-server`` on a free loopback port, without persistence; yields its URL."""
    server = shutil.which("redis-server")
    if server is None:
        raise Unavailable("redis-server is not installed (`apt-get install -y redis-server`)")
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as directory:
        port = _free_port()
        command = [server, "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", directory]
        with _daemon(command, port, Path(directory, "redis.log"), "redis-server"):
            yield f"redis://127.0.0.1:{port}/0"


# -- processes ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def _daemon(command: list[str], port: int, log: Path, name: str) -> Iterator[None]:
    """Run ``command`` until the block ends; ready once ``port`` accepts connections."""
    with open(log.with_suffix(".out"), "w", encoding="utf-8") as output:
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
        )
        try:
            deadline = time.monotonic() + 20
            while not _listening(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    text = log.with_suffix(".out").read_text(encoding="utf-8", errors="replace")
                    if log.exists():
                        text += log.read_text(encoding="utf-8", errors="replace")
                    raise RuntimeError(f"{name} did not start:\n{text[-2000:]}")
                time.sleep(0.05)
            yield
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(timeout=10)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


if __name__ == "__main__":
    if sys.argv[1:2] != ["slowapi"]:
        sys.exit("usage: python -m benchmarks._limiter_servers slowapi --strategy ... ")
    _slowapi_main(sys.argv[2:])
