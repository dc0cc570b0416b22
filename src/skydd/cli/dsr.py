"""``skydd dsr``: data subject requests from the command line: register, verify, list what is due.

Whoever runs these commands is staff: ``submit`` registers a request that came by
e-mail, letter, phone or in person with its true day of receipt (the deadline
counts from it), and mails a verification code when an address is given.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.errors import InvalidInput, parse_choice
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.requests import Channel, DataSubjectRequest, parse_request_type
from skydd.jobs.queue import work_queue
from skydd.services.processing_limits import lift_restriction
from skydd.services.request_corrections import request_corrections
from skydd.services.request_reminders import remind_staff
from skydd.services.request_tasks import (
    Upload,
    assign_task,
    complete_task,
    request_tasks,
    retry_task,
)
from skydd.services.request_verification import check_code, send_code
from skydd.services.requests import (
    StaffDecision,
    Submission,
    extend_request,
    get_request,
    open_requests,
    receive_request,
    reject_request,
    verify_manually,
)
from skydd.services.subjects import Who

app = typer.Typer(help="Data subject requests (Art. 15–22).", no_args_is_help=True)

REFERENCE_HELP = "The request, e.g. R-7K3F-9QXA."
_DURATION = re.compile(r"^\s*(\d{1,4})\s*([dw])\s*$")


def _who() -> Who:
    return Who(actor=cli_actor(), origin="cli")


@app.command("submit")
def submit(
    ctx: typer.Context,
    type_: Annotated[
        str,
        typer.Option(
            "--type",
            help="access, rectification, erasure, restriction, portability or objection.",
        ),
    ],
    email: Annotated[str | None, typer.Option(help="The person's e-mail address.")] = None,
    phone: Annotated[str | None, typer.Option(help="The person's phone number.")] = None,
    personnummer: Annotated[str | None, typer.Option(help="The person's personnummer.")] = None,
    name: Annotated[str | None, typer.Option(help="The person's name.")] = None,
    details: Annotated[
        str | None, typer.Option(help="What the person asked for, in brief.")
    ] = None,
    language: Annotated[str | None, typer.Option(help="Language to answer in (sv, en).")] = None,
    channel: Annotated[
        str, typer.Option(help="email, letter, phone, in_person, web or api.")
    ] = Channel.EMAIL.value,
    received_on: Annotated[
        str | None, typer.Option(help="The true day of receipt, YYYY-MM-DD (default today).")
    ] = None,
    send_code: Annotated[
        bool, typer.Option("--send-code/--no-send-code", help="Mail a verification code.")
    ] = True,
    correct: Annotated[
        list[str] | None,
        typer.Option(help="Rectification: CATEGORY=VALUE, the right value (repeatable)."),
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="Objection: the register purpose objected to.")
    ] = None,
) -> None:
    """Register a request; print its reference and deadline."""
    container = container_of(ctx)
    identifiers = {
        kind: value
        for kind, value in (
            (IdentifierKind.EMAIL, email),
            (IdentifierKind.PHONE, phone),
            (IdentifierKind.PERSONNUMMER, personnummer),
        )
        if value is not None
    }
    submission = Submission(
        type=parse_request_type(type_),
        identifiers=identifiers,
        channel=_channel(channel),
        name=name,
        details=details,
        language=language,
        received_on=_date("--received-on", received_on) if received_on else None,
        corrections=_corrections(correct or []),
        purpose=purpose,
    )
    request, requester = receive_request(
        container.uow(),
        container.clock,
        container.organisation_key,
        submission,
        who=_who(),
        target_days=container.settings.requests.target_days,
    )
    typer.echo(f"{request.reference}: {request.type.value} received, due {request.due_on}")
    if send_code and requester.email is not None:
        sent = _mail_code(ctx, request.reference)
        typer.echo("verification code sent" if sent else "the code could not be sent; try again")
    else:
        typer.echo(f"verify it by other means: skydd dsr verify {request.reference} --reason …")


@app.command("code")
def code(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
) -> None:
    """Mail a new verification code to the address the request names."""
    if not _mail_code(ctx, reference):
        typer.echo("the mail server did not take the message; try again later", err=True)
        raise typer.Exit(1)
    typer.echo("verification code sent")


@app.command("verify")
def verify(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
    code: Annotated[str | None, typer.Option(help="The code the person received.")] = None,
    reason: Annotated[
        str | None, typer.Option(help="Verified by other means: what was checked.")
    ] = None,
) -> None:
    """Verify a request by its code, or by hand with the reason (one of the two)."""
    if (code is None) == (reason is None):
        msg = "give either --code or --reason"
        raise InvalidInput(msg)
    container = container_of(ctx)
    if code is not None:
        request = check_code(
            container.uow(),
            container.clock,
            container.organisation_key,
            reference,
            code,
            container.token_hasher,
            who=_who(),
        )
    else:
        decision = StaffDecision(reference, reason or "", _who())
        request = verify_manually(
            container.uow(), container.clock, container.organisation_key, decision
        )
    work_queue(container).dispatch(request.id)
    typer.echo(f"{request.reference}: verified, queued for a worker")


@app.command("extend")
def extend(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
    reason: Annotated[str, typer.Option(help="Why more time is needed (told to the person).")],
) -> None:
    """Extend the deadline to three months from receipt (Art. 12(3))."""
    container = container_of(ctx)
    decision = StaffDecision(reference, reason, _who())
    request = extend_request(
        container.uow(), container.clock, container.organisation_key, decision, container.postman()
    )
    typer.echo(f"{request.reference}: extended, due {request.due_on}")


@app.command("reject")
def reject(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
    reason: Annotated[str, typer.Option(help="Why (told to the person, Art. 12(4)).")],
) -> None:
    """Refuse a request with its reason."""
    container = container_of(ctx)
    decision = StaffDecision(reference, reason, _who())
    request = reject_request(
        container.uow(), container.clock, container.organisation_key, decision, container.postman()
    )
    typer.echo(f"{request.reference}: rejected")


@app.command("remind")
def remind(
    ctx: typer.Context,
    due_within: Annotated[
        str, typer.Option(help="Remind of requests due within this span, e.g. 7d.")
    ] = "7d",
) -> None:
    """Mail staff the requests overdue and due soon now (the worker does it every morning)."""
    container = container_of(ctx)
    reminder = remind_staff(
        container.uow(),
        container.clock,
        container.organisation_key,
        container.postman(),
        _duration(due_within),
    )
    typer.echo(
        f"{len(reminder.overdue)} overdue, {len(reminder.due_soon)} due soon; "
        f"sent to {reminder.sent_to} address(es)"
    )


@app.command("tasks")
def tasks(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
) -> None:
    """The request's steps: what skydd ran and the manual tasks, with their instructions."""
    container = container_of(ctx)
    _, steps = request_tasks(container.uow(), container.organisation_key, reference)
    for step in steps:
        who = f", assigned to {step.assignee}" if step.assignee else ""
        due = f", due {step.due_on}" if step.due_on else ""
        typer.echo(f"{step.system}: {step.kind.value}, {step.status.value}{who}{due}")
        if step.is_open and step.instructions:
            typer.echo(f"  {step.instructions}")
        if step.error:
            typer.echo(f"  last error: {step.error}")


