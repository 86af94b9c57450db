"""Test helpers: an API client with a credential, and a bearer token for it."""

from __future__ import annotations

from typing import Any

from loket.api import services
from loket.api.constants import Confidentiality
from loket.core.tests.factories import OrganisationFactory


def make_client(
    *,
    scopes: tuple[str, ...] = (),
    max_confidentiality: str = Confidentiality.NORMAL,
    rate_limit_per_minute: int = 1000,
    name: str = "Document management system",
) -> tuple[Any, str, str]:
    """A client and its (client_id, client_secret)."""
    client = services.api_client_create(
        actor=None,
        name=name,
        organisation_id=OrganisationFactory().pk,
        scopes=scopes,
        max_confidentiality=max_confidentiality,
        rate_limit_per_minute=rate_limit_per_minute,
    )
    issued = services.api_credential_create(actor=None, client_id=client.pk)
    return client, issued.client_id, issued.client_secret


def bearer(*, scopes: tuple[str, ...] = (), **fields: Any) -> tuple[Any, dict[str, str]]:
    """A client and the headers that authenticate as it."""
    client, key, secret = make_client(scopes=scopes, **fields)
    token = services.api_token_issue(client_key=key, client_secret=secret, requested_scopes=None)
    return client, {"HTTP_AUTHORIZATION": f"Bearer {token.access_token}"}


def make_document(person: Any, *, title: str, case_id: int | None = None) -> Any:
    """An issued document row with a stored file (no seal needed to test access)."""
    import secrets

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from loket.documents.constants import DocumentKind
    from loket.documents.models import Document

    code = "".join(secrets.choice("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for _ in range(12))
    document = Document(
        code=code,
        template_key="decision" if case_id else "residence",
        template_version=1,
        kind=DocumentKind.LETTER if case_id else DocumentKind.CERTIFICATE,
        language="en",
        title=title,
        person=person,
        case_id=case_id,
        sha256=secrets.token_hex(32),
        size=17,
        pages=1,
        issued_at=timezone.now(),
        issuer_name="Gemeente Proefdorp",
        sealed_by="test",
    )
    document.file.save(f"{code}.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"), save=False)
    document.save()
    return document
