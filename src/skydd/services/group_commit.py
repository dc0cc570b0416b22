"""Group commit: many callers' small writes, done in few transactions.

A consent is a few rows. Written one transaction per request, most of the cost is
the transaction (its lock, its commit) and the thread that waits for it; SQLite's
single writer then makes concurrent requests queue for the lock one at a time. Here
each caller hands its item over and waits for its own result; every item waiting
(up to ``most``) is run as one batch. Under light load a batch is one item and
nothing is waited for; under heavy load a batch grows until one commit carries
dozens of writes. Databases have done the same with their logs for decades.

Two ways to run the batches (ADR 0027):

- :class:`ThreadGroupCommit`: one thread of its own, for a database over the network
  (PostgreSQL), where a statement waits for a round trip;
- :class:`LoopGroupCommit`: on the event loop itself, for SQLite, whose statements
  take microseconds. A thread would give up Python's lock at every statement and wait
  to get it back from the busy event loop, which measured more than the statements.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")
Taken = TypeVar("Taken", contravariant=True)
Given = TypeVar("Given", covariant=True)

logger = logging.getLogger(__name__)

Batch = Callable[[Sequence[Item]], Sequence[Result | Exception]]
"""Runs a batch: one result, or the exception to raise to its caller, per item, in order."""


class GroupCommit(Protocol[Taken, Given]):
    """Records an item with others and answers with its own result."""

    async def record(self, item: Taken) -> Given:
        """Queue ``item``, and wait for its result (or its exception, raised)."""
        ...

    def close(self) -> None:
        """Finish what is queued and stop."""
        ...


class ThreadGroupCommit(Generic[Item, Result]):
    """Items submitted from any thread, run in batches by one thread of its own."""

    def __init__(self, run: Batch[Item, Result], *, name: str, most: int = 64) -> None:
        self._run = run
        self._name = name
        self._most = most
        self._queue: queue.SimpleQueue[tuple[Item, Future[Result]] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False

    async def record(self, item: Item) -> Result:
        """Queue ``item`` and wait, on the event loop, for its result."""
        return await asyncio.wrap_future(self.submit(item))

    def submit(self, item: Item) -> Future[Result]:
        """Queue ``item``; its future gets the result or the exception of running it."""
        future: Future[Result] = Future()
        self._started()
        self._queue.put((item, future))
        return future

    def close(self) -> None:
        """Finish what is queued, then stop the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()

    def _started(self) -> None:
        if self._thread is not None and not self._closed:
            return
        with self._lock:
            if self._closed:
                msg = f"{self._name} is closed"
                raise RuntimeError(msg)
            if self._thread is None:
                thread = threading.Thread(target=self._loop, name=self._name, daemon=True)
                thread.start()
                self._thread = thread

    def _loop(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._most:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            _settle(self._run, batch)
            if stop:
                return


class WriterTurn(Protocol):
    """The right to write, which a batch takes before it begins (``storage/write_gate``)."""

    def try_enter(self) -> bool:
        """Take it if it is free now; never waits."""
        ...

    def leave(self) -> None:
        """Give it back."""
        ...


_FIRST_PAUSE, _LONGEST_PAUSE = 0.000_1, 0.001
"""Seconds between tries for the turn while another writer has it."""


@dataclass
class _Lane(Generic[Item, Result]):
    """One event loop's queue of items and the task that drains it."""

    waiting: list[tuple[Item, asyncio.Future[Result]]] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


class LoopGroupCommit(Generic[Item, Result]):
    """Items run in batches on the event loop that submitted them, each batch in its turn.

    Items submitted while the loop works through one round of ready requests form
    the next batch. The drain waits for the writer's turn without blocking the loop
    (it tries, and sleeps a little), then runs the batch on the loop: a batch of SQLite
    statements, each a few microseconds, costs less than handing it to a thread.
    After ``timeout`` seconds without a turn the waiting items fail with ``timeout_error``.
    """

    def __init__(
        self,
        run: Batch[Item, Result],
        *,
        turn: WriterTurn,
        timeout: float,
        timeout_error: Callable[[], Exception],
        most: int = 64,
    ) -> None:
        self._run = run
        self._turn = turn
        self._timeout = timeout
        self._timeout_error = timeout_error
        self._most = most
        self._lanes: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Lane[Item, Result]]
        self._lanes = weakref.WeakKeyDictionary()

    async def record(self, item: Item) -> Result:
        """Queue ``item`` for the next batch of this loop and wait for its result."""
        loop = asyncio.get_running_loop()
        lane = self._lanes.get(loop)
        if lane is None:
            lane = self._lanes[loop] = _Lane()
        future: asyncio.Future[Result] = loop.create_future()
        lane.waiting.append((item, future))
        if lane.task is None:
            lane.task = loop.create_task(self._drain(lane))
        return await future

    def close(self) -> None:
        """Nothing to stop: the batches run in the loops that submit them."""

    async def _drain(self, lane: _Lane[Item, Result]) -> None:
        try:
            while lane.waiting:
                await asyncio.sleep(0)  # the requests ready now join this batch
                if not await self._turn_taken():
                    error = self._timeout_error()
                    for _, future in lane.waiting:
                        if not future.done():
                            future.set_exception(error)
                    lane.waiting.clear()
                    return
                try:
                    batch = lane.waiting[: self._most]
                    del lane.waiting[: self._most]
                    _settle(self._run, batch)
                finally:
                    self._turn.leave()
        finally:
            lane.task = None

    async def _turn_taken(self) -> bool:
        deadline = time.monotonic() + self._timeout
        pause = _FIRST_PAUSE
        while not self._turn.try_enter():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE)
        return True


class _Answerable(Protocol[Taken]):
    """A caller's future, of a thread (``concurrent.futures``) or of an event loop."""

    def done(self) -> bool: ...

    def set_result(self, result: Taken, /) -> None: ...

    def set_exception(self, exception: BaseException, /) -> None: ...


def _settle(run: Batch[Item, Result], batch: Sequence[tuple[Item, _Answerable[Result]]]) -> None:
    """Run ``batch`` and answer each caller; a caller who gave up (cancelled) is skipped.

    Were a cancelled future answered, it would raise, and take the writer thread down.
    """
    try:
        results = run([item for item, _ in batch])
    except Exception as exc:  # the batch itself failed: every caller hears of it
        logger.exception("a batch of %d failed", len(batch))
        results = [exc] * len(batch)
    for (_, future), result in zip(batch, results, strict=True):
        if future.done():  # its caller gave up (the client went away)
            continue
        if isinstance(result, Exception):
            future.set_exception(result)
        else:
            future.set_result(result)
