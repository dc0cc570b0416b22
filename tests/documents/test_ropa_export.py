"""The Art. 30 record as files: Excel, CSV, HTML and JSON that other tools read back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from skydd.documents.ropa_export import RopaFormat, export_ropa, parse_ropa_format
from skydd.domain.errors import InvalidInput
from skydd.domain.register import Register
from skydd.domain.ropa import ROPA_COLUMNS, ropa_records
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG

EXAMPLES = pytest.mark.parametrize("folder", [MESTRO, SECOND_ORG], ids=["mestro", "second_org"])
REQUIRED = [c for c in ROPA_COLUMNS if c.is_required]


def hostile(register: Register) -> Register:
    """The register with markup and quotes in the first purpose's name."""
    first = register.purposes[0]
    name = dict.fromkeys(first.name, '<script>alert("x")</script> & "quotes", commas')
    return register.model_copy(
        update={"purposes": [first.model_copy(update={"name": name}), *register.purposes[1:]]}
    )


@pytest.mark.parametrize("language", ["sv", "en"])
def test_xlsx_has_every_art30_column_filled_for_every_mestro_row(language: str) -> None:
    register = load_register(MESTRO)
    document = export_ropa(register, RopaFormat.XLSX, language)
    book = load_workbook(io.BytesIO(document.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [c.label(language) for c in ROPA_COLUMNS]
    assert len(rows) == 1 + len(register.purposes)
    index = {c.id: i for i, c in enumerate(ROPA_COLUMNS)}
    for row in rows[1:]:
        for column in REQUIRED:
            value = row[index[column.id]]
            assert isinstance(value, str), (row[0], column.id)
            assert value.strip(), (row[0], column.id)
    assert [row[0] for row in rows[1:]] == [p.key for p in register.purposes]


def test_xlsx_header_is_bold_frozen_filtered_and_sized() -> None:
    document = export_ropa(load_register(MESTRO), RopaFormat.XLSX, "sv")
    book = load_workbook(io.BytesIO(document.content))
    assert book.sheetnames == ["Behandlingar", "Personuppgiftsansvarig", "Kolumner"]
    sheet = book.worksheets[0]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == sheet.dimensions
    widths = [sheet.column_dimensions[cell.column_letter].width for cell in sheet[1]]
    assert all(10 <= width <= 62 for width in widths)
    controller = dict(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert controller["Dataskyddsombud"] == "Therese Enlund, support@mestro.se"
    legend = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[2] or "") for r in legend] == [(c.id, c.article) for c in ROPA_COLUMNS]


@EXAMPLES
def test_csv_parses_with_the_csv_module(folder: Path) -> None:
    register = hostile(load_register(folder))
    document = export_ropa(register, RopaFormat.CSV, "en")
    assert document.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(document.content.decode("utf-8-sig"), newline="")))
    assert rows[0] == [c.label("en") for c in ROPA_COLUMNS]
    records = ropa_records(register, "en")
    assert rows[1:] == [["\n".join(r.cell(c.id)) for c in ROPA_COLUMNS] for r in records]
    assert rows[1][1] == '<script>alert("x")</script> & "quotes", commas'


def test_html_escapes_every_value() -> None:
    register = hostile(load_register(SECOND_ORG))
    page = export_ropa(register, RopaFormat.HTML, "en").content.decode("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert '<html lang="en">' in page
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;quotes&quot;" in page
    assert page.count("<tr>") == 1 + len(register.purposes)
    for column in ROPA_COLUMNS:
        assert f">{column.label('en')}<" in page


@EXAMPLES
def test_json_keeps_cells_as_lists_keyed_by_column_id(folder: Path) -> None:
    register = load_register(folder)
    payload = json.loads(export_ropa(register, RopaFormat.JSON, "sv").content)
    assert payload["organisation"] == register.organisation.key
    assert payload["language"] == "sv"
    assert [c["id"] for c in payload["columns"]] == [c.id for c in ROPA_COLUMNS]
    records = ropa_records(register, "sv")
    assert payload["records"] == [{c.id: list(r.cell(c.id)) for c in ROPA_COLUMNS} for r in records]
    assert payload["controller"]["dpo"] == list(records[0].dpo)


def test_documents_name_their_media_type_and_file() -> None:
    register = load_register(MESTRO)
    expected = {
        RopaFormat.CSV: "text/csv; charset=utf-8",
        RopaFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        RopaFormat.HTML: "text/html; charset=utf-8",
        RopaFormat.JSON: "application/json",
    }
    for fmt, media_type in expected.items():
        document = export_ropa(register, fmt, "en")
        assert document.media_type == media_type
        assert document.filename == f"ropa-mestro-en.{fmt.value}"


def test_unknown_format_is_invalid_input() -> None:
    assert parse_ropa_format("XLSX") is RopaFormat.XLSX
    with pytest.raises(InvalidInput, match="unknown format 'pdf'"):
        parse_ropa_format("pdf")
