"""Portal pages of notifications for a logged-in resident: the inbox, preferences and
the verified e-mail addresses and mobile numbers (mounted under /mijn-berichten/)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from loket.accounts.constants import LEVEL_MY_DATA, SESSION_LOGIN
from loket.accounts.selectors import resident_account_get
from loket.core.services import DomainError
from loket.notifications import selectors, services
from loket.notifications.constants import ContactKind
from loket.notifications.forms import ContactAddForm, ContactVerifyForm, PreferencesForm
from loket.notifications.models import LANGUAGE_CHOICES
from loket.people.selectors import person_get
from loket.people.types import PersonSummary

ResidentView = Callable[..., HttpResponse]


def resident_person_id(request: HttpRequest) -> int | None:
    """The register person of the logged-in resident, or None (a limited account)."""
    account = resident_account_get(user=request.user)  # type: ignore[arg-type]
    return account.person_id if account is not None else None


def resident_login_level(request: HttpRequest) -> int | None:
    """The assurance level of this session's resident login; None when the session was
    not made by the resident login (the same rule as ``accounts.permissions``, which
    other modules may not import)."""
    if not request.user.is_authenticated:
        return None
    login = request.session.get(SESSION_LOGIN)
    return int(login.get("level", 0)) if isinstance(login, dict) else None


def resident_page(view: ResidentView) -> ResidentView:
    """A resident login of at least itsme level (else to the login page, or a step-up
    to a stronger method); residents the register does not know (yet) get a page that
    explains why there is nothing here, not an error."""

    @never_cache
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        level = resident_login_level(request)
        here = request.get_full_path()
        if level is None:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': here})}")
        if level < LEVEL_MY_DATA:
            query = urlencode({"level": LEVEL_MY_DATA, "next": here})
            return redirect(f"{reverse('accounts:start')}?{query}")
        person_id = resident_person_id(request)
        if person_id is None:
            return render(request, "notifications/portal/limited.html")
        return view(request, person_id, *args, **kwargs)

    return wrapper


# --- inbox ------------------------------------------------------------------------------


@require_GET
@resident_page
def inbox(request: HttpRequest, person_id: int) -> HttpResponse:
    page, next_cursor = selectors.inbox_page_for_person(
        person_id=person_id, after=request.GET.get("na") or None
    )
    unread = selectors.inbox_unread_count(person_id=person_id)
    request._loket_inbox_unread = unread  # type: ignore[attr-defined]  # the menu's count
    return render(
        request,
        "notifications/portal/inbox.html",
        {
            "page": page,
            "next_cursor": next_cursor,
            "first_page": not request.GET.get("na"),
            "unread": unread,
        },
    )


@require_GET
@resident_page
def inbox_message(request: HttpRequest, person_id: int, message_id: int) -> HttpResponse:
    message = selectors.inbox_message_get(person_id=person_id, inbox_message_id=message_id)
    if message is None:
        raise Http404
    if message.read_at is None:
        services.inbox_message_mark_read(person_id=person_id, inbox_message_id=message.pk)
    return render(request, "notifications/portal/message.html", {"message": message})


# --- preferences ---------------------------------------------------------------------------


def _language_label(code: str) -> str:
    return dict(LANGUAGE_CHOICES).get(code, code)


def _paper_only(preference: Any, person: PersonSummary) -> bool:
    """The resident's own choice, else what the register says."""
    if preference is not None and preference.paper_only is not None:
        return bool(preference.paper_only)
    return person.prefers_paper


def _preferences_form(
    request: HttpRequest, person: PersonSummary, data: Any = None
) -> PreferencesForm:
    preference = selectors.preference_get(person_id=person.id)
    topics = selectors.topics_list()
    initial = {
        "use_email": preference.use_email if preference else True,
        "use_sms": preference.use_sms if preference else True,
        "paper_only": "yes" if _paper_only(preference, person) else "no",
        "language": preference.language if preference else "",
        "quiet_start": preference.quiet_start if preference else None,
        "quiet_end": preference.quiet_end if preference else None,
        "topics": sorted(selectors.topic_keys_for_person(person_id=person.id)),
    }
    return PreferencesForm(
        data,
        initial=initial,
        register_language_label=_language_label(person.language),
        topic_choices=[(topic.key, topic.name) for topic in topics],
    )


