"""``skydd register``: check, load and show the register of processing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.fides import add_fides_commands
from skydd.cli.formats import OutputFormat
from skydd.documents.lint_reports import render_findings
from skydd.domain.compliance import lint_register
from skydd.domain.compliance.findings import exit_code_for
from skydd.services.register import current_register, store_register
from skydd.storage.register_files import load_register, read_register

app = typer.Typer(help="The register of processing as code.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)

add_fides_commands(app)

RegisterPath = Annotated[
    Path, typer.Argument(help="Register folder of YAML files.", exists=False, file_okay=False)
]


@app.command("check")
def check(
    path: RegisterPath,
    fmt: Annotated[
        str, typer.Option("--format", help="text, json or sarif.", case_sensitive=False)
    ] = "text",
) -> None:
    """Validate a register and run the compliance lint: exit 0 clean, 1 findings, 2 invalid."""
    if fmt not in ("text", "json", "sarif"):
        raise typer.BadParameter("choose text, json or sarif", param_hint="--format")
    loaded = read_register(path)
    findings = lint_register(loaded.register)
    typer.echo(render_findings(findings, loaded.locate, fmt), nl=False)
    raise typer.Exit(exit_code_for(findings))


@app.command("load")
def load(ctx: typer.Context, path: RegisterPath) -> None:
    """Validate a register, then store it in the database in one transaction."""
    register = load_register(path)
    container = container_of(ctx)
    stored = store_register(
        container.uow(), container.clock, register, str(path), actor=cli_actor(), origin="cli"
    )
    err.print(
        f"register of {register.organisation.key!r} stored as version {stored.number} "
        f"({stored.content_hash[:12]})"
    )


@app.command("show")
def show(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Show the stored register of the organisation served."""
    container = container_of(ctx)
    stored = current_register(container.uow(), container.organisation_key)
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(stored.register.model_dump(mode="json", exclude_none=True), indent=2))
        return
    reg = stored.register
    console.print(f"{reg.organisation.name}: register version {stored.number}")
    console.print(
        f"  purposes: {len(reg.purposes)}, systems: {len(reg.systems)}, "
        f"categories: {len(reg.data_categories)}, retention rules: {len(reg.retention)}"
    )
