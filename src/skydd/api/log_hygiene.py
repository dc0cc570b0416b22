"""A logging filter that keeps e-mail addresses, phone numbers and personnummer out of logs.

skydd's own code logs ids and codes, never personal data (STYLE §8.6); this filter is
the second line, for libraries and mistakes. It rewrites each record's message (with
its arguments merged in), its formatted traceback and its stack into a redacted text,
so every handler it sits on writes ``[email]``, ``[phone]`` and ``[personnummer]``
instead of the values.

A filter on a *logger* sees only records logged on that very logger, so
:func:`install_log_hygiene` puts it on the *handlers* of the root logger and of
uvicorn's loggers, which see everything that is written anywhere.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
PERSONNUMMER = re.compile(
    r"(?<![\d+])(?:19|20)?\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]|6[1-9]|[78]\d|9[01])"
    r"[-+]?\d{4}(?!\d)"
)
"""Personal and coordination numbers, 10 or 12 digits, with or without the separator."""
PHONE = re.compile(
    r"(?<![\w+])(?:\+|00)\d{1,3}(?:[\s\-]?\(?\d\)?){6,14}(?!\d)"  # E.164 and 00-prefixed
    r"|(?<![\w+])0\d{1,3}[\s\-/]?\d{2,3}(?:[\s\-]?\d{2}){2}(?!\d)"  # Swedish: 070-174 06 05
)
"""International numbers (``+46701740605``, ``0046 70 …``) and Swedish national ones."""

PATTERNS = ((EMAIL, "[email]"), (PERSONNUMMER, "[personnummer]"), (PHONE, "[phone]"))
"""Personnummer before phone numbers: a 10-digit personnummer also looks like a number."""

UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def redact(text: str) -> str:
    """``text`` with every e-mail address, personnummer and phone number replaced."""
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class PersonalDataFilter(logging.Filter):
    """Redacts personal data from a record before a handler formats it; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Merge the arguments into the message, and redact message, traceback and stack."""
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = f"{record.msg} {record.args!r}"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install_log_hygiene(logger_names: Iterable[str] = ("", *UVICORN_LOGGERS)) -> None:
    """Put one :class:`PersonalDataFilter` on every handler of the named loggers (idempotent)."""
    for name in logger_names:
        for handler in logging.getLogger(name).handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())
