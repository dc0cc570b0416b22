"""Which found data a portability answer holds (GDPR Art. 20, P19).

Art. 20(1) covers personal data "concerning him or her, which he or she has provided to
a controller", where the processing is based on consent (Art. 6(1)(a), 9(2)(a)) or on a
contract (Art. 6(1)(b)) and carried out by automated means. Two questions, both
answered from the register alone:

1. **Did the person provide it?** The register places every category on the fideslang
   taxonomy, and the taxonomy says where data comes from. :data:`ORIGINS` sorts its
   branches: what the person types, uploads or tells us (name, contact details,
   content, account, payment details, demographics) is *provided*; what systems record
   about their use (behaviour, device, location, sensors, social activity) is
   *observed*; what the controller makes (identifiers it assigns, health assessments,
   credentials it keeps as secrets) is *created*. Only provided data qualifies, and a
   key the table does not know does not, so an unknown custom category is never
   handed out by accident. The Art. 29 Working Party's guidelines (WP242 rev.01)
   read "provided by" more widely and include observed data; skydd follows the
   narrower reading it was asked for, and moving ``OBSERVED`` into
   :data:`PORTABLE_ORIGINS` is the one change that would adopt theirs.
2. **Is it processed on consent or contract?** A category qualifies when a purpose
   resting on either uses it, among the purposes of the system it was found in (the
   register says which purposes each system serves). A purpose with several bases
   counts when one of them is consent or contract: the register does not split a
   purpose's categories by basis.

A field is portable when it carries at least one tag and every tag passes both tests;
untagged fields (internal ids, foreign keys) are left out. Everything found stays
available through the right of access (Art. 15).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from skydd.domain.access_answer import (
    FoundCollection,
    FoundSystem,
    categories_of_tag,
    filled_fields,
)
from skydd.domain.purposes import LegalBasis
from skydd.domain.register import Register
from skydd.domain.taxonomy import DataCategory


class DataOrigin(StrEnum):
    """Where a kind of personal data comes from."""

    PROVIDED = "provided"
    """The person gave it: typed, uploaded, told."""
    OBSERVED = "observed"
    """Recorded from the person's use of a service or device."""
    CREATED = "created"
    """Made by the controller: inferred, assessed, assigned, or kept as a secret."""


ORIGINS: dict[str, DataOrigin] = {
    "user.account": DataOrigin.PROVIDED,
    "user.contact": DataOrigin.PROVIDED,
    "user.content": DataOrigin.PROVIDED,
    "user.demographic": DataOrigin.PROVIDED,
    "user.financial": DataOrigin.PROVIDED,
    "user.government_id": DataOrigin.PROVIDED,
    "user.job_title": DataOrigin.PROVIDED,
    "user.name": DataOrigin.PROVIDED,
    "user.payment": DataOrigin.PROVIDED,
    "user.privacy_preferences": DataOrigin.PROVIDED,
    "user.workplace": DataOrigin.PROVIDED,
    "user.health_and_medical.insurance_beneficiary_id": DataOrigin.PROVIDED,
    "user.behavior": DataOrigin.OBSERVED,
    "user.biometric": DataOrigin.OBSERVED,
    "user.device": DataOrigin.OBSERVED,
    "user.location": DataOrigin.OBSERVED,
    "user.sensor": DataOrigin.OBSERVED,
    "user.social": DataOrigin.OBSERVED,
    "user.telemetry": DataOrigin.OBSERVED,
    "user.user_sensor": DataOrigin.OBSERVED,
    "user.authorization": DataOrigin.CREATED,
    "user.childrens": DataOrigin.CREATED,
    "user.criminal_history": DataOrigin.CREATED,
    "user.health_and_medical": DataOrigin.CREATED,
    "user.unique_id": DataOrigin.CREATED,
    "system": DataOrigin.CREATED,
}
"""The origin of each fideslang branch; the longest matching key decides.

``user.childrens`` says only whose data it is, not where it comes from, so it is
treated as created (not portable) rather than guessed.
"""

PORTABLE_ORIGINS = frozenset({DataOrigin.PROVIDED})
PORTABLE_BASES = frozenset({LegalBasis.CONSENT, LegalBasis.CONTRACT})


def data_origin(taxonomy: str) -> DataOrigin | None:
    """The origin of a fideslang key, by its nearest listed branch; None when unlisted."""
    parts = taxonomy.split(".")
    for end in range(len(parts), 0, -1):
        origin = ORIGINS.get(".".join(parts[:end]))
        if origin is not None:
            return origin
    return None


def is_portable_category(register: Register, category: DataCategory, system_key: str) -> bool:
    """True when the person provided ``category`` and a consent or contract purpose uses it."""
    if data_origin(category.taxonomy) not in PORTABLE_ORIGINS:
        return False
    system = register.system(system_key)
    purposes = [p for p in register.purposes if system is None or p.key in system.purposes]
    return any(
        category.key in p.data_categories and PORTABLE_BASES.intersection(p.bases())
        for p in purposes
    )


def is_portable_field(register: Register, system_key: str, tags: Sequence[str]) -> bool:
    """True when every tag of a field names provided data processed on consent or contract."""
    return bool(tags) and all(_portable_tag(register, system_key, tag) for tag in tags)


def _portable_tag(register: Register, system_key: str, tag: str) -> bool:
    categories = categories_of_tag(register, system_key, tag)
    if register.data_category(tag) is None and data_origin(tag) not in PORTABLE_ORIGINS:
        return False
    return any(is_portable_category(register, c, system_key) for c in categories)


@dataclass(frozen=True)
class PortableSelection:
    """What a portability answer holds, and which found categories it leaves out."""

    systems: tuple[FoundSystem, ...]
    included: frozenset[str]
    """Register keys of the categories handed over."""
    left_out: frozenset[str]
    """Register keys of categories found but not portable."""


def portable_data(register: Register, systems: Iterable[FoundSystem]) -> PortableSelection:
    """The portable part of what was found; rows, collections and systems left empty go."""
    kept_systems: list[FoundSystem] = []
    included: set[str] = set()
    left_out: set[str] = set()
    for system in systems:
        collections = []
        for collection in system.collections:
            portable = _portable_fields(register, system.key, collection)
            for name, categories in filled_fields(register, system.key, collection).items():
                (included if name in portable else left_out).update(c.key for c in categories)
            rows = ({k: v for k, v in row.items() if k in portable} for row in collection.rows)
            kept = tuple(row for row in rows if row)
            if kept:
                tags = {k: v for k, v in collection.field_categories.items() if k in portable}
                collections.append(FoundCollection(collection.name, kept, tags))
        if collections:
            kept_systems.append(FoundSystem(system.key, tuple(collections)))
    return PortableSelection(
        tuple(kept_systems), frozenset(included), frozenset(left_out - included)
    )


def _portable_fields(register: Register, system_key: str, collection: FoundCollection) -> set[str]:
    return {
        name
        for name, tags in collection.field_categories.items()
        if is_portable_field(register, system_key, tags)
    }
