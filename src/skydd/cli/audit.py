"""``skydd audit``: verify the hash chain, export events, print the anchor to publish (P16).

Exit codes of ``skydd audit verify``: 0 the chain is intact, 1 the chain is broken
(the first broken event is named), 2 bad input such as an unreadable anchor file.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.audit import Anchor, ChainReport, canonical_json
from skydd.domain.errors import InvalidInput
from skydd.services.audit import audit_anchor, export_audit, verify_audit

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
err = Console(stderr=True)

DAY = ["%Y-%m-%d"]


def cli_actor() -> str:
    """Who runs the command, as an audit actor id: ``cli:<login name>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        # No login name (a container without a passwd entry): still say it was the CLI.
        return "cli:unknown"


@app.command("verify")
def verify(
    ctx: typer.Context,
    anchor: Annotated[
        Path | None,
        typer.Option(help="An anchor printed by `skydd audit anchor`; the chain must pass it."),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Recompute the hash chain: exit 0 intact, 1 broken (naming the first broken event)."""
    published = _read_anchor(anchor) if anchor is not None else None
    report = verify_audit(container_of(ctx).uow(), published)
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(_report_json(report), indent=2))
    elif report.ok:
        typer.echo(f"audit chain intact: {report.count} events, head {report.head_hash}")
    else:
        typer.echo(
            f"audit chain broken at event {report.first_broken_sequence}: {report.reason} "
            f"({report.count} events intact before it)"
        )
    raise typer.Exit(0 if report.ok else 1)


@app.command("export")
def export(
    ctx: typer.Context,
    since: Annotated[dt.datetime, typer.Option(formats=DAY, help="First day (UTC), YYYY-MM-DD.")],
    until: Annotated[
        dt.datetime, typer.Option(formats=DAY, help="Last day (UTC, included), YYYY-MM-DD.")
    ],
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """Export the events of whole UTC days as JSON lines, one event per line, in order.

    Each line is the event's canonical JSON: its ``hash`` is the SHA-256 of the line
    without the ``hash`` key, so anyone can check an export without skydd.
    """
    start = since.replace(tzinfo=dt.UTC)
    end = until.replace(tzinfo=dt.UTC) + dt.timedelta(days=1)
    if end <= start:
        msg = "--until is before --since"
        raise InvalidInput(msg)
    container = container_of(ctx)
    events = export_audit(
        container.uow(), start, end, clock=container.clock, actor=cli_actor(), origin="cli"
    )
    if output is None:
        for event in events:
            typer.echo(canonical_json(event.record()))
        return
    count = 0
    with output.open("w", encoding="utf-8") as sink:
        for event in events:
            sink.write(canonical_json(event.record()) + "\n")
            count += 1
    err.print(f"wrote {output} ({count} events)")


@app.command("anchor")
def anchor(ctx: typer.Context) -> None:
    """Print the chain's head as JSON, to publish where the database cannot reach."""
    head = audit_anchor(container_of(ctx).uow())
    typer.echo(
        json.dumps(
            {
                "sequence": head.sequence,
                "head_hash": head.head_hash,
                "at": head.at.isoformat() if head.at is not None else None,
            }
        )
    )


def _read_anchor(path: Path) -> Anchor:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        at = raw.get("at")
        return Anchor(
            sequence=int(raw["sequence"]),
            head_hash=str(raw["head_hash"]),
            at=dt.datetime.fromisoformat(at) if at else None,
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        msg = f"{path} is not an anchor printed by `skydd audit anchor`"
        raise InvalidInput(msg) from exc


def _report_json(report: ChainReport) -> dict[str, object]:
    return {
        "ok": report.ok,
        "count": report.count,
        "head_hash": report.head_hash,
        "first_broken_sequence": report.first_broken_sequence,
        "reason": report.reason,
    }
