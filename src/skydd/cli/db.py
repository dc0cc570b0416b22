"""``skydd db``: the database schema."""

from __future__ import annotations

import typer
from rich.console import Console

from skydd.cli.context import container_of
from skydd.storage import migrator

app = typer.Typer(help="Database schema.", no_args_is_help=True)
console = Console(stderr=True)


@app.command("upgrade")
def upgrade(ctx: typer.Context, revision: str = "head") -> None:
    """Migrate the database to the newest schema (or REVISION)."""
    container = container_of(ctx)
    migrator.upgrade(container.engine, revision)
    console.print(f"database at {revision}")


@app.command("downgrade")
def downgrade(ctx: typer.Context, revision: str) -> None:
    """Migrate the database down to REVISION (``base`` empties it)."""
    container = container_of(ctx)
    migrator.downgrade(container.engine, revision)
    console.print(f"database at {revision}")
