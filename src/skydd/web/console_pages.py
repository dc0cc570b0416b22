"""Routes of the staff console: sign in, home, change password, sign out (issue 4, item 1).

Server-rendered in English or Swedish like the policy pages, with the console's
headers (never framed, ``no-store``). Every form carries a CSRF token
(``web/csrf.py``); the signed-in pages and forms go through ``web/staff.py``.
A failed sign-in, whatever the reason (unknown user, wrong password or code,
locked, disabled), shows one message and answers 422; the reason is in the audit
log only. ADR 0013.
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from skydd.bootstrap import Container
from skydd.domain.access_vocabulary import Action
from skydd.domain.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from skydd.domain.errors import AuthenticationFailed, SkyddError
from skydd.domain.password_change import PasswordChangeRefused, PasswordRule
from skydd.domain.sessions import SECRET_BYTES, is_secret_shaped
from skydd.services.access import rights_of
from skydd.services.accounts import ANONYMOUS
from skydd.services.sessions import change_password, sign_in, sign_out
from skydd.web import cookies
from skydd.web.console_view import rights_view
from skydd.web.csrf import tokens_match
from skydd.web.deps import ContainerDep, PagesDep
from skydd.web.headers import console_headers
from skydd.web.pages import PageRenderer
from skydd.web.redirects import next_or_home, safe_next
from skydd.web.refusals import (
    HOME_PATH,
    LOGIN_PATH,
    ConsoleRefusal,
    redirect_response,
    root_of,
)
from skydd.web.staff import (
    ORIGIN,
    PASSWORD_PATH,
    CsrfField,
    StaffRequest,
    console_language,
    csrf_signer,
    is_secure,
    refuse_forged_form,
    require_staff,
    require_staff_form,
    session_policy,
    signed_in,
)
from skydd.web.translations import catalog_languages, gettext_noop

router = APIRouter(include_in_schema=False)

HOME_ACTION = Action.REGISTER_READ
"""The home page lists what the register's roles allow, so it asks to read the register.

Every built-in role may; an account without any role is refused (403, audited)."""

PROOF_FAILED = gettext_noop("Your current password or code was not accepted.")
RULE_MESSAGES = {
    PasswordRule.TOO_SHORT: gettext_noop("The new password needs at least %(min)s characters."),
    PasswordRule.TOO_LONG: gettext_noop("The new password may have at most %(max)s characters."),
    PasswordRule.IS_USERNAME: gettext_noop("The new password must differ from your user name."),
    PasswordRule.MISMATCH: gettext_noop("The two new passwords differ."),
    PasswordRule.UNCHANGED: gettext_noop("The new password must differ from the current one."),
}


NextQuery = Annotated[str | None, Query(alias="next")]
NextField = Annotated[str | None, Form(alias="next")]
TextField = Annotated[str, Form()]
HomeStaff = Annotated[StaffRequest, Depends(require_staff(HOME_ACTION))]
PasswordStaff = Annotated[StaffRequest, Depends(require_staff(None, pending_password=True))]
PasswordForm = Annotated[StaffRequest, Depends(require_staff_form(None, pending_password=True))]


@router.get("/console/login", response_class=HTMLResponse)
def login_page(
    request: Request, container: ContainerDep, pages: PagesDep, next_: NextQuery = None
) -> Response:
    """The sign-in form; sets the nonce cookie its CSRF token is bound to."""
    language = console_language(request)
    secure = is_secure(request, container)
    presented = cookies.read_cookie(request, cookies.LOGIN, secure=secure)
    nonce = presented if is_secret_shaped(presented) else secrets.token_urlsafe(SECRET_BYTES)
    response = _login_form(request, container, pages, language, nonce, next_, failed=False)
    if nonce != presented:
        cookies.set_cookie(response, cookies.LOGIN, nonce, secure=secure)
    return response


@router.post("/console/login", response_class=HTMLResponse)
def login(
    request: Request,
    container: ContainerDep,
    pages: PagesDep,
    username: TextField = "",
    password: TextField = "",
    totp_code: TextField = "",
    csrf_token: CsrfField = None,
    next_: NextField = None,
) -> Response:
    """Sign in: a new session (a new id, the old one revoked) and a 303 to ``next``."""
    language = console_language(request)
    secure = is_secure(request, container)
    nonce = cookies.read_cookie(request, cookies.LOGIN, secure=secure)
    if not is_secret_shaped(nonce) or not tokens_match(
        csrf_signer(container).for_login(nonce), csrf_token
    ):
        refuse_forged_form(container, request, actor=ANONYMOUS)
    try:
        signed = sign_in(
            container.uow(),
            container.clock,
            container.password_hasher,
            container.token_hasher,
            session_policy(container),
            username,
            password,
            totp_code=totp_code.strip() or None,
            replacing=cookies.read_cookie(request, cookies.SESSION, secure=secure),
            origin=ORIGIN,
        )
    except AuthenticationFailed:
        return _login_form(request, container, pages, language, nonce, next_, failed=True)
    target = PASSWORD_PATH if signed.user.must_change_password else next_or_home(next_)
    response = redirect_response(request, target)
    cookies.set_cookie(response, cookies.SESSION, signed.secret, secure=secure)
    cookies.clear_cookie(response, cookies.LOGIN, secure=secure)
    return response


@router.post("/console/logout")
def logout(request: Request, container: ContainerDep, csrf_token: CsrfField = None) -> Response:
    """Sign out: the session is revoked on the server, the cookie deleted; 303 to sign in."""
    secure = is_secure(request, container)
    found = signed_in(request, container)
    if found is not None:
        member, secret = found
        if not tokens_match(csrf_signer(container).for_session(secret), csrf_token):
            refuse_forged_form(container, request, actor=member.user.actor_id)
        sign_out(container.uow(), container.clock, container.token_hasher, secret, origin=ORIGIN)
    response = redirect_response(request, _keep_language(request, LOGIN_PATH))
    cookies.clear_cookie(response, cookies.SESSION, secure=secure)
    return response


@router.get("/console", response_class=HTMLResponse)
def home(request: Request, container: ContainerDep, pages: PagesDep, staff: HomeStaff) -> Response:
    """Who is signed in, their roles, and what ``decide`` lets those roles do."""
    actor = staff.member.actor
    try:
        rights = rights_of(container.uow(), container.role_cache, actor, container.organisation_key)
    except SkyddError as exc:
        raise ConsoleRefusal.of(exc) from exc
    view = rights_view(rights, staff.member.user.roles, staff.language)
    policy = session_policy(container)
    context = _context(request, staff.language, staff) | {
        "rights": view,
        "session": staff.member.session,
        "idle_until": staff.member.session.idle_until(policy),
    }
    return pages.render(
        "console_home.html", staff.language, context, headers=console_headers(staff.language)
    )


@router.get("/console/password", response_class=HTMLResponse)
def password_page(request: Request, pages: PagesDep, staff: PasswordStaff) -> Response:
    """The form to change one's own password (the only page while a change is due)."""
    return _password_form(request, pages, staff, error=None, status_code=200)