@app.command("assign")
def assign(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
    system: Annotated[str, typer.Argument(help="The system's key in the register.")],
    assignee: Annotated[str, typer.Argument(help="A staff username.")],
) -> None:
    """Give a manual task to a member of staff."""
    container = container_of(ctx)
    step = assign_task(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        system,
        assignee,
        who=_who(),
    )
    typer.echo(f"{reference}: {step.system} assigned to {step.assignee}")


@app.command("done")
def done(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
    system: Annotated[str, typer.Argument(help="The system's key in the register.")],
    file: Annotated[
        Path | None, typer.Option(help="The file exported from the system (up to 20 MiB).")
    ] = None,
    note: Annotated[str | None, typer.Option(help="What was done (no personal data).")] = None,
) -> None:
    """Mark a manual task done; the request is answered when it was the last."""
    container = container_of(ctx)
    upload = None
    if file is not None:
        if not file.is_file():
            msg = "--file: no such file"
            raise InvalidInput(msg)
        upload = Upload(file.name, file.read_bytes())
    request = complete_task(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        system,
        container.execution(),
        note=note,
        upload=upload,
        who=_who(),
    )
    typer.echo(f"{request.reference}: {system} done; the request is {request.status.value}")


@app.command("retry")
def retry(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
    system: Annotated[str, typer.Argument(help="The system's key in the register.")],
) -> None:
    """Run a failed step again (once its database is reachable) and queue the request."""
    container = container_of(ctx)
    request = retry_task(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        system,
        who=_who(),
    )
    work_queue(container).dispatch(request.id)
    typer.echo(f"{request.reference}: {system} queued again")


