"""Annotated dependency aliases: what a route needs, resolved from the app's container."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from skydd.bootstrap import Container


def get_container(request: Request) -> Container:
    """The container the app was created with."""
    container: Container = request.app.state.container
    return container


ContainerDep = Annotated[Container, Depends(get_container)]
