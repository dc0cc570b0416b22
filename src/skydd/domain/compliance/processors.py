"""Rules on systems, processors and transfers outside the EU/EEA (GDPR Art. 28, Chapter V).

The register of systems is what subject requests walk (P15) and what the policy
lists as recipients (P13); a processor without an agreement, or data leaving the
EEA without a safeguard (P14), is a breach waiting to be found.
"""

from __future__ import annotations

from collections.abc import Iterator

from skydd.domain.compliance.findings import Hit, Rule, Severity
from skydd.domain.processors import System, TransferSafeguard, is_in_eea
from skydd.domain.register import Register


def _without_dpa(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        if system.is_processor and system.dpa is None:
            yield (
                ("systems", i, "dpa"),
                f"processor '{system.key}' has no data processing agreement",
            )


def _unsafe_transfers(i: int, system: System) -> Iterator[Hit]:
    for country in system.third_countries():
        listed = [(j, t) for j, t in enumerate(system.transfers) if t.country == country]
        safe = [t for _, t in listed if set(t.safeguards) - {TransferSafeguard.NONE}]
        if safe:
            continue
        if listed:
            path: tuple[str | int, ...] = ("systems", i, "transfers", listed[0][0], "safeguards")
        elif system.hosting.country == country:
            path = ("systems", i, "hosting", "country")
        else:
            path = ("systems", i, "transfers")
        yield path, f"system '{system.key}' sends data to {country} without a transfer safeguard"


def _transfer_without_safeguard(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        yield from _unsafe_transfers(i, system)


def _foreign_vendor_unassessed(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        vendor = system.vendor
        if vendor is None or is_in_eea(vendor.country) or system.transfers:
            continue
        if is_in_eea(system.hosting.country):
            yield (
                ("systems", i, "transfers"),
                f"processor '{system.key}' is run by a vendor in {vendor.country} "
                "but lists no transfers or remote access outside the EU/EEA",
            )


def _system_without_categories(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        if system.purposes and not system.data_categories:
            yield (
                ("systems", i, "data_categories"),
                f"system '{system.key}' serves purposes but holds no listed data categories",
            )


def _processor_without_vendor(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        if system.is_processor and system.vendor is None:
            yield (
                ("systems", i, "vendor"),
                f"processor '{system.key}' names no vendor (the legal entity processing)",
            )


def _processor_without_purpose(register: Register) -> Iterator[Hit]:
    for i, system in enumerate(register.systems):
        if system.is_processor and not system.purposes:
            yield (
                ("systems", i, "purposes"),
                f"processor '{system.key}' processes data for no listed purpose",
            )


PROCESSOR_WITHOUT_DPA = Rule(
    id="SKY020",
    name="processor-without-dpa",
    title="Processor without a data processing agreement",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 28(3)",
    description="Processing by a processor must be governed by a contract that binds it to the "
    "controller's instructions (P13).",
    fix="Sign a data processing agreement and record it under the system's `dpa` "
    "(reference, signed_on, url).",
    check=_without_dpa,
)

TRANSFER_WITHOUT_SAFEGUARD = Rule(
    id="SKY021",
    name="transfer-without-safeguard",
    title="Transfer outside the EU/EEA without a safeguard",
    severity=Severity.ERROR,
    legal_ground="GDPR Art. 44, Art. 45, Art. 46",
    description="Every country outside the EU/EEA where a system stores or sends data (its "
    "hosting country and its transfers) needs a Chapter V ground other than `none` (P14).",
    fix="Add a `transfers` entry for the country with a safeguard (adequacy, dpf, scc, bcr or "
    "derogation), or host the data inside the EU/EEA.",
    check=_transfer_without_safeguard,
)

FOREIGN_VENDOR_WITHOUT_TRANSFER_ASSESSMENT = Rule(
    id="SKY022",
    name="foreign-vendor-without-transfer-assessment",
    title="Vendor outside the EU/EEA with no transfers listed",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 44, Art. 13(1)(f)",
    description="Data hosted in the EEA by a vendor established elsewhere is usually reachable "
    "from there (support access, sub-processors, foreign law); an empty `transfers` list "
    "suggests this was never assessed.",
    fix="List the vendor's possible transfers or remote access under `transfers` with their "
    "safeguard, or record in `assumptions` why none occur.",
    check=_foreign_vendor_unassessed,
)

SYSTEM_WITHOUT_DATA_CATEGORIES = Rule(
    id="SKY023",
    name="system-without-data-categories",
    title="System serving purposes with no data categories",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 30(1)(c), Art. 15(1)(b)",
    description="A system that serves purposes holds personal data; without its categories an "
    "access or erasure request cannot know what to look for there.",
    fix="List the data categories the system holds under its `data_categories`.",
    check=_system_without_categories,
)

PROCESSOR_WITHOUT_VENDOR = Rule(
    id="SKY024",
    name="processor-without-vendor",
    title="Processor without a named vendor",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 28(3), Art. 30(1)(d)",
    description="The agreement and the record of processing name the legal entity that "
    "processes, not only a product name.",
    fix="Set `vendor` (legal_name, country, website) on the system.",
    check=_processor_without_vendor,
)

PROCESSOR_WITHOUT_PURPOSE = Rule(
    id="SKY025",
    name="processor-without-purpose",
    title="Processor serving no purpose",
    severity=Severity.WARNING,
    legal_ground="GDPR Art. 28(3), Art. 5(1)(b)",
    description="A processor may only process for the controller's purposes; one with no "
    "purpose is either unused or undocumented (P13).",
    fix="List the purposes the processor serves under its `purposes`, or remove it from the "
    "register once the data is gone.",
    check=_processor_without_purpose,
)

RULES: tuple[Rule, ...] = (
    PROCESSOR_WITHOUT_DPA,
    TRANSFER_WITHOUT_SAFEGUARD,
    FOREIGN_VENDOR_WITHOUT_TRANSFER_ASSESSMENT,
    SYSTEM_WITHOUT_DATA_CATEGORIES,
    PROCESSOR_WITHOUT_VENDOR,
    PROCESSOR_WITHOUT_PURPOSE,
)
