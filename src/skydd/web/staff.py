"""Who is signed in to the staff console, and may they: the session cookie in, ``decide`` out.

:func:`require_staff` guards a console page, :func:`require_staff_form` a console
form. In order, each:

1. finds the live session of the session cookie (``services.sessions``); without one
   a browser's GET is sent to the sign-in page (``?next=`` the page), anything else
   is a 401;
2. for a form, checks its CSRF token against the session's, in constant time; a
   missing or forged one is a 403 and an ``access.denied`` event, and nothing else
   happens;
3. while the account must change its password, sends every page but the password
   page there (a form elsewhere is a 403);
4. asks ``access_control.decide`` about the route's action, with the roles of the
   served organisation's register (``services.access.authorise``): a denial is
   audited, then a 403.

Audit events name the route's method and path template and the actor
``user:<uuid>`` (``anonymous`` on the sign-in form), never what was sent. ADR 0013.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, NoReturn
from urllib.parse import urlencode

from fastapi import Form, Request

from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Action
from skydd.domain.errors import SkyddError, UnknownLanguageError
from skydd.domain.sessions import SessionPolicy
from skydd.services.access import authorise, record_denial
from skydd.services.sessions import StaffMember, resolve_session
from skydd.web import cookies
from skydd.web.csrf import CsrfSigner, tokens_match
from skydd.web.deps import ContainerDep
from skydd.web.language import choose_language
from skydd.web.negotiation import prefers_json
from skydd.web.refusals import (
    FORGED_FORM,
    LOGIN_PATH,
    NOT_SIGNED_IN,
    PASSWORD_FIRST,
    ConsoleRedirect,
    ConsoleRefusal,
    root_of,
)
from skydd.web.translations import SOURCE_LANGUAGE, catalog_languages

ORIGIN = "console"
"""The audit origin of console requests; client addresses are not logged (personal data)."""

INVALID_CSRF = "invalid-csrf-token"
"""The audit reason of a form whose CSRF token is missing or wrong."""

PASSWORD_PATH = "/console/password"  # noqa: S105 - a path, not a password


CsrfField = Annotated[str | None, Form()]


@dataclass(frozen=True)
class StaffRequest:
    """A console request by a signed-in staff member, allowed past every check."""

    member: StaffMember
    secret: str = field(repr=False)
    """The session secret from the cookie; needed to derive the forms' CSRF token."""
    csrf_token: str = field(repr=False)
    language: str


def session_policy(container: Container) -> SessionPolicy:
    """The idle timeout and lifetime of console sessions, from the settings."""
    console = container.settings.console
    return SessionPolicy(
        idle_timeout=dt.timedelta(minutes=console.idle_timeout_minutes),
        lifetime=dt.timedelta(hours=console.lifetime_hours),
    )


def csrf_signer(container: Container) -> CsrfSigner:
    """The CSRF signer keyed by this deployment's secret."""
    return CsrfSigner(container.settings.security.effective_secret_key())


def is_secure(request: Request, container: Container) -> bool:
    """Whether the console's cookies are ``Secure`` and ``__Host-`` named here."""
    return cookies.is_secure(request, container.settings.server.public_url)


def console_language(request: Request) -> str:
    """The page's language: ``?lang=``, else ``Accept-Language``, else English.

    An unknown ``?lang=`` is refused (400) rather than replaced, as on the policy pages.
    """
    try:
        return choose_language(
            request.query_params.get("lang"),
            request.headers.get("accept-language"),
            catalog_languages(),
            SOURCE_LANGUAGE,
        )
    except UnknownLanguageError as exc:
        raise ConsoleRefusal.of(exc) from exc


def route_of(request: Request) -> str:
    """The route's method and path template, never the values sent."""
    route = request.scope.get("route")
    path = getattr(route, "path", None) or "unknown"
    return f"{request.method} {path}"


