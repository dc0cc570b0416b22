"""``skydd keys``: the master keys of field encryption.

Key material goes to stdout or a new mode-600 file only, never to logs or stderr,
so it can be piped straight into a secret manager. ``show`` prints key ids only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.domain.audit import AuditAction
from skydd.services.audit import record
from skydd.storage.key_rotation import DEFAULT_BATCH_SIZE, key_usage, rotate_all, stale_counts
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


@app.command("rotate")
def rotate(
    ctx: typer.Context,
    batch_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Rows per transaction.")
    ] = DEFAULT_BATCH_SIZE,
    pause: Annotated[
        float,
        typer.Option(min=0.0, max=60.0, help="Seconds to wait between batches (spares a busy DB)."),
    ] = 0.0,
) -> None:
    """Re-encrypt every row under the active key, in batches; interrupt and rerun at will.

    Deploy the new key file first (`skydd keys generate --add-to`), so new writes use
    the new key; skydd keeps serving throughout.
    """
    container = container_of(ctx)
    crypto = container.field_crypto()
    todo = sum(stale_counts(container.session_factory, crypto).values())
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
    ) as bar:
        task = bar.add_task(f"rotating to key {crypto.active_key}", total=todo)
        report = rotate_all(
            container.session_factory,
            crypto,
            batch_size=batch_size,
            pause=pause,
            progress=lambda _table, moved: bar.advance(task, moved),
        )
    uow = container.uow()
    with uow:
        record(
            uow,
            container.clock,
            actor=cli_actor(),
            action=AuditAction.KEYS_ROTATED,
            target=f"key:{report.active_key}",
            origin="cli",
            details=dict(report.moved),
        )
        uow.commit()
    usage = key_usage(container.session_factory)
    typer.echo(f"{report.total} rows moved to key {report.active_key} in {report.seconds:.1f} s")
    in_use = {key_id for counts in usage.values() for key_id in counts}
    retired = [
        k for k in crypto.cipher.keyring.key_ids if k not in in_use and k != crypto.active_key
    ]
    if retired:
        typer.echo(
            f"no row needs {', '.join(retired)} any more: remove it from the key file "
            "(keep a copy with the backups made before now)"
        )


@app.command("usage")
def usage(ctx: typer.Context) -> None:
    """How many encrypted rows each key protects, per table (before retiring a key)."""
    counts = key_usage(container_of(ctx).session_factory)
    for table, by_key in counts.items():
        for key_id, rows in sorted(by_key.items()):
            typer.echo(f"{table}\t{key_id}\t{rows}")
