"""Writes of the cases module. Every status change goes through ``case_transition``
(or the resident's ``case_withdraw``/``case_reopen``/``case_info_provide``, which take
the same path): lock → permission → guard → write with a version check → timeline and
audit in the same transaction → notifications after commit."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from loket.cases import workflow
from loket.cases.constants import (
    ACTION_CLOSE,
    ACTION_GENERATE_DOCUMENT,
    ACTION_NOTIFY,
    ACTION_PAYMENT_RECEIVED,
    ACTION_REQUEST_ADVICE,
    ACTION_REQUEST_PAYMENT,
    DEADLINE_WARNING_DAYS,
    EVENT_INFO_REQUESTED,
    EVENT_MESSAGE,
    EVENT_REMINDER,
    EVENT_STATUS_CHANGED,
    EVENT_SUBMITTED,
    GUARD_PAYMENT_RECEIVED,
    PERM_HANDLE,
    TRANSITION_AUTO_COMPLETE,
    TRANSITION_PROVIDE_INFO,
    TRANSITION_REOPEN,
    TRANSITION_WITHDRAW,
    ActorKind,
    AdviceStatus,
    Channel,
    PartyKind,
    PaymentStatus,
    TimelineKind,
    WaitsFor,
)
from loket.cases.deadlines import deadline_for
from loket.cases.models import (
    AdviceRequest,
    Case,
    CaseCounter,
    CaseData,
    CaseMessage,
    CaseType,
    InternalNote,
    Status,
    TimelineEvent,
    Transition,
)
from loket.cases.permissions import (
    can_answer_advice,
    can_assign_case,
    can_handle_case,
    can_serve_counter,
    resident_may_see,
)
from loket.cases.types import PartyRef, ResidentScope, SubmitResult
from loket.core.constants import AuditAction
from loket.core.selectors import staff_has_permission
from loket.core.services import DomainError, User, audit_record
from loket.notifications.services import notify_after_commit
from loket.payments.constants import OrderStatus
from loket.payments.selectors import order_get, orders_for_case
from loket.payments.services import PaymentError, order_cancel, order_create
from loket.payments.types import OrderSummary, format_euros
from loket.webhooks.constants import EventType
from loket.webhooks.services import event_publish

logger = logging.getLogger(__name__)

TRACKING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


class CaseChanged(DomainError):
    """Someone else changed the case since the form was shown."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "This case has been changed in the meantime by someone else. Nothing was "
                "saved: look at the case again and redo your change if it is still needed."
            )
        )


# --- Helpers -----------------------------------------------------------------------


