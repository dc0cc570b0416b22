"""A register as fideslang resources and back, so skydd and Fides can share one inventory.

Export (:func:`register_to_fides`) writes what fideslang can say natively: the
organization with its controller and DPO, the organisation's own data categories
as children of their fideslang parent, its data subjects, every system with one
privacy declaration per purpose (data use, categories, subjects, legal basis,
special-category basis), and the datasets unchanged. What fideslang has no field
for travels in its free-form fields, so it survives a trip through Fides:

- ``System.meta["skydd"]``: the system's skydd fields (kind, vendor, hosting,
  transfers, agreement, every language of its description, category order);
- ``tags`` prefixed ``skydd:``: a category's Art. 9 flag, a data subject's place
  on the taxonomy, the language of the manifest's texts;
- ``System.data_security_practices``: the organisation's security measures.

Import (:func:`fides_to_register`) reads those back. What a manifest cannot hold
(purpose texts, retention, recipients, cookies, policy prose, contact roles) is
taken from ``base`` when given, matched by key; without a base required fields get
``TODO`` placeholders (country ``ZZ``) that :func:`placeholders` lists, and what is
merely absent (retention, bases) is left for the compliance lint to report. The
manifest wins over the base for everything it says.
Export, import, export is stable: the second export equals the first.
See docs/decisions/0004-fides-interop.md.
"""

from __future__ import annotations

from collections.abc import Callable

from fideslang import models as fl

from skydd.domain.fides_import import fides_to_register
from skydd.domain.fides_manifest import (
    ART9_CONDITIONS,
    LEGAL_BASES,
    META,
    SAFEGUARDS,
    TAG,
    FidesManifest,
    fides_category_key,
    manifest_language,
    placeholders,
)
from skydd.domain.fides_organisation import organization_of
from skydd.domain.register import Register
from skydd.domain.schema import LocalizedText, text_in
from skydd.domain.taxonomy import DataCategory, fideslang_data_categories, fideslang_data_subjects

__all__ = ["FidesManifest", "fides_to_register", "placeholders", "register_to_fides"]


def register_to_fides(register: Register) -> FidesManifest:
    """The register as fideslang resources, each list sorted by fides key."""
    org = register.organisation
    lang = manifest_language(org)

    def text(value: LocalizedText) -> str | None:
        return text_in(value, lang, org.default_language) or None

    categories = [
        fl.DataCategory(
            fides_key=key,
            organization_fides_key=org.key,
            parent_key=c.taxonomy,
            name=text(c.name),
            description=text(c.description),
            tags=_category_tags(c) or None,
        )
        for c in register.data_categories
        if (key := fides_category_key(c)) not in fideslang_data_categories()
    ]
    subjects = [
        fl.DataSubject(
            fides_key=s.key,
            organization_fides_key=org.key,
            name=text(s.name),
            tags=[f"{TAG}taxonomy={s.taxonomy}"],
        )
        for s in register.data_subjects
        if s.key not in fideslang_data_subjects()
    ]
    measures = "\n".join(t for m in org.security_measures if (t := text(m))) or None
    systems = [_system(register, s.key, text, measures) for s in register.systems]
    return FidesManifest(
        organizations=(organization_of(org, lang),),
        data_categories=tuple(sorted(categories, key=lambda r: r.fides_key)),
        data_subjects=tuple(sorted(subjects, key=lambda r: r.fides_key)),
        systems=tuple(sorted(systems, key=lambda r: r.fides_key)),
        datasets=tuple(sorted(register.datasets, key=lambda d: d.fides_key)),
    )


def _category_tags(category: DataCategory) -> list[str]:
    tags = []
    if category.art9 is not None:
        tags.append(f"{TAG}art9={category.art9.exposure.value}")
        tags += [f"{TAG}reveals={s.value}" for s in category.art9.reveals]
    if category.bookkeeping_record:
        tags.append(f"{TAG}bookkeeping_record")
    if category.sensitive:
        tags.append(f"{TAG}sensitive")
    return tags


_NATIVE_SYSTEM_FIELDS = frozenset({"key", "name", "datasets"})


def _system(
    register: Register, key: str, text: Callable[[LocalizedText], str | None], measures: str | None
) -> fl.System:
    system = register.system(key)
    assert system is not None  # noqa: S101 - key comes from the register
    declarations = []
    for purpose_key in system.purposes:
        purpose = register.purpose(purpose_key)
        if purpose is None:
            continue
        held = [
            c
            for key in purpose.data_categories
            if (c := register.data_category(key)) is not None and key in system.data_categories
        ]
        bases = purpose.bases()
        condition = purpose.art9_condition
        declarations.append(
            fl.PrivacyDeclaration(
                name=purpose.key,
                data_use=purpose.data_use,
                data_categories=sorted(fides_category_key(c) for c in held),
                data_subjects=list(purpose.data_subjects),
                flexible_legal_basis_for_processing=False,
                legal_basis_for_processing=LEGAL_BASES[bases[0]] if bases else None,
                processes_special_category_data=condition is not None
                or any(c.art9 is not None for c in held),
                special_category_legal_basis=ART9_CONDITIONS[condition] if condition else None,
            )
        )
    safeguards = {SAFEGUARDS[s] for t in system.transfers for s in t.safeguards if s in SAFEGUARDS}
    meta = system.model_dump(
        mode="json", exclude_none=True, exclude_defaults=True, exclude=set(_NATIVE_SYSTEM_FIELDS)
    )
    return fl.System(
        fides_key=system.key,
        organization_fides_key=register.organisation.key,
        name=system.name,
        description=text(system.description),
        system_type="Service" if system.is_processor else "Application",
        privacy_declarations=declarations,
        dataset_references=list(system.datasets),
        legal_name=system.vendor.legal_name if system.vendor else None,
        responsibility=[fl.DataResponsibilityTitle.CONTROLLER],
        does_international_transfers=bool(system.third_countries()),
        legal_basis_for_transfers=sorted(safeguards),
        dpa_location=(system.dpa.url or system.dpa.reference) if system.dpa else None,
        data_security_practices=measures,
        meta={META: meta},
    )
