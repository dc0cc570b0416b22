"""What a staff member's new password must satisfy when they change it themselves.

The password policy of :func:`skydd.domain.credentials.check_password` (length, not
the user name) plus the two rules of a change form: the new password is typed twice
alike, and it differs from the current one (a one-time password set again would
defeat ``must_change_password``). Each refusal carries a :class:`PasswordRule`, so
the web console can say what is wrong in the reader's language; messages never
quote a password.
"""

from __future__ import annotations

from enum import StrEnum

from skydd.domain.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from skydd.domain.errors import InvalidInput


class PasswordRule(StrEnum):
    """The rule a new password broke."""

    TOO_SHORT = "too-short"
    TOO_LONG = "too-long"
    IS_USERNAME = "is-username"
    MISMATCH = "mismatch"
    UNCHANGED = "unchanged"


_MESSAGES = {
    PasswordRule.TOO_SHORT: f"a password has at least {MIN_PASSWORD_LENGTH} characters",
    PasswordRule.TOO_LONG: f"a password has at most {MAX_PASSWORD_LENGTH} characters",
    PasswordRule.IS_USERNAME: "a password must differ from the user name",
    PasswordRule.MISMATCH: "the new password and its confirmation differ",
    PasswordRule.UNCHANGED: "the new password must differ from the current one",
}


class PasswordChangeRefused(InvalidInput):
    """The new password breaks :attr:`rule`; nothing was changed."""

    code = "password-change-refused"

    def __init__(self, rule: PasswordRule) -> None:
        super().__init__(_MESSAGES[rule])
        self.rule = rule


def check_password_change(
    username: str, current_password: str, new_password: str, confirmation: str
) -> None:
    """Refuse a new password that breaks a rule, checking the cheapest rules first.

    Raises:
        PasswordChangeRefused: with the first rule broken.
    """
    if new_password != confirmation:
        raise PasswordChangeRefused(PasswordRule.MISMATCH)
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise PasswordChangeRefused(PasswordRule.TOO_SHORT)
    if len(new_password) > MAX_PASSWORD_LENGTH:
        raise PasswordChangeRefused(PasswordRule.TOO_LONG)
    if new_password.casefold() == username.casefold():
        raise PasswordChangeRefused(PasswordRule.IS_USERNAME)
    if new_password == current_password:
        raise PasswordChangeRefused(PasswordRule.UNCHANGED)
