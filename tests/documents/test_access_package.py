"""The access and portability package: exact data, readable report, same bytes every time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
import zipfile
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest

from skydd.documents.access_package import build_access_package, cell_text
from skydd.domain.access_answer import AnsweredRequest, FoundCollection, FoundSystem, Row
from skydd.domain.errors import InvalidInput
from skydd.domain.requests import RequestId, RequestType
from skydd.domain.schema import text_in
from tests.conftest import MESTRO, SECOND_ORG
from tests.documents.policy_reading import html_text, register_at

ORGS = [pytest.param(MESTRO, id="mestro"), pytest.param(SECOND_ORG, id="second_org")]
LANGUAGES = ["sv", "en"]
RECEIVED_ON = dt.date(2026, 11, 2)
ANSWERED_ON = dt.date(2026, 11, 25)

MESTRO_FOUND = (
    FoundSystem(
        "hubspot",
        (
            FoundCollection(
                "contacts",
                (
                    {
                        "id": 101,
                        "name": "Alex Example",
                        "email": "alex@example.com",
                        "company": "Example AB",
                        "opens": 4,
                        "note": 'Said "hi", then, on a new line:\nsee you',
                    },
                ),
                {
                    "name": ("user.name",),
                    "email": ("user.contact.email",),
                    "company": ("company",),
                    "opens": ("email_engagement",),
                    "note": ("user.content.private",),
                },
            ),
            FoundCollection(
                "event_signups",
                ({"id": 5, "event": "Spring", "food": "vegetarian", "city": "Uppsala"},),
                {"food": ("food_preferences",), "city": ("home_town",)},
            ),
        ),
    ),
    FoundSystem(
        "mestro_platform",
        (
            FoundCollection(
                "users",
                (
                    {
                        "user_id": 7,
                        "email": "alex@example.com",
                        "username": "alex",
                        "settings": {"theme": "dark", "beta": True},
                    },
                ),
                {
                    "email": ("user.contact.email",),
                    "username": ("user.account.username",),
                    "settings": ("user.account.settings",),
                },
            ),
            FoundCollection(
                "usage",
                (
                    {"user_id": 7, "feature": "reports", "count": 12, "share": 0.5},
                    {"user_id": 7, "feature": "export", "count": 3, "share": None},
                ),
                {"feature": ("product_usage",), "count": ("product_usage",)},
            ),
        ),
    ),
    FoundSystem(
        "fortnox",
        (
            FoundCollection(
                "invoices",
                ({"invoice": "2026-0042", "amount": 1250.0, "paid": True, "name": "Alex Example"},),
                {"invoice": ("invoice_data",), "amount": ("invoice_data",), "name": ("name",)},
            ),
        ),
    ),
)

SECOND_FOUND = (
    FoundSystem(
        "patient_portal",
        (
            FoundCollection(
                "patients",
                (
                    {
                        "patient_id": 3,
                        "full_name": "Sam Example",
                        "email": "sam@example.org",
                        "date_of_birth": "1980-02-29",
                    },
                ),
                {
                    "full_name": ("user.name",),
                    "email": ("user.contact.email",),
                    "date_of_birth": ("user.demographic.date_of_birth",),
                },
            ),
            FoundCollection(
                "appointments",
                ({"patient_id": 3, "on": "2026-10-01", "kind": "physiotherapy"},),
                {"on": ("appointment_history",), "kind": ("appointment_history",)},
            ),
        ),
    ),
    FoundSystem(
        "clinicdesk",
        (
            FoundCollection(
                "notes",
                ({"patient_id": 3, "note": "Knee, left; exercises twice a day"},),
                {"note": ("clinical_notes",)},
            ),
        ),
    ),
)

FOUND = {MESTRO: MESTRO_FOUND, SECOND_ORG: SECOND_FOUND}


def _request(kind: RequestType = RequestType.ACCESS) -> AnsweredRequest:
    return AnsweredRequest(
        RequestId(uuid.UUID(int=42)), kind, RECEIVED_ON, ANSWERED_ON, reference="R-TEST-0001"
    )


def _package(
    folder: Path,
    language: str = "en",
    kind: RequestType = RequestType.ACCESS,
    found: Sequence[FoundSystem] | None = None,
) -> dict[str, bytes]:
    data = build_access_package(
        register_at(folder), language, _request(kind), FOUND[folder] if found is None else found
    )
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def _rows(found: Sequence[FoundSystem]) -> dict[str, dict[str, list[Row]]]:
    return {s.key: {c.name: list(c.rows) for c in s.collections} for s in found}


class _Page(HTMLParser):
    """Headings, table captions and header cells of the report."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.h2: list[str] = []
        self.tables = 0
        self.captions = 0
        self.header_cells: list[dict[str, str | None]] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html":
            self.lang = dict(attrs).get("lang")
        self.tables += tag == "table"
        self.captions += tag == "caption"
        if tag == "th":
            self.header_cells.append(dict(attrs))
        if tag == "h2":
            self.h2.append("")
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if "h2" in self._open:
            self.h2[-1] += data


