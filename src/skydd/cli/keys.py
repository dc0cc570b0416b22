"""``skydd keys``: the master keys of field encryption.

Key material goes to stdout or a new mode-600 file only, never to logs or stderr,
so it can be piped straight into a secret manager. ``show`` prints key ids only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from skydd.cli.context import container_of
from skydd.storage.keyring import Keyring, load_keyring, read_keyring, write_keyring

app = typer.Typer(help="Master keys for field encryption.", no_args_is_help=True)
err = Console(stderr=True)


@app.command("generate")
def generate(
    add_to: Annotated[
        Path | None,
        typer.Option("--add-to", help="Keep this key file's keys; the new key becomes active."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(help="Write a new file (mode 600, never overwritten) instead of stdout."),
    ] = None,
) -> None:
    """Print a key file with a fresh random key (JSON), or write it to --output."""
    keyring = read_keyring(add_to).with_fresh_active_key() if add_to else Keyring.fresh()
    if output is None:
        typer.echo(keyring.export_json(), nl=False)
    else:
        write_keyring(output, keyring)
    err.print(f"new active key {keyring.active}")


@app.command("show")
def show(
    ctx: typer.Context,
    file: Annotated[
        Path | None, typer.Option(help="Key file to inspect; default: the configured keys.")
    ] = None,
) -> None:
    """List the key ids and which one is active; never key material."""
    if file is not None:
        keyring = read_keyring(file)
    else:
        keys = container_of(ctx).settings.keys
        inline = keys.keyring.get_secret_value() if keys.keyring is not None else None
        keyring = load_keyring(keys.file, inline)
    for key_id in keyring.key_ids:
        typer.echo(f"{key_id} (active)" if key_id == keyring.active else key_id)