def tracking_code_hash(code: str) -> str:
    """A keyed hash of a tracking code: the code itself is never stored."""
    normalised = "".join(ch for ch in code.upper() if ch.isalnum())
    key = hashlib.sha256(f"loket.cases.tracking:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def _new_tracking_code() -> str:
    raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _label(user: User | None) -> str:
    if user is None:
        return _("The municipality")
    return (user.get_full_name() or user.get_username())[:200]


def _next_reference(today: date) -> str:
    """``YYYY-NNNNNN``: numbered per year from a counter row held locked until commit."""
    year = today.year
    if not CaseCounter.objects.filter(year=year).exists():
        try:
            with transaction.atomic():
                CaseCounter.objects.create(year=year, last=0)
        except IntegrityError:
            pass  # created at the same moment by another submission
    counter = CaseCounter.objects.select_for_update().get(year=year)
    counter.last = F("last") + 1
    counter.save(update_fields=["last"])
    counter.refresh_from_db(fields=["last"])
    return f"{year}-{counter.last:06d}"


def _case_url(case: Case) -> str:
    base = str(getattr(settings, "LOKET_BASE_URL", "") or "").rstrip("/")
    return f"{base}{reverse('cases:detail', kwargs={'reference': case.reference})}"


INFO_DUE_DAYS = 14  # days a resident gets to send information that was asked


def _day(value: date | datetime | None) -> str:
    """A date as residents read it in every language: 15/12/2026."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localdate(value)
    return value.strftime("%d/%m/%Y")


def _event_context(event: str, case: Case) -> dict[str, Any]:
    """The placeholders each case event declares (see the notifications module)."""
    context: dict[str, Any] = {
        "case_reference": case.reference,
        "case_title": case.title,
        "case_url": _case_url(case),
    }
    info_due = _day(case.waiting_since + timedelta(days=INFO_DUE_DAYS))
    if event == EVENT_STATUS_CHANGED:
        context["status"] = case.status.public_name
    elif event == EVENT_SUBMITTED:
        context["expected_date"] = _day(case.deadline)
    elif event == EVENT_INFO_REQUESTED:
        context["due_date"] = info_due
    elif event == EVENT_REMINDER:
        context["still_expected"] = (
            _("your payment")
            if case.waiting_for == WaitsFor.PAYMENT
            or case.payment_status == PaymentStatus.REQUESTED
            else _("the information we asked for")
        )
        context["due_date"] = info_due
    return context


def _notify_after_commit(*, event: str, case: Case, key: str, fallback: str = "") -> None:
    """Tell the resident after commit; when ``event`` cannot be sent (not configured),
    ``fallback`` is tried with the same key. A missing event or template never breaks
    the change itself (it is logged)."""
    person_id = case.person_id
    if person_id is None:
        return
    notify_after_commit(
        person_id=person_id,
        idempotency_key=key,
        attempts=[(name, _event_context(name, case)) for name in (event, fallback) if name],
        about=f"case {case.pk}",
    )


def _timeline(
    case: Case,
    *,
    kind: str,
    text: str,
    public: bool = True,
    actor_label: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        case=case,
        at=at or timezone.now(),
        kind=kind,
        public=public,
        text=text,
        actor_label=actor_label[:200],
        data=data or {},
    )


def _lock(case_id: int) -> Case:
    # No joins in the locking query: PostgreSQL re-checks a joined row after waiting
    # for the lock, and a case whose status changed meanwhile would drop out.
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise DomainError(_("This case does not exist."))
    return case


def _check_version(case: Case, expected_version: int | None) -> None:
    if expected_version is not None and case.version != expected_version:
        raise CaseChanged


def _resident_check(case: Case, *, actor: User | None, scope: ResidentScope) -> None:
    if scope.tracking_code or scope.tracking_hash:
        expected = scope.tracking_hash or tracking_code_hash(scope.tracking_code)
        if case.tracking_code_hash and hmac.compare_digest(case.tracking_code_hash, expected):
            return
        raise DomainError(_("This case does not exist."))
    party_ids = {kind: set(ids) for kind, ids in scope.party_ids.items()}
    if not resident_may_see(
        user=actor,
        case=case,
        party_ids=party_ids,
        own_person_id=scope.own_person_id,
        services=scope.services,
    ):
        raise DomainError(_("This case does not exist."))


def _save(case: Case, fields: Iterable[str], expected_version: int) -> None:
    """Write with the version check: the row must still have the version we read."""
    values = {name: getattr(case, name) for name in fields}
    updated = Case.objects.filter(pk=case.pk, version=expected_version).update(
        **values, version=expected_version + 1, updated_at=timezone.now()
    )
    if updated != 1:
        raise CaseChanged
    case.version = expected_version + 1


def _request_advice(
    case: Case, *, actor: User | None, department_slugs: list[str], question: str
) -> list[AdviceRequest]:
    from loket.core.selectors import department_list

    departments = list(department_list().filter(slug__in=department_slugs))
    return _advice_create(case, actor=actor, departments=departments, question=question)


def _advice_create(
    case: Case, *, actor: User | None, departments: list[Any], question: str, due_days: int = 10
) -> list[AdviceRequest]:
    now = timezone.now()
    due = deadline_for(timezone.localdate(now), due_days, "working")
    created = []
    for department in departments:
        if AdviceRequest.objects.filter(
            case=case, department=department, status=AdviceStatus.OPEN
        ).exists():
            continue
        created.append(
            AdviceRequest.objects.create(
                case=case,
                department=department,
                question=question,
                requested_by=actor,
                requested_at=now,
                due=due,
            )
        )
    if created:
        names = ", ".join(sorted(a.department.name for a in created))
        _timeline(
            case,
            kind=TimelineKind.ADVICE_REQUESTED,
            text=_("Advice asked of: %(departments)s.") % {"departments": names},
            actor_label=_label(actor),
            data={"departments": [a.department_id for a in created]},
        )
    return created


def _webhook(case: Case, event_type: str) -> None:
    """A CloudEvent for the municipality's own systems (no personal data: the
    reference, the type, the status and where it is)."""
    event_publish(
        type=event_type,
        source="/api/v1/cases",
        subject=case.reference,
        data={
            "reference": case.reference,
            "case_type": case.case_type.slug,
            "status": case.status.key,
            "department": case.department_id,
            "channel": case.channel,
            "is_open": case.is_open,
            "version": case.version,
        },
    )


def _issue_document(
    case: Case, *, template: str, actor: User | None, transition: Transition, note: str
) -> bool:
    """Make the document of ``generate_document:<template>`` through the documents
    module. False when there is nobody to issue it to or the municipality has no
    published template with that key (an internal timeline line says so); a document
    that cannot be made raises ``DomainError`` and the transition does not happen."""
    from loket.documents.selectors import template_published
    from loket.documents.services import document_issue

    if case.person_id is None:
        return False
    if template_published(key=template, language="nl") is None:
        _timeline(
            case,
            kind=TimelineKind.DOCUMENT,
            public=False,
            text=_("No document was made: the template “%(key)s” is not published.")
            % {"key": template},
        )
        return False
    try:
        document_issue(
            actor=actor,
            template_key=template,
            person_id=case.person_id,
            case_id=case.pk,
            department_id=case.department_id,
            context={
                "reference": case.reference,
                "title": case.title,
                "decision": note.strip() or transition.result,
            },
        )
    except DomainError as error:
        raise DomainError(
            _("The document could not be made (%(reason)s). Nothing was changed.")
            % {"reason": error}
        ) from error
    return True


def _apply(
    case: Case,
    transition: Transition,
    *,
    actor: User | None,
    note: str,
    expected_version: int,
) -> Case:
    """Write a transition that passed its checks: status, actions, timeline, audit."""
    now = timezone.now()
    old = case.status
    new = transition.to_status
    case.status = new
    case.waiting_for = new.waits_for
    case.waiting_since = now
    fields = ["status", "waiting_for", "waiting_since", "is_open", "closed_at", "result"]
    if new.is_final:
        case.is_open = False
        case.closed_at = now
        case.result = transition.result or new.public_name
    else:
        case.is_open = True
        case.closed_at = None
        case.result = ""
    actions = [workflow.split(item) for item in transition.actions or ()]
    payment_request: PaymentRequest | None = None
    already_received = case.payment_status == PaymentStatus.RECEIVED
    for key, argument in actions:
        if key == ACTION_REQUEST_PAYMENT:
            payment_request = _payment_request(case, actor=actor)
            case.payment_status = (
                PaymentStatus.REQUESTED if payment_request.due else PaymentStatus.RECEIVED
            )
            fields.append("payment_status")
        elif key == ACTION_PAYMENT_RECEIVED:
            case.payment_status = PaymentStatus.RECEIVED
            fields.append("payment_status")
        elif key == ACTION_GENERATE_DOCUMENT:
            if _issue_document(
                case, template=argument, actor=actor, transition=transition, note=note
            ):
                case.document_issued = True
                fields.append("document_issued")
        elif key == ACTION_CLOSE and not new.is_final:
            raise DomainError(_("This step closes the case but does not end in a final status."))
    _save(case, fields, expected_version)
    actor_label = _label(actor)
    text = new.public_name if not note.strip() else f"{new.public_name}: {note.strip()}"
    _timeline(
        case,
        kind=TimelineKind.CLOSED if new.is_final else TimelineKind.STATUS,
        text=text,
        actor_label=actor_label,
        data={"from": old.key, "to": new.key, "transition": transition.key},
        at=now,
    )
    for key, argument in actions:
        if key == ACTION_GENERATE_DOCUMENT and case.document_issued:
            _timeline(
                case,
                kind=TimelineKind.DOCUMENT,
                text=_("Your document is ready: you find it under My documents."),
                actor_label=actor_label,
                data={"template": argument},
            )
        elif key == ACTION_REQUEST_PAYMENT and payment_request is not None:
            _timeline(
                case,
                kind=TimelineKind.PAYMENT,
                text=payment_request.text,
                actor_label=actor_label,
                data=payment_request.data,
            )
        elif key == ACTION_PAYMENT_RECEIVED and not already_received:
            _timeline(case, kind=TimelineKind.PAYMENT, text=_("Your payment has been received."))
        elif key == ACTION_REQUEST_ADVICE:
            slugs = [slug.strip() for slug in argument.split(",") if slug.strip()]
            _request_advice(
                case,
                actor=actor,
                department_slugs=slugs,
                question=_("Please give your advice on %(title)s.") % {"title": case.title},
            )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=case,
        object_label=f"{case.reference} {case.title}",
        subject_person_id=case.person_id,
        reason=f"transition {transition.key}",
        changes={"status": [old.key, new.key], "version": case.version},
    )
    if new.is_final:
        _orders_cancel_open(case, reason=transition.result or new.name)
    _webhook(case, EventType.CASE_STATUS_CHANGED)
    if any(key == ACTION_NOTIFY for key, _arg in actions):
        if new.waits_for == WaitsFor.RESIDENT:
            _notify_after_commit(
                event=EVENT_INFO_REQUESTED,
                fallback=EVENT_STATUS_CHANGED,
                case=case,
                key=f"case-{case.pk}-status-{case.version}",
            )
        else:
            _notify_after_commit(
                event=EVENT_STATUS_CHANGED, case=case, key=f"case-{case.pk}-status-{case.version}"
            )
    if payment_request is not None and not payment_request.due:
        # Nothing (more) to pay: an automatic step waiting for the payment follows.
        return _advance_on_payment(case)
    return case


def _take(
    case: Case,
    *,
    key: str,
    actor: User | None,
    actor_kind: str,
    note: str,
    expected_version: int,
) -> Case:
    transition = workflow.transition_find(case=case, key=key, actor_kind=actor_kind)
    if transition is None:
        raise DomainError(
            _("This step is not possible while the case is “%(status)s”.")
            % {"status": case.status.name}
        )
    if not workflow.actor_may_take(
        user=actor, case=case, transition=transition, actor_kind=actor_kind
    ):
        raise DomainError(_("You may not take this step in this case."))
    failures = workflow.guard_failures(case, transition)
    if failures:
        raise DomainError(" ".join(failures))
    return _apply(case, transition, actor=actor, note=note, expected_version=expected_version)


# --- Payments ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """What ``request_payment`` did: the order (None: no fee in the catalogue, or
    nothing due) and the public timeline line that tells the resident what to do next."""

    order: OrderSummary | None
    due: bool  # False: nothing (more) to pay
    text: str
    data: dict[str, Any]


def _order_is_live(order: OrderSummary) -> bool:
    return order.status != OrderStatus.CANCELLED


def _payment_text(order: OrderSummary) -> str:
    due = _day(order.due_date) if isinstance(order.due_date, date) else ""
    text = _(
        "Please pay %(amount)s. Pay online with the “Pay” button in your case, or "
        "transfer the amount with the structured communication %(communication)s."
    ) % {"amount": format_euros(order.open_cents), "communication": order.structured_communication}
    if due:
        text += " " + _("Please pay before %(date)s.") % {"date": due}
    return text


def _payment_request(case: Case, *, actor: User | None) -> PaymentRequest:
    """The ``request_payment`` action: an order for the case's fee, made once per case
    (a retry or a second request finds the open or paid order and reuses it). The fee
    is the catalogue's, computed from the register and the submitted answers."""
    from loket.catalog.selectors import fee_lines_for_request, fee_rule_get

    orders = [o for o in orders_for_case(case_id=case.pk) if _order_is_live(o)]
    order = next((o for o in orders if not o.is_paid), None) or next(iter(orders), None)
    if order is None:
        service_id, service_slug = (
            CaseType.objects.filter(pk=case.case_type_id)
            .values_list("service_id", "service__slug")
            .first()
        ) or (None, None)
        if service_id is None or fee_rule_get(service_id=service_id) is None:
            # No fee in the catalogue: the municipality asks for the payment its own
            # way and staff record it by hand (the "payment received" step).
            return PaymentRequest(
                order=None,
                due=True,
                text=_("A payment is requested. We will tell you how to pay."),
                data={},
            )
        lines = fee_lines_for_request(
            service_id=service_id,
            person_id=case.person_id,
            party_kind=case.party_kind,
            answers=workflow.latest_data(case),
        )
        if sum(line.unit_cents * line.quantity for line in lines) <= 0:
            return PaymentRequest(
                order=None,
                due=False,
                text=_("No payment is due for this request."),
                data={"due_cents": 0},
            )
        try:
            order = order_create(
                lines=lines,
                description=f"{case.title} ({case.reference})",
                actor=actor,
                department_id=case.department_id,
                person_id=case.person_id,
                payer_name=case.party_label,
                payer_email=case.contact_email,
                case_id=case.pk,
                case_reference=case.reference,
                service_slug=service_slug or "",
            )
        except PaymentError as error:
            raise DomainError(
                _("The payment could not be requested (%(reason)s). Nothing was changed.")
                % {"reason": error}
            ) from error
    if order.is_paid:
        return PaymentRequest(
            order=None,
            due=False,
            text=_("Your payment has been received."),
            data={"order": order.reference},
        )
    return PaymentRequest(
        order=order,
        due=True,
        text=_payment_text(order),
        data={"order": order.reference, "due_cents": order.open_cents},
    )


