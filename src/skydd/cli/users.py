"""``skydd users``: staff accounts; a generated password is printed once and never again."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from skydd.cli.audit import cli_actor
from skydd.cli.context import container_of
from skydd.cli.formats import OutputFormat
from skydd.domain.credentials import StaffUser
from skydd.services.accounts import add_user, disable_user, list_users, set_roles

app = typer.Typer(help="Staff accounts: add, list, disable, set roles.", no_args_is_help=True)

ROLE_HELP = "A role key (built-in or from the register); repeat for several."


@app.command("add")
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The sign-in name.")],
    admin: Annotated[bool, typer.Option("--admin", help="Give the admin role.")] = False,
    role: Annotated[list[str] | None, typer.Option("--role", help=ROLE_HELP)] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin", help="Read the password from stdin instead of generating one."
        ),
    ] = False,
) -> None:
    """Add an account; without --password-stdin prints a one-time password, once."""
    container = container_of(ctx)
    roles = (["admin"] if admin else []) + list(role or [])
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    user, generated = add_user(
        container.uow(),
        container.clock,
        container.password_hasher,
        username,
        roles=roles,
        password=password,
        actor=cli_actor(),
        origin="cli",
    )
    typer.echo(f"added {user.username} ({', '.join(user.roles) or 'no roles'})")
    if generated is not None:
        typer.echo(f"one-time password: {generated}")
        typer.echo("It is shown only now; it must be changed at first sign-in.")


@app.command("list")
def list_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TEXT,
) -> None:
    """List accounts: name, roles, state; never hashes or secrets."""
    users = list_users(container_of(ctx).uow())
    if fmt is OutputFormat.JSON:
        typer.echo(json.dumps([_json(u) for u in users], indent=2, ensure_ascii=False))
        return
    for user in users:
        state = "disabled" if user.disabled else "active"
        typer.echo(f"{user.username}\t{','.join(user.roles) or '-'}\t{state}")


@app.command("disable")
def disable(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account to disable.")],
) -> None:
    """Disable an account; its API tokens stop working too."""
    container = container_of(ctx)
    user = disable_user(container.uow(), container.clock, username, actor=cli_actor(), origin="cli")
    typer.echo(f"disabled {user.username}")


@app.command("set-role")
def set_role(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The account.")],
    role: Annotated[list[str], typer.Option("--role", help=ROLE_HELP)],
) -> None:
    """Replace an account's roles."""
    container = container_of(ctx)
    user = set_roles(
        container.uow(), container.clock, username, role, actor=cli_actor(), origin="cli"
    )
    typer.echo(f"{user.username}: {', '.join(user.roles)}")


def _json(user: StaffUser) -> dict[str, object]:
    return {
        "id": str(user.id),
        "username": user.username,
        "roles": list(user.roles),
        "disabled": user.disabled,
        "totp": user.has_totp,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }
