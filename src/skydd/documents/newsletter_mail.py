"""Mail about newsletters and consent renewals, in the reader's language (P5, P20).

Three messages, each one template under ``templates/newsletter/`` rendered as plain
text and as HTML from the same sentences (the blocks of ``requests/_blocks.j2``):

- the **confirmation** of a subscription (double opt-in): the signed link and its expiry;
- the **renewal** request for a consent given to a purpose that has changed since;
- the **welcome** mail, the first newsletter mail a subscriber gets.

Every newsletter mail (:func:`newsletter_message`) carries the unsubscribe link twice:
in its body, and in the ``List-Unsubscribe`` and ``List-Unsubscribe-Post`` headers of
RFC 8058, so a mail client can offer one-click unsubscribe. The confirmation and the
renewal are not newsletter mail (they answer the person's own act), so they carry none.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from skydd.documents.localisation import localisation, reader_language
from skydd.documents.request_messages import sender_of
from skydd.domain.errors import InvalidInput
from skydd.domain.register import Register
from skydd.domain.schema import text_in

ONE_CLICK = "List-Unsubscribe=One-Click"
"""The value of ``List-Unsubscribe-Post`` (RFC 8058 §3.1), and the body a client POSTs."""


@dataclass(frozen=True)
class NewsletterMessage:
    """A message ready to send; ``headers`` are added to the mail as they stand."""

    subject: str
    text: str
    html: str | None
    headers: dict[str, str] = field(default_factory=dict)


class NewsletterMailWriter:
    """The :class:`~skydd.services.ports.NewsletterMail` port: writes from the register."""

    def confirmation(
        self, register: Register, purpose: str, language: str, url: str, expires_at: dt.datetime
    ) -> NewsletterMessage:
        """Double opt-in: the link that confirms a subscription, and until when it works."""
        return _linked(register, purpose, language, "confirmation", url, expires_at)

    def renewal(
        self, register: Register, purpose: str, language: str, url: str, expires_at: dt.datetime
    ) -> NewsletterMessage:
        """The purpose has changed since consent was given: what it is now, and the link."""
        return _linked(register, purpose, language, "renewal", url, expires_at)

    def welcome(
        self, register: Register, purpose: str, language: str, unsubscribe_url: str
    ) -> NewsletterMessage:
        """The first newsletter mail: what the person now gets, and how to stop it."""
        return newsletter_message(register, purpose, language, "welcome", unsubscribe_url)


def newsletter_message(
    register: Register,
    purpose: str,
    language: str,
    template: str,
    unsubscribe_url: str,
    **context: Any,
) -> NewsletterMessage:
    """A newsletter mail to one subscriber: ``newsletter/<template>.j2``, with the unsubscribe.

    The link ends the body (``b.unsubscribe``) and fills ``List-Unsubscribe``;
    ``List-Unsubscribe-Post`` says a POST of :data:`ONE_CLICK` to it unsubscribes
    (RFC 8058), which mail clients offer as a button. The URL must be HTTPS in
    production (RFC 8058 §3.1); it is whatever ``public_url`` makes it here.
    """
    _check_url(unsubscribe_url)
    message = _message(
        register, purpose, language, template, unsubscribe_url=unsubscribe_url, **context
    )
    headers = {"List-Unsubscribe": f"<{unsubscribe_url}>", "List-Unsubscribe-Post": ONE_CLICK}
    return NewsletterMessage(message.subject, message.text, message.html, headers)


def _linked(
    register: Register,
    purpose: str,
    language: str,
    template: str,
    url: str,
    expires_at: dt.datetime,
) -> NewsletterMessage:
    _check_url(url)
    at = expires_at.astimezone(dt.UTC)
    return _message(
        register,
        purpose,
        language,
        template,
        url=url,
        expires_on=at.date(),
        expires_time=at.strftime("%H:%M"),
    )


def _message(
    register: Register, purpose_key: str, language: str, template: str, **context: Any
) -> NewsletterMessage:
    """The message of ``newsletter/<template>.j2``: subject and text, then the same as HTML."""
    purpose = register.purpose(purpose_key)
    if purpose is None:
        msg = f"the register has no purpose {purpose_key!r}"
        raise InvalidInput(msg)
    language = reader_language(register, language)
    default = register.organisation.default_language
    loc = localisation(language)
    context |= {
        "sender": sender_of(register, language),
        "purpose": text_in(purpose.name, language, default),
        "description": text_in(purpose.description, language, default).strip(),
    }
    name = f"newsletter/{template}.j2"
    text = loc.environment(html=False).get_template(name).make_module(context)
    html_env = loc.environment(html=True)
    body = Markup(str(html_env.get_template(name).make_module(context)))  # noqa: S704 - autoescaped
    subject = " ".join(str(getattr(text, "subject", "")).split())
    page = html_env.get_template("requests/_layout.html.j2").render(
        language=language, subject=subject, body=body
    )
    return NewsletterMessage(subject=subject, text=_tidy(str(text)), html=page)


def _check_url(url: str) -> None:
    if not url.startswith(("https://", "http://")) or any(c.isspace() for c in url):
        msg = "a link in a mail is an http(s) URL without spaces"
        raise InvalidInput(msg)


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n") + "\n"