def _has_open_order(case: Case) -> bool:
    return any(o.status == OrderStatus.OPEN for o in orders_for_case(case_id=case.pk))


def _orders_cancel_open(case: Case, *, reason: str) -> None:
    """A case that ends (withdrawn, refused, closed) leaves no order open to pay."""
    if case.payment_status != PaymentStatus.REQUESTED:
        return
    for order in orders_for_case(case_id=case.pk):
        if order.status == OrderStatus.OPEN and not order.paid_cents:
            order_cancel(
                order_id=order.id,
                actor=None,
                reason=_("Case %(reference)s ended: %(reason)s")
                % {"reference": case.reference, "reason": reason},
            )
            _timeline(
                case,
                kind=TimelineKind.PAYMENT,
                text=_("The payment %(order)s is cancelled: you do not need to pay it.")
                % {"order": order.reference},
                data={"order": order.reference, "cancelled": True},
            )


def _advance_on_payment(case: Case) -> Case:
    """Take the automatic (system) transition from the current status whose guard is
    ``payment_received``, when its guards pass, through ``case_transition``."""
    for transition in workflow.transitions_from(case):
        guards = {workflow.split(g)[0] for g in transition.guards or ()}
        if transition.actor != ActorKind.SYSTEM or GUARD_PAYMENT_RECEIVED not in guards:
            continue
        if workflow.guard_failures(case, transition):
            continue
        return case_transition(
            actor=None, case_id=case.pk, transition=transition.key, expected_version=case.version
        )
    return case


