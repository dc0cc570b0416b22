"""Annotated dependency aliases: what a route needs, resolved from the app's container."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from skydd.bootstrap import Container


def get_container(request: Request) -> Container:
    """The container the app was created with."""
    container: Container = request.app.state.container
    return container


async def _container(request: Request) -> Container:
    """``get_container`` as a dependency: async, so resolving it costs no thread hop."""
    return get_container(request)


ContainerDep = Annotated[Container, Depends(_container)]
