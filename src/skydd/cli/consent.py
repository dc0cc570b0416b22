"""``skydd consent``: record consent given, withdrawn or refused; show it; rebuild; verify receipts.

Whoever runs these commands is staff recording what a person decided (a paper form,
an import, a phone call): the event says so (``--method``, ``--source``). ``import``
records a list collected elsewhere, never over the suppression list; ``stale --mail``
asks people whose consent was given to earlier terms to renew it.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from skydd.bootstrap import Container
from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.consent import CollectionMethod, ConsentChange, ConsentState, ConsentStatus
from skydd.domain.errors import InvalidInput, parse_choice
from skydd.domain.identifiers import IdentifierKind
from skydd.domain.withdrawal import KeptBecause
from skydd.jobs.queue import work_queue
from skydd.services.consent import (
    consents_of,
    rebuild_states,
    record_consent,
    stale_consents,
    verify_receipt,
)
from skydd.services.consent_import import ImportRow, ImportSource, import_consents
from skydd.services.consent_links import link_for
from skydd.services.consent_renewal import mail_renewals
from skydd.services.consent_withdrawal import ErasureDue
from skydd.services.subjects import Who

app = typer.Typer(help="The consent ledger (P5–P7, P11).", no_args_is_help=True)
err = Console(stderr=True)

MAX_LISTED = 20
"""Invalid rows named by line number at most; the rest are counted."""

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
Erase = Annotated[
    list[str] | None,
    typer.Option(
        "--erase",
        help="Withdrawing: of the withdrawn categories erase only these (repeatable; default:"
        " all that only this consent allowed).",
    ),
]
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
    erase: tuple[str, ...] | None = None,
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
        erase=erase,
    )
    state = recorded.state
    what = ", ".join(state.categories) or "nothing"
    news = "recorded" if recorded.event is not None else "unchanged (nothing new)"
    typer.echo(f"{state.purpose}: {status.value} {news}; consented now: {what}")
    if recorded.withdrawn:
        typer.echo(f"no longer consented: {', '.join(recorded.withdrawn)}")
    if recorded.erasure is not None:
        _echo_erasure(container, recorded.erasure)
    if receipt_out is not None:
        receipt_out.write_text(recorded.receipt + "\n", encoding="utf-8")
        typer.echo(f"receipt written to {receipt_out}")
    else:
        typer.echo(recorded.receipt)


KEPT_BECAUSE = {
    KeptBecause.CHOSEN: "the person chose to keep it",
    KeptBecause.CONSENTED_ELSEWHERE: "the person still consents to it for another purpose",
    KeptBecause.NO_RULE: "the register names no rule erasing it on withdrawal",
}


def _echo_erasure(container: Container, due: ErasureDue) -> None:
    """What the withdrawal erased, and hand its erasure request to the workers."""
    plan = due.plan
    typer.echo(f"erased in skydd: {', '.join(plan.categories) or 'nothing'}")
    for system, categories in plan.systems.items():
        typer.echo(f"to erase in {system}: {', '.join(categories)}")
    for category, why in plan.kept.items():
        typer.echo(f"kept {category}: {KEPT_BECAUSE[why]}")
    if due.request is not None:
        work_queue(container).dispatch(due.request.id)
        typer.echo(f"erasure request {due.request.reference} handed to the workers")


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
        erase: Erase = None,
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
        chosen = None if erase is None else tuple(erase)
        people = _identifiers(email, phone, personnummer)
        _record(ctx, status, people, change, receipt_out, chosen)

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


@app.command("link")
def link(
    ctx: typer.Context,
    purpose: Purpose,
    email: Email = None,
    phone: Phone = None,
    personnummer: Personnummer = None,
    language: Language = None,
) -> None:
    """A link to send the person: on its page they erase chosen data or withdraw (P6).

    The link works for 30 days and can only withdraw, never give consent.
    """
    container = container_of(ctx)
    url = link_for(
        container.uow(),
        container.clock,
        container.organisation_key,
        container.links,
        container.settings.server.public_url,
        _identifiers(email, phone, personnummer),
        purpose,
        language=language or "",
        who=_who(),
    )
    typer.echo(url)


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
    mail: Annotated[
        bool, typer.Option("--mail", help="Mail each person a request to renew, with a link.")
    ] = False,
) -> None:
    """Consents given to a purpose whose substance has changed since: they need renewing."""
    container = container_of(ctx)
    found = stale_consents(container.uow(), container.organisation_key)
    failed = 0
    if mail:
        renewals = mail_renewals(
            container.uow(),
            container.clock,
            container.organisation_key,
            container.newsletters(),
            found,
            who=_who(),
        )
        typer.echo(
            f"renewal requests: {renewals.sent} sent, {renewals.failed} not sent, "
            f"{renewals.skipped} skipped (no address, objected, or no category left)",
            err=output is OutputFormat.JSON,  # keep stdout one JSON document
        )
        failed = renewals.failed
    _stale_listing(found, output)
    if failed:
        raise typer.Exit(1)


def _stale_listing(found: list[ConsentState], output: OutputFormat) -> None:
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


@app.command("import")
def import_list(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="CSV with an email column; name and language are optional.")
    ],
    purpose: Purpose,
    source: Source = "import",
    notice: Notice = "",
) -> None:
    """Record consent for each new person of a list; never for anyone who withdrew or objected."""
    container = container_of(ctx)
    rows = _import_rows(file)
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err
    ) as bar:
        task = bar.add_task(f"importing {file.name}", total=len(rows))
        report = import_consents(
            container.uow(),
            container.clock,
            container.organisation_key,
            purpose,
            rows,
            container.receipts,
            ImportSource(source, notice),
            who=_who(),
            progress=lambda _outcome: bar.advance(task),
        )
    typer.echo(
        f"{purpose}: {report.imported} imported, {report.already} already consenting, "
        f"{report.suppressed} skipped (withdrawn, refused or objected), "
        f"{len(report.invalid)} invalid"
    )
    if report.invalid:
        listed = ", ".join(map(str, report.invalid[:MAX_LISTED]))
        more = len(report.invalid) - MAX_LISTED
        typer.echo(
            f"invalid rows (line numbers): {listed}" + (f" and {more} more" if more > 0 else "")
        )


def _import_rows(path: Path) -> list[ImportRow]:
    """The rows of an import file; a file that is not such a CSV is one line of error."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        msg = f"{path.name} is not UTF-8 text"
        raise InvalidInput(msg) from None
    except OSError:
        msg = f"cannot read the import file {path.name}"
        raise InvalidInput(msg) from None
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    columns = {(name or "").strip().lower(): name for name in reader.fieldnames or ()}
    if "email" not in columns:
        msg = f"{path.name}: the first line must name an email column (name, language optional)"
        raise InvalidInput(msg)
    rows = []
    try:
        for record in reader:
            rows.append(
                ImportRow(
                    line=reader.line_num,
                    email=record.get(columns["email"]) or "",
                    name=record.get(columns.get("name", "")) or None,
                    language=record.get(columns.get("language", "")) or "",
                )
            )
    except csv.Error:
        msg = f"{path.name}: not valid CSV after line {reader.line_num}"
        raise InvalidInput(msg) from None
    return rows


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        msg = f"cannot read the receipt file {path.name}"
        raise InvalidInput(msg) from None
