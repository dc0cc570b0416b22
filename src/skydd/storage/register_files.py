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

import yaml
from pydantic import ValidationError
from yaml.constructor import ConstructorError
from yaml.error import MarkedYAMLError, YAMLError

from skydd.domain.errors import InvalidRegisterError, RegisterProblem
from skydd.domain.register import FieldPath, Register, dangling_references, dotted_path

_SECTION_ALIASES = {"dataset": "datasets"}
_MAPPING_SECTIONS = {"organisation", "policy"}


@dataclass
class _Origin:
    """Where a node of the merged document came from."""

    file: str
    node: yaml.Node
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


class _RegisterLoader(yaml.CSafeLoader):
    """libyaml's fast safe loader that, unlike PyYAML's default, refuses duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        """Build a mapping; a key given twice is an error at the second one's line."""
        seen: set[object] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                problem = f'found duplicate key "{key}"'
                raise ConstructorError(None, None, problem, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_RegisterLoader.add_constructor(
    "tag:yaml.org,2002:map",
    _RegisterLoader.construct_mapping,
)


@dataclass(frozen=True)
class _Parsed:
    """One file: its data and the node tree that knows every line."""

    data: dict[str, Any]
    node: yaml.MappingNode | None


def _parse(path: Path, name: str) -> _Parsed:
    try:
        loader = _RegisterLoader(path.read_text(encoding="utf-8"))
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark is not None else None
        raise InvalidRegisterError(
            [RegisterProblem(name, line, "-", f"invalid YAML: {exc.problem}")]
        ) from exc
    except (YAMLError, UnicodeDecodeError) as exc:
        raise InvalidRegisterError([RegisterProblem(name, None, "-", "invalid YAML")]) from exc
    if data is None:
        return _Parsed({}, None)
    if not isinstance(data, dict) or not isinstance(node, yaml.MappingNode):
        raise InvalidRegisterError(
            [RegisterProblem(name, 1, "-", "a register file must be a mapping")]
        )
    return _Parsed(data, node)


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _merge_one(name: str, parsed: _Parsed, merged: _Merged) -> None:
    pairs = parsed.node.value if parsed.node is not None else []
    for key_node, value_node in pairs:
        raw_key = key_node.value
        value = parsed.data[raw_key]
        key = _SECTION_ALIASES.get(str(raw_key), str(raw_key))
        line = _line(key_node)
        doc = merged.document
        if isinstance(value, list) and (key not in doc or isinstance(doc[key], list)):
            offset = len(doc.setdefault(key, []))
            doc[key].extend(value)
            merged.origins.setdefault((key,), _Origin(name, value_node, line))
            for i, item_node in enumerate(value_node.value):
                merged.origins[(key, offset + i)] = _Origin(name, item_node, _line(item_node))
        elif key in _MAPPING_SECTIONS and isinstance(value, dict) and key != "organisation":
            target = doc.setdefault(key, {})
            for sub_key_node, sub_node in value_node.value:
                sub_key = sub_key_node.value
                if sub_key in target:
                    problem = RegisterProblem(
                        name, _line(sub_key_node), f"{key}.{sub_key}", "defined twice"
                    )
                    raise InvalidRegisterError([problem])
                target[sub_key] = value[sub_key]
                merged.origins[(key, str(sub_key))] = _Origin(name, sub_node, _line(sub_key_node))
            merged.origins.setdefault((key,), _Origin(name, value_node, line))
        elif key in doc:
            raise InvalidRegisterError([RegisterProblem(name, line, key, "section defined twice")])
        else:
            doc[key] = value
            merged.origins[(key,)] = _Origin(name, value_node, line)


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
        if isinstance(node, yaml.MappingNode):
            found = next(((k, v) for k, v in node.value if k.value == step), None)
            if found is None:
                break
            line, node = _line(found[0]), found[1]
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value)
        ):
            node = node.value[step]
            line = _line(node)
        else:
            break
    return line