@transaction.atomic
def case_payment_received(*, order_id: int) -> Case | None:
    """An order of a case was paid (online, by transfer or at the counter): the case
    records it (payment status, a public timeline line, audit) and moves on when its
    workflow says so. Idempotent: a second call for the same order changes nothing.
    Returns the case (None: the order is not a paid order of a case)."""
    order = order_get(order_id=order_id)
    if order is None or order.case_id is None or not order.is_paid:
        return None
    case = _lock(order.case_id)
    recorded = TimelineEvent.objects.filter(
        case=case, kind=TimelineKind.PAYMENT, data__paid_order=order.reference
    ).exists()
    if not recorded:
        case.payment_status = PaymentStatus.RECEIVED
        _save(case, ["payment_status"], case.version)
        _timeline(
            case,
            kind=TimelineKind.PAYMENT,
            text=_("Your payment of %(amount)s has been received. Thank you.")
            % {"amount": format_euros(order.paid_cents)},
            data={"paid_order": order.reference},
        )
        audit_record(
            actor=None,
            action=AuditAction.UPDATE,
            target=case,
            object_label=f"{case.reference} {case.title}",
            subject_person_id=case.person_id,
            reason="payment received",
            changes={"payment_status": PaymentStatus.RECEIVED, "order": order.reference},
        )
    return _advance_on_payment(case)


def on_order_paid(sender: Any, order: OrderSummary, **kwargs: Any) -> None:
    """Receiver of ``payments.services.order_paid`` (sent on commit). A problem with the
    case never undoes or hides the payment: it is logged, and the handler sees the
    order as paid on the case page."""
    if order.case_id is None:
        return
    try:
        case_payment_received(order_id=order.id)
    except DomainError as error:
        logger.warning("case %s: payment %s not applied (%s)", order.case_id, order.id, error)
    except Exception:
        logger.exception("case %s: payment %s not applied", order.case_id, order.id)


# --- Submission --------------------------------------------------------------------


