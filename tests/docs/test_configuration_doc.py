"""docs/configuration.md lists every setting, and every setting has a description."""

from __future__ import annotations

from pydantic import BaseModel

from skydd.config import Settings
from tests.conftest import ROOT


def _env_names(model: type[BaseModel], prefix: str = "SKYDD_") -> list[str]:
    names = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names += _env_names(annotation, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in _env_names(Settings) if f"`{name}`" not in doc]
    assert missing == []


def test_every_setting_has_a_description() -> None:
    undocumented = []
    for section, field in Settings.model_fields.items():
        annotation = field.annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            # A top-level value (the connections map) is described on its own.
            assert field.description, section
            continue
        undocumented += [
            f"{section}.{name}" for name, f in annotation.model_fields.items() if not f.description
        ]
    assert undocumented == []


def test_settings_refuse_unsupported_database_and_bad_origins() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="database url"):
        Settings.model_validate({"database": {"url": "mysql://x"}})
    with pytest.raises(ValidationError, match="not an origin"):
        Settings.model_validate({"embed": {"allowed_origins": ["https://example.com/path"]}})


def test_allowed_origins_read_from_a_comma_separated_env_var(monkeypatch) -> None:
    monkeypatch.setenv("SKYDD_EMBED__ALLOWED_ORIGINS", "https://a.example.com, http://127.0.0.1:9")
    assert Settings().embed.allowed_origins == ["https://a.example.com", "http://127.0.0.1:9"]
