"""Verifying that a request comes from the person it names: an e-mail code, or staff.

A request is worked on only once verified (Art. 12(6): the controller may ask for what
it needs to confirm identity). The usual way is a six-digit code mailed to the address
the request names; whoever can read that mailbox is taken to be that person. Staff may
verify by other means (a call back, a letter with an ID copy) and record why.

The rules here bound guessing: a code is valid for 15 minutes and allows 5 attempts,
so a guesser has 5 in 1,000,000 per code; a new code is sent at most once a minute and
at most 5 times per request, so the mailbox cannot be flooded and guesses cannot be
multiplied by asking for new codes. Codes are stored only as a keyed hash (the caller
hashes; this module never sees a key).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, replace
from enum import StrEnum

from skydd.domain.errors import ConflictError, TooManyAttempts

CODE_DIGITS = 6
VALID_FOR = dt.timedelta(minutes=15)
MAX_ATTEMPTS = 5
RESEND_AFTER = dt.timedelta(minutes=1)
MAX_SENDS = 5


class VerificationMethod(StrEnum):
    """How a request's identity was confirmed."""

    EMAIL_CODE = "email_code"
    MANUAL = "manual"
    CONSENT_RECORD = "consent_record"
    """An erasure a withdrawal of consent made due: the ledger event is the person's word."""


class CodeOutcome(StrEnum):
    """What one attempt at a code came to."""

    VERIFIED = "verified"
    WRONG = "wrong"
    EXPIRED = "expired"
    EXHAUSTED = "exhausted"
    """No attempts left on this code: only a new code helps."""


@dataclass(frozen=True)
class CodeChallenge:
    """The code last sent for a request: its hash, when it lapses, how it was used."""

    code_hash: str
    issued_at: dt.datetime
    attempts: int = 0
    sends: int = 1

    @property
    def expires_at(self) -> dt.datetime:
        """The moment the code stops being accepted."""
        return self.issued_at + VALID_FOR

    def next_send_at(self) -> dt.datetime:
        """The earliest moment another code may be sent."""
        return self.issued_at + RESEND_AFTER


def new_code() -> str:
    """Six random digits from the system's CSPRNG, leading zeros kept."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def issue(previous: CodeChallenge | None, code_hash: str, now: dt.datetime) -> CodeChallenge:
    """The challenge for a freshly sent code; the resend limits are checked here.

    A new code replaces the old one and resets the attempts: the limits on sends
    bound the total number of guesses per request to ``MAX_SENDS * MAX_ATTEMPTS``.
    """
    if previous is None:
        return CodeChallenge(code_hash=code_hash, issued_at=now)
    if previous.sends >= MAX_SENDS:
        msg = "no more codes can be sent for this request; contact the organisation"
        raise ConflictError(msg)
    wait = previous.next_send_at() - now
    if wait > dt.timedelta(0):
        seconds = max(1, int(wait.total_seconds() + 0.999))
        msg = f"a code was sent a moment ago; ask again in {seconds} s"
        raise TooManyAttempts(msg, retry_after=seconds)
    return CodeChallenge(code_hash=code_hash, issued_at=now, sends=previous.sends + 1)


def attempt(
    challenge: CodeChallenge, matches: bool, now: dt.datetime
) -> tuple[CodeChallenge, CodeOutcome]:
    """Try a code: the outcome and the challenge with the attempt counted.

    ``matches`` is whether the hash of the code given equals the stored one; an
    expired or exhausted code is refused even when it matches.
    """
    if challenge.attempts >= MAX_ATTEMPTS:
        return challenge, CodeOutcome.EXHAUSTED
    if now >= challenge.expires_at:
        return challenge, CodeOutcome.EXPIRED
    counted = replace(challenge, attempts=challenge.attempts + 1)
    return counted, CodeOutcome.VERIFIED if matches else CodeOutcome.WRONG


def looks_like_code(text: str) -> bool:
    """True for exactly six ASCII digits (spaces around are the caller's to strip)."""
    return len(text) == CODE_DIGITS and text.isascii() and text.isdigit()
