"""Orders over the API: payments:read to read (a dossier's orders only within the
client's clearance), payments:write to make a payment link; every read audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from loket.api.tests.helpers import bearer
from loket.cases.constants import PartyKind
from loket.cases.models import Case
from loket.cases.services import case_submit, case_types_seed_demo
from loket.cases.types import PartyRef
from loket.core.models import AuditEvent
from loket.core.tests.factories import OrganisationFactory
from loket.payments import services as payments
from loket.payments.models import Order
from loket.payments.types import OrderLineInput
from loket.people.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def _order(person: Any, case: Any = None, cents: int = 1500) -> Any:
    return payments.order_create(
        lines=[OrderLineInput(description="Uittreksel", unit_cents=cents)],
        description="Uittreksel bevolkingsregister",
        person_id=person.pk,
        case_id=case.pk if case else None,
        case_reference=case.reference if case else "",
    )


@pytest.fixture
def world(settings: Any) -> dict[str, Any]:
    settings.LOKET_BASE_URL = "http://testserver"
    OrganisationFactory(is_primary=True)
    case_types_seed_demo()
    person = PersonFactory()
    cases = []
    for _ in range(2):
        result = case_submit(
            actor=None,
            case_type_slug="gezinssamenstelling",
            data={"doel": "school"},
            party=PartyRef(kind=PartyKind.PERSON, id=person.pk, label="P", person_id=person.pk),
        )
        cases.append(Case.objects.get(pk=result.case_id))
    Case.objects.filter(pk=cases[1].pk).update(confidentiality="social")
    return {
        "person": person,
        "case": cases[0],
        "secret_case": cases[1],
        "own": _order(person),
        "case_order": _order(person, cases[0], 2500),
        "secret_order": _order(person, cases[1], 3500),
    }


def test_orders_with_payments_read(client: Client, world: dict[str, Any]) -> None:
    api_client, headers = bearer(scopes=("payments:read", "cases:read", "people:read"))
    detail = client.get(f"/api/v1/orders/{world['case_order'].id}/", **headers)
    assert detail.status_code == 200, detail.content
    body = detail.json()
    assert body["total_cents"] == 2500
    assert body["open_cents"] == 2500
    assert body["status"] == "open"
    assert body["case_reference"] == world["case"].reference
    assert body["structured_communication"].startswith("+++")
    assert body["lines"][0]["description"] == "Uittreksel"
    by_case = client.get(f"/api/v1/cases/{world['case'].reference}/orders/", **headers).json()
    assert [row["id"] for row in by_case] == [world["case_order"].id]
    own = client.get(f"/api/v1/people/{world['person'].pk}/orders/", **headers).json()
    assert [row["id"] for row in own] == [world["own"].id]
    assert (
        AuditEvent.objects.filter(
            subject_person_id=world["person"].pk, reason__contains=api_client.name
        ).count()
        == 3
    )


def test_a_dossier_above_the_clearance_hides_its_orders(
    client: Client, world: dict[str, Any]
) -> None:
    _reader, headers = bearer(scopes=("payments:read", "cases:read"))
    hidden = client.get(f"/api/v1/orders/{world['secret_order'].id}/", **headers)
    missing = client.get("/api/v1/orders/999999/", **headers)
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()
    listing = client.get(f"/api/v1/cases/{world['secret_case'].reference}/orders/", **headers)
    assert listing.status_code == 404


def test_without_payments_read_nothing_is_read(client: Client, world: dict[str, Any]) -> None:
    _client, headers = bearer(scopes=("cases:read", "people:read", "payments:write"))
    audit_lines = AuditEvent.objects.count()
    for url in (
        f"/api/v1/orders/{world['own'].id}/",
        f"/api/v1/cases/{world['case'].reference}/orders/",
        f"/api/v1/people/{world['person'].pk}/orders/",
    ):
        response = client.get(url, **headers)
        assert response.status_code == 403, url
        assert response["Content-Type"] == PROBLEM
        assert world["own"].reference not in response.content.decode()
    assert AuditEvent.objects.count() == audit_lines


def test_a_residents_cases_carry_their_orders(
    client: Client, world: dict[str, Any], django_assert_max_num_queries
) -> None:
    _client, headers = bearer(
        scopes=("people:read", "cases:read", "payments:read"), max_confidentiality="social"
    )
    with django_assert_max_num_queries(9):
        response = client.get(f"/api/v1/people/{world['person'].pk}/cases/", **headers)
    rows = response.json()["results"]
    orders = {row["reference"]: [order["id"] for order in row["orders"]] for row in rows}
    assert orders == {
        world["case"].reference: [world["case_order"].id],
        world["secret_case"].reference: [world["secret_order"].id],
    }
    assert all(row["documents"] is None for row in rows)


def test_payment_link_with_payments_write(client: Client, world: dict[str, Any]) -> None:
    order = world["case_order"]
    api_client, headers = bearer(scopes=("payments:read", "payments:write"))
    response = client.post(
        f"/api/v1/orders/{order.id}/payment-link", content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert url.startswith("http://testserver/")
    assert response.json()["replaces_earlier_links"] is True
    assert Order.objects.get(pk=order.id).link_token_hash
    assert AuditEvent.objects.filter(
        object_id=str(order.id), reason__contains=api_client.name, reason__endswith="payment link"
    ).exists()
    with_body = client.post(
        f"/api/v1/orders/{order.id}/payment-link",
        '{"amount": 1}',
        content_type="application/json",
        **headers,
    )
    assert with_body.status_code == 400
    Order.objects.filter(pk=order.id).update(status="cancelled")
    conflict = client.post(
        f"/api/v1/orders/{order.id}/payment-link", content_type="application/json", **headers
    )
    assert conflict.status_code == 409
    assert conflict["Content-Type"] == PROBLEM


def test_payment_link_refused_without_write_or_out_of_reach(
    client: Client, world: dict[str, Any]
) -> None:
    _reader, read_only = bearer(scopes=("payments:read",))
    _writer, writer = bearer(scopes=("payments:read", "payments:write"), name="Writer")
    before = list(Order.objects.order_by("pk").values_list("pk", "link_token_hash"))
    refused = client.post(
        f"/api/v1/orders/{world['own'].id}/payment-link",
        content_type="application/json",
        **read_only,
    )
    assert refused.status_code == 403
    hidden = client.post(
        f"/api/v1/orders/{world['secret_order'].id}/payment-link",
        content_type="application/json",
        **writer,
    )
    assert hidden.status_code == 404
    assert list(Order.objects.order_by("pk").values_list("pk", "link_token_hash")) == before


def test_payments_write_alone_neither_reads_an_order_nor_replaces_its_link(
    client: Client, world: dict[str, Any]
) -> None:
    """A new link replaces the one the resident already has, and its page shows the
    payer and what is paid: making one needs payments:read as well."""
    order = world["own"]
    resident_link = payments.payment_link_create(order_id=order.id, actor=None)
    before = Order.objects.get(pk=order.id).link_token_hash
    _writer, write_only = bearer(scopes=("payments:write",))
    refused = client.post(
        f"/api/v1/orders/{order.id}/payment-link", content_type="application/json", **write_only
    )
    assert refused.status_code == 403
    assert "url" not in refused.json()
    assert Order.objects.get(pk=order.id).link_token_hash == before
    assert Client().get(resident_link.removeprefix("http://testserver")).status_code == 200
