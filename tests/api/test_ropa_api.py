"""GET /api/v1/ropa: the Art. 30 record as JSON or a file; bad parameters are problem+json."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from skydd.asgi import create_app
from skydd.bootstrap import Container
from skydd.domain.ropa import ROPA_COLUMNS
from skydd.services.register import store_register
from skydd.storage.register_files import load_register
from tests.conftest import MESTRO, SECOND_ORG


@pytest.fixture
def client(container: Container) -> TestClient:
    store_register(container.uow(), container.clock, load_register(MESTRO), "mestro")
    return TestClient(create_app(container))


def test_json_is_the_default(client: TestClient) -> None:
    response = client.get("/api/v1/ropa")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["language"] == "sv"
    assert [r["key"] for r in body["records"]] == [[p.key] for p in load_register(MESTRO).purposes]
    for record in body["records"]:
        for column in ROPA_COLUMNS:
            assert record[column.id], (record["key"], column.id)


def test_xlsx_is_an_attachment(client: TestClient) -> None:
    response = client.get("/api/v1/ropa", params={"format": "xlsx", "lang": "en"})
    assert response.status_code == 200
    assert response.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["content-disposition"] == ('attachment; filename="ropa-mestro-en.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["B1"].value == "Processing activity"


def test_csv_and_html(client: TestClient) -> None:
    response = client.get("/api/v1/ropa", params={"format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    assert rows[0][1] == "Behandling"
    page = client.get("/api/v1/ropa", params={"format": "html", "lang": "en"})
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.headers["content-disposition"] == 'inline; filename="ropa-mestro-en.html"'
    assert page.text.startswith("<!DOCTYPE html>")


def test_unknown_format_is_a_422_problem(client: TestClient) -> None:
    response = client.get("/api/v1/ropa", params={"format": "pdf"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "query.format"


def test_unknown_language_is_a_400_problem(client: TestClient) -> None:
    response = client.get("/api/v1/ropa", params={"lang": "de"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"].endswith("/unknown-language")


def test_without_a_register_it_is_a_404_problem(container: Container) -> None:
    response = TestClient(create_app(container)).get("/api/v1/ropa")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_second_organisation_defaults_to_english(container: Container) -> None:
    store_register(container.uow(), container.clock, load_register(SECOND_ORG), "second")
    body = TestClient(create_app(container)).get("/api/v1/ropa").json()
    assert body["organisation"] == "northwind_health"
    assert body["language"] == "en"


def test_openapi_documents_the_formats(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"]["/api/v1/ropa"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert names == {"format", "lang"}
    assert "text/csv" in operation["responses"]["200"]["content"]
