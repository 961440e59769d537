"""Sync twins of async methods, derived from the async methods themselves.

``sync(AsyncClass.method)`` returns a plain function with the async method's name, docstring
and signature (only the return type changes where the value does: an ``AsyncPager[T]``
becomes a :class:`SyncPager` ``[T]``, an async context manager over an async iterator a
context manager over a plain iterator). The call itself is forwarded by name to the async
object on the client's loop thread, so each endpoint exists once, in the async client.

For type checkers the overloads of :func:`sync` carry the async method's parameters through a
``ParamSpec``; a facade class that writes ``get = sync(Videos.get)`` is fully typed without
restating a single parameter.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import re
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from types import TracebackType
from typing import Any, ClassVar, Concatenate, Generic, ParamSpec, TypeVar, get_args, overload

import anyio

from creatorsdk._engine.paging import AsyncPager, Page
from creatorsdk._sync._runner import Call, Runner

__all__ = [
    "Delegate",
    "SyncContext",
    "SyncPager",
    "SyncResource",
    "evaluated_signature",
    "sync",
    "sync_annotation",
]

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


class SyncPager(Generic[T]):
    """Every item of a listing, for a plain ``for`` loop, fetched one page at a time.

    ``for item in pager`` yields items; ``pager.pages()`` yields whole pages (with
    ``next_cursor`` to resume later); ``pager.to_list()`` collects everything. Like the async
    pager it wraps, it can be iterated again, starting over from its first cursor.
    """

    def __init__(self, pager: AsyncPager[T], runner: Runner[Any]) -> None:
        self._pager = pager
        self._runner = runner

    def __repr__(self) -> str:
        return f"SyncPager({self._pager!r})"

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items

    def pages(self) -> Iterator[Page[T]]:
        """Each page in order; the next page is fetched only when asked for."""
        runner = self._runner
        # The async pager's own generator does the paging, so cursor and has_next handling
        # exist once; each step is one short task on the loop thread.
        pages = self._pager.pages()
        try:
            yield from runner.iterate(pages)
        finally:
            # Breaking out early must not leave the async generator suspended on the loop.
            # (After an interrupt it may still be winding down or the client may be gone:
            # nothing is left to close then, and the interrupt must not be masked.)
            if not runner.closed:
                with contextlib.suppress(RuntimeError):
                    runner.call(pages.aclose)

    def to_list(self) -> list[T]:
        """Fetch every page and return all items in order."""
        return self._runner.call(self._pager.to_list)


class SyncContext(AbstractContextManager[Any]):
    """An async context manager entered and left on the loop thread.

    One task on the loop enters the manager, waits for the ``with`` block to end and leaves
    it (a manager holding a task group must be left by the task that entered it). When the
    managed value is an async iterator, the ``with`` block gets a plain iterator over it; any
    other value is handed over as is. An interrupt (Ctrl-C) while entering or leaving cancels
    that task, so nothing it started is left running on the loop.
    """

    def __init__(self, manager: AbstractAsyncContextManager[Any], runner: Runner[Any]) -> None:
        self._manager = manager
        self._runner = runner
        self._holding: Call[bool | None] | None = None
        self._leave: anyio.Event | None = None
        self._exc_info: tuple[Any, Any, Any] = (None, None, None)

    async def _hold(self, entered: Future[Any]) -> bool | None:
        self._leave = leave = anyio.Event()
        try:
            value = await self._manager.__aenter__()
        except BaseException as exc:
            entered.set_exception(exc)
            raise
        entered.set_result(value)
        try:
            await leave.wait()
        finally:
            # Also on cancellation (an interrupt, or the manager's own task group failing).
            result = await self._manager.__aexit__(*self._exc_info)
        return result

    def __enter__(self) -> Any:
        if self._holding is not None:
            raise RuntimeError("this context manager is already in use")
        entered: Future[Any] = Future()
        self._holding = holding = self._runner.start(lambda: self._hold(entered))
        value = holding.result_of(entered)
        if isinstance(value, AsyncIterator):
            return self._runner.iterate(value)
        return value

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool | None:
        assert self._holding is not None, "__exit__ without __enter__"
        holding = self._holding
        if exc is not None and not isinstance(exc, Exception):
            # KeyboardInterrupt and SystemExit belong to this thread: thrown into the loop they
            # would stop it. Leave the block normally instead (which cancels the work still
            # running) and let the interrupt go on, whatever the manager says on the way out.
            with contextlib.suppress(Exception):
                self._release(holding)
            return False
        self._exc_info = (exc_type, exc, tb)
        try:
            return self._release(holding)
        except BaseExceptionGroup as group:
            # The block's own exception went through the async manager's task group and came
            # back wrapped in a group; a sync caller gets it back as it was raised.
            if exc is not None and group.split(lambda e: e is exc)[1] is None:
                return False
            raise

    def _release(self, holding: Call[bool | None]) -> bool | None:
        assert self._leave is not None
        self._runner.soon(self._leave.set)
        return holding.result()


class Delegate:
    """What a sync method needs from the object it is called on: a runner and a target."""

    _runner: Runner[Any]
    #: The async object (a resource, or the client) whose methods the sync methods call.
    _target: Any

    def __init__(self, runner: Runner[Any], target: object) -> None:
        self._runner = runner
        self._target = target


class SyncResource(Delegate):
    """Base of the sync resource namespaces (``ca.accounts``, ...).

    A subclass names the async resource class it mirrors (``class Videos(SyncResource,
    mirrors=aio.Videos)``), takes its docstring, and may only hold twins of that class's
    methods.
    """

    _mirrors: ClassVar[type]

    def __init_subclass__(cls, *, mirrors: type, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._mirrors = mirrors
        check_twins(cls, mirrors)
        if cls.__doc__ is None and mirrors.__doc__:
            cls.__doc__ = f"{mirrors.__doc__.strip()}\n\nSync twin of the async resource."

    def __init__(self, runner: Runner[Any], target: object) -> None:
        if not isinstance(target, self._mirrors):
            expected = self._mirrors.__name__
            raise TypeError(f"{type(self).__name__} wraps a {expected}, not {target!r}")
        super().__init__(runner, target)

    def __repr__(self) -> str:
        return f"<sync {self._target!r}>"


def check_twins(cls: type, mirrors: type) -> None:
    """Every twin declared on ``cls`` must wrap the same-named method of ``mirrors``.

    The twins then take ``cls`` as their home, so ``help()`` and tracebacks name the sync class.
    """
    for name, value in vars(cls).items():
        wrapped = getattr(value, "__sync_of__", None)
        if wrapped is None:
            continue
        if getattr(mirrors, name, None) is not wrapped:
            raise TypeError(
                f"{cls.__qualname__}.{name} wraps {wrapped.__qualname__}, "
                f"not {mirrors.__qualname__}.{name}"
            )
        value.__module__ = cls.__module__
        value.__qualname__ = f"{cls.__qualname__}.{name}"


@overload
def sync(
    fn: Callable[Concatenate[Any, P], AsyncPager[T]],
) -> Callable[Concatenate[Any, P], SyncPager[T]]: ...


@overload
def sync(
    fn: Callable[Concatenate[Any, P], AbstractAsyncContextManager[AsyncIterator[T]]],
) -> Callable[Concatenate[Any, P], AbstractContextManager[Iterator[T]]]: ...


@overload
def sync(
    fn: Callable[Concatenate[Any, P], Coroutine[Any, Any, R]],
) -> Callable[Concatenate[Any, P], R]: ...


def sync(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The sync twin of the async method ``fn``, to assign in a :class:`Delegate` subclass.

    A coroutine method runs to completion on the loop thread and its value (a model, a
    list, ``None``) or its exception comes back unchanged. Any other method also runs on the
    loop thread; an :class:`AsyncPager` it returns becomes a :class:`SyncPager`, an async
    context manager a :class:`SyncContext`, anything else passes through.
    """
    name = fn.__name__
    if inspect.iscoroutinefunction(fn):

        def method(self: Delegate, /, *args: Any, **kwargs: Any) -> Any:
            return self._runner.call(getattr(self._target, name), *args, **kwargs)

    else:

        def method(self: Delegate, /, *args: Any, **kwargs: Any) -> Any:
            runner = self._runner
            return sync_value(runner.run_sync(getattr(self._target, name), *args, **kwargs), runner)

    functools.update_wrapper(method, fn)
    async_signature = evaluated_signature(fn)
    returns = sync_annotation(async_signature.return_annotation)
    signature = async_signature.replace(return_annotation=returns)
    method.__signature__ = signature  # type: ignore[attr-defined]
    parameters = signature.parameters.values()
    method.__annotations__ = {
        **{p.name: p.annotation for p in parameters if p.annotation is not p.empty},
        "return": signature.return_annotation,
    }
    method.__sync_of__ = fn  # type: ignore[attr-defined]
    if returns != async_signature.return_annotation and fn.__doc__:
        text = _describe(returns)
        method.__doc__ = f"{inspect.cleandoc(fn.__doc__)}\n\nSync twin: returns {text}."
    return method


