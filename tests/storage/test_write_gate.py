"""The SQLite write gate: one writer at a time across threads and processes, never stuck."""

from __future__ import annotations

import multiprocessing
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from skydd.storage import checkpoints
from skydd.storage.engine import make_engine, write_gate
from skydd.storage.write_gate import WriteGate

ROUNDS = 40


def _write_turns(database: str, journal: str, name: str) -> None:
    gate = WriteGate(Path(database), timeout=10)
    for _ in range(ROUNDS):
        gate.enter()
        with open(journal, "a", encoding="utf-8") as out:  # noqa: PTH123
            out.write(f"in {name}\n")
            out.flush()
            time.sleep(0.001)
            out.write(f"out {name}\n")
        gate.leave()


def test_writers_in_two_processes_take_turns_never_overlapping(tmp_path: Path) -> None:
    database, journal = tmp_path / "skydd.db", tmp_path / "journal.txt"
    context = multiprocessing.get_context("spawn")
    workers = [
        context.Process(target=_write_turns, args=(str(database), str(journal), name))
        for name in ("a", "b")
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lines = journal.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 * ROUNDS
    for entered, left in zip(lines[::2], lines[1::2], strict=True):
        assert entered.startswith("in ") and left == "out " + entered.removeprefix("in ")


def test_the_holder_may_enter_again_and_others_wait_until_its_last_leave(tmp_path: Path) -> None:
    gate = WriteGate(tmp_path / "skydd.db", timeout=1)
    gate.enter()
    assert gate.try_enter()  # the same thread: again
    others: list[bool] = []

    def other() -> None:
        others.append(gate.try_enter())

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    gate.leave()
    assert others == [False]
    gate.leave()
    thread = threading.Thread(target=lambda: others.append(gate.try_enter()))
    thread.start()
    thread.join()
    assert others == [False, True]


def _hold(
    database: str, held: multiprocessing.synchronize.Event, done: multiprocessing.synchronize.Event
) -> None:
    gate = WriteGate(Path(database), timeout=1)
    gate.enter()
    held.set()
    done.wait(30)
    gate.leave()


def test_a_writer_that_waits_its_whole_turn_in_vain_gets_sqlites_locked_error(
    tmp_path: Path,
) -> None:
    database = tmp_path / "skydd.db"
    context = multiprocessing.get_context("spawn")
    held, done = context.Event(), context.Event()
    holder = context.Process(target=_hold, args=(str(database), held, done))
    holder.start()
    try:
        assert held.wait(30)
        gate = WriteGate(database, timeout=0.2)
        assert not gate.try_enter()
        with pytest.raises(OperationalError, match="database is locked"):
            gate.enter()
    finally:
        done.set()
        holder.join(30)
    assert gate.try_enter()


def test_every_end_of_a_transaction_lets_the_next_writer_in(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'skydd.db'}")
    gate = write_gate(engine)
    assert gate is not None
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))

    def free_elsewhere() -> bool:
        found: list[bool] = []
        thread = threading.Thread(target=lambda: found.append(_taken_and_left(gate)))
        thread.start()
        thread.join()
        return found[0]

    with engine.connect() as conn:
        conn.begin()
        conn.execute(text("INSERT INTO t VALUES (1)"))
        assert not free_elsewhere()
        conn.commit()
        assert free_elsewhere()
        conn.begin()
        conn.execute(text("INSERT INTO t VALUES (2)"))
        conn.rollback()
        assert free_elsewhere()
        conn.begin()
        conn.execute(text("INSERT INTO t VALUES (3)"))
    # Closed with its transaction open: the pool's reset rolled it back.
    assert free_elsewhere()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t")).scalars().all() == [1]
    engine.dispose()


def _taken_and_left(gate: WriteGate) -> bool:
    if not gate.try_enter():
        return False
    gate.leave()
    return True


def test_the_log_is_copied_back_in_the_background_so_it_stops_growing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(checkpoints, "WAL_PAGES", 50)  # about 200 KB
    database = tmp_path / "skydd.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x BLOB)"))
    wal = database.with_name("skydd.db-wal")
    largest = 0
    for _ in range(400):  # 400 commits of 8 KB: 3.2 MB through the log
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (randomblob(8192))"))
        largest = max(largest, wal.stat().st_size)
        time.sleep(0.002)  # the checkpoint runs beside the writers, not in them
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 400
        # The writers' own connections never checkpoint.
        assert conn.execute(text("PRAGMA wal_autocheckpoint")).scalar_one() == 0
    engine.dispose()
    assert largest < 1_500_000  # without the thread it would hold all 3.2 MB
