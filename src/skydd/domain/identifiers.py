"""Identities a data subject is found by: e-mail, phone number and personnummer.

skydd finds a person's records through a blind index (a keyed hash) of these
identifiers, so two spellings of the same identity must normalise to the same
string, or an access or erasure request silently misses records. Each function
validates and returns one canonical form.

Errors never repeat the input: the input is personal data, and error messages end
up in logs, problem+json bodies and terminals. For the same reason, exceptions from
the validating libraries are suppressed (``from None``): their messages quote it.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

import phonenumbers
from personnummer.personnummer import Personnummer, PersonnummerException

from skydd.domain.errors import InvalidInput


class IdentifierKind(StrEnum):
    """The kinds of identifier a person can be looked up by."""

    EMAIL = "email"
    PHONE = "phone"
    PERSONNUMMER = "personnummer"


@dataclass(frozen=True)
class Identifier:
    """A validated identifier in canonical form; build it with a ``normalise_*`` function.

    ``value`` is left out of ``repr`` so an identifier in a log line or traceback
    shows its kind only.
    """

    kind: IdentifierKind
    value: str = field(repr=False)


_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-\u0080-\U0010ffff]+"
_LOCAL_PART = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
"""Dot-separated atoms, none empty: an unquoted local part (RFC 5322 dot-atom)."""
_DOMAIN_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def normalise_email(raw: str) -> Identifier:
    """Validate an e-mail address; lowercase it whole (local part included), NFC.

    RFC 5321 lets a server treat ``Anna`` and ``anna`` as different mailboxes, but
    practically none does, and a request that misses records because the person
    typed a capital is worse than a match that identity verification then
    confirms. Dots and ``+tags`` are kept: ignoring them is one provider's rule.
    Quoted local parts are refused; international domains are stored as IDNA
    (``xn--``) so both spellings match.
    """
    text = raw.strip()
    if not text.isascii():  # ASCII is already NFC; a bulk check reads 100,000 at a time
        text = unicodedata.normalize("NFC", text)
    local, at, domain = text.rpartition("@")
    if not at or not local or len(local) > 64 or len(text) > 254:  # RFC 5321 limits
        raise InvalidInput("not a valid e-mail address")
    if _LOCAL_PART.fullmatch(local) is None:
        raise InvalidInput("not a valid e-mail address")
    return Identifier(IdentifierKind.EMAIL, f"{local.lower()}@{_ascii_domain(domain)}")


@functools.lru_cache(maxsize=1024)
def _ascii_domain(domain: str) -> str:
    """The domain as lowercase IDNA, validated; remembered per domain (IDNA is slow).

    A bulk check reads thousands of addresses at a handful of domains. An invalid
    domain raises, and exceptions are not remembered.
    """
    try:
        ascii_domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError:
        raise InvalidInput("not a valid e-mail address") from None
    labels = ascii_domain.split(".")
    if (
        len(labels) < 2  # a host and a top-level domain
        or len(ascii_domain) > 253  # RFC 1035
        or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
    ):
        raise InvalidInput("not a valid e-mail address")
    return ascii_domain


def normalise_phone(raw: str, *, default_region: str) -> Identifier:
    """Validate a phone number and format it as E.164 (``+46701740605``).

    ``default_region`` (the organisation's country, e.g. ``SE``) reads numbers
    written without a country code, as people write them at home.
    """
    region = default_region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        msg = f"{default_region!r} is not a region with a phone numbering plan"
        raise InvalidInput(msg)
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        raise InvalidInput("not a valid phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput("not a valid phone number")
    return Identifier(
        IdentifierKind.PHONE,
        phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
    )


_PERSONNUMMER = re.compile(r"(?P<century>\d{2})?(?P<yymmdd>\d{6})(?P<sep>[-+]?)(?P<serial>\d{4})")


def normalise_personnummer(raw: str, *, today: dt.date) -> Identifier:
    """Validate a personnummer or coordination number; return 12 digits, YYYYMMDDNNNN.

    The short form (YYMMDD-NNNN) names no century: ``-`` means the person turns
    at most 99 this year and ``+`` at least 100 (Skatteverket's rule, which
    ``personnummer`` applies against the system clock). skydd applies it against
    ``today``, handed in, so the result does not depend on when the code runs.
    So ``121212-1212`` is born 2012 and ``121212+1212`` born 1912. A birth date
    after ``today`` is refused.
    """
    match = _PERSONNUMMER.fullmatch(raw.strip())
    if match is None:
        raise InvalidInput("not a valid personnummer")
    yymmdd, serial = match["yymmdd"], match["serial"]
    if match["century"] is not None:
        year = int(match["century"] + yymmdd[:2])
    else:
        base = today.year - 100 if match["sep"] == "+" else today.year
        year = base - (base - int(yymmdd[:2])) % 100
    digits = f"{year:04d}{yymmdd[2:]}{serial}"
    try:
        # The library reads the clock for the separator only, which is not used here.
        born_on = Personnummer(digits).get_date()
    except (PersonnummerException, ValueError):
        raise InvalidInput("not a valid personnummer") from None
    if born_on > today:
        raise InvalidInput("not a valid personnummer: the birth date is in the future")
    return Identifier(IdentifierKind.PERSONNUMMER, digits)
