"""Use cases of the published policy: render, publish an immutable version, diff (P20, P21)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from skydd.domain.audit import AuditAction
from skydd.domain.clock import Clock
from skydd.domain.errors import PolicyVersionNotFound, UnknownLanguageError
from skydd.domain.policy import (
    POLICY_FORMATS,
    PolicyChange,
    PublishedPolicy,
    RenditionKey,
    policy_content_hash,
    substantive_changes,
    text_diff,
)
from skydd.domain.register import Register
from skydd.services.audit import record
from skydd.services.ports import PolicyRenderer
from skydd.services.register import resolve_organisation
from skydd.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class Publication:
    """The outcome of publishing: the version, and whether it is new."""

    policy: PublishedPolicy
    created: bool


@dataclass(frozen=True)
class PolicyDiff:
    """What changed between two published versions, in substance and in text."""

    old_number: int
    new_number: int
    language: str
    changes: list[PolicyChange]
    text: str


def check_language(register: Register, language: str) -> str:
    """Refuse a language the organisation does not publish in."""
    if language not in register.organisation.languages:
        published = ", ".join(register.organisation.languages)
        msg = f"that language is not published; choose one of: {published}"
        raise UnknownLanguageError(msg)
    return language


def render_policy(renderer: PolicyRenderer, register: Register) -> dict[RenditionKey, str]:
    """Every rendition of the policy: each published language in each format."""
    return {
        (lang, fmt): renderer.render(register, lang, fmt)
        for lang in register.organisation.languages
        for fmt in POLICY_FORMATS
    }


def publish_policy(
    uow: UnitOfWork,
    clock: Clock,
    renderer: PolicyRenderer,
    organisation_key: str | None,
    effective_on: dt.date | None = None,
    *,
    actor: str = "system",
    origin: str = "local",
) -> Publication:
    """Publish the current register's policy as the next version, in one transaction.

    Publishing unchanged content returns the existing version instead of a copy. A new
    version is audited (``policy.published``) in the same transaction.
    """
    with uow:
        org_id = resolve_organisation(uow, organisation_key)
        stored = uow.registers.latest(org_id)
        if stored is None:
            msg = "the organisation has no stored register"
            raise PolicyVersionNotFound(msg)
        renditions = render_policy(renderer, stored.register)
        content_hash = policy_content_hash(renditions)
        latest = uow.policies.latest(org_id)
        if latest is not None and latest.content_hash == content_hash:
            return Publication(latest, created=False)
        policy = PublishedPolicy(
            number=(latest.number + 1) if latest else 1,
            content_hash=content_hash,
            effective_on=effective_on or clock.today(),
            published_at=clock.now(),
            register_hash=stored.content_hash,
            renditions=renditions,
        )
        uow.policies.add(org_id, stored.id, policy)
        record(
            uow,
            clock,
            actor=actor,
            action=AuditAction.POLICY_PUBLISHED,
            target=f"policy:{policy.number}",
            origin=origin,
            organisation=stored.register.organisation.key,
            details={
                "content_hash": content_hash,
                "effective_on": policy.effective_on.isoformat(),
            },
        )
        uow.commit()
    return Publication(policy, created=True)


def published_policy(
    uow: UnitOfWork, organisation_key: str | None, number: int | None = None
) -> PublishedPolicy:
    """A published version by number, or the newest one."""
    with uow:
        org_id = resolve_organisation(uow, organisation_key)
        policy = uow.policies.latest(org_id) if number is None else uow.policies.get(org_id, number)
    if policy is None:
        msg = "no policy has been published" if number is None else f"no policy version {number}"
        raise PolicyVersionNotFound(msg)
    return policy


def published_numbers(uow: UnitOfWork, organisation_key: str | None) -> list[int]:
    """The numbers of every published version, ascending."""
    with uow:
        return uow.policies.numbers(resolve_organisation(uow, organisation_key))


def diff_policies(
    uow: UnitOfWork, organisation_key: str | None, old: int, new: int, language: str
) -> PolicyDiff:
    """What changed from ``old`` to ``new``: substance from registers, text from Markdown."""
    with uow:
        org_id = resolve_organisation(uow, organisation_key)
        versions = [uow.policies.get(org_id, n) for n in (old, new)]
        missing = [n for n, v in zip((old, new), versions, strict=True) if v is None]
        if missing:
            msg = f"no policy version {missing[0]}"
            raise PolicyVersionNotFound(msg)
        registers = [
            uow.registers.get(uow.policies.register_version_of(org_id, n)).register
            for n in (old, new)
        ]
    old_policy, new_policy = versions
    assert old_policy is not None and new_policy is not None  # noqa: S101 - checked above
    check_language(registers[1], language)
    old_text = old_policy.rendition(language, "markdown") or ""
    new_text = new_policy.rendition(language, "markdown") or ""
    return PolicyDiff(
        old_number=old,
        new_number=new,
        language=language,
        changes=substantive_changes(registers[0], registers[1]),
        text=text_diff(old_text, new_text, f"v{old}/{language}", f"v{new}/{language}"),
    )
