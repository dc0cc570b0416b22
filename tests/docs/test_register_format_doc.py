"""docs/register-format.md documents every field of every register model.

Convention: each model has a heading ``### ModelName`` followed by a table whose
first column holds the field name in backticks; each enumeration the same, with its
values. fideslang's own Dataset models are documented by fideslang and skipped.
"""

from __future__ import annotations

import enum
import re
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from skydd.domain.register import Register

DOC = Path(__file__).resolve().parents[2] / "docs" / "register-format.md"
_ROW = re.compile(r"^\|\s*`([A-Za-z0-9_.]+)`\s*\|")


def _reachable(
    root: type[BaseModel],
) -> tuple[dict[str, type[BaseModel]], dict[str, type[enum.Enum]]]:
    models: dict[str, type[BaseModel]] = {}
    enums: dict[str, type[enum.Enum]] = {}

    def visit(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation.__module__.startswith("fideslang") or annotation.__name__ in models:
                return
            models[annotation.__name__] = annotation
            for field in annotation.model_fields.values():
                visit(field.annotation)
        elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
            enums[annotation.__name__] = annotation
        else:
            for arg in typing.get_args(annotation):
                visit(arg)

    visit(root)
    return models, enums


MODELS, ENUMS = _reachable(Register)


def _documented(heading: str) -> list[str] | None:
    """The first-column names of the table under ``### heading``, or None without heading."""
    lines = DOC.read_text(encoding="utf-8").splitlines()
    try:
        start = lines.index(f"### {heading}")
    except ValueError:
        return None
    names: list[str] = []
    for line in lines[start + 1 :]:
        if line.startswith("#"):
            break
        if match := _ROW.match(line):
            names.append(match.group(1))
    return names


def test_the_walk_finds_every_register_model() -> None:
    assert "Register" in MODELS
    assert "PolicyText" in MODELS
    assert "Transfer" in MODELS
    assert "Dataset" not in MODELS
    assert len(MODELS) == 26
    assert {"JointController", "Representative", "DataSource"} <= set(MODELS)
    assert len(ENUMS) == 16


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_field_is_documented_under_its_model(name: str) -> None:
    documented = _documented(name)
    assert documented is not None, f"docs/register-format.md has no '### {name}' heading"
    assert sorted(documented) == sorted(MODELS[name].model_fields)


@pytest.mark.parametrize("name", sorted(ENUMS))
def test_every_enum_value_is_documented(name: str) -> None:
    documented = _documented(name)
    assert documented is not None, f"docs/register-format.md has no '### {name}' heading"
    assert sorted(documented) == sorted(str(member.value) for member in ENUMS[name])
