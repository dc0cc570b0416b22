"""The messages people and staff read about a data subject request, in their language (P17–P19).

Each message is one template under ``templates/requests/``, rendered twice from the
same sentences: as plain text and as HTML, so the two alternatives of a mail cannot
say different things. A template sets ``subject`` and writes its body with the blocks
of ``_blocks.j2``, which print text or HTML by the environment's ``html`` flag.
Sentences are English msgids, translated by the policy's catalog
(:mod:`skydd.documents.localisation`); dates are written out ("25 november 2026").

A message to a person says who sent it (the organisation's legal name and address) and
where to ask (its intake address), all from the register; a language the organisation
does not publish in falls back to its default. The staff reminder takes only request
references, rights and due dates, so it has no way to carry personal data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from skydd.documents.localisation import Localisation, localisation, reader_language
from skydd.domain.errors import InvalidInput
from skydd.domain.policy_terms import N_
from skydd.domain.register import Register
from skydd.domain.request_notices import DueRequest, KeptRecord
from skydd.domain.requests import RequestType
from skydd.domain.schema import text_in

TITLES: dict[RequestType, str] = {
    RequestType.ACCESS: N_("Access to personal data"),
    RequestType.RECTIFICATION: N_("Rectification"),
    RequestType.ERASURE: N_("Erasure"),
    RequestType.RESTRICTION: N_("Restriction of processing"),
    RequestType.PORTABILITY: N_("Data portability"),
    RequestType.OBJECTION: N_("Objection"),
}
"""A request's right as a short title, for subjects and the staff reminder."""

YOUR_REQUEST: dict[RequestType, str] = {
    RequestType.ACCESS: N_("your request for access to your personal data"),
    RequestType.RECTIFICATION: N_("your request for rectification"),
    RequestType.ERASURE: N_("your request for erasure"),
    RequestType.RESTRICTION: N_("your request for restriction of processing"),
    RequestType.PORTABILITY: N_("your request for data portability"),
    RequestType.OBJECTION: N_("your objection"),
}
"""A request as the person is told about it, inside a sentence."""

_CODE = re.compile(r"\d{6}")
_PACKAGED = frozenset({RequestType.ACCESS, RequestType.PORTABILITY})


@dataclass(frozen=True)
class Message:
    """A message ready to send: subject, plain text, and the same as HTML."""

    subject: str
    text: str
    html: str | None


@dataclass(frozen=True)
class Sender:
    """Who a message to a person is from, as the register states it, in their language."""

    name: str
    legal_name: str
    address: str
    email: str | None
    authority: str | None
    authority_website: str | None


def verification_code_message(
    register: Register, language: str, code: str, valid_minutes: int
) -> Message:
    """The six-digit code that confirms a request is the person's own."""
    if not _CODE.fullmatch(code):
        msg = "a verification code is six digits"
        raise InvalidInput(msg)
    if valid_minutes < 1:
        msg = "a code is valid for at least one minute"
        raise InvalidInput(msg)
    return _to_person(
        register, language, "verification_code", code=code, valid_minutes=valid_minutes
    )


def extension_notice(
    register: Register,
    language: str,
    request_type: RequestType,
    received_on: dt.date,
    new_due_on: dt.date,
    reason: str,
) -> Message:
    """Art. 12(3): the answer is extended, why, and the new last day."""
    if new_due_on <= received_on:
        msg = "the new due date must come after the date of receipt"
        raise InvalidInput(msg)
    return _to_person(
        register,
        language,
        "extension_notice",
        **_about(request_type),
        received_on=received_on,
        new_due_on=new_due_on,
        reason=_reason(reason),
    )


