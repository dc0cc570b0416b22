"""Routes of the published policy: full pages, Markdown, version list, and the embed (P20, P21).

Every route catches ``SkyddError`` and answers with the one error page, in the page's
language and with the page's headers, so a bad ``?lang=`` or version is a readable
4xx page and never a 500 or a JSON problem.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup

from skydd.bootstrap import Container
from skydd.domain.errors import NotFoundError, SkyddError, UnknownLanguageError
from skydd.web.deps import ContainerDep, PagesDep
from skydd.web.errors import error_title, http_status_for, shown_message
from skydd.web.headers import embed_headers, page_headers
from skydd.web.language import choose_language, negotiate_language
from skydd.web.pages import PageRenderer
from skydd.web.policy_view import (
    PolicyView,
    load_current_view,
    load_version_view,
    load_versions,
    parse_version,
    rendition_format,
)
from skydd.web.translations import SOURCE_LANGUAGE, catalog_languages

router = APIRouter(include_in_schema=False)


LangQuery = Annotated[str | None, Query(alias="lang")]
FormatQuery = Annotated[str | None, Query(alias="format")]


@router.get("/policy", response_class=HTMLResponse)
def current_policy(
    request: Request,
    container: ContainerDep,
    pages: PagesDep,
    lang: LangQuery = None,
    fmt: FormatQuery = None,
) -> Response:
    """The policy in effect, as a page or (``?format=markdown``) as Markdown."""
    return _policy(request, container, pages, None, lang, fmt, embed=False)


@router.get("/policy.md", response_class=Response)
def current_policy_markdown(
    request: Request, container: ContainerDep, pages: PagesDep, lang: LangQuery = None
) -> Response:
    """The policy in effect as Markdown."""
    return _policy(request, container, pages, None, lang, "markdown", embed=False)


@router.get("/policy/versions", response_class=HTMLResponse)
def policy_versions(
    request: Request, container: ContainerDep, pages: PagesDep, lang: LangQuery = None
) -> Response:
    """Every published version, newest first."""
    view: PolicyView | None = None
    try:
        view = load_current_view(container)
        language = choose_language(lang, _accept(request), view.languages, view.default_language)
        context = _context(request, view, language) | {"versions": load_versions(container)}
        return pages.render(
            "policy_versions.html", language, context, headers=page_headers(language)
        )
    except SkyddError as exc:
        return _error(request, container, pages, exc, view, lang, embed=False)


@router.get("/policy/{version}", response_class=HTMLResponse)
def policy_version(
    request: Request,
    container: ContainerDep,
    pages: PagesDep,
    version: str,
    lang: LangQuery = None,
    fmt: FormatQuery = None,
) -> Response:
    """One published version, by number."""
    return _policy(request, container, pages, version, lang, fmt, embed=False)


@router.get("/embed/policy", response_class=HTMLResponse)
def embedded_policy(
    request: Request, container: ContainerDep, pages: PagesDep, lang: LangQuery = None
) -> Response:
    """The policy in effect, for an iframe on an allowed site."""
    return _policy(request, container, pages, None, lang, None, embed=True)


@router.get("/embed/policy/{version}", response_class=HTMLResponse)
def embedded_policy_version(
    request: Request,
    container: ContainerDep,
    pages: PagesDep,
    version: str,
    lang: LangQuery = None,
) -> Response:
    """One published version, for an iframe on an allowed site."""
    return _policy(request, container, pages, version, lang, None, embed=True)


def _policy(
    request: Request,
    container: Container,
    pages: PageRenderer,
    version: str | None,
    lang: str | None,
    fmt: str | None,
    *,
    embed: bool,
) -> Response:
    view: PolicyView | None = None
    try:
        view = load_current_view(container)
        if version is not None:
            view = load_version_view(container, view, parse_version(version))
        language = choose_language(lang, _accept(request), view.languages, view.default_language)
        fmt = rendition_format(fmt)
        text = view.policy.rendition(language, fmt)
        if text is None:
            msg = f"version {view.policy.number} has no {fmt} rendition in {language!r}"
            raise NotFoundError(msg)
        if fmt == "markdown":
            headers = page_headers(language)
            return Response(text, media_type="text/markdown; charset=utf-8", headers=headers)
        # The rendition was rendered by skydd's own policy renderer (autoescaped) and is
        # immutable once published, so it is inserted as markup, not escaped twice.
        context = _context(request, view, language) | {"body": Markup(text)}  # noqa: S704
        if embed:
            allowed = container.settings.embed.allowed_origins
            return pages.render(
                "embed_policy.html", language, context, headers=embed_headers(language, allowed)
            )
        return pages.render("policy.html", language, context, headers=page_headers(language))
    except SkyddError as exc:
        return _error(request, container, pages, exc, view, lang, embed=embed)


def _context(request: Request, view: PolicyView, language: str) -> dict[str, Any]:
    root = str(request.scope.get("root_path", ""))
    path = request.url.path
    return {
        "root": root,
        "view": view,
        "policy": view.policy,
        "org_name": view.organisation_name,
        "alternates": [(lang, f"{path}?lang={lang}") for lang in view.languages],
        "current_url": f"{root}/policy?lang={language}",
        "version_url": f"{root}/policy/{view.policy.number}?lang={language}",
        "versions_url": f"{root}/policy/versions?lang={language}",
        "markdown_url": f"{root}/policy/{view.policy.number}?lang={language}&format=markdown",
    }


def _error(
    request: Request,
    container: Container,
    pages: PageRenderer,
    exc: SkyddError,
    view: PolicyView | None,
    lang: str | None,
    *,
    embed: bool,
) -> HTMLResponse:
    """The one error page: status from the error tree, language as close to asked as known."""
    languages: Sequence[str] = view.languages if view else ()
    language = _error_language(request, languages, view, lang)
    offered = languages if isinstance(exc, UnknownLanguageError) else ()
    status = http_status_for(exc)
    context = {
        "root": str(request.scope.get("root_path", "")),
        "layout": "embed_base.html" if embed else "base.html",
        "org_name": view.organisation_name if view else None,
        "status": status,
        "title": error_title(status),
        "message": shown_message(exc),
        "alternates": [(code, f"{request.url.path}?lang={code}") for code in offered],
    }
    allowed = container.settings.embed.allowed_origins
    headers = embed_headers(language, allowed) if embed else page_headers(language)
    return pages.render("error.html", language, context, status_code=status, headers=headers)


def _error_language(
    request: Request, languages: Sequence[str], view: PolicyView | None, lang: str | None
) -> str:
    if lang in languages:
        return str(lang)
    if view is not None:
        return negotiate_language(_accept(request), languages) or view.default_language
    return negotiate_language(_accept(request), catalog_languages()) or SOURCE_LANGUAGE


def _accept(request: Request) -> str | None:
    return request.headers.get("accept-language")
