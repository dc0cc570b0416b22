"""How the staff console says no: a redirect to sign in, an error page, or problem+json.

Console dependencies raise :class:`ConsoleRedirect` or :class:`ConsoleRefusal`; the
handlers installed here turn them into responses with the console's headers (never
framed, never cached). A refusal is the one error page (``error.html``) in the
reader's language for a browser, and an RFC 9457 problem for a client that asks for
JSON (``web/negotiation.py``). The API's problem mapping is not imported (web and
api are siblings), so the problem document is built here in the same shape.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from skydd.domain.errors import SkyddError
from skydd.web.errors import error_title, http_status_for, shown_message
from skydd.web.headers import console_headers
from skydd.web.language import negotiate_language
from skydd.web.negotiation import prefers_json
from skydd.web.pages import PageRenderer
from skydd.web.translations import SOURCE_LANGUAGE, catalog_languages, gettext_noop

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://skydd.dev/problems/"
"""The same type URIs as the API's problems (``skydd.api.problems``)."""

LOGIN_PATH = "/console/login"
HOME_PATH = "/console"

NOT_SIGNED_IN = gettext_noop("Sign in to the staff console first.")
FORGED_FORM = gettext_noop(
    "The form did not come from this site, or it has expired. Reload the page and try again."
)
NOT_ALLOWED = gettext_noop("Your roles do not allow this.")
PASSWORD_FIRST = gettext_noop("Choose a new password before you continue.")
UNANSWERABLE = gettext_noop("The staff console cannot answer this yet.")
CHECK_ADDRESS = gettext_noop("Check the address and try again.")
BACK_TO_CONSOLE = gettext_noop("Back to the staff console")
TO_SIGN_IN = gettext_noop("Go to the sign-in page")


class ConsoleRedirect(Exception):
    """Send the browser elsewhere (303): to sign in, or to change the password first."""

    def __init__(self, location: str) -> None:
        super().__init__(location)
        self.location = location


class ConsoleRefusal(Exception):
    """Refuse a console request with ``status``.

    ``explanation`` is an English msgid shown translated on the page (and as the
    problem's detail); ``detail`` is the optional error message of the refused use
    case, holding ids and codes only.
    """

    def __init__(
        self,
        status: int,
        code: str,
        explanation: str,
        detail: str | None = None,
        *,
        back: str = HOME_PATH,
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.explanation = explanation
        self.detail = detail
        self.back = back

    @classmethod
    def of(cls, exc: SkyddError) -> ConsoleRefusal:
        """The refusal of a skydd error raised while authorising a console request."""
        status = http_status_for(exc)
        explanation = {403: NOT_ALLOWED, 400: CHECK_ADDRESS}.get(status, UNANSWERABLE)
        return cls(status, exc.code, explanation, shown_message(exc))


def reader_language(request: Request) -> str:
    """The language of a refusal: ``?lang=`` when offered, else the browser's preference.

    An unknown ``?lang=`` is not refused again here: the refusal would have no language.
    """
    available = catalog_languages()
    requested = request.query_params.get("lang")
    if requested in available:
        return str(requested)
    return negotiate_language(request.headers.get("accept-language"), available) or SOURCE_LANGUAGE


def root_of(request: Request) -> str:
    """The path the app is mounted at ('' at the root)."""
    return str(request.scope.get("root_path", ""))


def refusal_response(request: Request, refusal: ConsoleRefusal) -> Response:
    """The error page or problem document of ``refusal``."""
    language = reader_language(request)
    headers = console_headers(language)
    if prefers_json(request.headers.get("accept")):
        body = {
            "type": PROBLEM_BASE + refusal.code,
            "title": error_title(refusal.status),
            "status": refusal.status,
            "detail": refusal.detail or refusal.explanation,
        }
        return JSONResponse(
            body, status_code=refusal.status, media_type=PROBLEM_JSON, headers=headers
        )
    pages: PageRenderer = request.app.state.web_pages
    root = root_of(request)
    context: dict[str, object] = {
        "root": root,
        "layout": "base.html",
        "org_name": None,
        "status": refusal.status,
        "title": error_title(refusal.status),
        "explanation": refusal.explanation,
        "message": refusal.detail,
        "alternates": [],
        "back_url": f"{root}{refusal.back}",
        "back_label": TO_SIGN_IN if refusal.back == LOGIN_PATH else BACK_TO_CONSOLE,
    }
    return pages.render(
        "error.html", language, context, status_code=refusal.status, headers=headers
    )


def redirect_response(request: Request, location: str) -> RedirectResponse:
    """A 303 to ``location`` (a site path), with the console's headers."""
    headers = console_headers(reader_language(request))
    return RedirectResponse(f"{root_of(request)}{location}", status_code=303, headers=headers)


def install_refusal_handlers(app: FastAPI) -> None:
    """Answer console redirects and refusals wherever a console dependency raises them."""

    @app.exception_handler(ConsoleRedirect)
    async def _redirect(request: Request, exc: ConsoleRedirect) -> Response:
        return redirect_response(request, exc.location)

    @app.exception_handler(ConsoleRefusal)
    async def _refusal(request: Request, exc: ConsoleRefusal) -> Response:
        return refusal_response(request, exc)