def sync_value(value: object, runner: Runner[Any]) -> Any:
    """The sync form of what a non-coroutine async method returned."""
    if isinstance(value, AsyncPager):
        return SyncPager(value, runner)
    if isinstance(value, AbstractAsyncContextManager):
        return SyncContext(value, runner)
    return value


def evaluated_signature(fn: Callable[..., Any]) -> inspect.Signature:
    """``fn``'s signature with its annotations evaluated (where they can be)."""
    try:
        return inspect.signature(fn, eval_str=True)
    except NameError:  # a name only imported for type checking: keep the strings
        return inspect.signature(fn)


_ASYNC_SPELLINGS = (
    (re.compile(r"\bAsyncPager\["), "SyncPager["),
    (
        re.compile(r"\bAbstractAsyncContextManager\[AsyncIterator\["),
        "AbstractContextManager[Iterator[",
    ),
)


def sync_annotation(annotation: Any) -> Any:
    """The return type of a sync twin, given the async method's return type."""
    if isinstance(annotation, str):
        for pattern, replacement in _ASYNC_SPELLINGS:
            annotation = pattern.sub(replacement, annotation)
        return annotation
    origin = getattr(annotation, "__origin__", None)
    args = get_args(annotation)
    if origin is AsyncPager:
        return SyncPager[args]  # type: ignore[valid-type]
    if origin is AbstractAsyncContextManager and args:
        inner = args[0]
        if getattr(inner, "__origin__", None) is AsyncIterator:
            return AbstractContextManager[Iterator[get_args(inner)]]  # type: ignore[misc]
        return AbstractContextManager[inner]  # type: ignore[valid-type]
    return annotation


def _describe(annotation: Any) -> str:
    text = annotation if isinstance(annotation, str) else inspect.formatannotation(annotation)
    return "``" + _QUALIFIED.sub(r"\1", text) + "``"


_QUALIFIED = re.compile(r"\b[\w.]+\.(\w+)")
