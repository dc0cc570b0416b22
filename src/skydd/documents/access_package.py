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

Most of the report is the register's: its purposes, categories, recipients, retention
rules, rights and authority, split by what the data found concerns. Given a
:class:`ReportCache`, that part is worked out and rendered once per register, language,
right and *shape* of the finding (which systems, and which tagged fields hold a value)
and reused; each answer then renders only its own facts and data. People found in the
same tables with the same kinds of fields filled share one shape, so in a steady stream
of requests nearly every answer is a hit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import threading
import zipfile
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from markupsafe import Markup

from skydd.documents.localisation import localisation, reader_language
from skydd.domain.access_answer import (
    AnsweredRequest,
    FoundCollection,
    FoundSystem,
    RowValue,
    has_value,
)
from skydd.domain.access_answer import ordered as ordered_systems
from skydd.domain.access_report import AccessReport, build_access_report, data_tables
from skydd.domain.errors import InvalidInput
from skydd.domain.policy_document import SECTIONS
from skydd.domain.portability import PortableSelection, portable_data
from skydd.domain.register import Register
from skydd.domain.requests import RequestType

REPORT_TEMPLATE = "access/report.html.j2"
GENERAL_TEMPLATE = "access/_general.html.j2"
"""The register's part of the report: the same for every answer of one :class:`ReportCache` key."""
UTF8_BOM = "\ufeff"
_UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+|\.{2,}")
_SECTIONS = dict(SECTIONS)


@dataclass(frozen=True)
class _Known:
    """A report worked out for one key: its register part is every later answer's too."""

    register: Register
    """Held so the register's ``id`` in the key cannot pass to another object while cached."""
    report: AccessReport
    """Without its tables: no person's data outlives the answer it was found for."""
    general: Markup


class ReportCache:
    """The register's part of access reports, per register, language, right and finding shape.

    Registers are immutable and a process keeps one object per stored version, so a
    register is keyed by identity; the entry holds the register, so the identity cannot
    be reused by another object while the entry lives, and a hit also checks it is the
    same object. The least recently used entry goes when full. Workers may run requests
    in threads, so lookups and updates hold a lock; two threads missing at once both
    build the entry, which is the same either way.
    """

    def __init__(self, max_entries: int = 64) -> None:
        self._entries: OrderedDict[Hashable, _Known] = OrderedDict()
        self._max_entries = max_entries
        self._lock = threading.Lock()

    def get(self, register: Register, key: Hashable) -> _Known | None:
        """The entry of ``key`` when it was made from this very ``register``."""
        with self._lock:
            known = self._entries.get(key)
            if known is None or known.register is not register:
                return None
            self._entries.move_to_end(key)
            return known

    def put(self, key: Hashable, known: _Known) -> None:
        """Remember ``known``; the least recently used entry goes when full."""
        with self._lock:
            self._entries[key] = known
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


def build_access_package(
    register: Register,
    language: str,
    request: AnsweredRequest,
    found: Iterable[FoundSystem],
    cache: ReportCache | None = None,
) -> bytes:
    """The zip answering ``request`` with the data ``found``, for a reader of ``language``.

    A language the organisation does not publish in falls back to its default language.
    With a ``cache`` the register's part of the report is reused from an earlier answer
    of the same shape; the bytes are the same with or without one.
    """
    language = reader_language(register, language)
    systems = ordered_systems(found)
    selection = None
    if request.type is RequestType.PORTABILITY:
        selection = portable_data(register, systems)
    packed = selection.systems if selection is not None else systems
    report, general = _report(register, language, request, systems, selection, cache)
    entries = {
        "data.json": data_json(register, request, packed),
        "report.html": render_report(report, general).encode("utf-8"),
        **csv_entries(packed),
    }
    return zip_entries(entries, request.answered_on)


def _report(
    register: Register,
    language: str,
    request: AnsweredRequest,
    systems: Sequence[FoundSystem],
    selection: PortableSelection | None,
    cache: ReportCache | None,
) -> tuple[AccessReport, Markup | None]:
    """The report of this answer, and its register part already rendered when cached."""
    if cache is None:
        return build_access_report(register, language, request, systems, selection), None
    key = (id(register), language, request.type, finding_shape(systems))
    known = cache.get(register, key)
    if known is None:
        report = build_access_report(register, language, request, systems, selection)
        known = _Known(register, replace(report, tables=()), render_general(report))
        cache.put(key, known)
        return report, known.general
    shown = selection.systems if selection is not None else systems
    tables = data_tables(register, shown)
    return replace(known.report, request=request, tables=tables), known.general


def finding_shape(systems: Sequence[FoundSystem]) -> Hashable:
    """What the report's register part depends on in a finding, and nothing more.

    Per system (in order): its key, whether any row was found, and the tags of every
    field that holds a value. From these alone the report decides which categories,
    purposes, processors, recipients, retention rules and transfers concern the
    person, and for portability which categories are handed over or left out.
    """
    return tuple(
        (
            system.key,
            any(collection.rows for collection in system.collections),
            frozenset(tags for collection in system.collections for tags in _filled(collection)),
        )
        for system in systems
    )


def _filled(collection: FoundCollection) -> list[tuple[str, ...]]:
    """The tags of each tagged field that holds a value in some row."""
    filled = {name for row in collection.rows for name, value in row.items() if has_value(value)}
    return [tuple(tags) for name, tags in collection.field_categories.items() if name in filled]


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
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return repr(value)  # what json.dumps writes for these, without its machinery
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


def render_report(report: AccessReport, general: Markup | None = None) -> str:
    """The report as one HTML document in the report's language.

    Parts the policy also has carry the policy's own headings (``SECTIONS``), so the
    person finds the same words in both. ``general`` is the register's part as
    :func:`render_general` renders it for this report (rendered now when not given).
    """
    env = localisation(report.language).environment(html=True)
    if general is None:
        general = render_general(report)
    return env.get_template(REPORT_TEMPLATE).render(_context(report), general=general)


def render_general(report: AccessReport) -> Markup:
    """The report's register part: what is processed and why, the rights, where to complain."""
    env = localisation(report.language).environment(html=True)
    html = env.get_template(GENERAL_TEMPLATE).render(_context(report))
    return Markup(html)  # noqa: S704 - rendered with autoescape on


def _context(report: AccessReport) -> dict[str, Any]:
    return {
        "report": report,
        "portability": report.request.type is RequestType.PORTABILITY,
        "sections": _SECTIONS,
        "cell": cell_text,
    }


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