def _page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    page.close()
    return page


def _report(folder: Path, language: str, kind: RequestType = RequestType.ACCESS) -> str:
    return _package(folder, language, kind)["report.html"].decode("utf-8")


@pytest.mark.promise("P17")
@pytest.mark.parametrize("folder", ORGS)
def test_data_json_reads_back_to_exactly_the_rows_found(folder: Path) -> None:
    document = json.loads(_package(folder)["data.json"].decode("utf-8"))
    assert document["systems"] == _rows(FOUND[folder])
    assert document["request"] == {
        "id": str(uuid.UUID(int=42)),
        "reference": "R-TEST-0001",
        "type": "access",
        "received_on": "2026-11-02",
        "answered_on": "2026-11-25",
    }
    assert document["controller"]["legal_name"] == register_at(folder).organisation.legal_name
    first = FOUND[folder][0].collections[0]
    tags = document["data_categories"][FOUND[folder][0].key][first.name]
    assert tags == {name: list(values) for name, values in first.field_categories.items()}


@pytest.mark.parametrize("folder", ORGS)
def test_each_collection_is_a_csv_that_parses_back_to_its_rows(folder: Path) -> None:
    entries = _package(folder)
    for system in FOUND[folder]:
        for collection in system.collections:
            raw = entries[f"{system.key}/{collection.name}.csv"]
            assert raw.startswith(b"\xef\xbb\xbf")
            text = raw.decode("utf-8-sig")
            assert text.endswith("\r\n")
            header, *rows = list(csv.reader(io.StringIO(text, newline="")))
            assert header == list(dict.fromkeys(k for row in collection.rows for k in row))
            expected = [[cell_text(row.get(name)) for name in header] for row in collection.rows]
            assert rows == expected


def test_csv_cells_keep_commas_quotes_and_line_breaks() -> None:
    text = _package(MESTRO)["hubspot/contacts.csv"].decode("utf-8-sig")
    assert '"Said ""hi"", then, on a new line:\nsee you"' in text
    row = next(csv.DictReader(io.StringIO(text, newline="")))
    assert row["note"] == 'Said "hi", then, on a new line:\nsee you'
    users = _package(MESTRO)["mestro_platform/users.csv"].decode("utf-8-sig")
    assert next(csv.DictReader(io.StringIO(users)))["settings"] == '{"beta": true, "theme": "dark"}'


def test_dates_in_rows_are_written_as_iso_8601() -> None:
    found = [
        FoundSystem(
            "hubspot",
            (FoundCollection("events", ({"on": dt.date(2026, 3, 1), "at": None},)),),
        )
    ]
    entries = _package(MESTRO, found=found)
    assert json.loads(entries["data.json"])["systems"]["hubspot"]["events"] == [
        {"on": "2026-03-01", "at": None}
    ]
    assert entries["hubspot/events.csv"].decode("utf-8-sig") == "on,at\r\n2026-03-01,\r\n"


@pytest.mark.parametrize("folder", ORGS)
def test_the_same_answer_gives_the_same_bytes_whatever_the_arrival_order(folder: Path) -> None:
    register = register_at(folder)
    first = build_access_package(register, "sv", _request(), FOUND[folder])
    again = build_access_package(register, "sv", _request(), tuple(reversed(FOUND[folder])))
    assert first == again
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(2026, 11, 25, 0, 0, 0)}


def test_zip_entry_names_cannot_leave_their_folder() -> None:
    found = [
        FoundSystem("../../etc", (FoundCollection("a/b", ({"x": 1},)),)),
        FoundSystem("..", (FoundCollection("..", ({"x": 2},)),)),
    ]
    names = set(_package(MESTRO, found=found))
    assert names == {"data.json", "report.html", "_/_.csv", "____etc/a_b.csv"}


