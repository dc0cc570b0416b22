"""``skydd ropa``: the record of processing activities (GDPR Art. 30)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from skydd.cli.context import container_of
from skydd.documents.ropa_export import export_ropa, parse_ropa_format
from skydd.domain.errors import InvalidInput
from skydd.domain.ropa import check_ropa_language, default_ropa_language
from skydd.services.register import current_register
from skydd.storage.register_files import load_register

app = typer.Typer(help="The record of processing activities (Art. 30).", no_args_is_help=True)
err = Console(stderr=True)


@app.command("export")
def export(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="Register folder; default: the stored register.")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx, html or json.")] = "csv",
    output: Annotated[
        Path | None, typer.Option(help="Write to this file; required for xlsx.")
    ] = None,
    lang: Annotated[
        str | None, typer.Option(help="sv or en; default: the organisation's language.")
    ] = None,
) -> None:
    """Export the Art. 30(1) record, one row per processing activity."""
    chosen = parse_ropa_format(fmt)
    if chosen.is_binary and output is None:
        msg = f"--output is required for {chosen.value}: it cannot be written to a terminal"
        raise InvalidInput(msg)
    if lang is not None:
        check_ropa_language(lang)
    if path is not None:
        register = load_register(path)
    else:
        container = container_of(ctx)
        register = current_register(container.uow(), container.organisation_key).register
    document = export_ropa(register, chosen, lang or default_ropa_language(register))
    if output is None:
        sys.stdout.buffer.write(document.content)
        sys.stdout.buffer.flush()
        return
    output.write_bytes(document.content)
    err.print(f"wrote {output} ({len(register.purposes)} processing activities)")
