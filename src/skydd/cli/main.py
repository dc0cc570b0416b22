"""The ``skydd`` command line: ``skydd <noun> <verb>``; errors are one line and exit 2."""

from __future__ import annotations

import logging
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from typer._click.core import Context as ClickContext
from typer.core import TyperGroup

from skydd.cli import (
    audit,
    breach,
    consent,
    db,
    dsr,
    events,
    keys,
    policy,
    register,
    ropa,
    serve,
    tokens,
    users,
    worker,
)
from skydd.cli.context import CliState
from skydd.domain.errors import InvalidRegisterError, SkyddError

logger = logging.getLogger(__name__)


class SkyddGroup(TyperGroup):
    """Maps skydd's errors to one readable line on stderr and exit code 2."""

    def invoke(self, ctx: ClickContext) -> Any:
        """Run the command; turn expected errors into exit 2 unless ``--debug``."""
        try:
            return super().invoke(ctx)
        except InvalidRegisterError as exc:
            if _debug(ctx):
                raise
            for problem in exc.problems:
                typer.echo(f"error: {problem.describe()}", err=True)
            raise typer.Exit(2) from exc
        except SkyddError as exc:
            if _debug(ctx):
                raise
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        except ValidationError as exc:
            if _debug(ctx):
                raise
            first = exc.errors(include_url=False, include_input=False)[0]
            where = ".".join(str(p) for p in first["loc"]) or "input"
            typer.echo(f"error: invalid {where}: {first['msg']}", err=True)
            raise typer.Exit(2) from exc


def _debug(ctx: ClickContext) -> bool:
    state = ctx.obj
    return isinstance(state, CliState) and state.debug


app = typer.Typer(
    cls=SkyddGroup,
    help="skydd: privacy operations for an organisation's register of processing.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.add_typer(register.app, name="register")
app.add_typer(policy.app, name="policy")
app.add_typer(ropa.app, name="ropa")
app.add_typer(keys.app, name="keys")
app.add_typer(audit.app, name="audit")
app.add_typer(breach.app, name="breach")
app.add_typer(dsr.app, name="dsr")
app.add_typer(consent.app, name="consent")
app.add_typer(events.app, name="events")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)


@app.callback()
def main(
    ctx: typer.Context,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
) -> None:
    """Privacy operations: register as code, published policy, Art. 30 record."""
    state = CliState(debug=debug)
    ctx.obj = state
    ctx.call_on_close(state.close)
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING)


def run() -> None:
    """Console-script entry point."""
    app()
