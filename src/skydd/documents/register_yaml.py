"""Write a register as a register folder: the YAML files :func:`load_register` reads.

One file per concept, as a person would lay the folder out by hand
(``organisation.yaml``, ``taxonomy.yaml``, ``purposes.yaml`` …); datasets are
written in the fides format (top-level ``dataset:``) so Fides tools read them
too. ``None`` and default values are left out, so the files stay short.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skydd.documents.fides_manifests import dump_yaml
from skydd.domain.errors import InvalidInput
from skydd.domain.register import Register

REGISTER_FILES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("organisation.yaml", ("organisation",)),
    ("taxonomy.yaml", ("data_subjects", "data_categories")),
    ("purposes.yaml", ("purposes",)),
    ("systems.yaml", ("systems",)),
    ("recipients.yaml", ("recipients",)),
    ("retention.yaml", ("retention",)),
    ("cookies.yaml", ("cookies",)),
    ("policy.yaml", ("policy",)),
    ("datasets.yaml", ("datasets",)),
)
"""Every file of a written folder and the register sections it holds."""

_FILE_KEYS = {"datasets": "dataset"}


def write_register_folder(register: Register, folder: Path) -> list[Path]:
    """Write ``register`` into ``folder``, which must not already hold YAML files."""
    if folder.exists() and any([*folder.rglob("*.yaml"), *folder.rglob("*.yml")]):
        msg = f"{folder} already holds YAML files; choose an empty folder"
        raise InvalidInput(msg)
    folder.mkdir(parents=True, exist_ok=True)
    data = register.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    written = []
    for name, sections in REGISTER_FILES:
        document: dict[str, Any] = {
            _FILE_KEYS.get(s, s): data[s] for s in sections if data.get(s) not in (None, [], {})
        }
        if document:
            path = folder / name
            path.write_text(dump_yaml(document), encoding="utf-8")
            written.append(path)
    return written