def test_a_system_or_collection_listed_twice_is_refused() -> None:
    twice = FoundCollection("contacts", ({"x": 1},))
    with pytest.raises(InvalidInput):
        _package(MESTRO, found=[FoundSystem("hubspot", (twice, twice))])
    with pytest.raises(InvalidInput):
        _package(MESTRO, found=[FoundSystem("hubspot", (twice,))] * 2)


def test_a_value_json_cannot_hold_is_refused() -> None:
    found = [FoundSystem("hubspot", (FoundCollection("c", ({"x": float("nan")},)),))]
    with pytest.raises(InvalidInput):
        _package(MESTRO, found=found)


def test_only_access_and_portability_are_answered_with_a_package() -> None:
    with pytest.raises(InvalidInput):
        _request(RequestType.ERASURE)
    with pytest.raises(InvalidInput):
        AnsweredRequest(RequestId(uuid.uuid4()), RequestType.ACCESS, ANSWERED_ON, RECEIVED_ON)


@pytest.mark.promise("P17")
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("folder", ORGS)
def test_the_report_states_the_art_15_information_from_the_register(
    folder: Path, language: str
) -> None:
    register = register_at(folder)
    html = _report(folder, language)
    text = html_text(html)
    org = register.organisation

    def pick(value: dict[str, str]) -> str:
        return text_in(value, language, org.default_language)

    assert _page(html).lang == language
    for purpose in register.purposes:
        assert pick(purpose.name) in text
    for system in register.processors():
        assert system.name in text
    for recipient in register.recipients:
        assert pick(recipient.name) in text
    for rule in register.retention:
        assert pick(rule.legal_ground) in text
    assert org.supervisory_authority is not None
    assert pick(org.supervisory_authority.name) in text
    assert org.supervisory_authority.website in text
    contract = (
        "Fullgörande av avtal (artikel 6.1 b)"
        if language == "sv"
        else ("Performance of a contract (Art. 6(1)(b))")
    )
    assert contract in text


@pytest.mark.parametrize(
    ("language", "phrases"),
    [
        (
            "sv",
            [
                "Registerutdrag",
                "12 månader efter den senaste aktiviteten",
                "Rätt till rättelse",
                "Rätt till radering",
                "Rätt till begränsning av behandling",
                "Rätt att invända",
                "Integritetsskyddsmyndigheten (IMY)",
                "Vi fattar inga beslut som enbart grundas på automatiserad behandling",
                "Vi får uppgifterna genom dessa kanaler:",
                "25 november 2026",
            ],
        ),
        (
            "en",
            [
                "Register extract",
                "12 months after the last activity",
                "Right to rectification",
                "Right to erasure",
                "Right to restriction of processing",
                "Right to object",
                "Swedish Authority for Privacy Protection (IMY)",
                "We make no decisions based solely on automated processing",
                "We receive the data through these channels:",
                "25 November 2026",
            ],
        ),
    ],
)
def test_the_mestro_report_reads_in_the_persons_language(language: str, phrases: list[str]) -> None:
    text = html_text(_report(MESTRO, language))
    for phrase in phrases:
        assert phrase in text


def test_no_heading_of_the_swedish_report_is_left_in_english() -> None:
    for folder in (MESTRO, SECOND_ORG):
        sv = _page(_report(folder, "sv")).h2
        en = _page(_report(folder, "en")).h2
        assert len(sv) == len(en) >= 10
        assert set(sv) & set(en) == set()


def test_the_mestro_report_says_the_person_is_the_only_source_its_register_names() -> None:
    for language, says in zip(
        LANGUAGES, ("ingen annan källa", "names no source of the data"), strict=True
    ):
        assert says in html_text(_report(MESTRO, language))


def test_the_second_org_report_names_its_own_authority_and_nothing_of_mestro() -> None:
    for language in LANGUAGES:
        text = html_text(_report(SECOND_ORG, language))
        assert "Data Protection Commission" in text
        # Art. 15(1)(g): the register names a source besides the person, so the answer does.
        assert "Referrals from your general practitioner" in text or "Remisser från" in text
        assert "names no source of the data" not in text and "ingen annan källa" not in text
        assert "8 years after the last activity" in text or "8 år efter" in text
        for foreign in ("IMY", "Integritetsskyddsmyndigheten", "Mestro", "bokföringslagen"):
            assert foreign not in text