def _validate_data(case_type: CaseType, data: Mapping[str, Any]) -> dict[str, Any]:
    clean: dict[str, Any] = {}
    missing = []
    for spec in case_type.fields or ():
        name = spec.get("name")
        value = data.get(name, "")
        if isinstance(value, str):
            value = value.strip()
        if spec.get("required") and value in ("", None):
            missing.append(str(spec.get("label") or name))
        clean[name] = value
    if missing:
        raise DomainError(_("Please fill in: %(fields)s.") % {"fields": ", ".join(missing)})
    return clean


@transaction.atomic
def case_submit(
    *,
    actor: User | None,
    case_type_slug: str,
    data: Mapping[str, Any],
    party: PartyRef | None,
    channel: str = Channel.ONLINE,
    form_version: str = "",
    title: str = "",
    contact_email: str = "",
    checked_by_form_engine: bool = False,
) -> SubmitResult:
    """File a request or report: a new case in the type's initial status, with its
    data as version 1, a readable reference and its deadline. Without a party (an
    anonymous report) the result carries a tracking code, shown once."""
    case_type = (
        CaseType.objects.select_related("department", "service")
        .filter(slug=case_type_slug, is_active=True)
        .first()
    )
    if case_type is None:
        raise DomainError(_("This kind of request does not exist (any more)."))
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."))
    if party is None and not case_type.anonymous_allowed:
        raise DomainError(_("Log in to file this request."))
    if party is not None and not party.covers(
        case_type.slug, *([case_type.service.slug] if case_type.service is not None else [])
    ):
        raise DomainError(
            _("Your mandate for %(name)s does not cover this request.") % {"name": party.label}
        )
    if channel == Channel.COUNTER:
        # The caller (the back office view) checked the open counter visit and that it
        # is this resident's; the party says so with ``via="counter"``.
        staff_ok = (
            actor is not None
            and can_serve_counter(actor)
            and party is not None
            and party.via == "counter"
        )
    elif channel != Channel.ONLINE:
        staff_ok = actor is not None and staff_has_permission(
            user=actor, permission=PERM_HANDLE, department_id=case_type.department_id
        )
    else:
        staff_ok = True
    if not staff_ok:
        raise DomainError(
            _(
                "Only staff of the department that handles this request may record it "
                "by post or by phone, and at the counter only for the resident being served."
            )
        )
    clean = dict(data) if checked_by_form_engine else _validate_data(case_type, data)
    initial = Status.objects.filter(case_type=case_type, is_initial=True).first()
    if initial is None:
        raise DomainError(_("This kind of request has no workflow yet."))
    now = timezone.now()
    tracking_code = _new_tracking_code() if party is None else ""
    case = Case.objects.create(
        reference=_next_reference(timezone.localdate(now)),
        case_type=case_type,
        title=(title or case_type.name)[:200],
        status=initial,
        department=case_type.department,
        initiator=actor if actor is not None and actor.is_authenticated else None,
        party_kind=party.kind if party else PartyKind.ANONYMOUS,
        party_id=party.id if party else None,
        party_label=(party.label if party else "")[:200],
        person_id=party.person_id if party else None,
        channel=channel,
        confidentiality=case_type.confidentiality,
        submitted_at=now,
        deadline=deadline_for(
            timezone.localdate(now), case_type.deadline_days, case_type.deadline_kind
        ),
        waiting_for=initial.waits_for,
        waiting_since=now,
        tracking_code_hash=tracking_code_hash(tracking_code) if tracking_code else "",
        contact_email=contact_email[:254],
    )
    case.search_text = f"{case.reference} {case.title} {case.party_label}".lower()[:500]
    Case.objects.filter(pk=case.pk).update(search_text=case.search_text)
    CaseData.objects.create(
        case=case,
        version=1,
        data=clean,
        form_version=form_version[:50],
        created_by=case.initiator,
        created_at=now,
    )
    _timeline(
        case,
        kind=TimelineKind.SUBMITTED,
        text=_("Request received (%(channel)s).") % {"channel": Channel(channel).label},
        actor_label=_label(actor) if actor is not None and actor.is_authenticated else "",
        at=now,
    )
    audit_record(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=AuditAction.CREATE,
        target=case,
        object_label=f"{case.reference} {case.title}",
        subject_person_id=case.person_id,
        reason=f"case submitted ({channel})",
        changes={
            "case_type": case_type.slug,
            "channel": channel,
            **(party.audit_changes() if party is not None else {}),
        },
    )
    _webhook(case, EventType.CASE_CREATED)
    _notify_after_commit(event=EVENT_SUBMITTED, case=case, key=f"case-{case.pk}-submitted")
    if case_type.auto_complete:
        try:
            with transaction.atomic():
                _take(
                    case,
                    key=TRANSITION_AUTO_COMPLETE,
                    actor=None,
                    actor_kind=ActorKind.SYSTEM,
                    note="",
                    expected_version=case.version,
                )
        except DomainError as error:
            # The request stays submitted: a handler finishes it by hand.
            case.refresh_from_db()
            logger.warning("case %s: not completed automatically (%s)", case.pk, error)
            _timeline(
                case,
                kind=TimelineKind.STATUS,
                public=False,
                text=_("Not completed automatically: %(reason)s") % {"reason": error},
            )
    return SubmitResult(case_id=case.pk, reference=case.reference, tracking_code=tracking_code)


# --- Status changes ----------------------------------------------------------------


