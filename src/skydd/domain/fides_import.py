"""Fideslang resources back into a register: :func:`fides_to_register`.

The manifest wins for everything it says natively or in its ``skydd`` meta and
tags; what it cannot hold comes from ``base`` (matched by key) or becomes a
``TODO`` placeholder. Lists keep the base's order, then the manifest's, so an
import with the register it was exported from gives that register back.
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import cache
from typing import Any, TypeVar

from fideslang import models as fl
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from pydantic import ValidationError

from skydd.domain.errors import InvalidInput
from skydd.domain.fides_manifest import (
    ART9_CONDITIONS,
    LEGAL_BASES,
    META,
    SAFEGUARDS,
    TODO,
    UNKNOWN_COUNTRY,
    FidesManifest,
    fides_category_key,
    manifest_language,
    ordered,
    register_key,
    tag_values,
)
from skydd.domain.fides_organisation import merged_organisation, organisation_from
from skydd.domain.organisation import Organisation
from skydd.domain.processors import System, SystemKind, TransferSafeguard
from skydd.domain.purposes import BasisClaim, Purpose
from skydd.domain.register import Register, dangling_references
from skydd.domain.schema import LocalizedText, RegisterModel, text_in
from skydd.domain.taxonomy import (
    DataCategory,
    DataSubjectCategory,
    fideslang_data_categories,
    fideslang_data_subjects,
    fideslang_data_uses,
)

M = TypeVar("M", bound=RegisterModel)


def fides_to_register(manifest: FidesManifest, base: Register | None = None) -> Register:
    """A register from fideslang resources, completed from ``base`` or with placeholders.

    Raises InvalidInput when the manifest cannot become a valid register (two
    organizations, a category outside the fideslang taxonomy, a system naming a
    dataset the manifest lacks).
    """
    return _Importer(manifest, base).register()


@cache
def _default_names() -> dict[str, str]:
    resources = [*DEFAULT_TAXONOMY.data_category, *DEFAULT_TAXONOMY.data_subject]
    resources += DEFAULT_TAXONOMY.data_use
    return {r.fides_key: r.name or r.fides_key for r in resources}


def _default_ancestor(key: str, defaults: frozenset[str]) -> str | None:
    parts = key.split(".")
    return next(
        (a for n in range(len(parts), 0, -1) if (a := ".".join(parts[:n])) in defaults), None
    )


def _validated(model: type[M], what: str, data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "-"
        msg = f"{what}: {where}: {first['msg']}"
        raise InvalidInput(msg) from exc


class _Importer:
    """Builds one register from one manifest and an optional base."""

    def __init__(self, manifest: FidesManifest, base: Register | None) -> None:
        self.m = manifest
        self.base = base
        self.lang = self._language()
        self.declarations = [(s, d) for s in manifest.systems for d in s.privacy_declarations]
        self.categories = self._categories()
        self.category_keys = {fk: c.key for fk, c in self.categories.items()}
        self.subjects = self._subjects()
        systems = {s.key: s for s in map(self._system, manifest.systems)}
        hint = [s.key for s in base.systems] if base else []
        self.systems = [systems[k] for k in ordered(systems, hint)]

    def _language(self) -> str:
        for org in self.m.organizations:
            for value in tag_values(org.tags, "language"):
                if re.fullmatch(r"[a-z]{2}", value):
                    return value
        return manifest_language(self.base.organisation) if self.base else "en"

    def text(self, text: str | None, base: LocalizedText | None = None) -> LocalizedText:
        """``text`` in the manifest's language over ``base``, which is kept if it says the same."""
        base = dict(base or {})
        fallback = self.base.organisation.default_language if self.base else self.lang
        if not text or text_in(base, self.lang, fallback) == text:
            return base
        return {**base, self.lang: text}

    def todo(self, what: str) -> LocalizedText:
        return {self.lang: f"{TODO}: {what}"}

    # --- taxonomy -----------------------------------------------------------------

    def _categories(self) -> dict[str, DataCategory]:
        base_by_fides = {}
        for c in self.base.data_categories if self.base else []:
            with suppress(InvalidInput):
                base_by_fides[fides_category_key(c)] = c
        resources = {r.fides_key: r for r in self.m.data_categories}
        referenced = [k for _, d in self.declarations for k in d.data_categories]
        found: dict[str, DataCategory] = {}
        for fides_key in dict.fromkeys([*resources, *referenced]):
            found[fides_key] = self._category(
                fides_key, resources.get(fides_key), base_by_fides.get(fides_key), found
            )
        defaults = fideslang_data_categories()
        for fides_key, kept in base_by_fides.items():
            if fides_key not in found and fides_key in defaults:
                found[fides_key] = kept
        return {k: found[k] for k in ordered(found, base_by_fides)}

    def _category(
        self,
        fides_key: str,
        resource: fl.DataCategory | None,
        base: DataCategory | None,
        found: dict[str, DataCategory],
    ) -> DataCategory:
        defaults = fideslang_data_categories()
        if fides_key in defaults and (resource is None or base is not None):
            if base is not None:
                return base
            name = _default_names()[fides_key]
            return DataCategory(key=fides_key, name={self.lang: name}, taxonomy=fides_key)
        taxonomy = _default_ancestor(fides_key, defaults)
        if taxonomy is None:
            msg = f"data category {fides_key!r} is not under any fideslang data category"
            raise InvalidInput(msg)
        fields: dict[str, Any] = base.model_dump() if base else {}
        if resource is not None:
            exposure, reveals = (
                tag_values(resource.tags, "art9"),
                tag_values(resource.tags, "reveals"),
            )
            fields["art9"] = {"exposure": exposure[0], "reveals": reveals} if exposure else None
            fields["bookkeeping_record"] = bool(tag_values(resource.tags, "bookkeeping_record"))
            fields["sensitive"] = bool(tag_values(resource.tags, "sensitive"))
        if base is None and fides_key == taxonomy:
            fields["key"] = fides_key
        elif base is None:
            key = register_key(fides_key[len(taxonomy) + 1 :].replace(".", "_"))
            taken = {c.key for c in found.values()}
            fields["key"] = register_key(fides_key) if key in taken else key
        given = resource.name if resource else None
        fields["name"] = self.text(given, fields.get("name")) or self.todo(f"name of {fides_key}")
        fields["description"] = self.text(
            resource.description if resource else None, fields.get("description")
        )
        fields["taxonomy"] = taxonomy
        return _validated(DataCategory, f"data category {fides_key!r}", fields)

    def _subjects(self) -> dict[str, DataSubjectCategory]:
        base_by_key = {s.key: s for s in self.base.data_subjects} if self.base else {}
        resources = {r.fides_key: r for r in self.m.data_subjects}
        referenced = [k for _, d in self.declarations for k in d.data_subjects]
        defaults = fideslang_data_subjects()
        found: dict[str, DataSubjectCategory] = {}
        for fides_key in dict.fromkeys([*resources, *referenced]):
            resource, base = resources.get(fides_key), base_by_key.get(fides_key)
            if resource is None and (base is not None or fides_key in defaults):
                name = {self.lang: _default_names().get(fides_key, fides_key)}
                found[fides_key] = base or DataSubjectCategory(
                    key=register_key(fides_key), name=name, taxonomy=fides_key
                )
                continue
            placed = [
                t
                for t in tag_values(resource.tags if resource else None, "taxonomy")
                if t in defaults
            ]
            fields: dict[str, Any] = base.model_dump() if base else {"key": register_key(fides_key)}
            fields["name"] = self.text(resource.name if resource else None, fields.get("name"))
            fields["taxonomy"] = placed[0] if placed else fields.get("taxonomy")
            if fields["taxonomy"] is None:
                fields["taxonomy"] = "anonymous_user"
                fields["name"] = self.todo(f"place {fides_key!r} on the fideslang taxonomy")
            fields["name"] = fields["name"] or self.todo(f"name of {fides_key}")
            found[fides_key] = _validated(
                DataSubjectCategory, f"data subject {fides_key!r}", fields
            )
        for key, kept in base_by_key.items():
            if key not in found and key in defaults:
                found[key] = kept
        return {k: found[k] for k in ordered(found, base_by_key)}

    # --- systems ------------------------------------------------------------------

    def purpose_key(self, declaration: fl.PrivacyDeclaration) -> str:
        return register_key(declaration.name or declaration.data_use)

    def _system(self, resource: fl.System) -> System:
        key = register_key(resource.fides_key)
        base = self.base.system(key) if self.base else None
        meta = (resource.meta or {}).get(META)
        if isinstance(meta, dict):
            fields: dict[str, Any] = dict(meta)
        elif base is not None:
            fields = base.model_dump(exclude={"key", "name", "datasets"})
        else:
            fields = self._system_placeholders(resource)
        declarations = resource.privacy_declarations
        declared = [self.category_keys[k] for d in declarations for k in d.data_categories]
        hinted = list(fields.get("data_categories", []))
        fields["purposes"] = ordered(
            [self.purpose_key(d) for d in declarations], fields.get("purposes", [])
        )
        fields["data_categories"] = ordered([*declared, *hinted], hinted)
        fields["description"] = self.text(resource.description, fields.get("description"))
        if resource.legal_name:
            vendor = dict(fields.get("vendor") or {"country": UNKNOWN_COUNTRY})
            fields["vendor"] = {**vendor, "legal_name": resource.legal_name}
        fields.update(
            key=key, name=resource.name or resource.fides_key, datasets=resource.dataset_references
        )
        return _validated(System, f"system {resource.fides_key!r}", fields)

    def _system_placeholders(self, resource: fl.System) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "kind": SystemKind.PROCESSOR if resource.legal_name else SystemKind.INTERNAL,
            "hosting": {"country": UNKNOWN_COUNTRY, "region": f"{TODO}: hosting country"},
        }
        if resource.does_international_transfers:
            grounds = {v: k for k, v in reversed(SAFEGUARDS.items())}
            safeguards = [grounds[b] for b in resource.legal_basis_for_transfers if b in grounds]
            fields["transfers"] = [
                {
                    "country": UNKNOWN_COUNTRY,
                    "safeguards": safeguards or [TransferSafeguard.NONE],
                    "note": f"{TODO}: the manifest names no country",
                }
            ]
        return fields

    # --- purposes -----------------------------------------------------------------

    def purposes(self) -> list[Purpose]:
        first: dict[str, fl.PrivacyDeclaration] = {}
        subjects: dict[str, list[str]] = {}
        categories: dict[str, list[str]] = {}
        for _, d in self.declarations:
            key = self.purpose_key(d)
            first.setdefault(key, d)
            subjects.setdefault(key, []).extend(self.subjects[s].key for s in d.data_subjects)
            categories.setdefault(key, []).extend(self.category_keys[c] for c in d.data_categories)
        base = {p.key: p for p in self.base.purposes} if self.base else {}
        found = {
            key: self._purpose(key, d, subjects[key], categories[key], base.get(key))
            for key, d in first.items()
        }
        if self.base is not None:
            served = {p for s in self.base.systems for p in s.purposes}
            found |= {k: p for k, p in base.items() if k not in found and k not in served}
        return [found[k] for k in ordered(found, base)]

    def _purpose(
        self,
        key: str,
        declaration: fl.PrivacyDeclaration,
        subjects: list[str],
        categories: list[str],
        base: Purpose | None,
    ) -> Purpose:
        data_use = _default_ancestor(declaration.data_use, fideslang_data_uses())
        if data_use is None:
            msg = f"purpose {key!r}: data use {declaration.data_use!r} is not under a fideslang use"
            raise InvalidInput(msg)
        condition = declaration.special_category_legal_basis
        fields: dict[str, Any] = (
            base.model_dump() if base else self._purpose_texts(key, declaration)
        )
        held = {c for s in self.systems if key in s.purposes for c in s.data_categories}
        hinted = [c for c in fields.get("data_categories", []) if c not in held]
        fields.update(
            key=key,
            data_use=data_use,
            data_subjects=ordered(subjects, fields.get("data_subjects", [])),
            data_categories=ordered([*categories, *hinted], fields.get("data_categories", [])),
            legal_bases=_bases(declaration, fields.get("legal_bases", [])),
            art9_condition=_ART9_FROM_FIDES[condition] if condition else None,
        )
        return _validated(Purpose, f"purpose {key!r}", fields)

    def _purpose_texts(self, key: str, declaration: fl.PrivacyDeclaration) -> dict[str, Any]:
        use = next((u for u in self.m.data_uses if u.fides_key == declaration.data_use), None)
        name = self.text(use.name if use else None) or self.todo(f"name of purpose {key!r}")
        description = self.text(use.description if use else None)
        return {"name": name, "description": description or self.todo(f"describe {key!r}")}

    # --- the organisation ---------------------------------------------------------

    def organisation(self) -> Organisation:
        if len(self.m.organizations) > 1:
            msg = "the manifest holds several organizations; import one at a time"
            raise InvalidInput(msg)
        resource = self.m.organizations[0] if self.m.organizations else None
        practices = next((s.data_security_practices for s in self.m.systems), None)
        measures = practices.split("\n") if practices else None
        if self.base is not None:
            return merged_organisation(self.base.organisation, resource, self.lang, measures)
        keys = [r.organization_fides_key for r in (*self.m.systems, *self.m.datasets)]
        return organisation_from(resource, self.lang, measures, next(iter(keys), "default_org"))

    # --- the register ---------------------------------------------------------------

    def register(self) -> Register:
        purposes = self.purposes()
        organisation = self.organisation()
        register = Register(
            organisation=organisation,
            data_subjects=list(self.subjects.values()),
            data_categories=list(self.categories.values()),
            purposes=purposes,
            systems=self.systems,
            datasets=list(self.m.datasets),
            **self._kept_from_base(purposes, organisation),
        )
        dangling = dangling_references(register)
        if dangling:
            path, message = dangling[0]
            where = ".".join(str(p) for p in path)
            msg = f"the imported register is incomplete: {where}: {message}"
            raise InvalidInput(msg)
        return register

    def _kept_from_base(self, purposes: list[Purpose], org: Organisation) -> dict[str, Any]:
        if self.base is None:
            return {}
        purpose_keys = {p.key for p in purposes}
        category_keys = {c.key for c in self.categories.values()}
        system_keys = {s.key for s in self.systems}

        def keep(keys: list[str], known: set[str]) -> list[str]:
            return [k for k in keys if k in known]

        recipients = [
            r.model_copy(
                update={
                    "purposes": keep(r.purposes, purpose_keys),
                    "data_categories": keep(r.data_categories, category_keys),
                }
            )
            for r in self.base.recipients
        ]
        retention = [
            r.model_copy(update={"data_categories": keep(r.data_categories, category_keys)})
            for r in self.base.retention
            if r.purpose in purpose_keys and keep(r.data_categories, category_keys)
        ]
        cookies = [
            t.model_copy(
                update={
                    "purpose": t.purpose if t.purpose in purpose_keys else None,
                    "system": t.system if t.system in system_keys else None,
                }
            )
            for t in self.base.cookies
        ]
        policy = {k: v for k, v in self.base.policy.items() if k in org.languages}
        return {
            "recipients": recipients,
            "retention": retention,
            "cookies": cookies,
            "policy": policy,
        }


_ART9_FROM_FIDES = {v: k for k, v in ART9_CONDITIONS.items()}
_BASIS_FROM_FIDES = {v: k for k, v in LEGAL_BASES.items()}


def _bases(declaration: fl.PrivacyDeclaration, claims: list[Any]) -> list[Any]:
    """The base's claims with the manifest's basis first (added when new)."""
    if declaration.legal_basis_for_processing is None:
        return claims
    basis = _BASIS_FROM_FIDES[
        fl.LegalBasisForProcessingEnum(declaration.legal_basis_for_processing)
    ]
    parsed = [BasisClaim.model_validate(c) for c in claims]
    if parsed and parsed[0].basis is basis:
        return claims
    same = [c for c in parsed if c.basis is basis] or [BasisClaim(basis=basis)]
    return [*same, *(c for c in parsed if c.basis is not basis)]
