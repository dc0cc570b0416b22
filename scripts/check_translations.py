"""Fail when a message of the published policy has no Swedish translation.

Extracts every msgid from the sources ``babel.cfg`` names (the policy templates, the
domain's N_() terms, the renderer's ngettext() units) and checks that each catalog
has a non-empty, non-fuzzy translation for every one, and that ``messages.pot``
lists exactly the extracted msgids. ``--update-pot`` rewrites a stale
``messages.pot``; then merge it into each catalog with
``pybabel update -i src/skydd/documents/locales/messages.pot -d src/skydd/documents/locales``
and translate what is new.

Usage: ``.venv/bin/python scripts/check_translations.py [--update-pot]``
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "babel.cfg"
LOCALES = ROOT / "src" / "skydd" / "documents" / "locales"
POT = LOCALES / "messages.pot"
CATALOGS = (LOCALES / "sv" / "LC_MESSAGES" / "messages.po",)
POT_HEADER = """\
# Messages of the published privacy policy (skydd); regenerate with
# `.venv/bin/python scripts/check_translations.py --update-pot`.
#"""

MessageId = str | tuple[str, ...]


@dataclass(frozen=True)
class Extracted:
    """One msgid found in the sources, with the file it was first seen in."""

    msgid: MessageId
    location: str

    @property
    def singular(self) -> str:
        """The msgid a catalog is keyed by (the singular of a plural message)."""
        return self.msgid[0] if isinstance(self.msgid, tuple) else self.msgid


def extract(root: Path = ROOT, mapping: Path = MAPPING) -> list[Extracted]:
    """Every msgid the sources named in ``mapping`` use, in the order first seen."""
    with mapping.open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)  # type: ignore[no-untyped-call]
    seen: dict[MessageId, Extracted] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        root, method_map, options_map
    ):
        key = tuple(m for m in message if m) if isinstance(message, tuple) else message
        seen.setdefault(key, Extracted(key, filename))
    return list(seen.values())


def _read(catalog_file: Path) -> Catalog:
    with catalog_file.open("rb") as source:
        return read_po(source)


def untranslated(messages: Sequence[Extracted], catalog_file: Path) -> list[Extracted]:
    """The messages ``catalog_file`` lacks, leaves empty, or marks fuzzy."""
    catalog = _read(catalog_file)
    missing = []
    for message in messages:
        entry = catalog.get(message.singular)
        strings = entry.string if entry is not None else ""
        values = strings if isinstance(strings, tuple) else (strings,)
        if entry is None or entry.fuzzy or not all(values):
            missing.append(message)
    return missing


def pot_is_current(messages: Sequence[Extracted], pot_file: Path) -> bool:
    """True when ``pot_file`` lists exactly the extracted msgids."""
    if not pot_file.is_file():
        return False
    listed = {entry.id if isinstance(entry.id, str) else entry.id[0] for entry in _read(pot_file)}
    return listed - {""} == {m.singular for m in messages}


def write_pot(messages: Sequence[Extracted], pot_file: Path) -> None:
    """Write the template catalog of ``messages``, without line numbers to keep diffs small."""
    catalog = Catalog(project="skydd", charset="utf-8", fuzzy=False, header_comment=POT_HEADER)
    for message in messages:
        catalog.add(message.msgid, locations=[(message.location, 0)])
    with pot_file.open("wb") as target:
        write_po(target, catalog, include_lineno=False, sort_output=True, width=100)


def main(argv: Sequence[str] | None = None) -> int:
    """Check the template and every catalog; 1 lists what is wrong, 0 when all is well."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="where babel.cfg paths start")
    parser.add_argument("--mapping", type=Path, default=MAPPING, help="the babel.cfg to use")
    parser.add_argument("--pot", type=Path, default=POT, help="the template catalog")
    parser.add_argument("--catalog", type=Path, action="append", help="a .po file to check")
    parser.add_argument("--update-pot", action="store_true", help="rewrite a stale template")
    args = parser.parse_args(argv)
    messages = extract(args.root, args.mapping)
    if not messages:
        sys.stderr.write("no messages extracted: check babel.cfg\n")
        return 1
    problems = []
    if not pot_is_current(messages, args.pot):
        if args.update_pot:
            write_pot(messages, args.pot)
        else:
            problems.append(f"{args.pot}: out of date; run with --update-pot")
    for catalog_file in args.catalog or list(CATALOGS):
        problems += [
            f"{catalog_file}: untranslated {m.msgid!r} ({m.location})"
            for m in untranslated(messages, catalog_file)
        ]
    for problem in problems:
        sys.stderr.write(problem + "\n")
    if problems:
        return 1
    sys.stdout.write(f"{len(messages)} messages, all translated\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
