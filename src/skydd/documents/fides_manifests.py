"""Fideslang manifests on disk: read a file or a folder of them, write them deterministically.

A manifest is YAML whose top-level keys are fides resource types (``organization``,
``system``, ``dataset``, ``data_category``, ``data_use``, ``data_subject``), each a
list of resources; a folder's files are read recursively in name order and their
lists concatenated, as ``fides`` itself does. ``policy`` resources (Fides policy
rules) have no place in a register and are skipped; any other key is an error.

Writing is byte-stable: resources sorted by fides key (the domain does that),
fields in fideslang's declaration order, ``None`` and default values left out,
no line folding. The same manifest always gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from fideslang import models as fl
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from skydd.domain.errors import InvalidInput
from skydd.domain.fides_interop import FidesManifest

RESOURCE_TYPES: dict[str, tuple[str, type[BaseModel]]] = {
    "organization": ("organizations", fl.Organization),
    "data_category": ("data_categories", fl.DataCategory),
    "data_use": ("data_uses", fl.DataUse),
    "data_subject": ("data_subjects", fl.DataSubject),
    "system": ("systems", fl.System),
    "dataset": ("datasets", fl.Dataset),
}
"""Fides resource type → (FidesManifest field, fideslang model), in the order written."""

SKIPPED_TYPES = frozenset({"policy"})
"""Fides resource types that are valid in a manifest but not part of a register."""


def read_fides_manifests(path: Path) -> FidesManifest:
    """Every resource in the manifest file ``path``, or in the ``*.yml``/``*.yaml`` under it."""
    if path.is_dir():
        files = sorted(p for p in [*path.rglob("*.yml"), *path.rglob("*.yaml")] if p.is_file())
    elif path.is_file():
        files = [path]
    else:
        msg = f"{path}: no such manifest file or folder"
        raise InvalidInput(msg)
    if not files:
        msg = f"{path}: holds no .yml or .yaml files"
        raise InvalidInput(msg)
    found: dict[str, list[Any]] = {field: [] for field, _ in RESOURCE_TYPES.values()}
    for file in files:
        for resource_type, resources in _parse(file).items():
            field, model = RESOURCE_TYPES[resource_type]
            found[field] += [
                _validated(model, file, resource_type, i, raw) for i, raw in enumerate(resources)
            ]
    return FidesManifest(**{field: tuple(items) for field, items in found.items()})


def _parse(file: Path) -> dict[str, list[Any]]:
    try:
        data = YAML(typ="safe", pure=True).load(file.read_text(encoding="utf-8"))
    except (YAMLError, UnicodeDecodeError) as exc:
        msg = f"{file}: not valid YAML"
        raise InvalidInput(msg) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        msg = f"{file}: a fides manifest must be a mapping of resource types"
        raise InvalidInput(msg)
    parsed: dict[str, list[Any]] = {}
    for key, value in data.items():
        if key in SKIPPED_TYPES:
            continue
        if key not in RESOURCE_TYPES:
            known = ", ".join(RESOURCE_TYPES)
            msg = f"{file}: {key!r} is not a fides resource type; expected one of: {known}"
            raise InvalidInput(msg)
        if not isinstance(value, list):
            msg = f"{file}: {key} must be a list of resources"
            raise InvalidInput(msg)
        parsed[key] = value
    return parsed


def _validated(model: type[BaseModel], file: Path, kind: str, index: int, raw: object) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(p) for p in first["loc"]) or "-"
        key = raw.get("fides_key", "?") if isinstance(raw, dict) else "?"
        msg = f"{file}: {kind}[{index}] ({key}): {where}: {first['msg']}"
        raise InvalidInput(msg) from exc


def manifest_documents(manifest: FidesManifest) -> dict[str, list[dict[str, Any]]]:
    """The manifest as plain data, by resource type; empty types left out."""
    documents = {}
    for resource_type, (field, _) in RESOURCE_TYPES.items():
        resources = getattr(manifest, field)
        if resources:
            documents[resource_type] = [
                r.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                for r in resources
            ]
    return documents


def dump_yaml(data: object) -> str:
    """Deterministic block-style YAML: insertion order kept, unicode as is, no folding."""
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.representer.sort_base_mapping_type_on_output = False
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue()


def fides_manifest_yaml(manifest: FidesManifest) -> str:
    """The whole manifest as one YAML document."""
    return dump_yaml(manifest_documents(manifest))


def write_fides_manifests(manifest: FidesManifest, target: Path) -> list[Path]:
    """Write one ``.yml``/``.yaml`` file, or a folder with one file per resource type."""
    if target.suffix in (".yml", ".yaml"):
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(fides_manifest_yaml(manifest), encoding="utf-8")
        return [target]
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for resource_type, resources in manifest_documents(manifest).items():
        path = target / f"{resource_type}.yml"
        path.write_text(dump_yaml({resource_type: resources}), encoding="utf-8")
        written.append(path)
    return written
