"""Shapes of the API's answers. Serializers only shape data; rules live in services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField(required=False)
    errors = serializers.DictField(required=False)


class AddressSerializer(serializers.Serializer):
    street = serializers.CharField()
    postcode = serializers.CharField()
    municipality = serializers.CharField()


class OpeningHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(min_value=0, max_value=6)
    opens = serializers.TimeField()
    closes = serializers.TimeField()
    by_appointment = serializers.BooleanField()


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    kind = serializers.CharField()
    name = serializers.CharField()
    nis_code = serializers.CharField()
    address = serializers.SerializerMethodField()
    email = serializers.EmailField()
    phone = serializers.CharField()
    website = serializers.CharField(allow_blank=True)
    opening_hours = OpeningHoursSerializer(many=True)

    @extend_schema_field(AddressSerializer)
    def get_address(self, organisation: Any) -> dict[str, str]:
        return AddressSerializer(
            {
                "street": organisation.street,
                "postcode": organisation.postcode,
                "municipality": organisation.municipality,
            }
        ).data


class DepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(source="organisation.slug")
    name = serializers.CharField()
    slug = serializers.CharField()
    email = serializers.CharField(allow_blank=True)
    phone = serializers.CharField(allow_blank=True)


class PersonAddressSerializer(serializers.Serializer):
    label = serializers.CharField()
    street_name = serializers.CharField()
    house_number = serializers.CharField()
    box_number = serializers.CharField(allow_blank=True)
    postcode = serializers.CharField()
    municipality_name = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    """A resident; the national number only ever masked."""

    id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    masked_national_number = serializers.CharField()
    birth_date = serializers.DateField()
    gender = serializers.CharField(allow_blank=True)
    language = serializers.CharField(allow_blank=True)
    household_id = serializers.IntegerField(allow_null=True)
    household_relation = serializers.CharField(allow_blank=True)
    address = PersonAddressSerializer(allow_null=True)
    date_of_death = serializers.DateField(allow_null=True)


class PersonPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PersonSerializer(many=True)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare (a typo must not be silently ignored)."""

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: ["Unknown field."] for name in unknown})
        return super().to_internal_value(data)


class PersonLookupSerializer(StrictSerializer):
    national_number = serializers.CharField(max_length=20)


class TokenRequestSerializer(serializers.Serializer):
    grant_type = serializers.ChoiceField(choices=["client_credentials"])
    scope = serializers.CharField(required=False, allow_blank=True)
    client_id = serializers.CharField(required=False)
    client_secret = serializers.CharField(required=False)


class TokenResponseSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.ChoiceField(choices=["Bearer"])
    expires_in = serializers.IntegerField()
    scope = serializers.CharField(allow_blank=True)


class TokenErrorSerializer(serializers.Serializer):
    error = serializers.CharField()
    error_description = serializers.CharField(required=False)


class ServiceDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    organisation = serializers.CharField(source="organisation.slug")


class ServiceSerializer(serializers.Serializer):
    """A product or service of the catalogue (CPSV-AP terms in the documentation)."""

    slug = serializers.CharField()
    identifier = serializers.CharField(allow_blank=True)
    ipdc_code = serializers.CharField(allow_blank=True)
    title = serializers.CharField()
    summary = serializers.CharField(allow_blank=True)
    description = serializers.CharField(allow_blank=True)
    who_can_apply = serializers.CharField(allow_blank=True)
    conditions = serializers.CharField(allow_blank=True)
    procedure = serializers.CharField(allow_blank=True)
    cost_text = serializers.CharField(allow_blank=True)
    output = serializers.CharField(allow_blank=True)
    legal_basis = serializers.CharField(allow_blank=True)
    channels = serializers.ListField(child=serializers.CharField())
    login_level = serializers.IntegerField()
    department = ServiceDepartmentSerializer()
    target_groups = serializers.SerializerMethodField()
    life_events = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_target_groups(self, service: Any) -> list[str]:
        return [group.slug for group in service.target_groups.all()]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_life_events(self, service: Any) -> list[str]:
        return [event.slug for event in service.life_events.all()]


class TimelineEventSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    text = serializers.CharField()


class CaseSerializer(serializers.Serializer):
    """A dossier with its public timeline."""

    reference = serializers.CharField()
    title = serializers.CharField()
    case_type = serializers.CharField(source="case_type.slug")
    status = serializers.CharField(source="status.key")
    status_name = serializers.CharField(source="status.public_name")
    department = serializers.IntegerField(source="department_id")
    confidentiality = serializers.CharField()
    channel = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    deadline = serializers.DateField(allow_null=True)
    is_open = serializers.BooleanField()
    closed_at = serializers.DateTimeField(allow_null=True)
    result = serializers.CharField(allow_blank=True)
    party_kind = serializers.CharField()
    party_label = serializers.CharField(allow_blank=True)
    timeline = serializers.SerializerMethodField()

    @extend_schema_field(TimelineEventSerializer(many=True))
    def get_timeline(self, case: Any) -> Any:
        return TimelineEventSerializer(self.context.get("timeline", []), many=True).data


