"""``skydd events``: add events people sign up for, list them, and read who signed up.

Whoever runs these commands is staff. Reading sign-ups is need-to-know like the API:
the reader names the role they act in (``--role``), each field is shown only if that
role may read its category, and each person listed is an audited read under the
command's actor (``cli:<login name>``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.access_vocabulary import Actor, ActorId, ActorKind
from skydd.domain.errors import InvalidInput
from skydd.services.events import EventSignups, add_event, event_signups, list_events

app = typer.Typer(help="Events and their sign-ups (P5, P8).", no_args_is_help=True)

Key = Annotated[str, typer.Argument(help="The event's key, e.g. summit-2026.")]
Format = Annotated[OutputFormat, typer.Option("--format")]
WITHHELD = "(withheld)"


@app.command("add")
def add(
    ctx: typer.Context,
    key: Key,
    date: Annotated[str, typer.Option("--date", help="The event's date, YYYY-MM-DD.")],
    name: Annotated[str, typer.Option(help="The event's name, as people see it.")],
    purpose: Annotated[
        str, typer.Option(help="The register purpose sign-ups rest on (consent).")
    ] = "events",
) -> None:
    """Add an event; its sign-ups rest on consent to the purpose named."""
    container = container_of(ctx)
    event = add_event(
        container.uow(),
        container.clock,
        container.organisation_key,
        key,
        name,
        _date(date),
        purpose,
    )
    typer.echo(
        f"event {event.key} on {event.starts_on.isoformat()} added (purpose {event.purpose})"
    )


@app.command("list")
def list_(ctx: typer.Context, output: Format = OutputFormat.TEXT) -> None:
    """The events by date, with how many signed up."""
    container = container_of(ctx)
    found = list_events(container.uow(), container.organisation_key)
    if output is OutputFormat.JSON:
        rows = [
            {
                "key": e.key,
                "name": e.name,
                "starts_on": e.starts_on.isoformat(),
                "purpose": e.purpose,
                "signups": count,
            }
            for e, count in found
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    for event, count in found:
        typer.echo(f"{event.starts_on.isoformat()}  {event.key}  {count} signed up  {event.name}")
    typer.echo(f"{len(found)} event(s)")


@app.command("signups")
def signups(
    ctx: typer.Context,
    key: Key,
    role: Annotated[
        list[str],
        typer.Option(
            "--role",
            help="The role you read as (repeatable); fields it may not see are withheld.",
        ),
    ],
    output: Format = OutputFormat.TEXT,
) -> None:
    """Who signed up and what they gave, as the roles named may see it (each read audited)."""
    container = container_of(ctx)
    actor = Actor(id=ActorId(cli_actor()), roles=tuple(role), kind=ActorKind.USER)
    found = event_signups(
        container.uow(),
        container.clock,
        container.role_cache,
        container.organisation_key,
        key,
        actor,
        route="cli events signups",
        origin="cli",
    )
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(_json(found), indent=2, ensure_ascii=False))
        return
    event = found.event
    typer.echo(f"{event.key} on {event.starts_on.isoformat()}: {len(found.signups)} signed up")
    for signup in found.signups:
        typer.echo(f"- {signup.subject_id} ({signup.language})")
        for field in signup.fields:
            shown = WITHHELD if field.withheld else (field.value or "")
            typer.echo(f"    {field.category}: {shown}")


def _json(found: EventSignups) -> dict[str, object]:
    return {
        "event": found.event.key,
        "starts_on": found.event.starts_on.isoformat(),
        "visible": sorted(found.visible),
        "signups": [
            {
                "subject_id": str(s.subject_id),
                "signed_up_at": s.signed_up_at.isoformat(),
                "language": s.language,
                "fields": {
                    f.category: {"value": f.value, "withheld": f.withheld} for f in s.fields
                },
            }
            for s in found.signups
        ],
    }


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        msg = "--date: a date is YYYY-MM-DD"
        raise InvalidInput(msg) from None
