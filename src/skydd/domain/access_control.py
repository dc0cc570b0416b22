"""Need-to-know: who may do what with which personal data (P12).

One function, :func:`decide`, answers every access question. The API, the web
pages, the CLI and the jobs all ask it, so "who can see CVs?" has one answer.
It denies by default: only a role's grant can allow, and nothing takes an
allowance away except the request itself being invalid or out of scope.

The vocabulary (docs/decisions/0009-need-to-know.md):

- A **personal-data action** is a bare word: ``read``, ``write``, ``erase``,
  ``export``, ``consent``. It is always asked about one purpose, some of that
  purpose's data categories and, when the record says whose it is, one data
  subject category. A role allows it through its :class:`Grant` s.
- An **organisation-wide action** is ``noun.verb`` (``register.read``,
  ``audit.read`` …). It names no purpose. A role allows it through its
  ``permissions``.
- A **sensitive** category (Art. 9, or flagged ``sensitive``) passes only
  through a grant that says ``include_sensitive``.
- A **token** can do only what both its roles and its scopes allow.

The built-in roles are functions of the register: "HR" means the purposes about
job applicants and employees, whatever the organisation calls them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, NewType

from pydantic import Field, StringConstraints, field_validator

from skydd.domain.errors import AccessDenied, InvalidInput
from skydd.domain.purposes import LegalBasis, Purpose
from skydd.domain.schema import Key, LocalizedText, RegisterModel

if TYPE_CHECKING:
    from skydd.domain.register import FieldPath, Register

ActorId = NewType("ActorId", str)
"""Who acts: a user name, a token id or a job name. Never personal data of a subject."""

ALL = "*"
"""In a grant, every key of that section of the register, including future ones."""

KeyOrAll = Annotated[
    str, StringConstraints(pattern=r"^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*)$", max_length=120)
]


class Action(StrEnum):
    """What an actor wants to do; bare words touch personal data, dotted ones do not."""

    READ = "read"
    WRITE = "write"
    ERASE = "erase"
    EXPORT = "export"
    CONSENT = "consent"
    REGISTER_READ = "register.read"
    REGISTER_WRITE = "register.write"
    POLICY_PUBLISH = "policy.publish"
    AUDIT_READ = "audit.read"
    USERS_MANAGE = "users.manage"
    BREACH_MANAGE = "breach.manage"
    REQUESTS_READ = "requests.read"
    REQUESTS_MANAGE = "requests.manage"

    @property
    def on_personal_data(self) -> bool:
        """True when the action is asked about a purpose and granted per category."""
        return self in PERSONAL_DATA_ACTIONS


PERSONAL_DATA_ACTIONS = frozenset(
    {Action.READ, Action.WRITE, Action.ERASE, Action.EXPORT, Action.CONSENT}
)
ORGANISATION_ACTIONS = frozenset(set(Action) - PERSONAL_DATA_ACTIONS)


class Scope(StrEnum):
    """What a token was issued for; see :data:`SCOPE_ACTIONS`."""

    REGISTER_READ = "register:read"
    REGISTER_WRITE = "register:write"
    POLICY_PUBLISH = "policy:publish"
    AUDIT_READ = "audit:read"
    USERS_MANAGE = "users:manage"
    BREACH_MANAGE = "breach:manage"
    REQUESTS_READ = "requests:read"
    REQUESTS_WRITE = "requests:write"
    CONSENT_WRITE = "consent:write"
    DATA_READ = "data:read"
    DATA_WRITE = "data:write"
    DATA_ERASE = "data:erase"
    DATA_EXPORT = "data:export"


SCOPE_ACTIONS: Mapping[Scope, frozenset[Action]] = {
    Scope.REGISTER_READ: frozenset({Action.REGISTER_READ}),
    Scope.REGISTER_WRITE: frozenset({Action.REGISTER_WRITE}),
    Scope.POLICY_PUBLISH: frozenset({Action.POLICY_PUBLISH}),
    Scope.AUDIT_READ: frozenset({Action.AUDIT_READ}),
    Scope.USERS_MANAGE: frozenset({Action.USERS_MANAGE}),
    Scope.BREACH_MANAGE: frozenset({Action.BREACH_MANAGE}),
    Scope.REQUESTS_READ: frozenset({Action.REQUESTS_READ}),
    Scope.REQUESTS_WRITE: frozenset({Action.REQUESTS_MANAGE}),
    Scope.CONSENT_WRITE: frozenset({Action.CONSENT}),
    Scope.DATA_READ: frozenset({Action.READ}),
    Scope.DATA_WRITE: frozenset({Action.WRITE}),
    Scope.DATA_ERASE: frozenset({Action.ERASE}),
    Scope.DATA_EXPORT: frozenset({Action.EXPORT}),
}
"""Each scope maps to exactly the actions it names: no scope implies another."""


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


class ActorKind(StrEnum):
    """A person signed in, an API token, or skydd's own jobs."""

    USER = "user"
    TOKEN = "token"  # noqa: S105 - a kind of actor, not a secret
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who asks: the roles held in the organisation asked about, and a token's scopes.

    ``scopes`` narrows whatever the roles allow; a token without scopes may do nothing.
    A system actor has no bypass: a job holds roles like anyone else.
    """

    id: ActorId
    roles: tuple[str, ...] = ()
    kind: ActorKind = ActorKind.USER
    scopes: frozenset[Scope] | None = None


@dataclass(frozen=True, kw_only=True)
class AccessRequest:
    """One question to :func:`decide`; ``data_subject`` is the record's subject category."""

    action: Action
    organisation: str
    purpose: str | None = None
    data_categories: tuple[str, ...] = ()
    data_subject: str | None = None


