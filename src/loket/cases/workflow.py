"""The explicit table of allowed status changes, read from the database.

A case may change status only along a ``Transition`` row of its type that starts at
its current status. Who may take it is the row's ``actor`` (staff, resident, system)
and, for staff, one of its permission codes in the case's department. Guards are keys
checked against the case (``required_data:<field>``, ``payment_received``,
``document_issued``, ``advice_received``, ``assigned``); all must pass. A transition
whose actor is the system is taken automatically when its guards pass: on submission
(``auto_complete``) and when a payment arrives (guard ``payment_received``).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from loket.cases.constants import (
    ACTION_PAYMENT_RECEIVED,
    ACTIONS,
    GUARD_ADVICE_RECEIVED,
    GUARD_ASSIGNED,
    GUARD_DOCUMENT_ISSUED,
    GUARD_PAYMENT_RECEIVED,
    GUARD_REQUIRED_DATA,
    GUARDS,
    PERM_HANDLE,
    TRANSITIONS_KEY,
    TRANSITIONS_TTL_SECONDS,
    WORKFLOW_EPOCH_KEY,
    ActorKind,
    AdviceStatus,
    PaymentStatus,
)
from loket.cases.models import AdviceRequest, Case, CaseData, Transition
from loket.cases.permissions import _social_ok
from loket.core.selectors import staff_has_permission
from loket.payments.constants import OrderStatus
from loket.payments.selectors import orders_for_case


def split(item: str) -> tuple[str, str]:
    """``"request_advice:police,fire"`` → ``("request_advice", "police,fire")``."""
    key, _sep, argument = str(item).partition(":")
    return key.strip(), argument.strip()


def validate_keys(*, guards: list[str], actions: list[str]) -> list[str]:
    """Unknown guard or action keys in a transition's configuration."""
    unknown = [g for g in guards if split(g)[0] not in GUARDS]
    unknown += [a for a in actions if split(a)[0] not in ACTIONS]
    return unknown


def transitions_from(case: Case) -> list[Transition]:
    """Every transition of the case's type that starts at its current status (1 query)."""
    return list(
        Transition.objects.filter(case_type_id=case.case_type_id, from_status_id=case.status_id)
        .select_related("to_status")
        .order_by("order", "pk")
    )


def _transitions_shown(case: Case) -> list[Transition]:
    """``transitions_from`` for the buttons of a case page, kept in the cache framework
    while the workflow configuration does not change (see ``workflow_changed``).
    Taking a step always reads the table itself (``transition_find``)."""
    key = TRANSITIONS_KEY.format(case_type_id=case.case_type_id, status_id=case.status_id)
    found = cache.get_many([key, WORKFLOW_EPOCH_KEY])
    epoch = found.get(WORKFLOW_EPOCH_KEY, "")
    kept = found.get(key)
    if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == epoch:
        return list(kept[1])
    transitions = transitions_from(case)
    cache.set(key, (epoch, transitions), TRANSITIONS_TTL_SECONDS)
    return transitions


def workflow_changed(**_: Any) -> None:
    """A case type, status or transition was saved or deleted (signal receiver): the
    transitions kept for the case pages are read again, once the change is committed."""
    transaction.on_commit(lambda: cache.set(WORKFLOW_EPOCH_KEY, uuid.uuid4().hex, None))


def latest_data(case: Case) -> dict[str, Any]:
    row = CaseData.objects.filter(case=case).order_by("-version").values_list("data", flat=True)
    return dict(row.first() or {})


def guard_failures(case: Case, transition: Transition) -> list[str]:
    """Why the guards refuse this transition now (empty: they all pass)."""
    failures: list[str] = []
    data: dict[str, Any] | None = None
    for item in transition.guards or ():
        key, argument = split(item)
        if key == GUARD_REQUIRED_DATA:
            if data is None:
                data = latest_data(case)
            if data.get(argument) in (None, "", [], {}):
                failures.append(_("The field “%(field)s” is still missing.") % {"field": argument})
        elif key == GUARD_PAYMENT_RECEIVED:
            if not payment_received(case):
                failures.append(_("The payment has not been received yet."))
        elif key == GUARD_DOCUMENT_ISSUED:
            if not case.document_issued:
                failures.append(_("The document has not been issued yet."))
        elif key == GUARD_ADVICE_RECEIVED:
            advice = AdviceRequest.objects.filter(case=case)
            if not advice.exists() or advice.filter(status=AdviceStatus.OPEN).exists():
                failures.append(_("Not every advice has been received yet."))
        elif key == GUARD_ASSIGNED:
            if case.assignee_id is None:
                failures.append(_("Assign the case to a handler first."))
        else:
            failures.append(_("Unknown condition “%(key)s”.") % {"key": key})
    # Marking a payment received by hand is for payments made outside Loket: while an
    # order of the case is open, the payments module records it (the case follows).
    by_hand = transition.actor == ActorKind.STAFF and any(
        split(a)[0] == ACTION_PAYMENT_RECEIVED for a in transition.actions or ()
    )
    if by_hand and any(o.status == OrderStatus.OPEN for o in orders_for_case(case_id=case.pk)):
        failures.append(
            _(
                "This case has an order that is not paid yet. Record the payment on "
                "the order's page; the case follows by itself."
            )
        )
    return failures


def payment_received(case: Case) -> bool:
    """The guard ``payment_received`` asks the payments module, not only the case's
    flag: no order of the case is still open and one is paid. A case without any order
    passes only when its flag says received (nothing was due, e.g. a free tariff)."""
    orders = [o for o in orders_for_case(case_id=case.pk) if o.status != OrderStatus.CANCELLED]
    if any(not o.is_paid for o in orders):
        return False
    if orders:
        return True
    return case.payment_status == PaymentStatus.RECEIVED


def actor_may_take(*, user: Any, case: Case, transition: Transition, actor_kind: str) -> bool:
    """May this actor take this transition of this case (ignoring guards)?"""
    if transition.actor != actor_kind:
        return False
    if actor_kind != ActorKind.STAFF:
        return True
    if not _social_ok(user, case):
        return False
    codes = transition.permissions or [PERM_HANDLE]
    return any(
        staff_has_permission(user=user, permission=code, department_id=case.department_id)
        for code in codes
    )


def allowed_transitions(
    *, case: Case, user: Any, actor_kind: str = ActorKind.STAFF
) -> list[Transition]:
    """The buttons this actor sees now: transitions they may take whose guards pass."""
    return [
        transition
        for transition in _transitions_shown(case)
        if actor_may_take(user=user, case=case, transition=transition, actor_kind=actor_kind)
        and not guard_failures(case, transition)
    ]


def transition_find(*, case: Case, key: str, actor_kind: str) -> Transition | None:
    return (
        Transition.objects.filter(
            case_type_id=case.case_type_id,
            from_status_id=case.status_id,
            key=key,
            actor=actor_kind,
        )
        .select_related("to_status", "from_status")
        .first()
    )
