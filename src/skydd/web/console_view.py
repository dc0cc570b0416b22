"""What the console's home page shows about the signed-in staff member's rights.

The rights come from ``services.access.rights_of``, i.e. from ``decide`` itself;
this module only names them in the page's language: roles and purposes by their
register names, actions by the labels below (English msgids, translated in the
template).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from skydd.domain.access_vocabulary import Action
from skydd.services.access import Rights
from skydd.web.translations import gettext_noop

ACTION_LABELS: Mapping[Action, str] = {
    Action.READ: gettext_noop("Read personal data"),
    Action.WRITE: gettext_noop("Change personal data"),
    Action.ERASE: gettext_noop("Erase personal data"),
    Action.EXPORT: gettext_noop("Export personal data"),
    Action.CONSENT: gettext_noop("Record consent"),
    Action.REGISTER_READ: gettext_noop("Read the register"),
    Action.REGISTER_WRITE: gettext_noop("Change the register"),
    Action.POLICY_PUBLISH: gettext_noop("Publish the privacy policy"),
    Action.AUDIT_READ: gettext_noop("Read and verify the audit log"),
    Action.USERS_MANAGE: gettext_noop("Manage staff accounts"),
    Action.BREACH_MANAGE: gettext_noop("Manage the breach register"),
    Action.REQUESTS_READ: gettext_noop("Read data subject requests"),
    Action.REQUESTS_MANAGE: gettext_noop("Handle data subject requests"),
}
"""Every action's label; a test checks none is missing."""


@dataclass(frozen=True)
class Named:
    """A key and its name in the page's language."""

    key: str
    name: str


@dataclass(frozen=True)
class PurposeRow:
    """A purpose an action reaches; ``only`` names the subject categories when not all."""

    purpose: Named
    only: tuple[Named, ...] = ()


@dataclass(frozen=True)
class RightsView:
    """The rights of one staff member, named for one language."""

    organisation: str
    roles: tuple[Named, ...]
    unknown_roles: tuple[str, ...]
    actions: tuple[tuple[Action, str], ...]
    personal_data: tuple[tuple[Action, str, tuple[PurposeRow, ...]], ...]


def _name(names: Mapping[str, str], key: str, language: str) -> str:
    return names.get(language) or next(iter(names.values()), key)


def rights_view(rights: Rights, held: tuple[str, ...], language: str) -> RightsView:
    """Name ``rights`` in ``language``; ``held`` are the account's role keys."""
    register = rights.register

    def subject(key: str) -> Named:
        found = register.data_subject(key)
        return Named(key, _name(found.name, key, language) if found else key)

    known = {role.key for role in rights.roles}
    personal = tuple(
        (
            action,
            ACTION_LABELS[action],
            tuple(
                PurposeRow(
                    Named(r.purpose.key, _name(r.purpose.name, r.purpose.key, language)),
                    tuple(subject(key) for key in r.data_subjects or ()),
                )
                for r in reaches
            ),
        )
        for action, reaches in rights.purposes
    )
    return RightsView(
        organisation=register.organisation.name,
        roles=tuple(Named(r.key, _name(r.name, r.key, language)) for r in rights.roles),
        unknown_roles=tuple(key for key in held if key not in known),
        actions=tuple((action, ACTION_LABELS[action]) for action in rights.actions),
        personal_data=personal,
    )