def site_path(request: Request) -> str:
    """The path and query of the request below the app's root, as ``next`` holds it."""
    path = request.url.path
    root = root_of(request)
    if root and path.startswith(root):
        path = path[len(root) :]
    query = request.url.query
    return f"{path}?{query}" if query else path


def login_location(request: Request) -> str:
    """The sign-in page, asked to come back to this page afterwards."""
    return f"{LOGIN_PATH}?{urlencode({'next': site_path(request)})}"


def refuse_forged_form(container: Container, request: Request, *, actor: str) -> NoReturn:
    """Audit a form whose CSRF token is missing or wrong, then refuse it (403)."""
    record_denial(
        container.uow(),
        container.clock,
        actor=actor,
        route=route_of(request),
        action=None,
        reason=INVALID_CSRF,
        origin=ORIGIN,
    )
    back = LOGIN_PATH if request.url.path.endswith(LOGIN_PATH) else "/console"
    raise ConsoleRefusal(403, "csrf-token-invalid", FORGED_FORM, back=back)


def signed_in(request: Request, container: Container) -> tuple[StaffMember, str] | None:
    """The staff member of the request's session cookie and its secret; ``None`` if none."""
    secret = cookies.read_cookie(request, cookies.SESSION, secure=is_secure(request, container))
    member = resolve_session(
        container.uow(), container.clock, container.token_hasher, session_policy(container), secret
    )
    if member is None or secret is None:
        return None
    return member, secret


def require_staff(
    action: Action | None, *, pending_password: bool = False
) -> Callable[..., StaffRequest]:
    """A dependency for a console page: signed in, and allowed ``action`` (when given).

    ``pending_password`` lets the page through while the account must change its
    password (only the password page itself says so).
    """

    def guard(request: Request, container: ContainerDep) -> StaffRequest:
        return _check(request, container, action, None, pending_password=pending_password)

    guard.__name__ = f"require_staff_{action.name.lower() if action else 'signed_in'}"
    return guard


def require_staff_form(
    action: Action | None, *, pending_password: bool = False
) -> Callable[..., StaffRequest]:
    """A dependency for a console form: as :func:`require_staff`, plus its CSRF token."""

    def guard(
        request: Request, container: ContainerDep, csrf_token: CsrfField = None
    ) -> StaffRequest:
        return _check(
            request, container, action, csrf_token or "", pending_password=pending_password
        )

    guard.__name__ = f"require_staff_form_{action.name.lower() if action else 'signed_in'}"
    return guard


def _check(
    request: Request,
    container: Container,
    action: Action | None,
    csrf_token: str | None,
    *,
    pending_password: bool,
) -> StaffRequest:
    """The checks of the module docstring; ``csrf_token`` is ``None`` for a page."""
    language = console_language(request)
    found = signed_in(request, container)
    reading = request.method in {"GET", "HEAD"}
    if found is None:
        if reading and not prefers_json(request.headers.get("accept")):
            raise ConsoleRedirect(login_location(request))
        raise ConsoleRefusal(401, "not-signed-in", NOT_SIGNED_IN, back=LOGIN_PATH)
    member, secret = found
    expected = csrf_signer(container).for_session(secret)
    if csrf_token is not None and not tokens_match(expected, csrf_token):
        refuse_forged_form(container, request, actor=member.user.actor_id)
    if member.user.must_change_password and not pending_password:
        if reading:
            raise ConsoleRedirect(PASSWORD_PATH)
        raise ConsoleRefusal(403, "password-change-required", PASSWORD_FIRST, back=PASSWORD_PATH)
    if action is not None:
        try:
            authorise(
                container.uow(),
                container.clock,
                container.role_cache,
                member.actor,
                action,
                organisation=container.organisation_key,
                route=route_of(request),
                origin=ORIGIN,
            )
        except SkyddError as exc:
            raise ConsoleRefusal.of(exc) from exc
    return StaffRequest(member, secret, expected, language)
