"""Roles: what each may do, written by the organisation or built in (P12).

A role allows personal-data actions through its :class:`Grant` s, each naming
purposes × data categories × data subject categories, and organisation-wide actions
through its ``permissions``. A **sensitive** category (Art. 9, or flagged
``sensitive``) passes only through a grant that says ``include_sensitive``. Roles
only allow; :func:`skydd.domain.access_control.decide` denies whatever none of them
allows (docs/decisions/0009-need-to-know.md).

The built-in roles are functions of the register: "HR" means the purposes about
job applicants and employees, whatever the organisation calls them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from pydantic import Field, StringConstraints, field_validator

from skydd.domain.access_vocabulary import ORGANISATION_ACTIONS, PERSONAL_DATA_ACTIONS, Action
from skydd.domain.errors import InvalidInput
from skydd.domain.purposes import LegalBasis, Purpose
from skydd.domain.schema import Key, LocalizedText, RegisterModel

if TYPE_CHECKING:
    from skydd.domain.register import FieldPath, Register

ALL = "*"
"""In a grant, every key of that section of the register, including future ones."""

KeyOrAll = Annotated[
    str, StringConstraints(pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*)$", max_length=120)
]


def _matches(keys: Sequence[str], key: str | None) -> bool:
    return ALL in keys or (key is not None and key in keys)


def _stands_alone(value: Sequence[str]) -> None:
    if ALL in value and len(value) > 1:
        msg = "'*' means every key and stands alone"
        raise ValueError(msg)


class Grant(RegisterModel):
    """Personal-data actions on purposes × data categories × data subject categories.

    Categories and subjects default to every one of the purpose's; the purposes are
    always written out, so a grant never reaches further than its author wrote.
    """

    actions: frozenset[Action] = Field(min_length=1)
    purposes: tuple[KeyOrAll, ...] = Field(min_length=1)
    data_categories: tuple[KeyOrAll, ...] = (ALL,)
    data_subjects: tuple[KeyOrAll, ...] = (ALL,)
    include_sensitive: bool = False

    @field_validator("actions")
    @classmethod
    def _personal_data_only(cls, value: frozenset[Action]) -> frozenset[Action]:
        wrong = sorted(a.value for a in value if not a.on_personal_data)
        if wrong:
            msg = f"{', '.join(wrong)} name no purpose and belong in the role's permissions"
            raise ValueError(msg)
        return value

    @field_validator("purposes", "data_categories", "data_subjects")
    @classmethod
    def _all_alone(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        _stands_alone(value)
        return value

    def reaches(self, action: Action, purpose: str, subject: str | None) -> bool:
        """True when the grant allows ``action`` on records of ``subject`` under ``purpose``."""
        return (
            action in self.actions
            and _matches(self.purposes, purpose)
            and _matches(self.data_subjects, subject)
        )

    def covers(self, category: str, *, sensitive: bool) -> bool:
        """True when the grant shows ``category``; sensitive ones need ``include_sensitive``."""
        return _matches(self.data_categories, category) and (
            self.include_sensitive or not sensitive
        )


@dataclass(frozen=True)
class Role:
    """A set of grants on personal data plus organisation-wide permissions."""

    key: str
    name: Mapping[str, str]
    grants: tuple[Grant, ...] = ()
    permissions: frozenset[Action] = frozenset()
    builtin: bool = False


class RoleDefinition(RegisterModel):
    """A role an organisation writes in its register, beside the built-in ones."""

    key: Key
    name: LocalizedText
    description: LocalizedText = Field(default_factory=dict)
    permissions: frozenset[Action] = frozenset()
    grants: list[Grant] = Field(default_factory=list)

    @field_validator("permissions")
    @classmethod
    def _organisation_wide_only(cls, value: frozenset[Action]) -> frozenset[Action]:
        wrong = sorted(a.value for a in value if a.on_personal_data)
        if wrong:
            msg = f"{', '.join(wrong)} act on personal data and need a grant naming purposes"
            raise ValueError(msg)
        return value

    def to_role(self) -> Role:
        """The role as :func:`decide` uses it."""
        return Role(self.key, dict(self.name), tuple(self.grants), self.permissions)


STAFF_PERMISSIONS = frozenset({Action.REGISTER_READ})
ADMIN_PERMISSIONS = ORGANISATION_ACTIONS - {Action.REQUESTS_READ, Action.REQUESTS_MANAGE}
DPO_PERMISSIONS = ORGANISATION_ACTIONS - {Action.USERS_MANAGE}
HR_SUBJECT_TAXONOMY = frozenset({"job_applicant", "employee", "trainee"})
BUILTIN_ROLE_KEYS = ("admin", "dpo", "support", "hr", "marketing", "auditor", "read_only")


def _under(data_use: str, prefix: str) -> bool:
    return data_use == prefix or data_use.startswith(prefix + ".")


def _grant(
    purpose: Purpose,
    actions: frozenset[Action],
    *,
    subjects: tuple[str, ...] = (ALL,),
    include_sensitive: bool = False,
) -> Grant:
    return Grant(
        actions=actions,
        purposes=(purpose.key,),
        data_categories=tuple(purpose.data_categories),
        data_subjects=subjects,
        include_sensitive=include_sensitive,
    )


def _hr_grants(register: Register) -> tuple[Grant, ...]:
    """Employment purposes whole; elsewhere only the records of applicants and employees."""
    actions = frozenset({Action.READ, Action.WRITE})
    grants: list[Grant] = []
    for purpose in register.purposes:
        if _under(purpose.data_use, "employment"):
            grants.append(_grant(purpose, actions))
            continue
        subjects = tuple(
            key
            for key in purpose.data_subjects
            if (s := register.data_subject(key)) and s.taxonomy in HR_SUBJECT_TAXONOMY
        )
        if subjects:
            grants.append(_grant(purpose, actions, subjects=subjects))
    return tuple(grants)


def builtin_roles(register: Register) -> dict[str, Role]:
    """The seven built-in roles, resolved to this register's purpose and category keys.

    Only ``dpo`` reaches sensitive categories. ``admin`` runs skydd but reads no
    personal data (least privilege): an administrator who also needs data holds a
    second role, and the audit log shows which one was used.
    """
    purposes = register.purposes
    service = frozenset({Action.READ, Action.WRITE})
    marketing = frozenset({Action.READ, Action.WRITE, Action.CONSENT})
    dpo = tuple(_grant(p, PERSONAL_DATA_ACTIONS, include_sensitive=True) for p in purposes)
    support = tuple(
        _grant(p, service)
        for p in purposes
        if _under(p.data_use, "essential.service") or p.rests_on(LegalBasis.CONTRACT)
    )
    market = tuple(_grant(p, marketing) for p in purposes if _under(p.data_use, "marketing"))
    audit = frozenset({Action.AUDIT_READ, Action.REGISTER_READ})
    table: list[tuple[str, str, str, tuple[Grant, ...], frozenset[Action]]] = [
        ("admin", "Administrator", "Administratör", (), ADMIN_PERMISSIONS),
        ("dpo", "Data protection officer", "Dataskyddsombud", dpo, DPO_PERMISSIONS),
        ("support", "Customer support", "Kundsupport", support, STAFF_PERMISSIONS),
        ("hr", "Human resources", "Personal (HR)", _hr_grants(register), STAFF_PERMISSIONS),
        ("marketing", "Marketing", "Marknadsföring", market, STAFF_PERMISSIONS),
        ("auditor", "Auditor", "Granskare", (), audit),
        ("read_only", "Read only", "Endast läsning", (), STAFF_PERMISSIONS),
    ]
    return {
        key: Role(key, {"en": en, "sv": sv}, grants, permissions, builtin=True)
        for key, en, sv, grants, permissions in table
    }


def roles_for(register: Register, custom: Sequence[RoleDefinition]) -> dict[str, Role]:
    """Built-in roles plus the organisation's own; none may take a built-in's key."""
    roles = builtin_roles(register)
    seen: set[str] = set()
    for definition in custom:
        if definition.key in roles and definition.key not in seen:
            msg = f"role {definition.key!r} is built in and cannot be redefined"
            raise InvalidInput(msg)
        if definition.key in seen:
            msg = f"role {definition.key!r} is defined twice"
            raise InvalidInput(msg)
        seen.add(definition.key)
        roles[definition.key] = definition.to_role()
    return roles


def dangling_role_references(
    register: Register, definitions: Sequence[RoleDefinition]
) -> Iterator[tuple[FieldPath, str]]:
    """Role definitions that name nothing, clash, or can never match, by field path."""
    purposes = {p.key: p for p in register.purposes}
    categories = {c.key for c in register.data_categories}
    subjects = {s.key for s in register.data_subjects}
    seen: set[str] = set()
    for i, definition in enumerate(definitions):
        if definition.key in BUILTIN_ROLE_KEYS:
            yield ("roles", i, "key"), f"role {definition.key!r} is built in"
        elif definition.key in seen:
            yield ("roles", i, "key"), f"duplicate key {definition.key!r}"
        seen.add(definition.key)
        for j, grant in enumerate(definition.grants):
            path: FieldPath = ("roles", i, "grants", j)
            for section, what, keys, known in (
                ("purposes", "purpose", grant.purposes, set(purposes)),
                ("data_categories", "data category", grant.data_categories, categories),
                ("data_subjects", "data subject", grant.data_subjects, subjects),
            ):
                for k, key in enumerate(keys):
                    if key != ALL and key not in known:
                        yield (*path, section, k), f"unknown {what} {key!r}"
            named = [purposes[p] for p in grant.purposes if p in purposes]
            for k, key in enumerate(grant.data_categories):
                if key in categories and named and all(key not in p.data_categories for p in named):
                    yield (
                        (*path, "data_categories", k),
                        f"data category {key!r} is in none of the grant's purposes",
                    )
