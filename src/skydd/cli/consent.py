"""``skydd consent``: record consent given, withdrawn or refused; show it; rebuild; verify receipts.

Whoever runs these commands is staff recording what a person decided (a paper form,
an import, a phone call): the event says so (``--method``, ``--source``).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.consent import CollectionMethod, ConsentChange, ConsentStatus
from skydd.domain.errors import InvalidInput, parse_choice
from skydd.domain.identifiers import IdentifierKind
from skydd.services.consent import (
    consents_of,
    rebuild_states,
    record_consent,
    stale_consents,
    verify_receipt,
)
from skydd.services.subjects import Who

app = typer.Typer(help="The consent ledger (P5–P7, P11).", no_args_is_help=True)

Email = Annotated[str | None, typer.Option(help="The person's e-mail address.")]
Phone = Annotated[str | None, typer.Option(help="The person's phone number.")]
Personnummer = Annotated[str | None, typer.Option(help="The person's personnummer.")]
Purpose = Annotated[str, typer.Option(help="The register purpose (one resting on consent).")]
Categories = Annotated[
    list[str] | None,
    typer.Option("--category", help="A data category of the purpose (repeatable)."),
]
Method = Annotated[
    str, typer.Option(help="form, banner, api, import, email_link or privacy_center.")
]
Notice = Annotated[str, typer.Option(help="The version of the notice text the person saw.")]
Source = Annotated[str, typer.Option(help="What collected it (a form, a site, an import).")]
Language = Annotated[str | None, typer.Option(help="The language of the notice (sv, en).")]
ReceiptOut = Annotated[
    Path | None, typer.Option(help="Write the signed receipt to this file (else it is printed).")
]


def _who() -> Who:
    return Who(actor=cli_actor(), origin="cli")


def _identifiers(
    email: str | None, phone: str | None, personnummer: str | None
) -> dict[IdentifierKind, str]:
    given = {
        IdentifierKind.EMAIL: email,
        IdentifierKind.PHONE: phone,
        IdentifierKind.PERSONNUMMER: personnummer,
    }
    return {kind: value for kind, value in given.items() if value is not None}


def _method(value: str) -> CollectionMethod:
    return parse_choice(CollectionMethod, value, "--method: unknown method")


def _record(
    ctx: typer.Context,
    status: ConsentStatus,
    identifiers: dict[IdentifierKind, str],
    change: ConsentChange,
    receipt_out: Path | None,
) -> None:
    container = container_of(ctx)
    recorded = record_consent(
        container.uow(),
        container.clock,
        container.organisation_key,
        identifiers,
        change,
        container.receipts,
        who=_who(),
    )
    state = recorded.state
    what = ", ".join(state.categories) or "nothing"
    news = "recorded" if recorded.event is not None else "unchanged (nothing new)"
    typer.echo(f"{state.purpose}: {status.value} {news}; consented now: {what}")
    if recorded.withdrawn:
        typer.echo(f"no longer consented: {', '.join(recorded.withdrawn)}")
    if receipt_out is not None:
        receipt_out.write_text(recorded.receipt + "\n", encoding="utf-8")
        typer.echo(f"receipt written to {receipt_out}")
    else:
        typer.echo(recorded.receipt)


def _change_command(status: ConsentStatus) -> Callable[..., None]:
    """One command per status; they differ only in what the person did."""

    def command(
        ctx: typer.Context,
        purpose: Purpose,
        email: Email = None,
        phone: Phone = None,
        personnummer: Personnummer = None,
        category: Categories = None,
        method: Method = CollectionMethod.FORM.value,
        notice: Notice = "",
        source: Source = "cli",
        language: Language = None,
        receipt_out: ReceiptOut = None,
    ) -> None:
        change = ConsentChange(
            purpose=purpose,
            status=status,
            categories=tuple(category or ()),
            method=_method(method),
            notice_id=notice,
            language=language or "",
            source=source,
        )
        _record(ctx, status, _identifiers(email, phone, personnummer), change, receipt_out)

    return command


app.command("give", help="Record consent given to a purpose: all its categories, or those named.")(
    _change_command(ConsentStatus.GIVEN)
)
app.command(
    "withdraw",
    help="Record consent withdrawn: the whole purpose, or only the categories named.",
)(_change_command(ConsentStatus.WITHDRAWN))
app.command("refuse", help="Record consent refused to a purpose.")(
    _change_command(ConsentStatus.REFUSED)
)


@app.command("show")
def show(
    ctx: typer.Context,
    email: Email = None,
    phone: Phone = None,
    personnummer: Personnummer = None,
) -> None:
    """A person's current consents, as JSON (the read is audited)."""
    container = container_of(ctx)
    states = consents_of(
        container.uow(),
        container.clock,
        container.organisation_key,
        _identifiers(email, phone, personnummer),
        who=_who(),
    )
    typer.echo(
        json.dumps(
            [
                {
                    "purpose": s.purpose,
                    "status": s.status.value,
                    "categories": list(s.categories),
                    "since": s.since.isoformat(),
                    "policy_version": s.policy_version,
                    "notice_id": s.notice_id,
                }
                for s in states
            ],
            indent=2,
        )
    )


@app.command("stale")
def stale(
    ctx: typer.Context,
    output: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """Consents given to a purpose whose substance has changed since: they need renewing."""
    container = container_of(ctx)
    found = stale_consents(container.uow(), container.organisation_key)
    if output is OutputFormat.JSON:
        rows = [
            {
                "pii_principal_id": str(s.subject_id),
                "purpose": s.purpose,
                "since": s.since.isoformat(),
                "policy_version": s.policy_version,
            }
            for s in found
        ]
        typer.echo(json.dumps(rows, indent=2))
        return
    counts = Counter(s.purpose for s in found)
    for purpose, count in sorted(counts.items()):
        typer.echo(f"{purpose}: {count} consent(s) given to earlier terms")
    typer.echo(f"{len(found)} consent(s) need renewing")


@app.command("rebuild")
def rebuild(ctx: typer.Context) -> None:
    """Fold the whole ledger again into the current state; say whether anything differed."""
    container = container_of(ctx)
    result = rebuild_states(container.uow(), container.organisation_key)
    typer.echo(f"{result.states} states rebuilt from the ledger; digest {result.after}")
    if not result.unchanged:
        typer.echo(f"the stored state differed (digest {result.before}) and was replaced")
        raise typer.Exit(1)


@app.command("verify-receipt")
def verify(
    ctx: typer.Context,
    receipt: Annotated[str, typer.Argument(help="A file holding the receipt, or - for stdin.")],
) -> None:
    """Check a receipt's signature and that the ledger holds the event it states."""
    container = container_of(ctx)
    text = sys.stdin.read() if receipt == "-" else _read(Path(receipt))
    claims = verify_receipt(
        container.uow(), container.organisation_key, container.receipts, text.strip()
    )
    typer.echo("genuine: " + json.dumps(claims, sort_keys=True))


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        msg = f"cannot read the receipt file {path.name}"
        raise InvalidInput(msg) from None
