"""The package answering an access (Art. 15) or portability (Art. 20) request: a zip (P17, P19).

Entries, all UTF-8:

- ``data.json``: the controller, the request, the rows found per system and collection
  (``systems``), and the data categories of each field (``data_categories``); keys
  sorted, dates ISO 8601, so the file reads back to exactly the rows given.
- ``<system>/<collection>.csv``: one per collection. The header is every field in the
  order first seen; RFC 4180 (comma, CRLF, fields quoted when needed, quotes doubled);
  a byte-order mark first, so spreadsheet programs take it as UTF-8. Values are written
  as found, never rewritten: ``data.json`` and the CSV must agree with the source.
- ``report.html``: what a person reads, in their language: self-contained (inline CSS,
  no script, nothing fetched), with the Art. 15(1)–(2) information from the register
  and the data as tables (:mod:`skydd.domain.access_report` decides what it says).

For portability only the portable fields are packed (:mod:`skydd.domain.portability`)
and the report is shorter: what is included, what is not and why, and the data.

The bytes are deterministic: entries sorted by name, every timestamp the answered date
at midnight, fixed permissions and compression, so the same answer gives the same zip.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

from skydd.documents.localisation import localisation, reader_language
from skydd.domain.access_answer import AnsweredRequest, FoundCollection, FoundSystem, RowValue
from skydd.domain.access_answer import ordered as ordered_systems
from skydd.domain.access_report import AccessReport, build_access_report
from skydd.domain.errors import InvalidInput
from skydd.domain.policy_document import SECTIONS
from skydd.domain.portability import portable_data
from skydd.domain.register import Register
from skydd.domain.requests import RequestType

REPORT_TEMPLATE = "access/report.html.j2"
UTF8_BOM = "\ufeff"
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+|\.{2,}")


def build_access_package(
    register: Register, language: str, request: AnsweredRequest, found: Iterable[FoundSystem]
) -> bytes:
    """The zip answering ``request`` with the data ``found``, for a reader of ``language``.

    A language the organisation does not publish in falls back to its default language.
    """
    language = reader_language(register, language)
    systems = ordered_systems(found)
    selection = None
    if request.type is RequestType.PORTABILITY:
        selection = portable_data(register, systems)
    packed = selection.systems if selection is not None else systems
    report = build_access_report(register, language, request, systems, selection)
    entries = {
        "data.json": data_json(register, request, packed),
        "report.html": render_report(report).encode("utf-8"),
        **csv_entries(packed),
    }
    return zip_entries(entries, request.answered_on)


def data_json(
    register: Register, request: AnsweredRequest, systems: Sequence[FoundSystem]
) -> bytes:
    """The machine-readable copy: every row as found, with the categories of each field."""
    org = register.organisation
    document: dict[str, Any] = {
        "controller": {
            "name": org.name,
            "legal_name": org.legal_name,
            "org_number": org.org_number,
        },
        "request": {
            "id": str(request.id),
            "reference": request.reference,
            "type": request.type.value,
            "received_on": request.received_on.isoformat(),
            "answered_on": request.answered_on.isoformat(),
        },
        "systems": {s.key: {c.name: list(c.rows) for c in s.collections} for s in systems},
        "data_categories": {
            s.key: {
                c.name: {f: list(tags) for f, tags in c.field_categories.items()}
                for c in s.collections
            }
            for s in systems
        },
    }
    try:
        text = json.dumps(
            document, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False, default=_iso
        )
    except ValueError as exc:
        msg = "a found value is not a finite number; JSON cannot hold it"
        raise InvalidInput(msg) from exc
    return (text + "\n").encode("utf-8")


def _iso(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    msg = f"a found value of type {type(value).__name__} cannot be written as JSON"
    raise InvalidInput(msg)


def csv_entries(systems: Sequence[FoundSystem]) -> dict[str, bytes]:
    """One CSV per collection, at ``<system>/<collection>.csv`` with names safe for any disk."""
    entries: dict[str, bytes] = {}
    for system in systems:
        folder = _unique(_safe_name(system.key), {n.split("/")[0] for n in entries})
        taken: set[str] = set()
        for collection in system.collections:
            name = _unique(_safe_name(collection.name), taken)
            taken.add(name)
            entries[f"{folder}/{name}.csv"] = collection_csv(collection)
    return entries


def collection_csv(collection: FoundCollection) -> bytes:
    """A collection as RFC 4180 CSV in UTF-8 with a byte-order mark."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    columns = collection.columns
    writer.writerow(columns)
    for row in collection.rows:
        writer.writerow([cell_text(row.get(column)) for column in columns])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def cell_text(value: RowValue) -> str:
    """A found value as one cell: text as is, empty for null, JSON for the rest."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_iso)


def _safe_name(name: str) -> str:
    """A path part that cannot climb out of its folder or trip a file system."""
    return _UNSAFE_IN_NAME.sub("_", name).strip(".") or "_"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        candidate = f"{name}~{n}"
    return candidate


def render_report(report: AccessReport) -> str:
    """The report as one HTML document in the report's language.

    Parts the policy also has carry the policy's own headings (``SECTIONS``), so the
    person finds the same words in both.
    """
    env = localisation(report.language).environment(html=True)
    return env.get_template(REPORT_TEMPLATE).render(
        report=report,
        portability=report.request.type is RequestType.PORTABILITY,
        sections=dict(SECTIONS),
        cell=cell_text,
    )


def zip_entries(entries: dict[str, bytes], answered_on: dt.date) -> bytes:
    """A zip of ``entries``, byte for byte the same for the same entries and date."""
    stamp = (max(answered_on.year, 1980), answered_on.month, answered_on.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            archive.writestr(info, entries[name], compresslevel=9)
    return buffer.getvalue()
