"""What a policy page shows, gathered through the policy and register use cases."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from skydd.bootstrap import Container
from skydd.domain.errors import InvalidInput, PolicyVersionNotFound
from skydd.domain.policy import PublishedPolicy
from skydd.services.policy import published_numbers, published_policy
from skydd.services.register import current_register

_VERSION = re.compile(r"[0-9]{1,9}")

FORMATS = {"html": "html", "markdown": "markdown", "md": "markdown"}
"""Values of ``?format=`` and the rendition format each one serves."""


@dataclass(frozen=True)
class PolicyView:
    """A published version with what its page needs around it."""

    policy: PublishedPolicy
    organisation_name: str
    languages: list[str]
    organisation_language: str
    latest_number: int

    @property
    def default_language(self) -> str:
        """The organisation's default language, or the first this version has."""
        if self.organisation_language in self.languages:
            return self.organisation_language
        return self.languages[0]

    @property
    def is_current(self) -> bool:
        """Whether this is the version in effect now."""
        return self.policy.number == self.latest_number


def load_current_view(container: Container) -> PolicyView:
    """The version in effect of the organisation served.

    Raises:
        NotFoundError: no register is loaded or nothing is published.
    """
    key = container.organisation_key
    organisation = current_register(container.uow(), key).register.organisation
    policy = published_policy(container.uow(), key)
    return PolicyView(
        policy=policy,
        organisation_name=organisation.name,
        languages=_in_register_order(policy.languages, organisation.languages),
        organisation_language=organisation.default_language,
        latest_number=policy.number,
    )


def load_version_view(container: Container, current: PolicyView, number: int) -> PolicyView:
    """Version ``number``, seen from the version in effect ``current``.

    Raises:
        PolicyVersionNotFound: no version has that number.
    """
    if number == current.policy.number:
        return current
    policy = published_policy(container.uow(), container.organisation_key, number)
    return replace(
        current, policy=policy, languages=_in_register_order(policy.languages, current.languages)
    )


def _in_register_order(published: list[str], preferred: list[str]) -> list[str]:
    """``published`` in the organisation's order of languages, unknown ones last."""
    rank = {lang: i for i, lang in enumerate(preferred)}
    return sorted(published, key=lambda lang: (rank.get(lang, len(rank)), lang))


def load_versions(container: Container) -> list[PublishedPolicy]:
    """Every published version, newest first."""
    key = container.organisation_key
    numbers = published_numbers(container.uow(), key)
    return [published_policy(container.uow(), key, n) for n in reversed(numbers)]


def parse_version(text: str) -> int:
    """The version number in a URL segment; anything but digits names no version."""
    if not _VERSION.fullmatch(text):
        msg = "no policy version with that number"
        raise PolicyVersionNotFound(msg)
    return int(text)


def rendition_format(requested: str | None) -> str:
    """The rendition format ``?format=`` asks for; HTML when absent."""
    if requested is None:
        return "html"
    if requested not in FORMATS:
        msg = "that format is not offered; choose html or markdown"
        raise InvalidInput(msg)
    return FORMATS[requested]
