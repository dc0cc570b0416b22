"""Running one piece of work in several threads at once, for tests of concurrent writers."""

from __future__ import annotations

import threading
from collections.abc import Callable


def errors_in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(n)`` for n in ``range(count)`` in parallel threads; what any of them raised."""
    errors: list[BaseException] = []

    def guarded(worker: int) -> None:
        try:
            work(worker)
        except BaseException as exc:  # noqa: BLE001 - handed back to the test to assert on
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
