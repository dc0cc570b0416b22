"""``skydd serve``: the HTTP API, the published policy and the embed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from rich.console import Console

from skydd.bootstrap import Container
from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.jobs.queue import work_queue
from skydd.services.accounts import add_user, list_users
from skydd.services.policy import publish_policy
from skydd.services.register import store_register
from skydd.storage import migrator
from skydd.storage.register_files import load_register

console = Console(stderr=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port.")] = None,
    load: Annotated[
        Path | None, typer.Option(help="Migrate, load this register and publish before serving.")
    ] = None,
    worker: Annotated[
        bool, typer.Option("--worker/--no-worker", help="Also run one request worker here.")
    ] = False,
) -> None:
    """Serve the API, the policy and the embed over HTTP (and a worker, with --worker)."""
    container = container_of(ctx)
    if load is not None:
        migrator.upgrade(container.engine)
        register = load_register(load)
        store_register(container.uow(), container.clock, register, str(load))
        publication = publish_policy(
            container.uow(), container.clock, container.renderer, register.organisation.key
        )
        console.print(f"policy version {publication.policy.number} published")
        _create_first_admin(container)
    bind_host = host or container.settings.server.host
    bind_port = port or container.settings.server.port
    base = f"http://{bind_host}:{bind_port}"
    console.print(f"policy:   {base}/policy")
    console.print(f"API docs: {base}/docs")
    console.print(f"ROPA:     {base}/api/v1/ropa")
    console.print(f"console:  {base}/console")
    consumer = None
    if worker:
        queue = work_queue(container)
        queue.sweep.call_local()
        consumer = queue.consumer(poll_seconds=container.settings.queue.poll_seconds)
        consumer.start()
        console.print("worker:   1 thread, in this process")
    else:
        container.close()
    try:
        # The server builds its own container from the same environment (see skydd.asgi).
        uvicorn.run(
            "skydd.asgi:app_from_environment",
            factory=True,
            host=bind_host,
            port=bind_port,
            log_level="info",
        )
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)
            container.close()


def _create_first_admin(container: Container) -> None:
    """On a database without accounts, create ``admin`` and print its one-time password."""
    if list_users(container.uow()):
        return
    _, password = add_user(
        container.uow(),
        container.clock,
        container.password_hasher,
        "admin",
        roles=["admin"],
        actor=cli_actor(),
        origin="cli",
    )
    console.print(
        f"first admin: user 'admin', one-time password {password} "
        "(shown once; change it at first sign-in)"
    )
