"""``skydd tokens``: API tokens; the token is printed once and stored only as a keyed hash."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.access_vocabulary import Scope
from skydd.domain.credentials import ApiToken, parse_scopes
from skydd.domain.errors import InvalidInput
from skydd.services.accounts import create_token, list_tokens, revoke_token

app = typer.Typer(help="API tokens: create, list, revoke.", no_args_is_help=True)

SCOPE_HELP = f"A scope; repeat for several. One of: {', '.join(s.value for s in Scope)}."


@app.command("create")
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'website form'.")],
    scope: Annotated[list[str], typer.Option("--scope", help=SCOPE_HELP)],
    expires: Annotated[
        str | None, typer.Option(help="Last valid day, YYYY-MM-DD (expires at its end, UTC).")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Valid for this many days from now.")] = None,
    owner: Annotated[
        str | None, typer.Option(help="User name whose roles the token acts with.")
    ] = None,
) -> None:
    """Create a token and print it once; only its keyed hash is stored."""
    container = container_of(ctx)
    text, token = create_token(
        container.uow(),
        container.clock,
        container.token_hasher,
        name=name,
        scopes=parse_scopes(scope),
        expires_at=_expiry(expires, days, container.clock.now()),
        owner=owner,
        actor=cli_actor(),
        origin="cli",
    )
    typer.echo(f"token {token.token_id} ({', '.join(sorted(s.value for s in token.scopes))})")
    typer.echo(text)
    typer.echo("It is shown only now; store it in a secret manager.")


@app.command("list")
def list_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """List tokens: id, name, scopes, dates; never the token or its hash."""
    tokens = list_tokens(container_of(ctx).uow())
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps([_json(t) for t in tokens], indent=2, ensure_ascii=False))
        return
    for token in tokens:
        state = "revoked" if token.revoked_at else "active"
        scopes = ",".join(sorted(s.value for s in token.scopes))
        typer.echo(f"{token.token_id}\t{token.name}\t{scopes}\t{state}")


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    token_id: Annotated[str, typer.Argument(help="The token's public id (from `tokens list`).")],
) -> None:
    """Revoke a token; it stops working at once."""
    container = container_of(ctx)
    token = revoke_token(
        container.uow(), container.clock, token_id, actor=cli_actor(), origin="cli"
    )
    typer.echo(f"revoked {token.token_id}")


def _expiry(expires: str | None, days: int | None, now: dt.datetime) -> dt.datetime | None:
    if expires is not None and days is not None:
        msg = "give --expires or --days, not both"
        raise InvalidInput(msg)
    if days is not None:
        if days < 1:
            msg = "--days must be at least 1"
            raise InvalidInput(msg)
        return now + dt.timedelta(days=days)
    if expires is None:
        return None
    try:
        last_day = dt.date.fromisoformat(expires)
    except ValueError:
        msg = "--expires takes a date, YYYY-MM-DD"
        raise InvalidInput(msg) from None
    return dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def _json(token: ApiToken) -> dict[str, object]:
    def moment(value: dt.datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "token_id": token.token_id,
        "name": token.name,
        "scopes": sorted(s.value for s in token.scopes),
        "owner": str(token.owner) if token.owner else None,
        "created_at": moment(token.created_at),
        "expires_at": moment(token.expires_at),
        "revoked_at": moment(token.revoked_at),
        "last_used_at": moment(token.last_used_at),
    }