@require_http_methods(["GET", "POST"])
@resident_page
def preferences(request: HttpRequest, person_id: int) -> HttpResponse:
    person = person_get(person_id=person_id)
    if person is None:
        raise Http404
    form = _preferences_form(request, person, request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.preference_set(
                    person_id=person_id,
                    use_email=data["use_email"],
                    use_sms=data["use_sms"],
                    paper_only=data["paper_only"],
                    language=data["language"],
                    quiet_start=data["quiet_start"],
                    quiet_end=data["quiet_end"],
                    topic_keys=data["topics"],
                    actor=request.user,  # type: ignore[arg-type]
                )
            except DomainError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Your preferences have been saved."))
                return redirect("inbox:preferences")
        status = 400
    contacts = selectors.contact_points_for_person(person_id=person_id)
    return render(
        request,
        "notifications/portal/preferences.html",
        {
            "form": form,
            "has_email": any(c.kind == ContactKind.EMAIL and c.verified_at for c in contacts),
            "has_phone": any(c.kind == ContactKind.PHONE and c.verified_at for c in contacts),
        },
        status=status,
    )


# --- contact details -------------------------------------------------------------------------


def _contact_page(
    request: HttpRequest,
    person_id: int,
    *,
    add_form: ContactAddForm | None = None,
    verify_forms: dict[int, ContactVerifyForm] | None = None,
    status: int = 200,
) -> HttpResponse:
    contacts = selectors.contact_points_for_person(person_id=person_id)
    verify_forms = verify_forms or {}
    rows = [
        {
            "contact": contact,
            "form": verify_forms.get(contact.pk)
            or ContactVerifyForm(auto_id=f"id_code_{contact.pk}_%s"),
        }
        for contact in contacts
    ]
    return render(
        request,
        "notifications/portal/contact.html",
        {"rows": rows, "add_form": add_form or ContactAddForm()},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@resident_page
def contact(request: HttpRequest, person_id: int) -> HttpResponse:
    """The list of addresses and numbers; POST adds one and sends it a code."""
    if request.method == "GET":
        return _contact_page(request, person_id)
    form = ContactAddForm(request.POST)
    if form.is_valid():
        try:
            point, code = services.contact_point_add(
                person_id=person_id,
                kind=form.cleaned_data["kind"],
                value=form.cleaned_data["value"],
            )
            services.contact_point_send_code(contact_point_id=point.pk, code=code)
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("We sent a code to %(address)s. Enter it below to confirm.")
                % {"address": point.value},
            )
            return redirect(f"{_contact_url()}#contact-{point.pk}")
    return _contact_page(request, person_id, add_form=form, status=400)


def _contact_url() -> str:
    return reverse("inbox:contact")


def _own_contact(person_id: int, contact_id: int) -> Any:
    point = selectors.contact_point_get(person_id=person_id, contact_point_id=contact_id)
    if point is None:
        raise Http404
    return point


@require_POST
@resident_page
def contact_verify(request: HttpRequest, person_id: int, contact_id: int) -> HttpResponse:
    point = _own_contact(person_id, contact_id)
    form = ContactVerifyForm(request.POST, auto_id=f"id_code_{point.pk}_%s")
    if form.is_valid():
        try:
            ok = services.contact_point_verify(
                contact_point_id=point.pk, code=form.cleaned_data["code"], person_id=person_id
            )
        except DomainError as error:
            form.add_error("code", str(error))
        else:
            if ok:
                messages.success(
                    request,
                    _("Confirmed: we can now reach you at %(address)s.") % {"address": point.value},
                )
                return redirect("inbox:contact")
            form.add_error("code", _("This code is not right. Check it and try again."))
    return _contact_page(request, person_id, verify_forms={point.pk: form}, status=400)


@require_POST
@resident_page
def contact_resend(request: HttpRequest, person_id: int, contact_id: int) -> HttpResponse:
    point = _own_contact(person_id, contact_id)
    try:
        services.contact_point_resend_code(person_id=person_id, contact_point_id=point.pk)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("We sent a new code to %(address)s.") % {"address": point.value}
        )
    return redirect(f"{_contact_url()}#contact-{point.pk}")


@require_POST
@resident_page
def contact_remove(request: HttpRequest, person_id: int, contact_id: int) -> HttpResponse:
    point = _own_contact(person_id, contact_id)
    try:
        services.contact_point_remove(person_id=person_id, contact_point_id=point.pk)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(address)s has been removed.") % {"address": point.value})
    return redirect("inbox:contact")
