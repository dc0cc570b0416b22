"""The register loader on bad input: every problem names file, line and field."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from skydd.domain.errors import InvalidRegisterError, RegisterProblem
from skydd.storage.register_files import load_register

ROOT = Path(__file__).resolve().parents[2]
MESTRO = ROOT / "examples" / "mestro"


# --- the loader on bad input --------------------------------------------------------------

ORGANISATION = textwrap.dedent(
    """\
    organisation:
      key: acme
      name: Acme
      legal_name: Acme Ltd
      country: IE
      address: {street: 1 Example Road, postal_code: D01, city: Dublin, country: IE}
      languages: [en]
      default_language: en
    """
)

PURPOSES = textwrap.dedent(
    """\
    data_categories:
      - key: name
        name: {en: Name}
        taxonomy: user.name
    purposes:
      - key: support
        name: {en: Support}
        description: {en: Helping customers.}
        data_use: essential.service
        data_categories:
          - name
    """
)


def _register(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "reg"
    folder.mkdir()
    for name, text in {"organisation": ORGANISATION, "purposes": PURPOSES, **files}.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[RegisterProblem]:
    with pytest.raises(InvalidRegisterError) as caught:
        load_register(folder)
    return caught.value.problems


def test_the_minimal_register_of_the_bad_input_tests_is_valid(tmp_path: Path) -> None:
    register = load_register(_register(tmp_path))
    assert [p.key for p in register.purposes] == ["support"]


def test_unknown_key_names_file_line_and_field(tmp_path: Path) -> None:
    bad = PURPOSES.replace("    data_use:", "    colour: blue\n    data_use:")
    folder = _register(tmp_path, purposes=bad)
    with pytest.raises(InvalidRegisterError) as caught:
        load_register(folder)
    assert caught.value.problems == [
        RegisterProblem("reg/purposes.yaml", 9, "purposes[0].colour", "unknown key")
    ]
    assert str(caught.value) == "reg/purposes.yaml:9: purposes[0].colour: unknown key"


def test_wrong_type_names_file_line_and_field(tmp_path: Path) -> None:
    bad = PURPOSES.replace("data_categories:\n      - name", "data_categories: name")
    problems = _problems(_register(tmp_path, purposes=bad))
    assert problems == [
        RegisterProblem(
            "reg/purposes.yaml", 10, "purposes[0].data_categories", "Input should be a valid list"
        )
    ]


def test_wrong_enum_value_names_the_nested_field(tmp_path: Path) -> None:
    bad = PURPOSES.replace(
        "    data_use:", "    legal_bases:\n      - basis: contractual\n    data_use:"
    )
    problems = _problems(_register(tmp_path, purposes=bad))
    assert [(p.file, p.line, p.field) for p in problems] == [
        ("reg/purposes.yaml", 10, "purposes[0].legal_bases[0].basis")
    ]


def test_bad_period_is_refused_at_its_line(tmp_path: Path) -> None:
    retention = textwrap.dedent(
        """\
        retention:
          - key: r
            purpose: support
            data_categories: [name]
            period: six months
        """
    )
    problems = _problems(_register(tmp_path, retention=retention))
    assert problems == [
        RegisterProblem(
            "reg/retention.yaml",
            5,
            "retention[0].period",
            "Value error, 'six months' is not an ISO 8601 period such as P2Y, P6M or P30D",
        )
    ]


def test_dangling_reference_names_the_item_and_its_line(tmp_path: Path) -> None:
    folder = _register(tmp_path, purposes=PURPOSES + "      - shoe_size\n")
    assert _problems(folder) == [
        RegisterProblem(
            "reg/purposes.yaml",
            12,
            "purposes[0].data_categories[1]",
            "unknown data category 'shoe_size'",
        )
    ]


def test_invalid_yaml_names_its_line(tmp_path: Path) -> None:
    bad = ORGANISATION.replace("  name: Acme", "   name: Acme")
    problems = _problems(_register(tmp_path, organisation=bad))
    assert problems == [
        RegisterProblem(
            "reg/organisation.yaml",
            3,
            "-",
            "invalid YAML: mapping values are not allowed in this context",
        )
    ]


def test_duplicate_yaml_key_names_the_second_occurrence(tmp_path: Path) -> None:
    bad = ORGANISATION.replace("  name: Acme\n", "  name: Acme\n  name: Acme again\n")
    problems = _problems(_register(tmp_path, organisation=bad))
    assert problems == [
        RegisterProblem(
            "reg/organisation.yaml",
            4,
            "-",
            'invalid YAML: found duplicate key "name"',
        )
    ]


def test_duplicate_register_key_across_files_names_the_later_file(tmp_path: Path) -> None:
    more = "data_categories:\n  - key: name\n    name: {en: Name again}\n    taxonomy: user.name\n"
    problems = _problems(_register(tmp_path, zz_more=more))
    assert problems == [
        RegisterProblem("reg/zz_more.yaml", 2, "data_categories[1].key", "duplicate key 'name'")
    ]


def test_section_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    problems = _problems(_register(tmp_path, zz_again=ORGANISATION))
    assert problems == [
        RegisterProblem("reg/zz_again.yaml", 1, "organisation", "section defined twice")
    ]


def test_a_mistake_in_the_mestro_example_is_located_in_its_own_file(tmp_path: Path) -> None:
    folder = tmp_path / "mestro"
    shutil.copytree(MESTRO, folder)
    systems = folder / "systems.yaml"
    text = systems.read_text(encoding="utf-8").replace(
        "    name: HubSpot\n", "    name: HubSpot\n    colour: orange\n"
    )
    systems.write_text(text, encoding="utf-8")
    line = text.splitlines().index("    colour: orange") + 1
    index = [s.key for s in load_register(MESTRO).systems].index("hubspot")
    assert _problems(folder) == [
        RegisterProblem("mestro/systems.yaml", line, f"systems[{index}].colour", "unknown key")
    ]


ROLES = """\
roles:
  - key: support_light
    name: {en: Light support}
    permissions: [register.read]
    grants:
      - actions: [read]
        purposes: [support]
        data_categories: [name]
"""


@pytest.mark.promise("P12")
def test_an_organisation_defines_its_own_roles(tmp_path: Path) -> None:
    register = load_register(_register(tmp_path, roles=ROLES))
    assert [r.key for r in register.roles] == ["support_light"]


def test_a_role_granting_an_unknown_purpose_is_located(tmp_path: Path) -> None:
    bad = ROLES.replace("purposes: [support]", "purposes: [payroll]")
    problems = _problems(_register(tmp_path, roles=bad))
    assert [(p.file, p.line, p.field) for p in problems] == [
        ("reg/roles.yaml", 7, "roles[0].grants[0].purposes[0]")
    ]
    assert "payroll" in problems[0].message


def test_a_role_may_not_reuse_a_built_in_key(tmp_path: Path) -> None:
    problems = _problems(_register(tmp_path, roles=ROLES.replace("support_light", "dpo")))
    assert [(p.file, p.field) for p in problems] == [("reg/roles.yaml", "roles[0].key")]
