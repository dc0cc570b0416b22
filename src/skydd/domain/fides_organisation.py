"""The controller as a fideslang ``Organization``, and back (Art. 30(1)(a) in Fides terms).

Fideslang's organization holds the controller's name, address and one contact,
and the DPO's name and contact; nothing else of the organisation profile. The
address is written as ``street, postal code, city, country`` so it can be read
back exactly. Everything else (contact roles, supervisory authority, fiscal
year …) comes from the base register on import, or is left at its default.
"""

from __future__ import annotations

import re
from typing import Any

from fideslang import models as fl
from pydantic import ValidationError

from skydd.domain.errors import InvalidInput
from skydd.domain.fides_manifest import TAG, TODO, UNKNOWN_COUNTRY, register_key
from skydd.domain.organisation import Address, ContactRole, Organisation
from skydd.domain.schema import LocalizedText, text_in


def organization_of(org: Organisation, language: str) -> fl.Organization:
    """The organisation as a fideslang organization whose texts are in ``language``."""
    intake = org.intake()
    a = org.address
    controller = fl.ContactDetails(
        name=org.legal_name,
        address=f"{a.street}, {a.postal_code}, {a.city}, {a.country}",
        email=intake.email if intake else "",
        phone=(intake.phone or "") if intake else "",
    )
    dpo = None
    if org.dpo is not None:
        contact = org.dpo_contact()
        dpo = fl.ContactDetails(
            name=org.dpo.name,
            email=contact.email if contact else "",
            phone=(contact.phone or "") if contact else "",
        )
    return fl.Organization(
        fides_key=org.key,
        name=org.name,
        tags=[f"{TAG}language={language}"],
        controller=controller,
        data_protection_officer=dpo,
    )


def organisation_from(
    resource: fl.Organization | None,
    language: str,
    measures: list[str] | None,
    fallback_key: str,
) -> Organisation:
    """An organisation from a fideslang organization alone; gaps become placeholders.

    ``measures`` are the security measures the manifest carries (one per line).
    """
    if resource is None:
        address = address_from("")
        return Organisation(
            key=register_key(fallback_key),
            name=f"{TODO}: organisation name",
            legal_name=f"{TODO}: legal name",
            country=address.country,
            address=address,
            languages=[language],
            default_language=language,
        )
    controller = resource.controller or fl.ContactDetails()
    address = address_from(controller.address)
    contacts, dpo_key = _contact_points(controller, resource.data_protection_officer)
    dpo = resource.data_protection_officer
    fields: dict[str, Any] = {
        "key": register_key(resource.fides_key),
        "name": resource.name or resource.fides_key,
        "legal_name": controller.name or resource.name or resource.fides_key,
        "country": address.country,
        "address": address,
        "languages": [language],
        "default_language": language,
        "contact_points": contacts,
        "dpo": {"name": dpo.name, "contact_point": dpo_key} if dpo and dpo_key else None,
        "security_measures": [{language: m} for m in measures or []],
    }
    try:
        return Organisation.model_validate(fields)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "-"
        msg = f"organization {resource.fides_key!r}: {where}: {first['msg']}"
        raise InvalidInput(msg) from exc


def merged_organisation(
    base: Organisation,
    resource: fl.Organization | None,
    language: str,
    measures: list[str] | None,
) -> Organisation:
    """``base`` with what the manifest says of the controller, DPO name and measures."""
    update: dict[str, Any] = {}
    if measures is not None:
        current = [text_in(m, language, base.default_language) for m in base.security_measures]
        if current != measures:
            olds: list[LocalizedText] = [*base.security_measures, *([{}] * len(measures))]
            update["security_measures"] = [
                old if text_in(old, language, base.default_language) == m else {**old, language: m}
                for m, old in zip(measures, olds, strict=False)
            ]
    if resource is not None:
        update["name"] = resource.name or base.name
        controller = resource.controller
        if controller is not None and controller.name:
            update["legal_name"] = controller.name
        if controller is not None:
            address = address_from(controller.address)
            if address.country != UNKNOWN_COUNTRY:
                update["address"] = address
        dpo = resource.data_protection_officer
        if base.dpo is not None and dpo is not None and dpo.name:
            update["dpo"] = base.dpo.model_copy(update={"name": dpo.name})
    return base.model_copy(update=update)


def address_from(text: str) -> Address:
    """An address written by :func:`organization_of`; anything else becomes a placeholder."""
    parts = text.rsplit(", ", 3)
    if len(parts) == 4 and re.fullmatch(r"[A-Z]{2}", parts[3]):
        return Address(street=parts[0], postal_code=parts[1], city=parts[2], country=parts[3])
    street = f"{TODO}: {text}" if text else f"{TODO}: street"
    return Address(street=street, postal_code=TODO, city=TODO, country=UNKNOWN_COUNTRY)


def _contact_points(
    controller: fl.ContactDetails, dpo: fl.ContactDetails | None
) -> tuple[list[dict[str, Any]], str | None]:
    """Contact points for the controller's and the DPO's details, and the DPO's key."""
    points: list[dict[str, Any]] = []
    if controller.email:
        points.append(
            {
                "key": "controller",
                "email": controller.email,
                "phone": controller.phone or None,
                "roles": [ContactRole.PRIVACY_REQUESTS],
            }
        )
    if dpo is None or not dpo.name:
        return points, None
    if points and (dpo.email, dpo.phone) == (controller.email, controller.phone):
        points[0]["roles"].append(ContactRole.DPO)
        return points, "controller"
    email = dpo.email or f"{TODO}@example.invalid"
    points.append(
        {"key": "dpo", "email": email, "phone": dpo.phone or None, "roles": [ContactRole.DPO]}
    )
    return points, "dpo"
