"""``skydd policy``: render, publish and compare the published privacy policy (P20)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.services.policy import (
    check_language,
    diff_policies,
    publish_policy,
    published_numbers,
    published_policy,
)
from skydd.services.register import current_register
from skydd.storage.register_files import load_register

app = typer.Typer(help="The published privacy policy.", no_args_is_help=True)
console = Console()
err = Console(stderr=True)


@app.command("render")
def render(
    ctx: typer.Context,
    path: Annotated[
        Path | None, typer.Argument(help="Register folder; default: the stored register.")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="Language; default: the organisation's.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="html or markdown.")] = "markdown",
    output: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
) -> None:
    """Render the policy from a register folder (or the stored register) without publishing."""
    if fmt not in ("html", "markdown"):
        raise typer.BadParameter("choose html or markdown", param_hint="--format")
    container = container_of(ctx)
    if path is not None:
        register = load_register(path)
    else:
        register = current_register(container.uow(), container.organisation_key).register
    language = check_language(register, lang or register.organisation.default_language)
    text = container.renderer.render(register, language, fmt)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}")


@app.command("publish")
def publish(
    ctx: typer.Context,
    effective_on: Annotated[
        dt.datetime | None,
        typer.Option(formats=["%Y-%m-%d"], help="Effective date; default today."),
    ] = None,
) -> None:
    """Publish the stored register's policy as a new immutable, numbered version."""
    container = container_of(ctx)
    publication = publish_policy(
        container.uow(),
        container.clock,
        container.renderer,
        container.organisation_key,
        effective_on.date() if effective_on else None,
        actor=cli_actor(),
        origin="cli",
    )
    policy = publication.policy
    state = "published" if publication.created else "unchanged; still"
    err.print(
        f"{state} version {policy.number} effective {policy.effective_on.isoformat()} "
        f"({policy.content_hash[:12]})"
    )


@app.command("list")
def list_versions(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """List published versions."""
    container = container_of(ctx)
    numbers = published_numbers(container.uow(), container.organisation_key)
    rows: list[dict[str, str | int | list[str]]] = []
    for number in numbers:
        policy = published_policy(container.uow(), container.organisation_key, number)
        rows.append(
            {
                "number": number,
                "effective_on": policy.effective_on.isoformat(),
                "published_at": policy.published_at.isoformat(),
                "content_hash": policy.content_hash,
                "languages": policy.languages,
            }
        )
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        digest = str(row["content_hash"])[:12]
        console.print(f"v{row['number']}  effective {row['effective_on']}  {digest}")


@app.command("diff")
def diff(
    ctx: typer.Context,
    old: Annotated[int, typer.Argument(help="Older version number.")],
    new: Annotated[int, typer.Argument(help="Newer version number.")],
    lang: Annotated[str | None, typer.Option(help="Language of the text diff.")] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """What changed between two published versions, in substance and in text."""
    container = container_of(ctx)
    stored = current_register(container.uow(), container.organisation_key)
    language = lang or stored.register.organisation.default_language
    result = diff_policies(container.uow(), container.organisation_key, old, new, language)
    if fmt is OutputFormat.JSON:
        payload = {
            "old": old,
            "new": new,
            "language": language,
            "changes": [
                {
                    "section": c.section,
                    "key": c.key,
                    "kind": c.kind.value,
                    "field": c.field,
                    "before": c.before,
                    "after": c.after,
                }
                for c in result.changes
            ],
            "text_diff": result.text,
        }
        typer.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    typer.echo(f"Changes in substance (v{old} → v{new}):")
    for change in result.changes or []:
        typer.echo(f"  - {change.describe()}")
    if not result.changes:
        typer.echo("  (none)")
    typer.echo("")
    typer.echo(result.text or "(no text changes)\n", nl=False)
