"""``generate_document:<template>`` issues a sealed document through the documents
module: the residence certificate on submission, the household composition on
approval. A document that cannot be made leaves the case unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from loket.cases.constants import PartyKind
from loket.cases.models import Case, TimelineEvent
from loket.cases.services import case_assign, case_submit, case_transition
from loket.cases.tests.conftest import make_resident
from loket.cases.types import PartyRef
from loket.core.services import DomainError
from loket.documents.models import Document
from loket.documents.services import templates_seed_defaults
from loket.documents.tests.conftest import demo_pki, sealing, tsa

pytestmark = pytest.mark.django_db

__all__ = ["demo_pki", "sealing", "tsa"]


def _party(person: Any) -> PartyRef:
    return PartyRef(kind=PartyKind.PERSON, id=person.pk, label=str(person), person_id=person.pk)


def test_residence_certificate_is_issued_on_submission(case_types: Any, sealing: Any) -> None:
    templates_seed_defaults()
    user, person = make_resident()
    result = case_submit(
        actor=user, case_type_slug="attest-van-woonst", data={}, party=_party(person)
    )
    case = Case.objects.get(pk=result.case_id)
    assert case.status.key == "delivered"
    assert case.document_issued
    document = Document.objects.get(case_id=case.pk)
    assert document.person_id == person.pk
    assert document.department_id == case.department_id
    assert TimelineEvent.objects.filter(case=case, kind="document", public=True).exists()


def test_household_composition_document_on_approval(
    case_types: Any, handler: Any, sealing: Any
) -> None:
    templates_seed_defaults()
    user, person = make_resident()
    case = Case.objects.get(
        pk=case_submit(
            actor=user,
            case_type_slug="gezinssamenstelling",
            data={"doel": "school"},
            party=_party(person),
        ).case_id
    )
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk)
    case.refresh_from_db()
    case = case_transition(
        actor=handler, case_id=case.pk, transition="approve", expected_version=case.version
    )
    assert case.document_issued
    (document,) = Document.objects.filter(case_id=case.pk)
    # Only staff of the case's department see it in the back office.
    assert document.department_id == case.department_id


def test_a_document_that_cannot_be_made_leaves_the_case_unchanged(
    case_types: Any, handler: Any, settings: Any
) -> None:
    templates_seed_defaults()
    settings.LOKET_SEAL_PROVIDER = "pkcs12"
    settings.LOKET_SEAL_PKCS12_FILE = "/nonexistent/seal.p12"
    from loket.documents.providers import sealer_forget

    sealer_forget()
    user, person = make_resident()
    case = Case.objects.get(
        pk=case_submit(
            actor=user,
            case_type_slug="gezinssamenstelling",
            data={"doel": "school"},
            party=_party(person),
        ).case_id
    )
    case_transition(actor=handler, case_id=case.pk, transition="start", expected_version=1)
    case_assign(actor=handler, case_ids=[case.pk], assignee_id=handler.pk)
    case.refresh_from_db()
    version = case.version
    with pytest.raises(DomainError, match="could not be made"):
        case_transition(
            actor=handler, case_id=case.pk, transition="approve", expected_version=version
        )
    case.refresh_from_db()
    assert case.status.key == "in-progress"
    assert case.version == version
    assert not Document.objects.exists()
    sealer_forget()
    # Automatic completion that fails keeps the request for a handler.
    result = case_submit(
        actor=user, case_type_slug="attest-van-woonst", data={}, party=_party(person)
    )
    certificate = Case.objects.get(pk=result.case_id)
    assert certificate.status.key == "submitted"
    assert certificate.is_open
    sealer_forget()
