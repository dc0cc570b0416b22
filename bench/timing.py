"""What every benchmark shares: the median of repeated runs, after warm-up."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def median_ms(action: Callable[[], object], runs: int, *, warmups: int = 1) -> float:
    """Median wall time of ``runs`` calls after ``warmups`` uncounted ones, in milliseconds."""
    for _ in range(warmups):
        action()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)
