"""Read a register folder of YAML files into a :class:`Register`, or say exactly what is wrong.

A register folder holds any number of ``*.yaml`` files. Each file is a mapping of
top-level sections (``organisation``, ``purposes`` …). List sections may be split
over files and are concatenated in file-name order; mapping sections (``policy``)
are merged key by key. Fideslang dataset manifests (top-level ``dataset:``) are
read as the ``datasets`` section. Every error names the file, the line and the
field path, so a person can jump straight to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from skydd.domain.errors import InvalidRegisterError, RegisterProblem
from skydd.domain.register import FieldPath, Register, dangling_references, dotted_path

_SECTION_ALIASES = {"dataset": "datasets"}
_MAPPING_SECTIONS = {"organisation", "policy"}


@dataclass
class _Origin:
    """Where a node of the merged document came from."""

    file: str
    node: Any
    line: int | None


@dataclass
class _Merged:
    document: dict[str, Any] = field(default_factory=dict)
    origins: dict[FieldPath, _Origin] = field(default_factory=dict)


@dataclass(frozen=True)
class LoadedRegister:
    """A validated register and the means to point back into its files."""

    register: Register
    merged: _Merged

    def locate(self, path: FieldPath) -> tuple[str, int | None]:
        """The file and line of a field path, for findings that name a place."""
        problem = _locate(path, "", self.merged)
        return problem.file, problem.line


def load_register(folder: Path) -> Register:
    """Parse and validate the register in ``folder``; raise InvalidRegisterError if it is not."""
    return read_register(folder).register


def read_register(folder: Path) -> LoadedRegister:
    """Like :func:`load_register`, keeping file and line of every field for findings."""
    if not folder.is_dir():
        raise InvalidRegisterError(
            [RegisterProblem(str(folder), None, "-", "is not a register folder")]
        )
    merged = _merge_files(folder)
    try:
        register = Register.model_validate(merged.document)
    except ValidationError as exc:
        raise InvalidRegisterError(_validation_problems(exc, merged)) from exc
    dangling = dangling_references(register)
    if dangling:
        problems = [_locate(path, message, merged) for path, message in dangling]
        raise InvalidRegisterError(problems)
    return LoadedRegister(register, merged)


def register_files(folder: Path) -> list[Path]:
    """The YAML files of a register folder, in the order they are merged."""
    files = [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]
    return sorted(f for f in files if f.is_file())


def _merge_files(folder: Path) -> _Merged:
    merged = _Merged()
    files = register_files(folder)
    if not files:
        raise InvalidRegisterError([RegisterProblem(str(folder), None, "-", "holds no YAML files")])
    for path in files:
        name = str(path.relative_to(folder.parent) if folder.parent != path else path)
        _merge_one(name, _parse(path, name), merged)
    return merged


def _parse(path: Path, name: str) -> CommentedMap:
    yaml = YAML(typ="rt")
    try:
        data = yaml.load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InvalidRegisterError(
            [RegisterProblem(name, line, "-", f"invalid YAML: {exc.problem}")]
        ) from exc
    except (YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRegisterError([RegisterProblem(name, None, "-", "invalid YAML")]) from exc
    if data is None:
        return CommentedMap()
    if not isinstance(data, CommentedMap):
        raise InvalidRegisterError(
            [RegisterProblem(name, 1, "-", "a register file must be a mapping")]
        )
    return data


def _merge_one(name: str, data: CommentedMap, merged: _Merged) -> None:
    for raw_key, value in data.items():
        key = _SECTION_ALIASES.get(str(raw_key), str(raw_key))
        line = data.lc.key(raw_key)[0] + 1
        doc = merged.document
        if isinstance(value, CommentedSeq) and (key not in doc or isinstance(doc[key], list)):
            offset = len(doc.setdefault(key, []))
            doc[key].extend(value)
            merged.origins.setdefault((key,), _Origin(name, value, line))
            for i in range(len(value)):
                merged.origins[(key, offset + i)] = _Origin(name, value[i], value.lc.item(i)[0] + 1)
        elif key in _MAPPING_SECTIONS and isinstance(value, CommentedMap) and key != "organisation":
            target = doc.setdefault(key, {})
            for sub_key, sub_value in value.items():
                if sub_key in target:
                    raise InvalidRegisterError(
                        [
                            RegisterProblem(
                                name,
                                value.lc.key(sub_key)[0] + 1,
                                f"{key}.{sub_key}",
                                "defined twice",
                            )
                        ]
                    )
                target[sub_key] = sub_value
                merged.origins[(key, str(sub_key))] = _Origin(
                    name, sub_value, value.lc.key(sub_key)[0] + 1
                )
            merged.origins.setdefault((key,), _Origin(name, value, line))
        elif key in doc:
            raise InvalidRegisterError([RegisterProblem(name, line, key, "section defined twice")])
        else:
            doc[key] = value
            merged.origins[(key,)] = _Origin(name, value, line)


def _validation_problems(exc: ValidationError, merged: _Merged) -> list[RegisterProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        path = tuple(error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        problems.append(_locate(path, message, merged))
    return problems


def _locate(path: FieldPath, message: str, merged: _Merged) -> RegisterProblem:
    """Find the deepest known origin of ``path`` and walk its YAML node to a line."""
    for cut in range(len(path), 0, -1):
        origin = merged.origins.get(path[:cut])
        if origin is not None:
            line = _walk_to_line(origin, path[cut:])
            return RegisterProblem(origin.file, line, dotted_path(path), message)
    return RegisterProblem("(register)", None, dotted_path(path), message)


def _walk_to_line(origin: _Origin, rest: FieldPath) -> int | None:
    node, line = origin.node, origin.line
    for step in rest:
        if isinstance(node, CommentedMap) and step in node:
            line = node.lc.key(step)[0] + 1
            node = node[step]
        elif isinstance(node, CommentedSeq) and isinstance(step, int) and step < len(node):
            line = node.lc.item(step)[0] + 1
            node = node[step]
        else:
            break
    return line
