"""The Art. 30(1) record: one record per purpose, every point filled, in Swedish and English."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from skydd.domain import ropa_vocabulary as words
from skydd.domain.errors import UnknownLanguageError
from skydd.domain.organisation import Address
from skydd.domain.processors import Hosting
from skydd.domain.register import Register
from skydd.domain.ropa import (
    ROPA_COLUMNS,
    RopaRecord,
    default_ropa_language,
    ropa_controller,
    ropa_records,
)
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG

EXAMPLES = pytest.mark.parametrize("folder", [MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
LANGUAGES = pytest.mark.parametrize("language", ["sv", "en"])
ART30_POINTS = [f"Art. 30(1)({point})" for point in "abcdefg"]


def record(register: Register, key: str, language: str = "en") -> RopaRecord:
    return next(r for r in ropa_records(register, language) if r.key == (key,))


def test_columns_are_the_record_fields_in_order() -> None:
    assert [f.name for f in dataclasses.fields(RopaRecord)] == [c.id for c in ROPA_COLUMNS]
    assert len({c.id for c in ROPA_COLUMNS}) == len(ROPA_COLUMNS)


def test_every_art30_point_has_a_column() -> None:
    assert sorted({c.article for c in ROPA_COLUMNS if c.is_required}) == ART30_POINTS
    for column in ROPA_COLUMNS:
        assert column.label("sv")
        assert column.label("en")


@EXAMPLES
@LANGUAGES
def test_every_cell_of_every_record_is_filled(folder: Path, language: str) -> None:
    register = load_register(folder)
    records = ropa_records(register, language)
    assert [r.key for r in records] == [(p.key,) for p in register.purposes]
    for rec in records:
        for column in ROPA_COLUMNS:
            cell = rec.cell(column.id)
            assert cell, (rec.key, column.id)
            assert all(line.strip() for line in cell), (rec.key, column.id)


@EXAMPLES
def test_purpose_texts_come_in_the_requested_language(folder: Path) -> None:
    register = load_register(folder)
    purpose = register.purposes[0]
    for language in ("sv", "en"):
        rec = record(register, purpose.key, language)
        assert rec.activity == (purpose.name[language],)
        assert rec.purpose == (purpose.description[language],)
        assert rec.controller[0].startswith(register.organisation.legal_name)


@EXAMPLES
def test_controller_part_is_the_same_in_every_record(folder: Path) -> None:
    register = load_register(folder)
    details = dict(ropa_controller(register, "en"))
    assert [c.id for c in details] == [
        "controller",
        "controller_contact",
        "joint_controllers",
        "representative",
        "dpo",
        "security_measures",
    ]
    for rec in ropa_records(register, "en"):
        for column, lines in details.items():
            assert rec.cell(column.id) == lines
    org = register.organisation
    assert org.dpo is not None
    assert org.dpo.name in details[next(c for c in details if c.id == "dpo")][0]


@pytest.mark.promise("P14")
def test_transfers_show_country_and_safeguards() -> None:
    register = load_register(MESTRO)
    rec = record(register, "customer_relations")
    slack = [line for line in rec.transfers if line.startswith("Slack:")]
    assert len(slack) == 1
    assert slack[0].startswith("Slack: US – EU–US Data Privacy Framework (Art. 45), ")
    assert "EU standard contractual clauses (Art. 46(2)(c))" in slack[0]
    assert "Slack Data Processing Addendum" in slack[0]
    sv = record(register, "customer_relations", "sv")
    assert any("EU:s standardavtalsklausuler" in line for line in sv.transfers)


def test_purpose_without_third_country_says_none() -> None:
    register = load_register(SECOND_ORG)
    for rec in ropa_records(register, "en"):
        systems = register.systems_for(rec.key[0])
        if not any(s.third_countries() for s in systems):
            assert rec.transfers == ("No transfers to third countries",)
            return
    pytest.fail("the second organisation has no purpose without transfers")


def test_hosting_outside_the_eea_without_a_transfer_entry_is_called_out() -> None:
    register = load_register(MESTRO)
    fortnox = register.system("fortnox")
    assert fortnox is not None
    moved = fortnox.model_copy(update={"hosting": Hosting(country="CH"), "transfers": []})
    changed = register.model_copy(
        update={"systems": [moved if s.key == "fortnox" else s for s in register.systems]}
    )
    rec = record(changed, "customer_relations")
    assert "Fortnox: CH (hosting) – no safeguard registered" in rec.transfers


@pytest.mark.promise("P13")
def test_recipients_are_the_processors_and_other_recipients_of_the_purpose() -> None:
    register = load_register(MESTRO)
    rec = record(register, "customer_relations")
    processors = [s for s in register.systems_for("customer_relations") if s.is_processor]
    recipients = [r for r in register.recipients if "customer_relations" in r.purposes]
    assert len(rec.recipients) == len(processors) + len(recipients)
    assert "Fortnox – processor (Fortnox AB, SE)" in rec.recipients
    assert "Swedish Tax Agency (Skatteverket) – public authority" in rec.recipients


@pytest.mark.promise("P8")
def test_special_categories_are_flagged_with_their_condition() -> None:
    register = load_register(MESTRO)
    rec = record(register, "events")
    food = [line for line in rec.data_categories if line.startswith("Food preferences")]
    assert food == [
        "Food preferences [Art. 9: may reveal: health, religious or philosophical beliefs]"
    ]
    assert rec.art9_condition == ("Art. 9(2)(a) explicit consent",)
    assert record(register, "marketing").art9_condition == ("Not applicable",)


@pytest.mark.promise("P10")
def test_retention_gives_period_trigger_action_and_hold_per_category() -> None:
    register = load_register(MESTRO)
    rec = record(register, "customer_relations")
    bookkeeping = [line for line in rec.retention if line.startswith("Invoice and bookkeeping")]
    assert len(bookkeeping) == 1
    assert bookkeeping[0].startswith(
        "Invoice and bookkeeping data: 7 years from the end of the fiscal year, then erasure; "
        "statutory hold under the Swedish Bookkeeping Act"
    )
    sv = record(register, "customer_relations", "sv")
    assert any(line.startswith("Användarkonto: 3 månader från avtalets") for line in sv.retention)


def test_categories_without_retention_rule_are_named() -> None:
    register = load_register(MESTRO)
    kept = [r for r in register.retention if r.purpose != "inquiries"]
    rec = record(register.model_copy(update={"retention": kept}), "inquiries")
    assert len(rec.retention) == 1
    assert rec.retention[0].endswith(": no retention rule registered")
    assert rec.retention[0].startswith("Name, E-mail address")


def test_missing_dpo_and_foreign_controller_are_stated_not_blank() -> None:
    register = load_register(SECOND_ORG)
    org = register.organisation
    abroad = Address(street="1 Example Road", postal_code="12345", city="Example", country="US")
    changed = register.model_copy(
        update={
            "organisation": org.model_copy(update={"dpo": None, "country": "US", "address": abroad})
        }
    )
    details = {c.id: lines for c, lines in ropa_controller(changed, "sv")}
    assert details["dpo"] == (words.say(words.NO_DPO, "sv"),)
    assert details["representative"] == ("Ingen företrädare utsedd (art. 27)",)
    assert details["joint_controllers"] == ("Inga gemensamt personuppgiftsansvariga (art. 26)",)


def test_unknown_language_is_refused() -> None:
    register = load_register(MESTRO)
    with pytest.raises(UnknownLanguageError):
        ropa_records(register, "de")


@EXAMPLES
def test_default_language_is_the_organisations(folder: Path) -> None:
    register = load_register(folder)
    assert default_ropa_language(register) == register.organisation.default_language


def test_joint_controllers_and_representative_fill_art_30_1_a() -> None:
    from skydd.domain.organisation import Address, JointController, Representative
    from skydd.storage.register_files import load_register
    from tests.conftest import SECOND_ORG

    register = load_register(SECOND_ORG)
    first, second = register.purposes[0], register.purposes[1]
    org = register.organisation.model_copy(
        update={
            "joint_controllers": [
                JointController(
                    name="Partner Clinic", email="dpo@partner.example", purposes=[first.key]
                )
            ],
            "representative": Representative(
                name="EU Rep Ltd",
                email="rep@eurep.example",
                address=Address(street="1 Rue", postal_code="1000", city="Bruxelles", country="BE"),
            ),
        }
    )
    records = ropa_records(register.model_copy(update={"organisation": org}), "en")
    by_key = {r.key[0]: r for r in records}
    assert by_key[first.key].joint_controllers == ("Partner Clinic, dpo@partner.example",)
    assert by_key[second.key].joint_controllers == ("No joint controllers (Art. 26)",)
    assert all(r.representative == ("EU Rep Ltd, rep@eurep.example",) for r in records)
