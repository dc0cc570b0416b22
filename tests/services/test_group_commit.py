"""Group commit: items of many callers run in batches, each caller gets its own answer."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence

import pytest

from skydd.services.group_commit import LoopGroupCommit, ThreadGroupCommit


class Recorder:
    """A batch runner that remembers its batches; a negative item is that item's error."""

    def __init__(self, hold: threading.Event | None = None) -> None:
        self.batches: list[list[int]] = []
        self.hold = hold
        self.running = threading.Event()

    def __call__(self, items: Sequence[int]) -> list[int | Exception]:
        self.running.set()
        if self.hold is not None and not self.batches:
            self.hold.wait(5)  # the first batch waits, so the next items queue up
        self.batches.append(list(items))
        return [ValueError(f"item {i}") if i < 0 else i * 10 for i in items]


def test_a_thread_runs_what_queued_meanwhile_as_one_batch_and_answers_each_caller() -> None:
    hold = threading.Event()
    run = Recorder(hold)
    group: ThreadGroupCommit[int, int] = ThreadGroupCommit(run, name="test-writer")
    first = group.submit(1)
    assert run.running.wait(5)
    later = [group.submit(n) for n in (2, -3, 4, 5)]
    hold.set()
    assert first.result(5) == 10
    assert [f.result(5) for f in later if f is not later[1]] == [20, 40, 50]
    with pytest.raises(ValueError, match="item -3"):
        later[1].result(5)
    group.close()
    assert run.batches == [[1], [2, -3, 4, 5]]


def test_a_caller_who_gave_up_is_skipped_and_the_thread_goes_on() -> None:
    hold = threading.Event()
    run = Recorder(hold)
    group: ThreadGroupCommit[int, int] = ThreadGroupCommit(run, name="test-writer")
    first = group.submit(1)
    assert run.running.wait(5)
    gave_up, kept = group.submit(2), group.submit(3)
    assert gave_up.cancel()  # as asyncio.wrap_future does when the request is cancelled
    hold.set()
    assert (first.result(5), kept.result(5)) == (10, 30)
    assert group.submit(4).result(5) == 40  # the thread survived answering around it
    group.close()
    assert run.batches == [[1], [2, 3], [4]]


def test_a_thread_batch_that_fails_fails_each_of_its_callers() -> None:
    def broken(items: Sequence[int]) -> list[int | Exception]:
        raise RuntimeError("the database went away")

    group: ThreadGroupCommit[int, int] = ThreadGroupCommit(broken, name="test-writer")
    with pytest.raises(RuntimeError, match="went away"):
        group.submit(1).result(5)
    group.close()
    with pytest.raises(RuntimeError, match="closed"):
        group.submit(2)


class Turn:
    """A writer's turn that is taken by someone else for the first ``busy`` tries."""

    def __init__(self, busy: int) -> None:
        self.busy = busy
        self.tries = 0
        self.held = 0

    def try_enter(self) -> bool:
        self.tries += 1
        if self.tries <= self.busy:
            return False
        self.held += 1
        return True

    def leave(self) -> None:
        self.held -= 1


def test_on_the_loop_the_writes_of_one_moment_are_one_batch_run_in_its_turn() -> None:
    run, turn = Recorder(), Turn(busy=3)
    group: LoopGroupCommit[int, int] = LoopGroupCommit(
        run, turn=turn, timeout=5, timeout_error=lambda: TimeoutError("locked")
    )

    async def callers() -> list[int | BaseException]:
        return await asyncio.gather(
            *(group.record(n) for n in (1, 2, -3, 4)), return_exceptions=True
        )

    answers = asyncio.run(callers())
    assert answers[:2] == [10, 20] and answers[3] == 40
    assert isinstance(answers[2], ValueError)
    assert run.batches == [[1, 2, -3, 4]]
    assert turn.tries == 4 and turn.held == 0  # waited while busy, then gave it back


def test_on_the_loop_writes_that_never_get_a_turn_fail_with_the_lock_error() -> None:
    run, turn = Recorder(), Turn(busy=10**9)
    group: LoopGroupCommit[int, int] = LoopGroupCommit(
        run, turn=turn, timeout=0.05, timeout_error=lambda: TimeoutError("database is locked")
    )

    async def caller() -> int:
        return await group.record(1)

    with pytest.raises(TimeoutError, match="locked"):
        asyncio.run(caller())
    assert run.batches == []

    # A later loop starts afresh: the failed one left nothing behind.
    turn.busy = 0
    assert asyncio.run(caller()) == 10
