"""``skydd register import-fides`` and ``export-fides``: the register as fideslang manifests."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from skydd.cli.context import container_of
from skydd.documents.fides_manifests import read_fides_manifests, write_fides_manifests
from skydd.documents.register_yaml import write_register_folder
from skydd.domain.fides_interop import fides_to_register, placeholders, register_to_fides
from skydd.services.register import current_register
from skydd.storage.register_files import load_register

err = Console(stderr=True)

_SHOWN_PLACEHOLDERS = 10


def import_fides(
    manifests: Annotated[Path, typer.Argument(help="A fides manifest file or a folder of them.")],
    into: Annotated[Path, typer.Option("--into", help="New register folder to write.")],
    base: Annotated[
        Path | None,
        typer.Option(help="Register folder supplying what fideslang cannot hold."),
    ] = None,
) -> None:
    """Build a register folder from fides manifests; list the placeholders left to fill."""
    manifest = read_fides_manifests(manifests)
    register = fides_to_register(manifest, load_register(base) if base is not None else None)
    written = write_register_folder(register, into)
    err.print(f"wrote {len(written)} files to {into}")
    todo = placeholders(register)
    if todo:
        err.print(f"{len(todo)} placeholders to fill (TODO / ZZ), e.g.:")
        for path in todo[:_SHOWN_PLACEHOLDERS]:
            err.print("  " + ".".join(str(step) for step in path))


def export_fides(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option(help="A .yml/.yaml file, or a folder for one file per resource type.")
    ],
    path: Annotated[
        Path | None, typer.Argument(help="Register folder; default: the stored register.")
    ] = None,
) -> None:
    """Write the register as fideslang manifests (organization, taxonomy, systems, datasets)."""
    if path is not None:
        register = load_register(path)
    else:
        container = container_of(ctx)
        register = current_register(container.uow(), container.organisation_key).register
    written = write_fides_manifests(register_to_fides(register), output)
    err.print(f"wrote {', '.join(str(p) for p in written)}")


def add_fides_commands(app: typer.Typer) -> None:
    """Register ``import-fides`` and ``export-fides`` on the ``register`` command group."""
    app.command("import-fides")(import_fides)
    app.command("export-fides")(export_fides)
