"""Production mode refuses to start on a default secret or without encryption keys.

Each case runs the real ``skydd serve`` in a subprocess: it must exit 2 with one
readable line that never quotes the secret or the key material, before listening.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from skydd.storage.keyring import Keyring

pytestmark = pytest.mark.promise("P16")

SKYDD = Path(sys.executable).parent / "skydd"
STRONG = "x7Jq2-very-long-random-secret-for-tests-0123456789"


def serve(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith("SKYDD_")},
        "SKYDD_DATABASE__URL": f"sqlite:///{tmp_path / 'skydd.db'}",
        "SKYDD_SERVER__PORT": "1",  # never reached: every case stops before binding
        **env,
    }
    return subprocess.run(
        [str(SKYDD), "serve"], env=environment, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("secret", ["", "change-me", "short-secret"])
def test_a_weak_or_default_secret_refuses_to_start(tmp_path: Path, secret: str) -> None:
    keys = Keyring.fresh().export_json()
    result = serve(
        tmp_path,
        SKYDD_SECURITY__PRODUCTION="true",
        SKYDD_SECURITY__SECRET_KEY=secret,
        SKYDD_KEYS__KEYRING=keys,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "error: invalid security.production: Value error, production needs "
        "SKYDD_SECURITY__SECRET_KEY: at least 32 random characters, not a placeholder"
    ]
    assert "Traceback" not in result.stderr
    if secret:
        assert secret not in result.stderr + result.stdout


def test_production_without_keys_refuses_to_start(tmp_path: Path) -> None:
    result = serve(tmp_path, SKYDD_SECURITY__PRODUCTION="true", SKYDD_SECURITY__SECRET_KEY=STRONG)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "error: production needs encryption keys: set SKYDD_KEYS__FILE or SKYDD_KEYS__KEYRING"
    )
    assert STRONG not in result.stderr


def test_production_with_a_broken_key_file_refuses_to_start(tmp_path: Path) -> None:
    material = "k1:bm90LWEta2V5"  # base64 of 9 bytes: not a 32-byte key
    result = serve(
        tmp_path,
        SKYDD_SECURITY__PRODUCTION="true",
        SKYDD_SECURITY__SECRET_KEY=STRONG,
        SKYDD_KEYS__KEYRING=material,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == "error: key k1 is not 32 bytes"
    assert "bm90LWEta2V5" not in result.stderr
