"""The one error tree of skydd.

Every error skydd raises on purpose derives from :class:`SkyddError`, so adapters
map them in one place (problem+json in the API, an error page on the web, one line
and exit code 2 on the command line). Errors carry ids, keys and codes, never
personal data::

    SkyddError
    ├── InvalidInput            bad input from a person or a file (HTTP 400/422, CLI 2)
    │   ├── InvalidRegisterError   a register folder that does not validate
    │   └── UnknownLanguageError   a language the organisation does not publish in
    ├── NotFoundError           a thing that does not exist (HTTP 404)
    │   └── PolicyVersionNotFound
    ├── ConflictError           a state that refuses the change (HTTP 409)
    │   └── AuditLogUnreadable     a stored audit event no longer decodes
    ├── AccessDenied            need-to-know said no (HTTP 403)
    ├── AuthenticationFailed    wrong, unknown, locked, disabled, expired or revoked
    │                           credentials, one message for all (HTTP 401)
    └── InternalError           skydd's own data or set-up is at fault, not the request
        │                       (HTTP 500 with a generic body; the message is logged)
        ├── DecryptionError        a stored field token is corrupt or its key is missing
        └── KeyringError           the key file or inline keyring is missing or malformed
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

_Choice = TypeVar("_Choice", bound=StrEnum)


class SkyddError(Exception):
    """Base of every error skydd raises on purpose."""

    code: str = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(SkyddError):
    """The input is malformed or refers to things that do not exist."""

    code = "invalid-input"


class InvalidLink(InvalidInput):
    """A signed link that is forged, truncated, or made for something else."""

    code = "invalid-link"


class LinkExpired(InvalidLink):
    """A genuine signed link past its expiry."""

    code = "link-expired"


def parse_choice(kind: type[_Choice], value: str, unknown: str) -> _Choice:
    """The member of ``kind`` that ``value`` names (any case, spaces around ignored).

    Otherwise :class:`InvalidInput` saying ``unknown`` and listing the known values;
    the input itself is never repeated.
    """
    try:
        return kind(value.strip().lower())
    except ValueError:
        known = ", ".join(member.value for member in kind)
        msg = f"{unknown}; known: {known}"
        raise InvalidInput(msg) from None


@dataclass(frozen=True)
class RegisterProblem:
    """One problem in a register folder, located by file, line and field path."""

    file: str
    line: int | None
    field: str
    message: str

    def describe(self) -> str:
        """Render as ``file:line: field: message``, the form editors jump to."""
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.field}: {self.message}"


class InvalidRegisterError(InvalidInput):
    """A register folder failed to parse or validate; ``problems`` lists each one."""

    code = "invalid-register"

    def __init__(self, problems: list[RegisterProblem]) -> None:
        first = problems[0].describe() if problems else "invalid register"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(first + more)
        self.problems = problems


class UnknownLanguageError(InvalidInput):
    """A language was asked for that the organisation does not publish in."""

    code = "unknown-language"


class NotFoundError(SkyddError):
    """The thing asked for does not exist."""

    code = "not-found"


class PolicyVersionNotFound(NotFoundError):
    """No published policy version has that number."""

    code = "policy-version-not-found"


class ConflictError(SkyddError):
    """The current state refuses the change."""

    code = "conflict"


class AuditLogUnreadable(ConflictError):
    """A stored audit event no longer decodes; ``skydd audit verify`` names it."""

    code = "audit-log-unreadable"


class TooManyAttempts(SkyddError):
    """Asked too often: a code resent within the minute, or the public intake's limit.

    ``retry_after`` is the number of seconds after which asking again can succeed.
    """

    code = "too-many-attempts"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class MailNotSent(SkyddError):
    """The mail server did not take a message; says which server, never the recipient."""

    code = "mail-not-sent"


class AccessDenied(SkyddError):
    """Need-to-know refused the action."""

    code = "access-denied"


class AuthenticationFailed(SkyddError):
    """Sign-in or token refused; the message is the same whatever the reason.

    Whether the user exists, the password was wrong, the account is locked or the
    token revoked is never told apart: the audit log records the reason instead.
    """

    code = "authentication-failed"

    def __init__(self, message: str = "invalid credentials") -> None:
        super().__init__(message)


class InternalError(SkyddError):
    """Skydd's own stored data or configuration is at fault, not the request.

    Nothing the caller can change fixes it, so adapters answer 500 and show only the
    code; the message (which may name a key id or a file, never personal data) goes
    to the log for the operator.
    """

    code = "internal"


class DecryptionError(InternalError):
    """A token is malformed, names a key the keyring lacks, or fails authentication.

    Authentication fails when the token was altered, belongs to another context
    (row, column) or category, or was made under another key. The message names
    the key id at most, never the plaintext or the context.
    """

    code = "decryption-failed"


class KeyringError(InternalError):
    """The key file or inline keyring is missing or malformed; says where, never what.

    At request time this is a misconfigured server, hence an internal error rather
    than bad input; on the command line it is one line and exit code 2 like any other.
    """

    code = "keyring-invalid"