@transaction.atomic
def case_transition(
    *, actor: User | None, case_id: int, transition: str, expected_version: int, note: str = ""
) -> Case:
    """THE entry point for a status change by staff (a button on the case page) or by
    the system itself (``actor=None``: only transitions whose actor is the system, e.g.
    moving on when a payment arrived).

    Two staff acting on the same version: the second gets ``CaseChanged`` and the case
    keeps the first one's change only."""
    case = _lock(case_id)
    _check_version(case, expected_version)
    return _take(
        case,
        key=transition,
        actor=actor,
        actor_kind=ActorKind.STAFF if actor is not None else ActorKind.SYSTEM,
        note=note,
        expected_version=expected_version,
    )


@transaction.atomic
def case_close(
    *, actor: User, case_id: int, transition: str, expected_version: int, note: str = ""
) -> Case:
    """Close with a result: a transition that ends in a final status."""
    case = _lock(case_id)
    _check_version(case, expected_version)
    found = workflow.transition_find(case=case, key=transition, actor_kind=ActorKind.STAFF)
    if found is None or not found.to_status.is_final:
        raise DomainError(_("This step does not close the case."))
    return _take(
        case,
        key=transition,
        actor=actor,
        actor_kind=ActorKind.STAFF,
        note=note,
        expected_version=expected_version,
    )


@transaction.atomic
def case_withdraw(
    *,
    actor: User | None,
    case_id: int,
    expected_version: int,
    scope: ResidentScope,
    reason: str = "",
) -> Case:
    """The resident withdraws their request (while the workflow allows it)."""
    case = _lock(case_id)
    _resident_check(case, actor=actor, scope=scope)
    _check_version(case, expected_version)
    return _take(
        case,
        key=TRANSITION_WITHDRAW,
        actor=actor,
        actor_kind=ActorKind.RESIDENT,
        note=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def case_reopen(
    *,
    actor: User | None,
    case_id: int,
    expected_version: int,
    reason: str,
    scope: ResidentScope | None = None,
) -> Case:
    """Reopen a closed case: the resident (with ``scope``) when a report marked solved
    is not, or staff (without ``scope``)."""
    if not reason.strip():
        raise DomainError(_("Tell us why the case should be reopened."))
    case = _lock(case_id)
    if scope is not None:
        _resident_check(case, actor=actor, scope=scope)
    _check_version(case, expected_version)
    return _take(
        case,
        key=TRANSITION_REOPEN,
        actor=actor,
        actor_kind=ActorKind.RESIDENT if scope is not None else ActorKind.STAFF,
        note=reason,
        expected_version=expected_version,
    )


@transaction.atomic
def case_info_provide(
    *,
    actor: User | None,
    case_id: int,
    expected_version: int,
    scope: ResidentScope,
    data: Mapping[str, Any],
    comment: str = "",
) -> Case:
    """The resident adds the information that was asked: a new data version, and the
    case goes back to the municipality."""
    case = _lock(case_id)
    _resident_check(case, actor=actor, scope=scope)
    _check_version(case, expected_version)
    if case.waiting_for != WaitsFor.RESIDENT:
        raise DomainError(_("No information is asked of you in this case right now."))
    latest = CaseData.objects.filter(case=case).order_by("-version").first()
    merged = dict(latest.data if latest else {})
    changed = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    changed = {k: v for k, v in changed.items() if v not in ("", None)}
    if not changed and not comment.strip():
        raise DomainError(_("Add the information or a comment."))
    merged.update(changed)
    if comment.strip():
        merged["additional_information"] = comment.strip()
    version = (latest.version if latest else 0) + 1
    CaseData.objects.create(
        case=case,
        version=version,
        data=merged,
        form_version=latest.form_version if latest else "",
        created_by=actor if actor is not None and actor.is_authenticated else None,
        created_at=timezone.now(),
    )
    _timeline(
        case,
        kind=TimelineKind.INFO_PROVIDED,
        text=comment.strip() or _("Information added."),
        actor_label=_label(actor) if actor is not None and actor.is_authenticated else "",
        data={"data_version": version, "fields": sorted(changed) or ["additional_information"]},
    )
    return _take(
        case,
        key=TRANSITION_PROVIDE_INFO,
        actor=actor,
        actor_kind=ActorKind.RESIDENT,
        note="",
        expected_version=expected_version,
    )


# --- Assignment, messages, notes, advice -------------------------------------------


@transaction.atomic
def case_assign(
    *,
    actor: User,
    case_ids: Iterable[int],
    assignee_id: int | None,
    expected_version: int | None = None,
) -> int:
    """Assign cases (one or many) to a handler, or release them (``assignee_id=None``).

    Coordinators assign anyone who may handle cases of that department; a handler may
    take an unassigned case for themselves. All or nothing."""
    ids = sorted(set(case_ids))
    if not ids:
        raise DomainError(_("Select at least one case."))
    assignee = User.objects.filter(pk=assignee_id, is_active=True).first() if assignee_id else None
    if assignee_id and assignee is None:
        raise DomainError(_("This colleague does not exist."))
    refused: list[str] = []
    count = 0
    for case_id in ids:
        case = _lock(case_id)
        _check_version(case, expected_version if len(ids) == 1 else None)
        self_take = assignee is not None and assignee.pk == actor.pk and case.assignee_id is None
        allowed = can_assign_case(actor, case) or (self_take and can_handle_case(actor, case))
        if not allowed:
            refused.append(case.reference)
            continue
        if assignee is not None and not staff_has_permission(
            user=assignee, permission=PERM_HANDLE, department_id=case.department_id
        ):
            raise DomainError(
                _("%(name)s does not handle cases of %(department)s.")
                % {"name": _label(assignee), "department": case.department.name}
            )
        if case.assignee_id == (assignee.pk if assignee else None):
            continue
        previous = case.assignee_id
        case.assignee = assignee
        _save(case, ["assignee"], case.version)
        _timeline(
            case,
            kind=TimelineKind.ASSIGNED,
            public=False,
            text=(
                _("Assigned to %(name)s.") % {"name": _label(assignee)}
                if assignee
                else _("Assignment released.")
            ),
            actor_label=_label(actor),
        )
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=case,
            object_label=f"{case.reference} {case.title}",
            subject_person_id=case.person_id,
            reason="case assigned",
            changes={"assignee": [previous, assignee.pk if assignee else None]},
        )
        count += 1
    if refused:
        raise DomainError(
            _("You may not assign these cases: %(refs)s. Nothing was changed.")
            % {"refs": ", ".join(refused)}
        )
    return count


