"""Rules on the published policy texts: languages, and the processors they name (P13, P15, P20).

The policy's list of third parties is a promise about who gets data; it must
match the register in both directions. Only ``PolicyText.named_processors`` is
authoritative for what the policy names: free prose is not parsed for company
names, because a name in prose ("we host in Azure") is not a list of recipients.
Names match a processor's ``name`` or any of its ``aliases``, ignoring case and
runs of whitespace, so "G Suite (Google)" matches when it is listed as an alias.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity
from skydd.domain.register import FieldPath, Register
from skydd.domain.schema import LocalizedText


def normalise_name(name: str) -> str:
    """A processor name as compared: case-folded, whitespace collapsed."""
    return " ".join(name.casefold().split())


def _registered_names(register: Register) -> set[str]:
    return {normalise_name(n) for s in register.processors() for n in s.names()}


def _unregistered(register: Register) -> Iterator[Hit]:
    known = _registered_names(register)
    for language, text in register.policy.items():
        for j, name in enumerate(text.named_processors):
            if normalise_name(name) not in known:
                yield (
                    ("policy", language, "named_processors", j),
                    f"the {language} policy names processor '{name}', which matches no "
                    "processor's name or alias in the register",
                )


def _unnamed(register: Register) -> Iterator[Hit]:
    for language, text in register.policy.items():
        if not text.named_processors:
            continue
        named = {normalise_name(n) for n in text.named_processors}
        for system in register.processors():
            if not named & {normalise_name(n) for n in system.names()}:
                yield (
                    ("policy", language, "named_processors"),
                    f"processor '{system.key}' is not named in the {language} policy",
                )


def _missing_policy_language(register: Register) -> Iterator[Hit]:
    if not register.policy:
        return
    for i, language in enumerate(register.organisation.languages):
        if language not in register.policy:
            yield (
                ("organisation", "languages", i),
                f"the organisation publishes in {language} but has no {language} policy text",
            )


def _localized_texts(register: Register) -> Iterator[tuple[FieldPath, str, LocalizedText]]:
    """Every register text the policy shows, with its path and a description."""
    for i, p in enumerate(register.purposes):
        yield ("purposes", i, "name"), f"purpose '{p.key}' has no name", p.name
        yield ("purposes", i, "description"), f"purpose '{p.key}' has no description", p.description
    for i, c in enumerate(register.data_categories):
        yield ("data_categories", i, "name"), f"data category '{c.key}' has no name", c.name
    for i, s in enumerate(register.data_subjects):
        yield ("data_subjects", i, "name"), f"data subject '{s.key}' has no name", s.name
    for i, r in enumerate(register.recipients):
        yield ("recipients", i, "name"), f"recipient '{r.key}' has no name", r.name
    authority = register.organisation.supervisory_authority
    if authority is not None:
        path = ("organisation", "supervisory_authority", "name")
        yield path, "the supervisory authority has no name", authority.name


def _missing_localized(register: Register) -> Iterator[Hit]:
    languages = register.organisation.languages
    for path, what, text in _localized_texts(register):
        missing = [language for language in languages if not text.get(language)]
        if missing:
            yield path, f"{what} in {', '.join(missing)}"


POLICY_NAMES_UNREGISTERED_PROCESSOR = Rule(
    id="SKY050",
    name="policy-names-unregistered-processor",
    title="Policy names a processor the register does not have",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 13(1)(e), Art. 28, Art. 30(1)(d)",
    description="Each entry of a policy text's `named_processors` must be the name or an alias "
    "of a processor in the register; otherwise data goes to a party with no agreement or "
    "connector on record (P13, P15).",
    fix="Register the processor as a system of kind processor, or add the policy's spelling to "
    "the existing processor's `aliases`, or remove the name from the policy.",
    check=_unregistered,
)

PROCESSOR_NOT_NAMED_IN_POLICY = Rule(
    id="SKY051",
    name="processor-not-named-in-policy",
    title="Registered processor missing from the policy's list",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 13(1)(e)",
    description="When a policy text lists processors by name, the list must be complete: every "
    "processor in the register appears under its name or an alias.",
    fix="Add the processor's name to the policy text's `named_processors`, or add the name the "
    "policy uses to the processor's `aliases`.",
    check=_unnamed,
)

POLICY_TEXT_MISSING_LANGUAGE = Rule(
    id="SKY052",
    name="policy-text-missing-language",
    title="No policy text in a published language",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 12(1)",
    description="Every language in `organisation.languages` is one the policy is published in; "
    "each needs its own policy text.",
    fix="Add a `policy.<language>` text (at least its title), or remove the language from "
    "`organisation.languages`.",
    check=_missing_policy_language,
)

LOCALIZED_TEXT_MISSING_LANGUAGE = Rule(
    id="SKY053",
    name="localized-text-missing-language",
    title="Register text missing in a published language",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 12(1)",
    description="Names and descriptions of purposes, data categories, data subjects, recipients "
    "and the supervisory authority appear in the policy; each needs every published language, "
    "or that policy mixes languages.",
    fix="Add the missing language to the text, e.g. `name: {sv: ..., en: ...}`.",
    check=_missing_localized,
)

RULES: tuple[Rule, ...] = (
    POLICY_NAMES_UNREGISTERED_PROCESSOR,
    PROCESSOR_NOT_NAMED_IN_POLICY,
    POLICY_TEXT_MISSING_LANGUAGE,
    LOCALIZED_TEXT_MISSING_LANGUAGE,
)