class Reason(StrEnum):
    """Why :func:`decide` said what it said; codes go into the audit log as they are."""

    GRANTED = "granted"
    OTHER_ORGANISATION = "other-organisation"
    OUT_OF_SCOPE = "out-of-scope"
    NO_ROLES = "no-roles"
    MALFORMED = "malformed-request"
    UNKNOWN_PURPOSE = "unknown-purpose"
    NOT_IN_PURPOSE = "not-in-purpose"
    SENSITIVE = "sensitive-not-granted"
    NOT_GRANTED = "not-granted"


@dataclass(frozen=True)
class Match:
    """A role that justified an allowance, and the grant (none for a permission)."""

    role: str
    grant: Grant | None = None


@dataclass(frozen=True)
class Decision:
    """The answer: allowed or not, why, and which roles and grants carried it."""

    allowed: bool
    reason: Reason
    matched: tuple[Match, ...] = ()

    def enforce(self, request: AccessRequest) -> None:
        """Raise :class:`AccessDenied` unless allowed; the message holds keys only."""
        if not self.allowed:
            target = request.purpose or request.organisation
            msg = f"{request.action.value} on {target}: {self.reason.value}"
            raise AccessDenied(msg)


def _deny(reason: Reason) -> Decision:
    return Decision(allowed=False, reason=reason)


def decide(
    actor: Actor, request: AccessRequest, roles: Mapping[str, Role], register: Register
) -> Decision:
    """Decide one access; deny unless a role held by ``actor`` allows all of it.

    Categories may be allowed by different grants of different roles (their union
    counts), so asking for several categories at once equals asking one by one.
    Role keys the organisation does not define grant nothing.
    """
    if request.organisation != register.organisation.key:
        return _deny(Reason.OTHER_ORGANISATION)
    if not _in_scope(actor, request.action):
        return _deny(Reason.OUT_OF_SCOPE)
    held = [(key, roles[key]) for key in dict.fromkeys(actor.roles) if key in roles]
    if not held:
        return _deny(Reason.NO_ROLES)
    if not request.action.on_personal_data:
        if request.purpose or request.data_categories or request.data_subject:
            return _deny(Reason.MALFORMED)
        key = next((k for k, role in held if request.action in role.permissions), None)
        if key is None:
            return _deny(Reason.NOT_GRANTED)
        return Decision(allowed=True, reason=Reason.GRANTED, matched=(Match(key),))
    if request.purpose is None:
        return _deny(Reason.MALFORMED)
    purpose = register.purpose(request.purpose)
    if purpose is None:
        return _deny(Reason.UNKNOWN_PURPOSE)
    return _decide_on_purpose(request, purpose, held, register)


def _in_scope(actor: Actor, action: Action) -> bool:
    if actor.scopes is None:
        return actor.kind is not ActorKind.TOKEN
    return any(action in SCOPE_ACTIONS[scope] for scope in actor.scopes)


def _decide_on_purpose(
    request: AccessRequest,
    purpose: Purpose,
    held: list[tuple[str, Role]],
    register: Register,
) -> Decision:
    subject = request.data_subject
    if subject is not None and subject not in purpose.data_subjects:
        return _deny(Reason.NOT_IN_PURPOSE)
    if any(c not in purpose.data_categories for c in request.data_categories):
        return _deny(Reason.NOT_IN_PURPOSE)
    candidates = [
        Match(key, grant)
        for key, role in held
        for grant in role.grants
        if grant.reaches(request.action, purpose.key, subject)
    ]
    if not candidates:
        return _deny(Reason.NOT_GRANTED)
    matched: dict[Match, None] = {}
    for category in request.data_categories:
        sensitive = _is_sensitive(register, category)
        match = next(
            (m for m in candidates if m.grant and m.grant.covers(category, sensitive=sensitive)),
            None,
        )
        if match is None:
            named = any(m.grant and m.grant.covers(category, sensitive=False) for m in candidates)
            return _deny(Reason.SENSITIVE if sensitive and named else Reason.NOT_GRANTED)
        matched[match] = None
    return Decision(allowed=True, reason=Reason.GRANTED, matched=tuple(matched) or (candidates[0],))


def _is_sensitive(register: Register, category: str) -> bool:
    found = register.data_category(category)
    return found is None or found.is_sensitive  # unknown: fail closed


def visible_categories(
    actor: Actor,
    purpose: str,
    roles: Mapping[str, Role],
    register: Register,
    *,
    action: Action = Action.READ,
    data_subject: str | None = None,
) -> frozenset[str]:
    """The categories of ``purpose`` the actor may see: field-level need-to-know.

    Asks :func:`decide` per category, so the fields shown and the records allowed
    can never disagree.
    """
    found = register.purpose(purpose)
    if found is None:
        return frozenset()
    org = register.organisation.key
    return frozenset(
        category
        for category in found.data_categories
        if decide(
            actor,
            AccessRequest(
                action=action,
                organisation=org,
                purpose=purpose,
                data_categories=(category,),
                data_subject=data_subject,
            ),
            roles,
            register,
        ).allowed
    )


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
