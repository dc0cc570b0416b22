"""Connections to the organisation's systems: bad URLs are refused without showing them."""

from __future__ import annotations

import pytest

from skydd.connectors.sql_datasets import SqlConnectorError
from skydd.connectors.sql_systems import SqlSystems, engine_url
from skydd.domain.register import Register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO
from tests.connectors.conftest import SHOP, read_datasets


def shop_register() -> Register:
    mestro = load_register(MESTRO)
    platform = next(s for s in mestro.systems if s.key == "mestro_platform")
    return mestro.model_copy(
        update={
            "systems": [platform.model_copy(update={"datasets": ["skydd_shop"]})],
            "datasets": read_datasets(SHOP / "dataset.yml")[:1],
        }
    )


@pytest.mark.parametrize(
    "url",
    [
        "postgress://reader:s3cret-pw@db.example/app",  # a typo in the scheme
        "mssql://reader:s3cret-pw@db.example/app",  # no driver shipped
        "postgresql://reader:s3cret-pw@db.example:port/app",  # not a port
    ],
)
def test_an_unusable_connection_url_is_a_connector_error_that_hides_it(url: str) -> None:
    systems = SqlSystems({"mestro_platform": url})
    with pytest.raises(SqlConnectorError) as caught:
        systems.access(shop_register(), "mestro_platform", {"email": ["anna@example.se"]})
    assert "not usable" in str(caught.value)
    assert "s3cret" not in str(caught.value) and "db.example" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_shipped_drivers_are_named_for_plain_urls() -> None:
    assert engine_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert engine_url("mariadb://u@h/db") == "mysql+pymysql://u@h/db"
    assert engine_url("sqlite:///x.db") == "sqlite:///x.db"