@transaction.atomic
def case_message_send(
    *,
    actor: User | None,
    case_id: int,
    body: str,
    scope: ResidentScope | None = None,
) -> CaseMessage:
    """A message on the case: from the resident (with ``scope``) or from staff."""
    body = body.strip()
    if not body:
        raise DomainError(_("Write a message first."))
    if len(body) > 5000:
        raise DomainError(_("A message has at most 5000 characters."))
    case = _lock(case_id)
    if scope is not None:
        _resident_check(case, actor=actor, scope=scope)
    elif actor is None or not can_handle_case(actor, case):
        raise DomainError(_("You may not write in this case."))
    message = CaseMessage.objects.create(
        case=case,
        at=timezone.now(),
        from_resident=scope is not None,
        author=actor if actor is not None and actor.is_authenticated else None,
        author_label=(
            _label(actor) if actor is not None and actor.is_authenticated else _("Reporter")
        ),
        body=body,
    )
    audit_record(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=AuditAction.CREATE,
        target=message,
        object_label=f"message on {case.reference}",
        subject_person_id=case.person_id,
    )
    if scope is None:
        _notify_after_commit(
            event=EVENT_MESSAGE, case=case, key=f"case-{case.pk}-message-{message.pk}"
        )
    return message


@transaction.atomic
def case_note_add(*, actor: User, case_id: int, text: str) -> InternalNote:
    """An internal note: staff only, never on the resident's timeline."""
    text = text.strip()
    if not text:
        raise DomainError(_("Write a note first."))
    case = _lock(case_id)
    asked = set(AdviceRequest.objects.filter(case=case).values_list("department_id", flat=True))
    if not (can_handle_case(actor, case) or any(can_answer_advice(actor, d) for d in asked)):
        raise DomainError(_("You may not add notes to this case."))
    note = InternalNote.objects.create(
        case=case, at=timezone.now(), author=actor, author_label=_label(actor), text=text
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=note,
        object_label=f"note on {case.reference}",
        subject_person_id=case.person_id,
    )
    return note


@transaction.atomic
def advice_request(
    *, actor: User, case_id: int, department_ids: Iterable[int], question: str, due_days: int = 10
) -> list[AdviceRequest]:
    """Ask other departments (of the city or the OCMW) for advice on a case."""
    from loket.core.selectors import department_list

    question = question.strip()
    if not question:
        raise DomainError(_("Write the question for the advice."))
    case = _lock(case_id)
    if not can_handle_case(actor, case):
        raise DomainError(_("You may not ask advice in this case."))
    departments = list(department_list().filter(pk__in=set(department_ids)))
    if not departments:
        raise DomainError(_("Choose at least one department."))
    created = _advice_create(
        case, actor=actor, departments=departments, question=question, due_days=due_days
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        target=case,
        object_label=f"{case.reference} advice",
        subject_person_id=case.person_id,
        reason="advice requested",
        changes={"departments": [a.department_id for a in created]},
    )
    return created


@transaction.atomic
def advice_answer(*, actor: User, advice_id: int, answer: str) -> AdviceRequest:
    """The asked department answers. When all have answered, the guard
    ``advice_received`` passes."""
    answer = answer.strip()
    if not answer:
        raise DomainError(_("Write the advice first."))
    advice = AdviceRequest.objects.select_for_update().filter(pk=advice_id).first()
    if advice is None or not can_answer_advice(actor, advice.department_id):
        raise DomainError(_("This advice request does not exist."))
    if advice.status != AdviceStatus.OPEN:
        raise DomainError(_("This advice has already been given."))
    advice.status = AdviceStatus.ANSWERED
    advice.answer = answer
    advice.answered_by = actor
    advice.answered_at = timezone.now()
    advice.save(update_fields=["status", "answer", "answered_by", "answered_at"])
    _timeline(
        advice.case,
        kind=TimelineKind.ADVICE_ANSWERED,
        text=_("Advice received from %(department)s.") % {"department": advice.department.name},
        actor_label=_label(actor),
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        target=advice.case,
        object_label=f"{advice.case.reference} advice",
        subject_person_id=advice.case.person_id,
        reason=f"advice answered by {advice.department.slug}",
    )
    return advice


# --- Reminders ---------------------------------------------------------------------