def completion_notice(
    register: Register,
    language: str,
    request_type: RequestType,
    download_url: str | None = None,
    link_expires_on: dt.date | None = None,
    downloads_allowed: int | None = None,
    kept: Sequence[KeptRecord] = (),
) -> Message:
    """The request is done: the download link (access, portability) or what was done.

    For access and portability, no ``download_url`` means nothing was found. For
    erasure, ``kept`` lists what the law or an obligation keeps, until when and why.
    """
    if download_url is not None:
        _check_download(request_type, download_url, downloads_allowed)
    if kept and request_type is not RequestType.ERASURE:
        msg = "only an erasure answer lists kept data"
        raise InvalidInput(msg)
    return _to_person(
        register,
        language,
        "completion_notice",
        **_about(request_type),
        download_url=download_url,
        link_expires_on=link_expires_on,
        downloads_allowed=downloads_allowed,
        kept=tuple(kept),
    )


def rejection_notice(
    register: Register, language: str, request_type: RequestType, reason: str
) -> Message:
    """Art. 12(4): why nothing will be done, and the right to complain and go to court."""
    return _to_person(
        register, language, "rejection_notice", **_about(request_type), reason=_reason(reason)
    )


def restriction_lifted_notice(
    register: Register, language: str, request_type: RequestType, reason: str
) -> Message:
    """Art. 18(3): the restriction the person asked for is lifted, and why (sent before)."""
    return _to_person(
        register,
        language,
        "restriction_lifted_notice",
        **_about(request_type),
        reason=_reason(reason),
    )


def staff_reminder(
    language: str, overdue: Sequence[DueRequest], due_soon: Sequence[DueRequest]
) -> Message:
    """The daily list of overdue and soon-due requests: references, rights and dates only."""
    loc = localisation(language)

    def rows(requests: Sequence[DueRequest]) -> list[tuple[str, str, str]]:
        return [(r.reference, loc.gettext(TITLES[r.type]), loc.date(r.due_on)) for r in requests]

    return _render(loc, "staff_reminder", overdue=rows(overdue), due_soon=rows(due_soon))


def sender_of(register: Register, language: str) -> Sender:
    """The organisation as a message to a person names it, in ``language``."""
    org = register.organisation
    loc = localisation(language)
    intake = org.intake() or org.dpo_contact() or next(iter(org.contact_points), None)
    authority = org.supervisory_authority
    address = f"{org.address.street}, {org.address.postal_code} {org.address.city}"
    return Sender(
        name=org.name,
        legal_name=org.legal_name,
        address=f"{address}, {loc.country(org.address.country)}",
        email=intake.email if intake else None,
        authority=text_in(authority.name, language, org.default_language) if authority else None,
        authority_website=authority.website if authority else None,
    )


def _to_person(register: Register, language: str, template: str, **context: Any) -> Message:
    language = reader_language(register, language)
    return _render(
        localisation(language), template, sender=sender_of(register, language), **context
    )


def _render(loc: Localisation, template: str, **context: Any) -> Message:
    """The message of ``requests/<template>.j2``: subject and text, then the same as HTML."""
    name = f"requests/{template}.j2"
    text = loc.environment(html=False).get_template(name).make_module(context)
    html_env = loc.environment(html=True)
    body = Markup(str(html_env.get_template(name).make_module(context)))  # noqa: S704 - autoescaped
    subject = " ".join(str(getattr(text, "subject", "")).split())
    page = html_env.get_template("requests/_layout.html.j2").render(
        language=loc.language, subject=subject, body=body
    )
    return Message(subject=subject, text=_tidy(str(text)), html=page)


def _about(request_type: RequestType) -> dict[str, str]:
    return {
        "type": request_type.value,
        "title": TITLES[request_type],
        "request": YOUR_REQUEST[request_type],
    }


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        msg = "a reason is needed"
        raise InvalidInput(msg)
    return cleaned


def _check_download(request_type: RequestType, url: str, downloads_allowed: int | None) -> None:
    if request_type not in _PACKAGED:
        msg = f"a {request_type.value} answer has no download"
        raise InvalidInput(msg)
    if not url.startswith(("https://", "http://")):
        msg = "a download link is an http(s) URL"
        raise InvalidInput(msg)
    if downloads_allowed is not None and downloads_allowed < 1:
        msg = "a link allows at least one download"
        raise InvalidInput(msg)


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
