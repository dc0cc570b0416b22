"""``skydd worker``: run data subject requests from the queue until stopped (Ctrl-C, SIGTERM)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from skydd.cli.context import container_of
from skydd.jobs.queue import work_queue

console = Console(stderr=True)


def worker(
    ctx: typer.Context,
    threads: Annotated[int, typer.Option(min=1, max=64, help="Requests run at once.")] = 1,
) -> None:
    """Take requests from the queue and run them; resume what a stopped worker left."""
    container = container_of(ctx)
    queue = work_queue(container)
    queue.sweep.call_local()
    backend = (container.settings.queue.url and "redis") or str(container.settings.queue.path)
    console.print(f"worker: {threads} thread(s) on queue {backend}")
    queue.consumer(workers=threads, poll_seconds=container.settings.queue.poll_seconds).run()