def test_what_concerns_the_data_found_comes_before_the_rest_of_the_register() -> None:
    found = [
        FoundSystem(
            "mailchimp",
            (
                FoundCollection(
                    "members", ({"email": "sam@example.org"},), {"email": ("email_address",)}
                ),
            ),
        )
    ]
    text = html_text(_package(SECOND_ORG, "en", found=found)["report.html"].decode())
    found_part = text.split("Purposes for which we process the data we found")[1]
    found_part, other_part = found_part.split("Other purposes in our register")
    assert "Newsletter" in found_part
    assert "Patient care" not in found_part
    assert "Patient care" in other_part.split("Categories of personal data")[0]
    assert "Mailchimp" in text.split("Processors that may hold the kinds of data we found")[1]


def test_the_report_is_self_contained_and_its_tables_accessible() -> None:
    html = _report(MESTRO, "sv")
    for outside in ("<script", "<link", " src=", "@import", "url("):
        assert outside not in html
    page = _page(html)
    assert page.tables == page.captions > 5
    column_heads = [cell for cell in page.header_cells if cell.get("scope") == "col"]
    assert column_heads
    assert all(cell.get("scope") in {"col", "row"} for cell in page.header_cells)


def test_a_script_in_a_found_value_is_escaped_in_the_report() -> None:
    script = "<script>alert(1)</script>"
    found = [
        FoundSystem("hubspot", (FoundCollection(f"x{script}", ({"name": script, script: "y"},)),))
    ]
    html = _package(MESTRO, "sv", found=found)["report.html"].decode()
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_report_with_nothing_found_still_states_the_general_information() -> None:
    text = html_text(_package(MESTRO, "en", found=[])["report.html"].decode())
    assert "We found no personal data about you in our systems." in text
    assert "Other purposes in our register" in text
    assert "Swedish Authority for Privacy Protection (IMY)" in text


def test_a_language_the_organisation_does_not_publish_in_falls_back_to_its_default() -> None:
    assert _page(_report(MESTRO, "de")).lang == "sv"
    assert _page(_report(SECOND_ORG, "de")).lang == "en"


@pytest.mark.promise("P19")
def test_portability_packs_only_provided_data_on_consent_or_contract() -> None:
    entries = _package(MESTRO, "en", RequestType.PORTABILITY)
    systems = json.loads(entries["data.json"])["systems"]
    assert systems["hubspot"]["contacts"] == [
        {
            "name": "Alex Example",
            "email": "alex@example.com",
            "company": "Example AB",
            "note": ('Said "hi", then, on a new line:\nsee you'),
        }
    ]
    assert systems["mestro_platform"] == {
        "users": [
            {
                "email": "alex@example.com",
                "username": "alex",
                "settings": {"theme": "dark", "beta": True},
            }
        ]
    }
    assert systems["fortnox"]["invoices"] == [
        {"invoice": "2026-0042", "amount": 1250.0, "name": "Alex Example"}
    ]
    assert "mestro_platform/usage.csv" not in entries
    assert (
        entries["hubspot/contacts.csv"]
        .decode("utf-8-sig")
        .startswith("name,email,company,note\r\n")
    )


@pytest.mark.promise("P19")
def test_portability_of_the_second_org_leaves_out_appointments_and_clinical_notes() -> None:
    entries = _package(SECOND_ORG, "en", RequestType.PORTABILITY)
    systems = json.loads(entries["data.json"])["systems"]
    assert systems == {
        "patient_portal": {
            "patients": [
                {
                    "full_name": "Sam Example",
                    "email": "sam@example.org",
                    "date_of_birth": "1980-02-29",
                }
            ]
        }
    }
    text = html_text(entries["report.html"].decode())
    not_included = text.split("What is not included")[1]
    assert "Appointment history" in not_included
    assert "Clinical notes" in not_included
    assert "Full name" in text.split("These kinds of personal data are included:")[1]


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_portability_report_is_shorter_and_says_what_is_left_out(language: str) -> None:
    html = _report(MESTRO, language, RequestType.PORTABILITY)
    access = _report(MESTRO, language)
    text = html_text(html)
    assert len(html) < len(access) / 2
    left_out = (
        ["Läsning av e-post", "Användning av produkterna"]
        if language == "sv"
        else [
            "E-mail engagement",
            "Product usage",
        ]
    )
    for name in left_out:
        assert name in text
    heading = (
        "Varför vi behandlar dina uppgifter" if language == "sv" else ("Why we process your data")
    )
    assert heading not in text
    assert heading in html_text(access)
    authority = (
        "Integritetsskyddsmyndigheten (IMY)"
        if language == "sv"
        else ("Swedish Authority for Privacy Protection (IMY)")
    )
    assert authority in text
