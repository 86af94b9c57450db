"""Endpoints of the REST API (version 1) and the OAuth 2.0 token endpoint."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlencode

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from loket.api import linked_data, services
from loket.api.base import LoketApiView
from loket.api.constants import Scope, confidentiality_levels_up_to
from loket.api.framework import ClientRateThrottle, LoketCursorPagination, check_body_size
from loket.api.permissions import client_identity, client_may_read_level
from loket.api.serializers import (
    CasePageSerializer,
    CaseSerializer,
    DepartmentSerializer,
    DocumentPageSerializer,
    DocumentSerializer,
    OrderSerializer,
    OrganisationSerializer,
    PaymentLinkSerializer,
    PersonCasePageSerializer,
    PersonLookupSerializer,
    PersonPageSerializer,
    PersonSerializer,
    ServiceSerializer,
    TokenErrorSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
    VerificationSerializer,
)
from loket.cases import selectors as cases_selectors
from loket.catalog import selectors as catalog_selectors
from loket.core import selectors as core_selectors
from loket.documents import selectors as documents_selectors
from loket.documents.types import DocumentSummary
from loket.payments import selectors as payments_selectors
from loket.payments import services as payments_services
from loket.payments.types import OrderSummary
from loket.people import selectors as people_selectors
from loket.people.types import PersonSummary

# --- Organisations and departments (public) ----------------------------------------


class OrganisationList(LoketApiView, generics.ListAPIView):
    """The municipality and its OCMW, with address and opening hours. Public."""

    serializer_class = OrganisationSerializer
    pagination_class = LoketCursorPagination
    renderer_classes = [JSONRenderer, linked_data.JSONLDRenderer]
    query_parameters = frozenset({"kind"})

    def get_queryset(self) -> Any:
        organisations = core_selectors.organisation_list_public()
        kind = self.request.query_params.get("kind")
        if kind is not None:
            organisations = organisations.filter(kind=kind)
        return organisations

    @extend_schema(
        operation_id="organisations_list",
        parameters=[OpenApiParameter("kind", str, enum=["municipality", "ocmw"])],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        if linked_data.wants_linked_data(request):
            nodes = [linked_data.organisation_node(row) for row in response.data["results"]]
            response.data = linked_data.document(nodes, next_url=response.data.get("next"))
        return response


class OrganisationDetail(LoketApiView, generics.RetrieveAPIView):
    serializer_class = OrganisationSerializer
    renderer_classes = [JSONRenderer, linked_data.JSONLDRenderer]
    lookup_field = "slug"

    def get_queryset(self) -> Any:
        return core_selectors.organisation_list_public()

    @extend_schema(operation_id="organisations_retrieve")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.retrieve(request, *args, **kwargs)
        if linked_data.wants_linked_data(request):
            response.data = linked_data.document(linked_data.organisation_node(response.data))
        return response


class DepartmentList(LoketApiView, generics.ListAPIView):
    """Departments of the organisations. Public."""

    serializer_class = DepartmentSerializer
    pagination_class = LoketCursorPagination
    renderer_classes = [JSONRenderer, linked_data.JSONLDRenderer]
    query_parameters = frozenset({"organisation"})

    def get_queryset(self) -> Any:
        departments = core_selectors.department_list()
        slug = self.request.query_params.get("organisation")
        if slug is not None:
            departments = departments.filter(organisation__slug=slug)
        return departments

    @extend_schema(
        operation_id="departments_list",
        parameters=[OpenApiParameter("organisation", str, description="Organisation slug")],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.list(request, *args, **kwargs)
        if linked_data.wants_linked_data(request):
            nodes = [linked_data.department_node(row) for row in response.data["results"]]
            response.data = linked_data.document(nodes, next_url=response.data.get("next"))
        return response


class DepartmentDetail(LoketApiView, generics.RetrieveAPIView):
    serializer_class = DepartmentSerializer
    renderer_classes = [JSONRenderer, linked_data.JSONLDRenderer]

    def get_queryset(self) -> Any:
        return core_selectors.department_list()

    @extend_schema(operation_id="departments_retrieve")
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = self.retrieve(request, *args, **kwargs)
        if linked_data.wants_linked_data(request):
            response.data = linked_data.document(linked_data.department_node(response.data))
        return response


# --- Catalogue (public) ------------------------------------------------------------


def _negotiated(response: Response) -> Response:
    """The answer depends on ``Accept`` (JSON or CPSV-AP JSON-LD): caches must know."""
    patch_vary_headers(response, ["Accept"])
    return response


class ServiceList(LoketApiView, generics.ListAPIView):
    """Published products and services of the catalogue. Public.

    With ``Accept: application/ld+json`` the answer is the catalogue as CPSV-AP JSON-LD,
    the same document the catalogue publishes: one document with every published service
    in its ``@graph`` (``life_event`` filters it too; ``cursor`` and ``page_size`` apply
    to JSON only)."""

    serializer_class = ServiceSerializer
    pagination_class = LoketCursorPagination
    renderer_classes = [JSONRenderer, linked_data.JSONLDRenderer]
    query_parameters = frozenset({"life_event"})

    def get_queryset(self) -> Any:
        services = catalog_selectors.service_list_published().prefetch_related(
            "target_groups", "life_events"
        )
        life_event = self.request.query_params.get("life_event")
        if life_event is not None:
            services = services.filter(life_events__slug=life_event)
        return services

    @extend_schema(
        operation_id="services_list",
        parameters=[OpenApiParameter("life_event", str, description="Life event slug")],
        responses={200: ServiceSerializer(many=True)},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if linked_data.wants_linked_data(request):
            document = catalog_selectors.service_jsonld(
                life_event=request.query_params.get("life_event")
            )
            return _negotiated(Response(document))
        return _negotiated(self.list(request, *args, **kwargs))


class ServiceDetail(LoketApiView):
    """One published service. With ``Accept: application/ld+json``: its CPSV-AP JSON-LD
    (the same document the catalogue publishes for it)."""

    renderer_classes = [JSONRenderer, linked_data.JSONLDRenderer]

    @extend_schema(operation_id="services_retrieve", responses={200: ServiceSerializer})
    def get(self, request: Request, slug: str) -> Response:
        if linked_data.wants_linked_data(request):
            document = catalog_selectors.service_jsonld(slug=slug)
            if document is None:
                raise exceptions.NotFound
            return _negotiated(Response(document))
        service = catalog_selectors.service_get(slug=slug)
        if service is None:
            raise exceptions.NotFound
        return _negotiated(Response(ServiceSerializer(service).data))


# --- People (restricted: scope people:read, every read audited) --------------------


def _person_data(person: PersonSummary) -> dict[str, Any]:
    address = person.address
    return {
        "id": person.id,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "masked_national_number": person.masked_national_number,
        "birth_date": person.birth_date,
        "gender": person.gender,
        "language": person.language,
        "household_id": person.household_id,
        "household_relation": person.household_relation,
        "address": None
        if address is None
        else {
            "label": address.label,
            "street_name": address.street_name,
            "house_number": address.house_number,
            "box_number": address.box_number,
            "postcode": address.postcode,
            "municipality_name": address.municipality_name,
        },
        "date_of_death": person.date_of_death,
    }


class _PeopleView(LoketApiView):
    required_scopes = (Scope.PEOPLE_READ,)
    personal_data = True

    def audit(self, request: Request, persons: list[PersonSummary], purpose: str) -> None:
        identity = client_identity(request)
        assert identity is not None  # HasRequiredScopes let only clients in
        services.api_person_read_record(
            client_id=identity.client_id,
            client_name=identity.name,
            person_ids=[person.id for person in persons],
            purpose=purpose,
        )


def _encode_cursor(value: str) -> str:
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _decode_cursor(value: str) -> str:
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
        text = decoded.decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text:
        raise exceptions.ValidationError({"cursor": ["Not a cursor of this list."]})
    return text


class PersonList(_PeopleView):
    """Residents by name (prefix of last and first name, in any order)."""

    query_parameters = frozenset({"name", "cursor", "page_size"})

    @extend_schema(
        operation_id="people_list",
        parameters=[
            OpenApiParameter("name", str, description="Start of last and/or first name"),
            OpenApiParameter("cursor", str, description="The `next` cursor of a page"),
            OpenApiParameter("page_size", int, description="1 to 100 (default 25)"),
        ],
        responses={200: PersonPageSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        name = params.get("name", "")[:100]
        if name and not any(ch.isalpha() for ch in name):
            raise exceptions.ValidationError({"name": ["Search by name, with letters."]})
        page_size = LoketCursorPagination().get_page_size(request)
        after = _decode_cursor(params["cursor"]) if "cursor" in params else None
        try:
            page = people_selectors.person_search(query=name, limit=page_size, after=after)
        except ValueError:
            raise exceptions.ValidationError({"cursor": ["Not a cursor of this list."]}) from None
        persons = list(page.items)
        self.audit(request, persons, purpose="list")
        next_url = None
        if page.next_cursor:
            query = {key: value for key, value in params.items() if key != "cursor"}
            query["cursor"] = _encode_cursor(page.next_cursor)
            next_url = request.build_absolute_uri(f"{request.path}?{urlencode(query)}")
        data = {
            "next": next_url,
            "previous": None,
            "results": [_person_data(person) for person in persons],
        }
        return Response(PersonPageSerializer(data).data)


class PersonDetail(_PeopleView):
    @extend_schema(operation_id="people_retrieve", responses={200: PersonSerializer})
    def get(self, request: Request, person_id: int) -> Response:
        person = people_selectors.person_get(person_id=person_id)
        if person is None:
            raise exceptions.NotFound
        self.audit(request, [person], purpose="read")
        return Response(PersonSerializer(_person_data(person)).data)


class PersonLookup(_PeopleView):
    """Find a resident by national number. The number travels in the body, never in
    the address (addresses end up in access logs)."""

    @extend_schema(
        operation_id="people_lookup",
        request=PersonLookupSerializer,
        responses={200: PersonSerializer},
    )
    def post(self, request: Request) -> Response:
        form = PersonLookupSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        person = people_selectors.person_get_by_national_number(
            national_number=form.validated_data["national_number"]
        )
        if person is None:
            raise exceptions.NotFound
        self.audit(request, [person], purpose="lookup by national number")
        return Response(PersonSerializer(_person_data(person)).data)


# --- Cases (restricted: scope cases:read, up to the client's confidentiality) -------


class CaseDetail(LoketApiView):
    """A dossier and its public timeline. A dossier above the client's confidentiality
    level answers 404, exactly like one that does not exist."""

    required_scopes = (Scope.CASES_READ,)
    personal_data = True

    @extend_schema(operation_id="cases_retrieve", responses={200: CaseSerializer})
    def get(self, request: Request, reference: str) -> Response:
        case = cases_selectors.case_get(reference=reference[:20])
        if case is None or not client_may_read_level(request, case.confidentiality):
            raise exceptions.NotFound
        identity = client_identity(request)
        assert identity is not None
        if case.person_id is not None:
            services.api_person_read_record(
                client_id=identity.client_id,
                client_name=identity.name,
                person_ids=[case.person_id],
                purpose=f"case {case.reference}",
            )
        timeline = cases_selectors.case_timeline(case=case, public_only=True)
        return Response(CaseSerializer(case, context={"timeline": timeline}).data)


# --- OAuth 2.0 token endpoint (RFC 6749 §4.4) --------------------------------------


class TokenView(APIView):
    """Client credentials grant: ``client_secret_basic`` or ``client_secret_post``."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes = [ClientRateThrottle]
    parser_classes = [FormParser]
    renderer_classes = [JSONRenderer]

    def _error(self, code: str, description: str, status_code: int = 400) -> Response:
        response = Response({"error": code, "error_description": description}, status=status_code)
        if code == "invalid_client":
            response["WWW-Authenticate"] = 'Basic realm="loket"'
        return response

    def _basic_credentials(self, request: Request) -> tuple[str, str] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.lower().startswith("basic "):
            return None
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return ("", "")
        client_id, _sep, secret = decoded.partition(":")
        return unquote(client_id), unquote(secret)

    @extend_schema(
        operation_id="oauth_token",
        tags=["oauth"],
        request={"application/x-www-form-urlencoded": TokenRequestSerializer},
        responses={
            200: TokenResponseSerializer,
            400: TokenErrorSerializer,
            401: TokenErrorSerializer,
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        check_body_size(request)
        data = request.data
        unknown = sorted(set(data) - set(TokenRequestSerializer().fields))
        if unknown:
            return self._error("invalid_request", f"Unknown parameters: {', '.join(unknown)}.")
        if data.get("grant_type") != "client_credentials":
            return self._error("unsupported_grant_type", "Only client_credentials is supported.")
        basic = self._basic_credentials(request)
        posted = (data.get("client_id"), data.get("client_secret"))
        if basic is not None and any(posted):
            return self._error("invalid_request", "Use one client authentication method.")
        client_key, secret = basic if basic is not None else (posted[0] or "", posted[1] or "")
        if not client_key or not secret:
            return self._error("invalid_client", "Client authentication failed.", 401)
        scope = data.get("scope")
        try:
            issued = services.api_token_issue(
                client_key=client_key,
                client_secret=secret,
                requested_scopes=scope.split() if scope else None,
            )
        except services.OAuthError as error:
            code = status.HTTP_401_UNAUTHORIZED if error.code == "invalid_client" else 400
            return self._error(error.code, str(error), code)
        response = Response(
            {
                "access_token": issued.access_token,
                "token_type": "Bearer",
                "expires_in": issued.expires_in,
                "scope": " ".join(issued.scopes),
            }
        )
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


# --- Anything else under /api/ -----------------------------------------------------


class NotFoundView(LoketApiView):
    """Unknown addresses under /api/ answer with a problem, like every other error."""

    authentication_classes: list[Any] = []
    throttle_classes: list[Any] = []
    query_parameters = frozenset()
    schema = None  # not an endpoint: left out of the OpenAPI document

    def initial(self, request: Any, *args: Any, **kwargs: Any) -> None:
        raise exceptions.NotFound

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise exceptions.NotFound  # pragma: no cover - initial() already refused


# --- A resident's file: dossiers (with their documents) in one call -----------------

MAX_ID = 2**63 - 1


def _next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = {key: value for key, value in request.query_params.items() if key != "cursor"}
    query["cursor"] = _encode_cursor(cursor)
    return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")


def _cursor_parameter(request: Request) -> str | None:
    params = request.query_params
    return _decode_cursor(params["cursor"]) if "cursor" in params else None


def _audit(request: Request, person_ids: list[int], purpose: str) -> None:
    identity = client_identity(request)
    assert identity is not None  # HasRequiredScopes let only clients in
    services.api_person_read_record(
        client_id=identity.client_id,
        client_name=identity.name,
        person_ids=person_ids,
        purpose=purpose,
    )


CURSOR_PARAMETERS = [
    OpenApiParameter("cursor", str, description="The `next` cursor of a page"),
    OpenApiParameter("page_size", int, description="1 to 100 (default 25)"),
]


def _id_cursor(request: Request) -> str | None:
    """The cursor of a list paged on the id (checked here: a bad one is a 400)."""
    after = _cursor_parameter(request)
    if after is not None and not (after.isdigit() and 1 <= int(after) <= MAX_ID):
        raise exceptions.ValidationError({"cursor": ["Not a cursor of this list."]})
    return after


def _whole_number(name: str, raw: str) -> int:
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID):
        raise exceptions.ValidationError({name: ["A whole number."]})
    return int(raw)


# "…T10:00:00+01:00" typed into an address without encoding the "+" arrives as a space.
_SPACED_OFFSET = re.compile(r"(T[\d:.]+) (\d\d(?::?\d\d)?)$")


def _datetime_parameter(name: str, raw: str) -> datetime:
    text = _SPACED_OFFSET.sub(r"\1+\2", raw.strip()[:40])
    try:
        value = parse_datetime(text)
    except ValueError:
        value = None
    if value is None:
        raise exceptions.ValidationError({name: ["A date and time (ISO 8601)."]})
    try:
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        raise exceptions.ValidationError({name: ["A date and time (ISO 8601)."]}) from None


def _text_parameter(request: Request, name: str) -> str | None:
    return request.query_params.get(name, "").replace("\x00", "")[:100] or None


class CaseList(LoketApiView):
    """Dossiers up to the client's confidentiality clearance, newest first (a dossier
    above it is left out, as if it did not exist). A system that keeps a copy asks for
    ``updated_since`` the moment its previous run began and pages until ``next`` is
    null: the pages follow the dossier's number, so it misses none that change
    meanwhile. Every resident whose dossier is on a page gets an audit line."""

    required_scopes = (Scope.CASES_READ,)
    personal_data = True
    query_parameters = frozenset(
        {"status", "case_type", "department", "updated_since", "cursor", "page_size"}
    )

    @extend_schema(
        operation_id="cases_list",
        parameters=[
            OpenApiParameter("status", str, description="Status key, e.g. `submitted`"),
            OpenApiParameter("case_type", str, description="Case type slug"),
            OpenApiParameter("department", int, description="Department id"),
            OpenApiParameter(
                "updated_since",
                OpenApiTypes.DATETIME,
                description="Only dossiers changed at or after this moment (ISO 8601; "
                "without an offset: Belgian time; encode `+` as `%2B`)",
            ),
            *CURSOR_PARAMETERS,
        ],
        responses={200: CasePageSerializer},
    )
    def get(self, request: Request) -> Response:
        params = request.query_params
        identity = client_identity(request)
        assert identity is not None
        page_size = LoketCursorPagination().get_page_size(request)
        department = params.get("department")
        updated_since = params.get("updated_since")
        page = cases_selectors.case_page_for_client(
            levels=confidentiality_levels_up_to(identity.max_confidentiality),
            status=_text_parameter(request, "status"),
            case_type=_text_parameter(request, "case_type"),
            department_id=None if department is None else _whole_number("department", department),
            updated_since=None
            if updated_since is None
            else _datetime_parameter("updated_since", updated_since),
            after=_id_cursor(request),
            limit=page_size,
        )
        rows = list(page.items)
        person_ids = sorted({row.person_id for row in rows if row.person_id is not None})
        if person_ids:
            _audit(request, person_ids, purpose="case list")
        data = {"next": _next_url(request, page.next_cursor), "previous": None, "results": rows}
        return Response(CasePageSerializer(data).data)


class _PersonFileView(LoketApiView):
    """Endpoints under ``/people/{id}/``: a resident's file, read as a member of staff
    would read it (``people:read`` and the scope of what is read; one audit line the
    resident sees)."""

    personal_data = True
    query_parameters = frozenset({"cursor", "page_size"})

    def person_or_404(self, request: Request, person_id: int, purpose: str) -> PersonSummary:
        person = people_selectors.person_get(person_id=min(person_id, MAX_ID))
        if person is None:
            raise exceptions.NotFound
        _audit(request, [person.id], purpose)
        return person


def _document_data(
    request: Request, document: DocumentSummary, case_reference: str | None = None
) -> dict[str, Any]:
    if case_reference is None:
        download = reverse("api:document-pdf", kwargs={"document_id": document.id})
    else:
        download = reverse(
            "api:case-document-pdf",
            kwargs={"reference": case_reference, "document_id": document.id},
        )
    return {
        "id": document.id,
        "code": document.code,
        "title": document.title,
        "kind": document.kind,
        "template_key": document.template_key,
        "language": document.language,
        "status": document.status,
        "issued_at": document.issued_at,
        "issuer_name": document.issuer_name,
        "pages": document.pages,
        "size": document.size,
        "revoked_at": document.revoked_at,
        "replaced_by_code": document.replaced_by_code,
        "person_id": document.person_id,
        "case_reference": case_reference,
        "download": request.build_absolute_uri(download),
    }


class PersonCaseList(_PersonFileView):
    """A resident's dossiers up to the client's confidentiality clearance, newest first,
    each with its documents and its orders when the token also has ``documents:read``
    and ``payments:read`` (else they are null): what a "my cases" screen shows, in one
    call. A dossier above the clearance is left out, as if it did not exist."""

    required_scopes = (Scope.PEOPLE_READ, Scope.CASES_READ)

    @extend_schema(
        operation_id="people_cases_list",
        parameters=CURSOR_PARAMETERS,
        responses={200: PersonCasePageSerializer},
    )
    def get(self, request: Request, person_id: int) -> Response:
        identity = client_identity(request)
        assert identity is not None
        page_size = LoketCursorPagination().get_page_size(request)
        after = _id_cursor(request)
        person = self.person_or_404(request, person_id, purpose="cases")
        page = cases_selectors.case_page_for_client(
            levels=confidentiality_levels_up_to(identity.max_confidentiality),
            person_id=person.id,
            after=after,
            limit=page_size,
        )
        rows = list(page.items)
        documents = None
        if Scope.DOCUMENTS_READ in identity.scopes:
            by_case = documents_selectors.documents_for_cases(case_ids=[row.id for row in rows])
            references = {row.id: row.reference for row in rows}
            documents = {
                case_id: [_document_data(request, doc, references[case_id]) for doc in docs]
                for case_id, docs in by_case.items()
            }
        orders = None
        if Scope.PAYMENTS_READ in identity.scopes:
            orders = payments_selectors.orders_for_cases(case_ids=[row.id for row in rows])
        data = {"next": _next_url(request, page.next_cursor), "previous": None, "results": rows}
        context = {"documents": documents, "orders": orders}
        return Response(PersonCasePageSerializer(data, context=context).data)


# --- Documents (scope documents:read) -----------------------------------------------


class PersonDocumentList(_PersonFileView):
    """A resident's documents outside any dossier (certificates, extracts), newest
    first. A dossier's documents are read under the dossier."""

    required_scopes = (Scope.PEOPLE_READ, Scope.DOCUMENTS_READ)

    @extend_schema(
        operation_id="people_documents_list",
        parameters=CURSOR_PARAMETERS,
        responses={200: DocumentPageSerializer},
    )
    def get(self, request: Request, person_id: int) -> Response:
        page_size = LoketCursorPagination().get_page_size(request)
        after = _cursor_parameter(request)
        person = self.person_or_404(request, person_id, purpose="documents")
        try:
            rows, cursor = documents_selectors.documents_for_person_outside_cases(
                person_id=person.id, after=after, limit=page_size
            )
        except ValueError:
            raise exceptions.ValidationError({"cursor": ["Not a cursor of this list."]}) from None
        data = {
            "next": _next_url(request, cursor),
            "previous": None,
            "results": [_document_data(request, row) for row in rows],
        }
        return Response(DocumentPageSerializer(data).data)


class _CaseDocumentView(LoketApiView):
    required_scopes = (Scope.CASES_READ, Scope.DOCUMENTS_READ)
    personal_data = True

    def case_or_404(self, request: Request, reference: str, purpose: str) -> Any:
        """The dossier, if the client's clearance reaches it (else 404, like a dossier
        that does not exist); its resident gets an audit line."""
        case = cases_selectors.case_get(reference=reference[:20])
        if case is None or not client_may_read_level(request, case.confidentiality):
            raise exceptions.NotFound
        if case.person_id is not None:
            _audit(request, [case.person_id], f"{purpose} of case {case.reference}")
        return case


class CaseDocumentList(_CaseDocumentView):
    """The documents issued for a dossier, newest first."""

    @extend_schema(
        operation_id="cases_documents_list", responses={200: DocumentSerializer(many=True)}
    )
    def get(self, request: Request, reference: str) -> Response:
        case = self.case_or_404(request, reference, "documents")
        rows = documents_selectors.documents_for_cases(case_ids=[case.pk])[case.pk]
        data = [_document_data(request, row, case.reference) for row in rows]
        return Response(DocumentSerializer(data, many=True).data)


class PDFRenderer(BaseRenderer):
    """Lets ``Accept: application/pdf`` through content negotiation; errors still
    answer as problem details."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None

    def render(
        self, data: Any, accepted_media_type: Any = None, renderer_context: Any = None
    ) -> Any:
        return JSONRenderer().render(data, "application/json", renderer_context)


def _pdf_response(document: Any) -> HttpResponse:
    """The sealed PDF, byte for byte as issued (its seal verifies)."""
    response = HttpResponse(
        documents_selectors.document_read(document), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="{document.code}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


PDF_RESPONSE = {(200, "application/pdf"): OpenApiTypes.BINARY}


class CaseDocumentPdf(_CaseDocumentView):
    """A dossier's document as the sealed PDF."""

    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(operation_id="cases_documents_pdf", responses=PDF_RESPONSE)
    def get(self, request: Request, reference: str, document_id: int) -> HttpResponse:
        case = self.case_or_404(request, reference, "document download")
        document = documents_selectors.document_get(document_id=min(document_id, MAX_ID))
        if document is None or document.case_id != case.pk:
            raise exceptions.NotFound
        return _pdf_response(document)


class _DocumentView(LoketApiView):
    # A document outside a dossier belongs to a person: read like the person's own
    # list of documents (people:read and documents:read).
    required_scopes = (Scope.PEOPLE_READ, Scope.DOCUMENTS_READ)
    personal_data = True

    def document_or_404(self, request: Request, document_id: int, purpose: str) -> Any:
        """A document outside any dossier; a dossier's document answers 404 here (it is
        read under its dossier, where the dossier's confidentiality is checked)."""
        document = documents_selectors.document_get(document_id=min(document_id, MAX_ID))
        if document is None or document.case_id is not None:
            raise exceptions.NotFound
        _audit(request, [document.person_id], f"{purpose} {document.code}")
        return document


class DocumentDetail(_DocumentView):
    """A document outside any dossier (a certificate, an extract)."""

    @extend_schema(operation_id="documents_retrieve", responses={200: DocumentSerializer})
    def get(self, request: Request, document_id: int) -> Response:
        document = self.document_or_404(request, document_id, "document")
        summary = documents_selectors.document_summary(document)
        return Response(DocumentSerializer(_document_data(request, summary)).data)


class DocumentPdf(_DocumentView):
    """A document outside any dossier as the sealed PDF."""

    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(operation_id="documents_pdf", responses=PDF_RESPONSE)
    def get(self, request: Request, document_id: int) -> HttpResponse:
        return _pdf_response(self.document_or_404(request, document_id, "download of"))


class DocumentVerification(LoketApiView):
    """Public: is a document with this code one we issued, and is it still valid? The
    same answer as the verification page (the holder's initials only). Unknown codes
    answer 404."""

    @extend_schema(operation_id="documents_verify", responses={200: VerificationSerializer})
    def get(self, request: Request, code: str) -> Response:
        verification = documents_selectors.verification_by_code(code=code[:40])
        if verification.outcome not in ("authentic", "revoked"):
            raise exceptions.NotFound
        return Response(VerificationSerializer(verification).data)


# --- Payments (scopes payments:read, payments:write) --------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The object's state does not allow this."
    default_code = "conflict"


class CaseOrderList(_CaseDocumentView):
    """What is owed for a dossier and how far it is paid."""

    required_scopes = (Scope.CASES_READ, Scope.PAYMENTS_READ)

    @extend_schema(operation_id="cases_orders_list", responses={200: OrderSerializer(many=True)})
    def get(self, request: Request, reference: str) -> Response:
        case = self.case_or_404(request, reference, "orders")
        orders = payments_selectors.orders_for_case(case_id=case.pk)
        return Response(OrderSerializer(orders, many=True).data)


class PersonOrderList(_PersonFileView):
    """A resident's orders outside any dossier, newest first (a dossier's orders are
    read under the dossier)."""

    required_scopes = (Scope.PEOPLE_READ, Scope.PAYMENTS_READ)
    query_parameters = frozenset()

    @extend_schema(operation_id="people_orders_list", responses={200: OrderSerializer(many=True)})
    def get(self, request: Request, person_id: int) -> Response:
        person = self.person_or_404(request, person_id, purpose="orders")
        orders = [
            order
            for order in payments_selectors.orders_for_person(person_id=person.id)
            if not order.case_reference and order.case_id is None
        ]
        return Response(OrderSerializer(orders, many=True).data)


class _OrderView(LoketApiView):
    personal_data = True

    def order_or_404(self, request: Request, order_id: int, purpose: str) -> OrderSummary:
        """The order, if its dossier (if any) is within the client's clearance; else
        404, like an order that does not exist."""
        order = payments_selectors.order_get(order_id=min(order_id, MAX_ID))
        if order is None:
            raise exceptions.NotFound
        if order.case_reference or order.case_id is not None:
            case = cases_selectors.case_get(reference=order.case_reference[:20])
            if case is None or not client_may_read_level(request, case.confidentiality):
                raise exceptions.NotFound
        if order.person_id is not None:
            _audit(request, [order.person_id], f"{purpose} {order.reference}")
        return order


class OrderDetail(_OrderView):
    """An order with its lines and status."""

    required_scopes = (Scope.PAYMENTS_READ,)

    @extend_schema(operation_id="orders_retrieve", responses={200: OrderSerializer})
    def get(self, request: Request, order_id: int) -> Response:
        return Response(OrderSerializer(self.order_or_404(request, order_id, "order")).data)


class PaymentLinkCreatedSerializer(PaymentLinkSerializer):
    replaces_earlier_links = serializers.BooleanField(
        help_text="Always true: an order has one payment link; this one replaces every "
        "earlier link (also one already sent to the resident, which stops working)"
    )


class OrderPaymentLink(_OrderView):
    """Make a link that pays the order without logging in (e.g. for a letter or an
    e-mail the client sends). An order has one link: a new one replaces every earlier
    link, also one already sent to the resident (it stops working; the answer says so
    with ``replaces_earlier_links``). The link's page shows the payer and what is paid,
    so making one needs ``payments:read`` as well as ``payments:write``. An order that
    is not open (paid, cancelled) answers 409. Takes no body."""

    required_scopes = (Scope.PAYMENTS_READ, Scope.PAYMENTS_WRITE)

    @extend_schema(
        operation_id="orders_payment_link",
        request=None,
        responses={201: PaymentLinkCreatedSerializer, 409: OpenApiResponse(description="Not open")},
    )
    def post(self, request: Request, order_id: int) -> Response:
        if request.data not in (None, {}):
            raise exceptions.ValidationError({"non_field_errors": ["This call takes no body."]})
        order = self.order_or_404(request, order_id, "payment link for")
        identity = client_identity(request)
        assert identity is not None
        try:
            url = services.api_payment_link_create(
                client_id=identity.client_id, client_name=identity.name, order_id=order.id
            )
        except payments_services.PaymentError as error:
            raise Conflict(str(error)) from None
        response = Response(
            PaymentLinkCreatedSerializer({"url": url, "replaces_earlier_links": True}).data,
            status=201,
        )
        response["Cache-Control"] = "no-store"
        return response
