"""``GET /consent.js``: the cookie banner as one script, embeddable on any site (P9).

The script is ``static/consent/banner.js`` with a JSON configuration put in place of
its ``/*CONFIG*/ null``: the banner's version, its purposes and trackers and every text
in both languages (from the Babel catalog), the URLs of the recording endpoint, of
itself and of the policy (from ``SKYDD_SERVER__PUBLIC_URL``), and its stylesheet. One
request brings everything; the banner fetches nothing more until the visitor chooses.

The rendered script is kept per register content and public URL, so a request costs
the lookup of the newest register and the banner's version. It may be cached for five
minutes and revalidated by its ETag; skydd sets no cookie on it. ADR 0022.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from skydd.documents.localisation import localisation
from skydd.domain.banner import BANNER_LANGUAGES, shown_in
from skydd.domain.errors import SkyddError
from skydd.services.banner import CurrentBanner, current_banner
from skydd.web.deps import ContainerDep
from skydd.web.errors import http_status_for

router = APIRouter(include_in_schema=False)

SOURCE = Path(__file__).parent / "static" / "consent"
PLACEHOLDER = "/*CONFIG*/ null"
MEDIA_TYPE = "text/javascript; charset=utf-8"
CACHE_CONTROL = "public, max-age=300"
RECORDING_PATH = "/api/v1/consent/banner"


@dataclass(frozen=True)
class BannerScript:
    """One rendering of the script, and its entity tag."""

    body: bytes
    etag: str


class BannerScripts:
    """The last rendered script, by register content and public URL; a new one replaces it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: tuple[tuple[str, str, str], BannerScript] | None = None
        self._template = _compact_js((SOURCE / "banner.js").read_text(encoding="utf-8"))
        self._css = _compact_css((SOURCE / "banner.css").read_text(encoding="utf-8"))

    def script(self, shown: CurrentBanner, public_url: str) -> BannerScript:
        """The script of ``shown`` served from ``public_url``, rendered once."""
        key = (shown.register_hash, shown.version, public_url)
        with self._lock:
            if self._kept is not None and self._kept[0] == key:
                return self._kept[1]
        body = self.render(shown, public_url).encode("utf-8")
        made = BannerScript(body, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
        with self._lock:
            self._kept = (key, made)
        return made

    def render(self, shown: CurrentBanner, public_url: str) -> str:
        """The script's text: the template with its configuration in place."""
        config = json.dumps(
            script_config(shown, public_url, self._css), ensure_ascii=False, separators=(",", ":")
        )
        # Safe inside a script whatever the register says (JSON is already valid JS).
        for raw, escaped in (("</", "<\\/"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
            config = config.replace(raw, escaped)
        return self._template.replace(PLACEHOLDER, config, 1)


def script_config(shown: CurrentBanner, public_url: str, css: str) -> dict[str, object]:
    """What the script reads: short keys, since every byte is sent to every visitor."""
    base = public_url.rstrip("/")
    banner = shown.banner
    return {
        "v": shown.version,
        "u": base + RECORDING_PATH,
        "s": base + "/consent.js",
        "h": {
            lang: f"{base}/policy" + (f"?lang={lang}" if lang in banner.languages else "")
            for lang in BANNER_LANGUAGES
        },
        "d": banner.default_language,
        "k": list(banner.purpose_keys),
        "g": {category: list(needs) for category, needs in banner.categories.items()},
        "l": {lang: shown_in(banner, lang, localisation(lang)) for lang in BANNER_LANGUAGES},
        "css": css,
    }


def get_scripts(request: Request) -> BannerScripts:
    """The script cache ``routes.install`` put on the app."""
    scripts: BannerScripts = request.app.state.consent_scripts
    return scripts


@router.get("/consent.js")
def consent_script(
    request: Request,
    container: ContainerDep,
    scripts: Annotated[BannerScripts, Depends(get_scripts)],
) -> Response:
    """The banner script of the register in force; 304 when the client's copy is current."""
    try:
        shown = current_banner(container.uow(), container.organisation_key, localisation)
    except SkyddError as exc:
        # A script tag shows no error page: a comment says why, the status says it failed.
        body = f"/* skydd: no cookie banner ({exc.code}) */\n"
        return Response(body, status_code=http_status_for(exc), media_type=MEDIA_TYPE)
    script = scripts.script(shown, container.settings.server.public_url)
    headers = {
        "ETag": script.etag,
        "Cache-Control": CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff",
        "Vary": "Accept-Encoding",
    }
    if script.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(script.body, media_type=MEDIA_TYPE, headers=headers)


def _etags(header: str) -> set[str]:
    """The entity tags of an ``If-None-Match`` header (weak ones compare as strong)."""
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def _compact_js(text: str) -> str:
    """The script without comment lines and indentation; line breaks stay, so nothing else changes.

    The source is written for this: no comment shares a line with code but the placeholder,
    and no string or template literal spans lines.
    """
    kept = (line.strip() for line in text.splitlines())
    return "\n".join(line for line in kept if line and not line.startswith(("/*", "*"))) + "\n"


def _compact_css(text: str) -> str:
    """The stylesheet without comments and needless whitespace (it ships in every script)."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.DOTALL)
    text = re.sub(r"\s+", " ", text)
    return re.sub(r"\s*([{}:;,>])\s*", r"\1", text).replace(";}", "}").strip()
