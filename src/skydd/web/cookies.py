"""The staff console's two cookies: the session, and the nonce of the sign-in form.

Both are ``HttpOnly`` (no script reads them), ``SameSite=Lax`` (not sent with
cross-site form posts, still sent when a link is followed) and ``Path=/``. When the
request came over https, or ``SKYDD_SERVER__PUBLIC_URL`` is https (TLS ends at a
proxy), they are also ``Secure`` and carry the ``__Host-`` prefix, which makes the
browser refuse them from plain http, from a sub-domain and with a ``Domain``
attribute. Neither holds personal data: a random session secret, a random nonce.
Neither has ``Max-Age``: they end with the browser, and the server ends the session
on its own clock anyway. ADR 0013.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

SESSION = "skydd_session"
LOGIN = "skydd_login"
SECURE_PREFIX = "__Host-"


def is_secure(request: Request, public_url: str) -> bool:
    """True when the console is reached over https, directly or behind a proxy."""
    return request.url.scheme == "https" or public_url.lower().startswith("https://")


def cookie_name(base: str, *, secure: bool) -> str:
    """The cookie's name: ``__Host-`` prefixed when it is sent over https only."""
    return SECURE_PREFIX + base if secure else base


def read_cookie(request: Request, base: str, *, secure: bool) -> str | None:
    """The value of the cookie ``base`` under the name it has in this mode."""
    return request.cookies.get(cookie_name(base, secure=secure))


def set_cookie(response: Response, base: str, value: str, *, secure: bool) -> None:
    """Set the cookie ``base`` on ``response`` with the console's attributes."""
    response.set_cookie(
        cookie_name(base, secure=secure),
        value,
        path="/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, base: str, *, secure: bool) -> None:
    """Delete the cookie ``base``; the attributes must match or the browser keeps it."""
    response.delete_cookie(
        cookie_name(base, secure=secure), path="/", secure=secure, httponly=True, samesite="lax"
    )