@router.post("/console/password", response_class=HTMLResponse)
def password_change(
    request: Request,
    container: ContainerDep,
    pages: PagesDep,
    staff: PasswordForm,
    current_password: TextField = "",
    new_password: TextField = "",
    confirmation: TextField = "",
    totp_code: TextField = "",
) -> Response:
    """Change the password; every session of the account ends and this one is renewed."""
    try:
        signed = change_password(
            container.uow(),
            container.clock,
            container.password_hasher,
            container.token_hasher,
            session_policy(container),
            staff.member,
            current_password=current_password,
            new_password=new_password,
            confirmation=confirmation,
            totp_code=totp_code.strip() or None,
            origin=ORIGIN,
        )
    except PasswordChangeRefused as exc:
        return _password_form(request, pages, staff, error=RULE_MESSAGES[exc.rule])
    except AuthenticationFailed:
        return _password_form(request, pages, staff, error=PROOF_FAILED)
    response = redirect_response(request, _keep_language(request, HOME_PATH))
    secure = is_secure(request, container)
    cookies.set_cookie(response, cookies.SESSION, signed.secret, secure=secure)
    return response


def _login_form(
    request: Request,
    container: Container,
    pages: PageRenderer,
    language: str,
    nonce: str,
    next_: str | None,
    *,
    failed: bool,
) -> HTMLResponse:
    safe = safe_next(next_)
    context = _context(request, language, None, next=safe) | {
        "csrf_token": csrf_signer(container).for_login(nonce),
        "next": safe,
        "failed": failed,
    }
    return pages.render(
        "console_login.html",
        language,
        context,
        status_code=422 if failed else 200,
        headers=console_headers(language),
    )


def _password_form(
    request: Request,
    pages: PageRenderer,
    staff: StaffRequest,
    *,
    error: str | None,
    status_code: int = 422,
) -> HTMLResponse:
    context = _context(request, staff.language, staff) | {
        "error": error,
        "must_change": staff.member.user.must_change_password,
        "has_totp": staff.member.user.has_totp,
        "min_length": MIN_PASSWORD_LENGTH,
        "max_length": MAX_PASSWORD_LENGTH,
    }
    return pages.render(
        "console_password.html",
        staff.language,
        context,
        status_code=status_code,
        headers=console_headers(staff.language),
    )


def _context(
    request: Request, language: str, staff: StaffRequest | None, **query: str | None
) -> dict[str, Any]:
    """What every console template needs: links, language switch, the staff member, CSRF."""
    root = root_of(request)
    path = request.url.path
    kept = {k: v for k, v in query.items() if v}
    return {
        "root": root,
        "org_name": None,
        "lang_query": f"?{urlencode({'lang': language})}",
        "alternates": [
            (code, f"{path}?{urlencode({'lang': code, **kept})}") for code in catalog_languages()
        ],
        "staff": staff,
        "user": staff.member.user if staff else None,
        "csrf_token": staff.csrf_token if staff else None,
    }


def _keep_language(request: Request, path: str) -> str:
    """``path`` with the request's ``?lang=`` when one of ours was asked for."""
    lang = request.query_params.get("lang")
    return f"{path}?{urlencode({'lang': lang})}" if lang in catalog_languages() else path