@app.command("show")
def show(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
) -> None:
    """One request's lifecycle and dates, as JSON (no personal data)."""
    container = container_of(ctx)
    request = get_request(container.uow(), container.organisation_key, reference)
    typer.echo(json.dumps(_json(request, container.clock.today()), indent=2))


@app.command("corrections")
def corrections(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
) -> None:
    """A rectification's corrections and what changed, old → new (the read is audited)."""
    container = container_of(ctx)
    found = request_corrections(
        container.uow(), container.clock, container.organisation_key, reference, who=_who()
    )
    for asked in found.asked:
        typer.echo(f"asked: {asked.category} → {asked.value}")
    for made in found.made:
        old = ", ".join(str(v) for v in made.old)
        typer.echo(
            f"{made.system} {made.collection}.{made.field} ({made.rows} rows): {old} → {made.new}"
        )


@app.command("lift")
def lift(
    ctx: typer.Context,
    reference: Annotated[str, typer.Argument(help=REFERENCE_HELP)],
    reason: Annotated[str, typer.Option(help="Why (told to the person first, Art. 18(3)).")],
) -> None:
    """Lift the restriction a request set; the person is told before it is lifted."""
    container = container_of(ctx)
    lifted = lift_restriction(
        container.uow(),
        container.clock,
        container.organisation_key,
        StaffDecision(reference, reason, _who()),
        container.postman(),
        container.systems,
    )
    typer.echo(f"{reference}: restriction lifted at {lifted.lifted_at:%Y-%m-%d %H:%M} UTC")


@app.command("list")
def list_(
    ctx: typer.Context,
    due_within: Annotated[
        str | None,
        typer.Option(help="Only requests due within this span, e.g. 7d or 2w (overdue included)."),
    ] = None,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Open requests, soonest deadline first."""
    container = container_of(ctx)
    within = _duration(due_within) if due_within is not None else None
    found = open_requests(container.uow(), container.clock, container.organisation_key, within)
    today = container.clock.today()
    if output is OutputFormat.JSON:
        typer.echo(json.dumps([_json(r, today) for r in found], indent=2))
        return
    table = Table("reference", "type", "status", "received", "due", "days left", "target")
    for request in found:
        left = (request.due_on - today).days
        table.add_row(
            request.reference,
            request.type.value,
            request.status.value + (" (extended)" if request.is_extended else ""),
            request.deadlines.received_on.isoformat(),
            request.due_on.isoformat(),
            f"[red]{left} (overdue)[/red]" if left < 0 else str(left),
            request.deadlines.target_on.isoformat(),
        )
    Console(width=120).print(table)
    overdue = sum(1 for r in found if r.due_on < today)
    typer.echo(f"{len(found)} open, {overdue} overdue")


def _mail_code(ctx: typer.Context, reference: str) -> bool:
    container = container_of(ctx)
    return send_code(
        container.uow(),
        container.clock,
        container.organisation_key,
        reference,
        container.code_mail(),
        who=_who(),
    )


def _json(request: DataSubjectRequest, today: dt.date) -> dict[str, object]:
    return {
        "reference": request.reference,
        "type": request.type.value,
        "article": request.type.article,
        "channel": request.channel.value,
        "status": request.status.value,
        "received_on": request.deadlines.received_on.isoformat(),
        "due_on": request.due_on.isoformat(),
        "target_on": request.deadlines.target_on.isoformat(),
        "days_left": (request.due_on - today).days,
        "extended": request.is_extended,
        "verified": request.verification is not None,
        "purpose": request.purpose,
    }


def _corrections(given: list[str]) -> dict[str, str]:
    corrections: dict[str, str] = {}
    for item in given:
        category, sep, value = item.partition("=")
        if not sep or not category.strip():
            msg = "--correct: give CATEGORY=VALUE, e.g. --correct name='Anna Berg'"
            raise InvalidInput(msg)
        corrections[category.strip()] = value
    return corrections


def _channel(value: str) -> Channel:
    return parse_choice(Channel, value, "--channel: unknown channel")


def _date(option: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        msg = f"{option}: a date is YYYY-MM-DD"
        raise InvalidInput(msg) from None


def _duration(value: str) -> dt.timedelta:
    found = _DURATION.match(value)
    if found is None:
        msg = "--due-within: a span is a number of days or weeks, e.g. 7d or 2w"
        raise InvalidInput(msg)
    number, unit = int(found.group(1)), found.group(2)
    return dt.timedelta(days=number * (7 if unit == "w" else 1))
