"""``python -m creatorsdk.testing <api> --port N``: serve a fake until Ctrl-C.

Each API registers a module (see ``__main__``) offering ``add_arguments(parser)`` for its own
options and ``build(args) -> FakeServer``; the options every fake shares (host, port, seed,
latency, faults) are added here and read back with :func:`harness_options`.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

import anyio

from creatorsdk.testing._faults import FAULT_KINDS, FaultPlan
from creatorsdk.testing._harness import FakeServer

__all__ = ["harness_options", "main"]


def main(registry: Mapping[str, str], argv: Sequence[str] | None = None) -> int:
    """Parse ``argv``, build the chosen fake, serve it until SIGINT/SIGTERM; the exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m creatorsdk.testing", description="Serve a fake API on loopback."
    )
    commands = parser.add_subparsers(dest="api", required=True, metavar="API")
    modules: dict[str, ModuleType | None] = {}
    for name, module_name in registry.items():
        module = _load(module_name)
        modules[name] = module
        if module is None:
            # Keep the name listed, so choosing it gets the precise error below.
            commands.add_parser(name, help="not available yet", add_help=False)
            continue
        sub = commands.add_parser(name, help=(module.__doc__ or "").strip().splitlines()[0])
        _add_harness_arguments(sub)
        module.add_arguments(sub)
    args, unknown = parser.parse_known_args(argv)
    module = modules[args.api]
    if module is None:
        print(
            f"error: the {args.api} fake is not available in this version of creatorsdk "
            f"({registry[args.api]} is missing)",
            file=sys.stderr,
        )
        return 2
    if unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        fake: FakeServer = module.build(args)
    except ValueError as error:
        parser.error(str(error))
    anyio.run(_serve_until_stopped, fake, args.host, args.port)
    return 0


def harness_options(args: argparse.Namespace) -> dict[str, Any]:
    """The shared knobs as keyword arguments for a fake's constructor."""
    probabilities: dict[str, Any] = {}
    for spec in args.fault:
        kind, _, value = spec.partition("=")
        if kind not in FAULT_KINDS:
            raise ValueError(f"--fault {spec!r}: the kind must be one of {', '.join(FAULT_KINDS)}")
        try:
            probabilities[kind] = float(value)
        except ValueError:
            raise ValueError(f"--fault {spec!r}: expected KIND=PROBABILITY") from None
    faults = FaultPlan(seed=args.fault_seed, slow_seconds=args.slow_seconds, **probabilities)
    return {
        "seed": args.seed,
        "latency": args.latency,
        "latency_jitter": args.latency_jitter,
        "faults": faults,
    }


def _add_harness_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8080, help="port; 0 picks a free one")
    parser.add_argument("--seed", type=int, default=0, help="seed of all generated data")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added per request")
    parser.add_argument("--latency-jitter", type=float, default=0.0, help="extra random seconds")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND=P",
        help=f"inject a fault with probability P per request ({', '.join(FAULT_KINDS)})",
    )
    parser.add_argument("--fault-seed", type=int, default=0, help="seed of the fault draws")
    parser.add_argument("--slow-seconds", type=float, default=1.0, help="delay of a slow fault")


def _load(module_name: str) -> ModuleType | None:
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        # Only "this fake does not exist yet" is tolerated, not a broken import inside it.
        if error.name is not None and module_name.startswith(error.name):
            return None
        raise


async def _serve_until_stopped(fake: FakeServer, host: str, port: int) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with fake.serve(host=host, port=port) as base_url:
            print(f"{type(fake).__name__} serving {base_url} api_key={fake.api_key}", flush=True)
            async for _ in signals:
                break
