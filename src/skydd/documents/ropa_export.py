"""The Art. 30 record as a file: CSV, Excel, a standalone HTML page, or JSON.

The record itself is built by :mod:`skydd.domain.ropa`; this module only lays it
out. Choices (see docs/decisions/0005-ropa-export.md):

- **CSV** is RFC 4180 (comma, CRLF, quoted fields) in UTF-8 *with* a byte order
  mark, so Excel opens Swedish letters correctly while the ``csv`` module, pandas
  and LibreOffice read it as plain UTF-8 (``utf-8-sig``). A cell of several lines
  keeps them as lines inside one quoted field.
- **XLSX** has the record on the first sheet (bold, frozen header row with an auto
  filter, wrapped cells, widths fitted to the text), the controller's part on a
  second sheet, and the legal source of every column on a third.
- **HTML** is one self-contained page (inline CSS, no scripts); every value is escaped.
- **JSON** keeps each cell as a list of lines, with column ids as keys.
"""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from skydd.domain import ropa_vocabulary as words
from skydd.domain.errors import InvalidInput
from skydd.domain.register import Register
from skydd.domain.ropa import ROPA_COLUMNS, Cell, RopaRecord, ropa_controller, ropa_records


class RopaFormat(StrEnum):
    """The file formats the record is exported in."""

    CSV = "csv"
    XLSX = "xlsx"
    HTML = "html"
    JSON = "json"

    @property
    def media_type(self) -> str:
        """The media type of the file."""
        return _MEDIA_TYPES[self]

    @property
    def is_binary(self) -> bool:
        """True when the file cannot be written to a terminal."""
        return self is RopaFormat.XLSX


_MEDIA_TYPES = {
    RopaFormat.CSV: "text/csv; charset=utf-8",
    RopaFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    RopaFormat.HTML: "text/html; charset=utf-8",
    RopaFormat.JSON: "application/json",
}


def parse_ropa_format(text: str) -> RopaFormat:
    """The format named ``text``; InvalidInput when there is no such format."""
    try:
        return RopaFormat(text.lower())
    except ValueError:
        choices = ", ".join(f.value for f in RopaFormat)
        msg = f"unknown format {text!r}; choose one of: {choices}"
        raise InvalidInput(msg) from None


@dataclass(frozen=True)
class RopaDocument:
    """An exported record: its bytes, media type and a file name to offer."""

    content: bytes
    media_type: str
    filename: str


def export_ropa(register: Register, fmt: RopaFormat, language: str) -> RopaDocument:
    """The Art. 30 record of ``register`` in ``language`` as a ``fmt`` file."""
    records = ropa_records(register, language)
    render = {
        RopaFormat.CSV: _csv,
        RopaFormat.XLSX: _xlsx,
        RopaFormat.HTML: _html,
        RopaFormat.JSON: _json,
    }[fmt]
    content = render(register, records, language)
    filename = f"ropa-{register.organisation.key}-{language}.{fmt.value}"
    return RopaDocument(content, fmt.media_type, filename)


def _csv(_register: Register, records: list[RopaRecord], language: str) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([column.label(language) for column in ROPA_COLUMNS])
    for record in records:
        writer.writerow(["\n".join(record.cell(column.id)) for column in ROPA_COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def _json(register: Register, records: list[RopaRecord], language: str) -> bytes:
    payload = {
        "organisation": register.organisation.key,
        "language": language,
        "title": words.say(words.TITLE, language),
        "columns": [
            {"id": c.id, "label": c.label(language), "article": c.article} for c in ROPA_COLUMNS
        ],
        "controller": {
            column.id: list(lines) for column, lines in ropa_controller(register, language)
        },
        "records": [{c.id: list(record.cell(c.id)) for c in ROPA_COLUMNS} for record in records],
    }
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _html(register: Register, records: list[RopaRecord], language: str) -> bytes:
    def cell(lines: Cell) -> str:
        return "<br>".join(html.escape(line) for line in lines)

    title = html.escape(words.say(words.TITLE, language))
    org = html.escape(register.organisation.legal_name)
    head = "".join(
        f'<th scope="col">{html.escape(c.label(language))}'
        + (f"<small>{html.escape(c.article)}</small>" if c.article else "")
        + "</th>"
        for c in ROPA_COLUMNS
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{cell(record.cell(c.id))}</td>" for c in ROPA_COLUMNS) + "</tr>\n"
        for record in records
    )
    page = f"""<!DOCTYPE html>
<html lang="{html.escape(language)}">
<head>
<meta charset="utf-8">
<title>{title} – {org}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 1.5rem; }}
table {{ border-collapse: collapse; font-size: 0.85rem; }}
th, td {{ border: 1px solid #999; padding: 0.3rem 0.5rem; vertical-align: top; text-align: left; }}
th {{ background: #eee; position: sticky; top: 0; }}
th small {{ display: block; font-weight: normal; color: #555; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p>{org}</p>
<table>
<thead><tr>{head}</tr></thead>
<tbody>
{rows}</tbody>
</table>
</body>
</html>
"""
    return page.encode("utf-8")


_MIN_WIDTH = 10
_MAX_WIDTH = 60


def _width(lines: list[Cell]) -> int:
    longest = max((len(line) for cell in lines for line in cell), default=0)
    return max(_MIN_WIDTH, min(_MAX_WIDTH, longest + 2))


def _xlsx(register: Register, records: list[RopaRecord], language: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = words.say(words.ACTIVITIES, language)
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([column.label(language) for column in ROPA_COLUMNS])
    for record in records:
        sheet.append(["\n".join(record.cell(column.id)) for column in ROPA_COLUMNS])
    for i, column in enumerate(ROPA_COLUMNS, start=1):
        letter = get_column_letter(i)
        cells = [(column.label(language),), *(r.cell(column.id) for r in records)]
        sheet.column_dimensions[letter].width = _width(cells)
    for row in sheet.iter_rows():
        for xl_cell in row:
            xl_cell.alignment = wrap
    for xl_cell in sheet[1]:
        xl_cell.font = bold
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = sheet.dimensions

    controller = book.create_sheet(words.say(words.CONTROLLER_SHEET, language))
    controller.append([words.say(words.FIELD, language), words.say(words.VALUE, language)])
    details = ropa_controller(register, language)
    for column, lines in details:
        controller.append([column.label(language), "\n".join(lines)])
    controller.column_dimensions["A"].width = _width([(c.label(language),) for c, _ in details])
    controller.column_dimensions["B"].width = _MAX_WIDTH + 20
    _style_key_value(controller, bold, wrap)

    legend = book.create_sheet(words.say(words.COLUMNS_SHEET, language))
    legend.append(["id", words.say(words.FIELD, language), words.say(words.SOURCE, language)])
    for column in ROPA_COLUMNS:
        legend.append([column.id, column.label(language), column.article])
    for letter, width in (("A", 20), ("B", _MAX_WIDTH), ("C", 16)):
        legend.column_dimensions[letter].width = width
    _style_key_value(legend, bold, wrap)

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _style_key_value(sheet: Any, bold: Font, wrap: Alignment) -> None:
    for row in sheet.iter_rows():
        for xl_cell in row:
            xl_cell.alignment = wrap
    for xl_cell in sheet[1]:
        xl_cell.font = bold
    sheet.freeze_panes = "A2"
