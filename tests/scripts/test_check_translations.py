"""``scripts/check_translations.py``: passes on the repository, fails on a gap in the catalog."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from scripts.check_translations import CATALOGS, POT, extract, main, untranslated

from tests.conftest import ROOT

SV = CATALOGS[0]


def _copy_with(
    tmp_path: Path, msgid: str, *, string: str | None = None, fuzzy: bool = False
) -> Path:
    """A copy of the Swedish catalog with one entry emptied or marked fuzzy."""
    with SV.open("rb") as source:
        catalog = read_po(source)
    entry = catalog[msgid]
    assert entry is not None
    if string is not None:
        entry.string = string
    if fuzzy:
        entry.flags.add("fuzzy")
    copy = tmp_path / "messages.po"
    with copy.open("wb") as target:
        write_po(target, catalog)
    return copy


def test_the_repository_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    assert capsys.readouterr().out.endswith(" messages, all translated\n")


def test_it_runs_as_make_check_runs_it() -> None:
    done = subprocess.run(
        [sys.executable, "scripts/check_translations.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_it_extracts_from_templates_domain_and_renderer() -> None:
    found = {m.msgid: m.location for m in extract()}
    assert found["Your rights"] == "src/skydd/domain/policy_document.py"
    assert found["Legitimate interests"] == "src/skydd/domain/policy_terms.py"
    assert found["Right of access"] == "src/skydd/documents/templates/policy/rights.md.j2"
    assert found[("%(num)d year", "%(num)d years")] == "src/skydd/documents/policy_rendering.py"


def test_an_empty_translation_fails_and_is_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = _copy_with(tmp_path, "Right of access", string="")
    assert [m.msgid for m in untranslated(extract(), catalog)] == ["Right of access"]
    assert main(["--catalog", str(catalog)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"{catalog}: untranslated 'Right of access' "
        "(src/skydd/documents/templates/policy/rights.md.j2)\n"
    )


def test_a_fuzzy_or_half_plural_translation_fails(tmp_path: Path) -> None:
    fuzzy = _copy_with(tmp_path, "Consent", fuzzy=True)
    assert [m.msgid for m in untranslated(extract(), fuzzy)] == ["Consent"]
    (tmp_path / "plural").mkdir()
    half = _copy_with(tmp_path / "plural", "%(num)d year", string=("%(num)d år", ""))  # type: ignore[arg-type]
    assert [m.msgid for m in untranslated(extract(), half)] == [("%(num)d year", "%(num)d years")]


def test_a_missing_entry_fails(tmp_path: Path) -> None:
    with SV.open("rb") as source:
        catalog = read_po(source)
    catalog.delete("Right to object")
    copy = tmp_path / "messages.po"
    with copy.open("wb") as target:
        write_po(target, catalog)
    assert main(["--catalog", str(copy)]) == 1


def test_a_stale_template_fails_until_updated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pot = tmp_path / "messages.pot"
    shutil.copyfile(POT, pot)
    with pot.open("rb") as source:
        template = read_po(source)
    template.delete("Right to object")
    with pot.open("wb") as target:
        write_po(target, template)
    assert main(["--pot", str(pot)]) == 1
    assert capsys.readouterr().err == f"{pot}: out of date; run with --update-pot\n"
    assert main(["--pot", str(pot), "--update-pot"]) == 0
    assert main(["--pot", str(pot)]) == 0