class DocumentSerializer(serializers.Serializer):
    """An issued document's metadata; the PDF itself is at ``download``."""

    id = serializers.IntegerField()
    code = serializers.CharField(help_text="Verification code (12 characters)")
    title = serializers.CharField()
    kind = serializers.CharField()
    template_key = serializers.CharField()
    language = serializers.CharField()
    status = serializers.CharField()
    issued_at = serializers.DateTimeField()
    issuer_name = serializers.CharField()
    pages = serializers.IntegerField()
    size = serializers.IntegerField(help_text="Bytes")
    revoked_at = serializers.DateTimeField(allow_null=True)
    replaced_by_code = serializers.CharField(allow_null=True)
    person = serializers.IntegerField(source="person_id")
    case_reference = serializers.CharField(allow_null=True)
    download = serializers.CharField(help_text="Address of the sealed PDF")


class DocumentPageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = DocumentSerializer(many=True)


class VerificationSerializer(serializers.Serializer):
    """Is a document with this code authentic? As little personal data as the public
    verification page shows: the holder's initials only."""

    outcome = serializers.ChoiceField(choices=["authentic", "revoked"])
    code = serializers.CharField()
    title = serializers.CharField()
    holder = serializers.CharField(allow_blank=True, help_text="Initials only")
    issuer_name = serializers.CharField()
    issued_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    pages = serializers.IntegerField()
    sha256 = serializers.CharField()


class OrderLineSerializer(serializers.Serializer):
    description = serializers.CharField()
    unit_cents = serializers.IntegerField()
    quantity = serializers.IntegerField()
    vat_rate = serializers.CharField(help_text="Percent, e.g. `21`")


class OrderSerializer(serializers.Serializer):
    """An order (what is owed for a service) and how far it is paid. Amounts in euro
    cents, VAT included."""

    id = serializers.IntegerField()
    reference = serializers.CharField()
    description = serializers.CharField()
    status = serializers.CharField(help_text="open, paid, partially_refunded, refunded, …")
    status_label = serializers.CharField()
    total_cents = serializers.IntegerField()
    vat_cents = serializers.IntegerField()
    paid_cents = serializers.IntegerField()
    refunded_cents = serializers.IntegerField()
    open_cents = serializers.IntegerField()
    structured_communication = serializers.CharField(allow_blank=True)
    case_reference = serializers.SerializerMethodField()
    person = serializers.IntegerField(source="person_id", allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    lines = OrderLineSerializer(many=True)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_case_reference(self, order: Any) -> str | None:
        return order.case_reference or None


class PaymentLinkSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Pays the order without logging in; replaces older links")


class CaseSummarySerializer(serializers.Serializer):
    """A dossier in a list: what a "my cases" screen or a copying system needs, no
    timeline (read one dossier for that)."""

    reference = serializers.CharField()
    title = serializers.CharField()
    case_type = serializers.CharField(source="case_type_slug")
    case_type_name = serializers.CharField(source="type_name")
    status = serializers.CharField(source="status_key", help_text="Status key")
    status_name = serializers.CharField(source="public_status")
    next_step = serializers.CharField(allow_blank=True)
    waiting_for = serializers.CharField(allow_blank=True)
    department = serializers.IntegerField(source="department_id")
    department_name = serializers.CharField(source="department")
    confidentiality = serializers.CharField()
    party_label = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    deadline = serializers.DateField(allow_null=True)
    is_open = serializers.BooleanField()
    overdue = serializers.BooleanField()


class CasePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = CaseSummarySerializer(many=True)


class PersonCaseSerializer(CaseSummarySerializer):
    """A resident's dossier as a "my cases" screen shows it, with its documents (when
    the token has ``documents:read``; else null) and its orders (when the token has
    ``payments:read``; else null)."""

    documents = serializers.SerializerMethodField()
    orders = serializers.SerializerMethodField()

    @extend_schema_field(DocumentSerializer(many=True, allow_null=True))
    def get_documents(self, case: Any) -> Any:
        documents = self.context.get("documents")
        if documents is None:
            return None
        return DocumentSerializer(documents.get(case.id, []), many=True).data

    @extend_schema_field(OrderSerializer(many=True, allow_null=True))
    def get_orders(self, case: Any) -> Any:
        orders = self.context.get("orders")
        if orders is None:
            return None
        return OrderSerializer(orders.get(case.id, []), many=True).data


class PersonCasePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PersonCaseSerializer(many=True)
