"""The state every command shares: settings built once, the container built on first use."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from skydd.bootstrap import Container, build_container
from skydd.config import Settings


@dataclass
class CliState:
    """Per-invocation state: the ``--debug`` flag and a lazily built container."""

    debug: bool = False
    _container: Container | None = field(default=None, repr=False)

    def container(self) -> Container:
        """Build settings (from the environment) and the container, once."""
        if self._container is None:
            self._container = build_container(Settings())
        return self._container

    def close(self) -> None:
        """Release the container's connections when the command ends."""
        if self._container is not None:
            self._container.close()
            self._container = None


def container_of(ctx: typer.Context) -> Container:
    """The container of the running command."""
    state = ctx.find_root().obj
    if not isinstance(state, CliState):
        state = CliState()
        ctx.find_root().obj = state
    return state.container()