def case_reminders_send(*, today: date | None = None, after_days: int = 7) -> int:
    """Daily: remind residents of information asked or fees unpaid for ``after_days``
    (not of a fee with an open order: the payments module reminds of those itself);
    flag cases near their deadline for their handlers (internal timeline line).
    Idempotent per case and day. Returns how many reminders were sent or flagged."""
    today = today or timezone.localdate()
    cutoff = timezone.now() - timedelta(days=after_days)
    count = 0
    waiting = Case.objects.filter(is_open=True, person_id__isnull=False).filter(
        waiting_since__lte=cutoff
    )
    for case in (
        waiting.filter(waiting_for__in=[WaitsFor.RESIDENT, WaitsFor.PAYMENT])
        .select_related("status")
        .iterator()
    ):
        if case.waiting_for == WaitsFor.PAYMENT and _has_open_order(case):
            continue  # the payments module reminds of its open orders itself
        with transaction.atomic():
            _notify_after_commit(
                event=EVENT_REMINDER,
                case=case,
                key=f"case-{case.pk}-reminder-{today.isoformat()}",
            )
        count += 1
    unpaid = Case.objects.filter(
        is_open=True,
        person_id__isnull=False,
        payment_status=PaymentStatus.REQUESTED,
        waiting_since__lte=cutoff,
    ).exclude(waiting_for__in=[WaitsFor.RESIDENT, WaitsFor.PAYMENT])
    for case in unpaid.select_related("status").iterator():
        if _has_open_order(case):
            continue
        with transaction.atomic():
            _notify_after_commit(
                event=EVENT_REMINDER,
                case=case,
                key=f"case-{case.pk}-reminder-{today.isoformat()}",
            )
        count += 1
    near = Case.objects.filter(
        is_open=True, deadline__lte=today + timedelta(days=DEADLINE_WARNING_DAYS)
    )
    for case in near.iterator():
        marker = f"deadline-{today.isoformat()}"
        if TimelineEvent.objects.filter(
            case=case, kind=TimelineKind.STATUS, data__marker=marker
        ).exists():
            continue
        _timeline(
            case,
            kind=TimelineKind.STATUS,
            public=False,
            text=_("The deadline (%(date)s) is near or passed.") % {"date": case.deadline},
            data={"marker": marker},
        )
        count += 1
    return count


# --- Demo seed ---------------------------------------------------------------------


@transaction.atomic
def case_types_seed_demo(*, actor: User | None = None) -> list[CaseType]:
    """The seven demo case types with statuses, transitions, guards and actions.
    Idempotent: types that exist are left as they are. Missing departments
    (Politie, Brandweer, Mobiliteit, ...) are created in the main organisation."""
    from loket.cases.seed import DEPARTMENTS, TYPES
    from loket.core.selectors import department_list, organisation_primary
    from loket.core.services import department_create

    organisation = organisation_primary()
    if organisation is None:
        raise DomainError("Create the municipality first.")
    departments = {d.slug: d for d in department_list()}
    for slug, name in DEPARTMENTS.items():
        if slug not in departments:
            departments[slug] = department_create(
                actor=actor, organisation=organisation, name=name, slug=slug
            )
    made: list[CaseType] = []
    for spec in TYPES:
        if CaseType.objects.filter(slug=spec["slug"]).exists():
            continue
        case_type = CaseType.objects.create(
            slug=spec["slug"],
            name=spec["name"],
            department=departments[spec["department"]],
            deadline_days=spec["deadline_days"],
            deadline_kind=spec["deadline_kind"],
            auto_complete=spec.get("auto_complete", False),
            anonymous_allowed=spec.get("anonymous_allowed", False),
            confidentiality=spec.get("confidentiality", "normal"),
            fields=spec["fields"],
        )
        statuses: dict[str, Status] = {}
        for order, (key, name, public, next_step, waits, initial, final) in enumerate(
            spec["statuses"]
        ):
            statuses[key] = Status.objects.create(
                case_type=case_type,
                key=key,
                name=name,
                public_name=public,
                next_step=next_step,
                waits_for=waits,
                is_initial=initial,
                is_final=final,
                order=order,
            )
        for order, (key, name, source, target, who, perms, guards, actions, result) in enumerate(
            spec["transitions"]
        ):
            unknown = workflow.validate_keys(guards=guards, actions=actions)
            if unknown:
                raise DomainError(f"Unknown guards or actions: {unknown}")
            Transition.objects.create(
                case_type=case_type,
                key=key,
                name=name,
                from_status=statuses[source],
                to_status=statuses[target],
                actor=who,
                permissions=perms,
                guards=guards,
                actions=actions,
                result=result,
                order=order,
            )
        audit_record(actor=actor, action=AuditAction.CREATE, target=case_type)
        made.append(case_type)
    case_types_link_services(actor=actor)
    return made


@transaction.atomic
def case_types_link_services(*, actor: User | None = None) -> int:
    """Link the demo case types to the catalogue's services of the same name, so that
    residents fill in the service's form. Idempotent; run again after the catalogue
    is seeded. Returns how many links were made."""
    from loket.cases.seed import TYPES
    from loket.catalog.selectors import service_get

    linked = 0
    for spec in TYPES:
        case_type = CaseType.objects.filter(slug=spec["slug"], service__isnull=True).first()
        service = (
            service_get(slug=spec["service"], published_only=False)
            if case_type is not None and spec.get("service")
            else None
        )
        if case_type is None or service is None:
            continue
        case_type.service = service
        case_type.save(update_fields=["service"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            target=case_type,
            changes={"service": service.pk},
        )
        linked += 1
    return linked
