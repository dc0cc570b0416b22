"""What a fides manifest holds, and how skydd's words map onto fideslang's.

Shared by export (:mod:`skydd.domain.fides_interop`) and import
(:mod:`skydd.domain.fides_import`): the manifest value, the ``skydd:`` tag and
``meta`` conventions that carry what fideslang has no field for, the legal-basis
vocabularies, and the key rules that make export, import, export stable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from fideslang import models as fl

from skydd.domain.errors import InvalidInput
from skydd.domain.organisation import Organisation
from skydd.domain.processors import TransferSafeguard
from skydd.domain.purposes import Art9Condition, LegalBasis
from skydd.domain.register import FieldPath, Register
from skydd.domain.taxonomy import DataCategory

T = TypeVar("T")

TODO = "TODO"
"""Prefix of every placeholder text an import leaves for a person to fill."""

UNKNOWN_COUNTRY = "ZZ"
"""ISO 3166 'unknown' code: a placeholder country (outside the EEA, so the lint flags it)."""

TAG = "skydd:"
"""Prefix of the tags that carry skydd-only facts (``skydd:art9=may_reveal``)."""

META = "skydd"
"""Key under ``System.meta`` holding the skydd fields fideslang has no place for."""

LEGAL_BASES: dict[LegalBasis, fl.LegalBasisForProcessingEnum] = {
    LegalBasis.CONSENT: fl.LegalBasisForProcessingEnum.CONSENT,
    LegalBasis.CONTRACT: fl.LegalBasisForProcessingEnum.CONTRACT,
    LegalBasis.LEGAL_OBLIGATION: fl.LegalBasisForProcessingEnum.LEGAL_OBLIGATION,
    LegalBasis.VITAL_INTERESTS: fl.LegalBasisForProcessingEnum.VITAL_INTEREST,
    LegalBasis.PUBLIC_TASK: fl.LegalBasisForProcessingEnum.PUBLIC_INTEREST,
    LegalBasis.LEGITIMATE_INTERESTS: fl.LegalBasisForProcessingEnum.LEGITIMATE_INTEREST,
}
"""Art. 6(1) bases; every skydd basis has a fideslang name."""

ART9_CONDITIONS: dict[Art9Condition, fl.SpecialCategoryLegalBasisEnum] = dict(
    zip(Art9Condition, fl.SpecialCategoryLegalBasisEnum, strict=True)
)
"""Art. 9(2)(a)–(j): both enums list the ten points in the Regulation's order."""

SAFEGUARDS: dict[TransferSafeguard, str] = {
    TransferSafeguard.ADEQUACY: fl.LegalBasisForTransfersEnum.ADEQUACY_DECISION.value,
    TransferSafeguard.DPF: fl.LegalBasisForTransfersEnum.ADEQUACY_DECISION.value,
    TransferSafeguard.SCC: fl.LegalBasisForTransfersEnum.SCCS.value,
    TransferSafeguard.BCR: fl.LegalBasisForTransfersEnum.BCRS.value,
    TransferSafeguard.DEROGATION: fl.LegalBasisForTransfersEnum.OTHER.value,
}
"""Chapter V grounds in fideslang's words (the DPF is an adequacy decision)."""


@dataclass(frozen=True)
class FidesManifest:
    """The fideslang resources of one manifest (one file or a folder of them)."""

    organizations: tuple[fl.Organization, ...] = ()
    data_categories: tuple[fl.DataCategory, ...] = ()
    data_uses: tuple[fl.DataUse, ...] = ()
    data_subjects: tuple[fl.DataSubject, ...] = ()
    systems: tuple[fl.System, ...] = ()
    datasets: tuple[fl.Dataset, ...] = ()


def manifest_language(org: Organisation) -> str:
    """The one language fideslang's texts are written in: English when published."""
    return "en" if "en" in org.languages else org.default_language


def fides_category_key(category: DataCategory) -> str:
    """The fides key of an own category: a child of its fideslang parent (``user.name.name``)."""
    if category.key == category.taxonomy:
        return category.key
    if "." in category.key:
        msg = f"data category {category.key!r}: a key with dots cannot be a fideslang child key"
        raise InvalidInput(msg)
    return f"{category.taxonomy}.{category.key}"


def placeholders(register: Register) -> list[FieldPath]:
    """Every field an import filled with a ``TODO`` text or the unknown country ``ZZ``."""
    return list(_placeholders((), register.model_dump(mode="json", exclude={"datasets"})))


def _placeholders(path: FieldPath, value: object) -> Iterator[FieldPath]:
    if isinstance(value, str):
        if value.startswith(f"{TODO}:") or value == UNKNOWN_COUNTRY:
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _placeholders((*path, str(key)), item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _placeholders((*path, i), item)


def register_key(fides_key: str) -> str:
    """A fides key as a register key: lowercase segments of letters, digits and ``_``."""
    segments = [re.sub(r"[^a-z0-9_]+", "_", s.lower()).strip("_") for s in fides_key.split(".")]
    key = ".".join(s for s in segments if s) or "unnamed"
    return key if key[0].isalpha() else f"k_{key}"


def tag_values(tags: Iterable[str] | None, name: str) -> list[str]:
    """The values of ``skydd:name=value`` tags, in order; ``[""]`` for a bare ``skydd:name``."""
    found = []
    for tag in tags or ():
        if tag == f"{TAG}{name}":
            found.append("")
        elif tag.startswith(f"{TAG}{name}="):
            found.append(tag.split("=", 1)[1])
    return found


def ordered(items: Iterable[T], hint: Iterable[T]) -> list[T]:
    """``items`` without duplicates: those in ``hint`` in its order, then the rest in theirs."""
    unique = list(dict.fromkeys(items))
    present = set(unique)
    first = [h for h in dict.fromkeys(hint) if h in present]
    return first + [i for i in unique if i not in set(first)]
