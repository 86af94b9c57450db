"""The OpenAPI document is committed: a change to the API must change it too."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

REPO = Path(__file__).resolve().parents[4]
COMMITTED = REPO / "docs" / "api" / "openapi.yaml"
REFRESH = "loket spectacular --lang en --file docs/api/openapi.yaml --validate"


def test_committed_schema_is_current(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--lang", "en", "--file", str(generated), "--validate")
    assert generated.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8"), (
        f"The API changed but docs/api/openapi.yaml did not: run `{REFRESH}` and commit it."
    )


@pytest.mark.django_db
def test_schema_and_docs_are_served_without_outside_assets(client: Client) -> None:
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "http://" not in page.replace("http://testserver", "")
    assert "https://" not in page
    assert "<script>" not in page  # no inline script: the CSP allows only our own files
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
