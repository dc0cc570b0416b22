"""``skydd breach``: the breach register (Art. 33–34) and a draft notice to the authority.

Times are ISO 8601 with a time zone, e.g. ``2026-11-25T08:30+01:00`` or ``…Z``: a time
without one would be ambiguous across a daylight-saving change.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.breaches import (
    Breach,
    BreachChanges,
    hours_left,
    is_notification_required,
    must_inform_subjects,
    parse_risk,
)
from skydd.domain.errors import InvalidInput
from skydd.services.breaches import (
    close_breach,
    draft_breach_notification,
    list_breaches,
    open_breach,
    update_breach,
)

app = typer.Typer(help="The register of personal data breaches (Art. 33–34).", no_args_is_help=True)

RISK_HELP = "unlikely, risk or high_risk."
TIME_HELP = "ISO 8601 with a time zone, e.g. 2026-11-25T08:30+01:00."


@app.command("open")
def open_(
    ctx: typer.Context,
    aware_at: Annotated[str, typer.Option(help=f"When the controller became aware; {TIME_HELP}")],
    description: Annotated[str, typer.Option(help="What happened (no personal data).")],
    risk: Annotated[str, typer.Option(help=RISK_HELP)],
    category: Annotated[
        list[str] | None, typer.Option(help="A data category key; repeat for several.")
    ] = None,
    subjects: Annotated[int, typer.Option(help="Approximate number of subjects.")] = 0,
    consequences: Annotated[str, typer.Option(help="Likely consequences.")] = "",
    measures: Annotated[str, typer.Option(help="Measures taken or proposed.")] = "",
    occurred_at: Annotated[str | None, typer.Option(help=f"When it happened; {TIME_HELP}")] = None,
) -> None:
    """Register a breach and print its reference and notification deadline."""
    container = container_of(ctx)
    breach = open_breach(
        container.uow(),
        container.clock,
        aware_at=_moment("--aware-at", aware_at),
        occurred_at=_moment("--occurred-at", occurred_at) if occurred_at else None,
        description=description,
        data_categories=category or [],
        approx_subjects=subjects,
        consequences=consequences,
        measures=measures,
        risk=parse_risk(risk),
        actor=cli_actor(),
        origin="cli",
    )
    typer.echo(_summary(breach, container.clock.now()))


@app.command("update")
def update(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The breach, e.g. BR-2026-001.")],
    description: Annotated[str | None, typer.Option()] = None,
    category: Annotated[list[str] | None, typer.Option(help="Replaces the categories.")] = None,
    subjects: Annotated[int | None, typer.Option()] = None,
    consequences: Annotated[str | None, typer.Option()] = None,
    measures: Annotated[str | None, typer.Option()] = None,
    risk: Annotated[str | None, typer.Option(help=RISK_HELP)] = None,
    occurred_at: Annotated[str | None, typer.Option(help=TIME_HELP)] = None,
    notified_at: Annotated[
        str | None, typer.Option(help=f"When the authority was notified; {TIME_HELP}")
    ] = None,
    subjects_informed: Annotated[
        bool | None, typer.Option("--subjects-informed/--subjects-not-informed")
    ] = None,
) -> None:
    """Change what is known about a breach; ``--notified-at`` marks it notified."""
    container = container_of(ctx)
    changes = BreachChanges(
        description=description,
        data_categories=tuple(category) if category else None,
        approx_subjects=subjects,
        consequences=consequences,
        measures=measures,
        risk=parse_risk(risk) if risk is not None else None,
        occurred_at=_moment("--occurred-at", occurred_at) if occurred_at else None,
        notified_authority_at=_moment("--notified-at", notified_at) if notified_at else None,
        subjects_informed=subjects_informed,
    )
    breach = update_breach(
        container.uow(), container.clock, reference, changes, actor=cli_actor(), origin="cli"
    )
    typer.echo(_summary(breach, container.clock.now()))


@app.command("close")
def close(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The breach, e.g. BR-2026-001.")],
) -> None:
    """Close a handled breach."""
    container = container_of(ctx)
    breach = close_breach(
        container.uow(), container.clock, reference, actor=cli_actor(), origin="cli"
    )
    typer.echo(f"{breach.reference} closed")


@app.command("list")
def list_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Every breach with its status and deadline."""
    container = container_of(ctx)
    breaches = list_breaches(container.uow())
    now = container.clock.now()
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps([_json(b, now) for b in breaches], indent=2, ensure_ascii=False))
        return
    for breach in breaches:
        typer.echo(_summary(breach, now))


@app.command("draft")
def draft(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help="The breach, e.g. BR-2026-001.")],
    lang: Annotated[str, typer.Option("--lang", help="sv or en.")] = "sv",
    organisation: Annotated[
        str | None, typer.Option(help="Organisation key, when several are loaded.")
    ] = None,
) -> None:
    """Print a draft notification to the supervisory authority."""
    container = container_of(ctx)
    text = draft_breach_notification(container.uow(), reference, lang, organisation)
    typer.echo(text, nl=False)


def _moment(option: str, value: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        msg = f"{option} {value!r} is not an ISO 8601 time"
        raise InvalidInput(msg) from None
    if moment.tzinfo is None:
        msg = f"{option} {value!r} needs a time zone, e.g. {value}+01:00 or {value}Z"
        raise InvalidInput(msg)
    return moment.astimezone(dt.UTC)


def _summary(breach: Breach, now: dt.datetime) -> str:
    due = breach.notification_due_at.strftime("%Y-%m-%d %H:%M UTC")
    if not is_notification_required(breach.risk):
        notice = "no notification required"
    elif breach.notified_authority_at is not None:
        notice = "authority notified"
    else:
        left = hours_left(breach, now)
        when = f"{left:.1f} h left" if left >= 0 else f"overdue by {-left:.1f} h"
        notice = f"notify the authority by {due} ({when})"
    return f"{breach.reference} {breach.status.value} risk={breach.risk.value}: {notice}"


def _json(breach: Breach, now: dt.datetime) -> dict[str, object]:
    def iso(moment: dt.datetime | None) -> str | None:
        return moment.isoformat() if moment is not None else None

    return {
        "reference": breach.reference,
        "status": breach.status.value,
        "aware_at": iso(breach.aware_at),
        "occurred_at": iso(breach.occurred_at),
        "notification_due_at": iso(breach.notification_due_at),
        "hours_left": round(hours_left(breach, now), 2),
        "notification_required": is_notification_required(breach.risk),
        "must_inform_subjects": must_inform_subjects(breach.risk),
        "description": breach.description,
        "data_categories": list(breach.data_categories),
        "approx_subjects": breach.approx_subjects,
        "consequences": breach.consequences,
        "measures": breach.measures,
        "risk": breach.risk.value,
        "notified_authority_at": iso(breach.notified_authority_at),
        "subjects_informed": breach.subjects_informed,
        "closed_at": iso(breach.closed_at),
    }
