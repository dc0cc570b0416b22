"""Dependencies of the web pages: the app's container and page renderer, for any route."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from skydd.bootstrap import Container
from skydd.web.pages import PageRenderer


def get_container(request: Request) -> Container:
    """The container the app was created with."""
    container: Container = request.app.state.container
    return container


def get_pages(request: Request) -> PageRenderer:
    """The page renderer ``install`` put on the app."""
    pages: PageRenderer = request.app.state.web_pages
    return pages


ContainerDep = Annotated[Container, Depends(get_container)]
PagesDep = Annotated[PageRenderer, Depends(get_pages)]
