"""The form engine: definitions, conditions, validation per kind of question, uploads
(sniffed and capped), prefill that is not asked again, and stale forms."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.http import QueryDict

from loket.catalog import formengine, selectors, services
from loket.catalog.formengine import DefinitionError, definition_parse, step_validate
from loket.catalog.models import FormUpload
from loket.catalog.tests.conftest import EVENT_FORM, NOT_AN_IMAGE, PDF, PNG, upload
from loket.catalog.types import Fact
from loket.people.tests.factories import AddressFactory, PersonFactory

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


def form() -> formengine.FormDef:
    return definition_parse(EVENT_FORM, version=3)


def post(**values: Any) -> QueryDict:
    data = QueryDict(mutable=True)
    for key, value in values.items():
        name = key if key == "form_version" else f"f-{key}"
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


VALID_EVENT = {
    "name": "Buurtfeest",
    "day": (TODAY + timedelta(days=10)).isoformat(),
    "visitors": "120",
    "sound": "no",
    "closure": "no",
}


# --- Definitions ---------------------------------------------------------------------


def test_a_definition_round_trips_through_dump() -> None:
    parsed = form()
    assert definition_parse(formengine.definition_dump(parsed), version=3) == parsed


@pytest.mark.parametrize(
    ("definition", "problem"),
    [
        (
            {
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [{"key": "x", "type": "magic", "label": "X"}],
                    }
                ]
            },
            "unknown type",
        ),
        (
            {
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [{"key": "x", "type": "choice", "label": "X"}],
                    }
                ]
            },
            "at least one option",
        ),
        (
            {
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [
                            {"key": "x", "type": "text", "label": "X"},
                            {"key": "x", "type": "text", "label": "Y"},
                        ],
                    }
                ]
            },
            "used twice",
        ),
        (
            {
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [
                            {"key": "x", "type": "text", "label": "X", "show_if": {"y": "1"}},
                            {"key": "y", "type": "text", "label": "Y"},
                        ],
                    }
                ]
            },
            "not an earlier question",
        ),
        (
            {
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [{"key": "x", "type": "known", "label": "X"}],
                    }
                ]
            },
            "which fact",
        ),
        (
            {
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [{"key": "x", "type": "file", "label": "X", "max_size": 10**9}],
                    }
                ]
            },
            "maximum file size",
        ),
        (
            {
                "steps": [
                    {
                        "key": "a",
                        "title": "A",
                        "fields": [{"key": "x", "type": "text", "label": "X", "pattern": "("}],
                    }
                ]
            },
            "regular expression",
        ),
        ({"steps": [{"key": "Bad Key", "title": "A"}]}, "lower-case"),
        ("not a definition", "list of steps"),
    ],
)
def test_a_broken_definition_is_refused_with_what_to_correct(definition: Any, problem: str) -> None:
    with pytest.raises(DefinitionError) as error:
        definition_parse(definition)
    assert problem in str(error.value)


# --- Conditions ----------------------------------------------------------------------


def test_a_conditional_step_appears_only_when_its_condition_holds() -> None:
    parsed = form()
    assert [s.key for s in formengine.steps_visible(parsed, {"closure": False})] == [
        "event",
        "plan",
    ]
    assert [s.key for s in formengine.steps_visible(parsed, {"closure": True})] == [
        "event",
        "traffic",
        "plan",
    ]
    assert formengine.step_after(parsed, "event", {"closure": False}).key == "plan"
    assert formengine.step_after(parsed, "event", {"closure": True}).key == "traffic"
    assert formengine.step_before(parsed, "plan", {"closure": False}).key == "event"


def test_a_conditional_question_is_validated_only_when_it_applies() -> None:
    without = step_validate(form(), step_key="event", data=post(**VALID_EVENT), today=TODAY)
    assert without.ok, without.errors
    assert "level" not in without.answers
    with_sound = step_validate(
        form(), step_key="event", data=post(**{**VALID_EVENT, "sound": "yes"}), today=TODAY
    )
    assert with_sound.errors == {"level": ("Choose an option.",)}
    loud = step_validate(
        form(),
        step_key="event",
        data=post(**{**VALID_EVENT, "sound": "yes", "level": "95"}),
        today=TODAY,
    )
    assert loud.ok
    assert loud.answers["level"] == "95"
    assert loud.answers["sound"] is True


def test_answers_of_questions_that_no_longer_apply_are_dropped_at_the_end() -> None:
    answers = {
        **VALID_EVENT,
        "sound": False,
        "closure": False,
        "level": "95",
        "streets": "Markt",
        "site_plan": {"upload": "t"},
    }
    final, facts, incomplete = formengine.answers_final(
        form(),
        answers,
        {"person.email": Fact(key="person.email", value="a@b.be", display="a@b.be")},
    )
    assert "level" not in final
    assert "streets" not in final
    assert final["email"] == "a@b.be"
    assert facts == {"person.email": "a@b.be"}
    assert incomplete is None
    _final, _facts, missing = formengine.answers_final(form(), {**answers, "closure": True}, {})
    assert missing == "plan"  # the e-mail address is not known, so it must be asked
    del answers["streets"]
    _final, _facts, missing = formengine.answers_final(form(), {**answers, "closure": True}, {})
    assert missing == "traffic"


# --- Validation ----------------------------------------------------------------------


def test_every_error_is_per_field_and_the_typed_values_are_kept() -> None:
    result = step_validate(
        form(),
        step_key="event",
        data=post(name="x" * 60, day="31/02/2026", visitors="lots", sound="maybe", closure=""),
        today=TODAY,
    )
    assert not result.ok
    assert set(result.errors) == {"name", "day", "visitors", "sound", "closure"}
    assert "at most 50 characters" in result.errors["name"][0]
    assert result.values["visitors"] == "lots"
    assert result.values["day"] == "31/02/2026"
    assert result.answers == {}


@pytest.mark.parametrize(
    ("field", "raw", "expected"),
    [
        ({"type": "number", "min": 1}, "1.250,5", "1250.5"),
        ({"type": "number"}, " 42 ", 42),
        ({"type": "date"}, "21/07/2026", "2026-07-21"),
        ({"type": "email"}, "an@voorbeeld.be", "an@voorbeeld.be"),
        ({"type": "phone"}, "051 23 45 67", "051234567"),
        ({"type": "phone"}, "0032 51 23 45 67", "+3251234567"),
        ({"type": "yesno"}, "no", False),
        ({"type": "checkbox"}, "on", True),
        ({"type": "text", "pattern": "[0-9]-[A-Z]{3}-[0-9]{3}"}, "1-ABC-234", "1-ABC-234"),
    ],
)
def test_values_are_cleaned_to_json(field: dict[str, Any], raw: str, expected: Any) -> None:
    definition = definition_parse(
        {"steps": [{"key": "s", "title": "S", "fields": [{"key": "q", "label": "Q", **field}]}]}
    )
    result = step_validate(definition, step_key="s", data=post(q=raw), today=TODAY)
    assert result.ok, result.errors
    assert result.answers["q"] == expected


@pytest.mark.parametrize(
    ("field", "raw", "message"),
    [
        ({"type": "number", "max": 10}, "11", "at most 10"),
        ({"type": "date", "min": "today+7"}, "2026-06-02", "on or after"),
        ({"type": "email"}, "not-an-address", "e-mail address"),
        ({"type": "phone"}, "12", "phone number"),
        (
            {"type": "text", "pattern": "[0-9]+", "pattern_message": "Digits please."},
            "abc",
            "Digits please.",
        ),
        ({"type": "choice", "options": ["a", "b"]}, "c", "Choose from the options"),
    ],
)
def test_invalid_values_get_a_clear_message(field: dict[str, Any], raw: str, message: str) -> None:
    definition = definition_parse(
        {"steps": [{"key": "s", "title": "S", "fields": [{"key": "q", "label": "Q", **field}]}]}
    )
    result = step_validate(definition, step_key="s", data=post(q=raw), today=TODAY)
    assert message in result.errors["q"][0]
    assert result.values["q"] == raw


def test_multiple_choice_keeps_the_order_of_the_options() -> None:
    definition = definition_parse(
        {
            "steps": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {
                            "key": "q",
                            "label": "Q",
                            "type": "multichoice",
                            "required": True,
                            "options": ["a", "b", "c"],
                        }
                    ],
                }
            ]
        }
    )
    assert step_validate(definition, step_key="s", data=post(q=["c", "a"])).answers["q"] == [
        "a",
        "c",
    ]
    assert step_validate(definition, step_key="s", data=post(q=["z"])).errors["q"]
    assert step_validate(definition, step_key="s", data=post()).errors["q"] == (
        "Choose at least one option.",
    )


def test_a_stale_form_is_refused_with_the_input_kept() -> None:
    result = step_validate(
        form(), step_key="event", data=post(form_version="2", **VALID_EVENT), today=TODAY
    )
    assert not result.ok
    assert "changed since you opened it" in result.errors[""][0]
    assert result.values["name"] == "Buurtfeest"
    assert step_validate(
        form(), step_key="event", data=post(form_version="3", **VALID_EVENT), today=TODAY
    ).ok


def test_an_unknown_step_is_a_clear_error() -> None:
    assert "does not exist" in step_validate(form(), step_key="gone", data=post()).errors[""][0]


# --- Address and persons -------------------------------------------------------------


def _address_form(lookup: formengine.AddressLookup, data: QueryDict) -> Any:
    definition = definition_parse(
        {
            "steps": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {"key": "where", "type": "address", "label": "Waar", "required": True}
                    ],
                }
            ]
        }
    )
    return step_validate(definition, step_key="s", data=data, address_lookup=lookup)


def test_an_address_is_checked_against_the_register() -> None:
    def lookup(postcode: str, street: str, number: str, box: str) -> formengine.AddressCheck:
        if (postcode, street, number) == ("8770", "Marktplein", "1"):
            return formengine.AddressCheck(
                checked=True, address_id=7, label="Marktplein 1, 8770 Ingelmunster"
            )
        return formengine.AddressCheck(checked=True)

    data = QueryDict(mutable=True)
    data.update({"f-where-postcode": "8770", "f-where-street": "Marktplein", "f-where-number": "1"})
    found = _address_form(lookup, data)
    assert found.ok
    assert found.answers["where"]["address_id"] == 7
    data["f-where-number"] = "999"
    missing = _address_form(lookup, data)
    assert "cannot find this address" in missing.errors["where"][0]
    assert missing.values["where"]["number"] == "999"
    data["f-where-postcode"] = "87"
    assert "4 digits" in _address_form(lookup, data).errors["where"][0]


def test_without_an_address_register_the_format_is_still_checked() -> None:
    data = QueryDict(mutable=True)
    data.update({"f-where-postcode": "8770", "f-where-street": "Marktplein", "f-where-number": "1"})
    result = _address_form(lambda *parts: formengine.AddressCheck(checked=False), data)
    assert result.ok
    assert result.answers["where"]["address_id"] is None


@pytest.mark.django_db
def test_a_co_applicant_must_match_the_register_by_number_and_name() -> None:
    person = PersonFactory(last_name="Peeters")
    number = str(person.national_number)
    definition = definition_parse(
        {
            "steps": [
                {
                    "key": "s",
                    "title": "S",
                    "fields": [
                        {
                            "key": "partner",
                            "type": "person",
                            "label": "Partner",
                            "required": True,
                            "max_items": 2,
                        }
                    ],
                }
            ]
        }
    )

    def send(nn: str, name: str) -> Any:
        data = QueryDict(mutable=True)
        data.update({"f-partner-0-nn": nn, "f-partner-0-name": name})
        return step_validate(definition, step_key="s", data=data)

    ok = send(number, "peeters")
    assert ok.ok
    assert ok.answers["partner"] == [
        {
            "person_id": person.pk,
            "name": person.full_name,
            "masked": ok.answers["partner"][0]["masked"],
        }
    ]
    assert number not in str(ok.answers)  # only the masked number travels on
    assert "do not belong to one person" in send(number, "Janssens").errors["partner"][0]
    assert "11 digits" in send("123", "Peeters").errors["partner"][0]
    assert send("", "").errors["partner"] == ("Name at least one person.",)
    # Shown again later, the person is carried by a signed reference, not retyped.
    rendered = formengine.step_render(definition, step_key="s", answers=ok.answers)
    ref = rendered.fields[0].rows[0]["ref"]
    again = QueryDict(mutable=True)
    again.update({"f-partner-0-ref": ref})
    assert step_validate(definition, step_key="s", data=again).answers == ok.answers
    again["f-partner-0-ref"] = ref[:-2] + "xx"
    assert not step_validate(definition, step_key="s", data=again).ok


# --- Uploads -------------------------------------------------------------------------


@pytest.fixture
def event_plan(event_service: Any, tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return event_service


def _plan_step(service: Any, files: dict[str, Any], owner: str = "user:1", **values: Any) -> Any:
    return services.form_step_validate(
        service=service,
        definition=selectors.form_definition_get(service=service),
        step_key="plan",
        data=post(**{"email": "a@b.be", **values}),
        files=files,
        owner_key=owner,
    )


@pytest.mark.django_db
def test_an_upload_is_sniffed_by_content_and_stored_under_a_random_name(event_plan: Any) -> None:
    result = _plan_step(event_plan, {"f-site_plan": upload(PNG, name="../../etc/passwd.png")})
    assert result.ok, result.errors
    stored = FormUpload.objects.get()
    assert result.answers["site_plan"]["upload"] == stored.token
    assert len(stored.token) >= 40
    assert stored.content_type == "image/png"
    assert stored.size == len(PNG)
    assert "passwd" not in stored.file.name
    assert stored.file.name.startswith("catalog/uploads/")


@pytest.mark.django_db
def test_a_file_of_the_wrong_type_is_refused_whatever_its_name(event_plan: Any) -> None:
    result = _plan_step(event_plan, {"f-site_plan": upload(NOT_AN_IMAGE, name="plan.png")})
    assert "not accepted" in result.errors["site_plan"][0]
    assert "PDF, PNG" in result.errors["site_plan"][0]
    assert not FormUpload.objects.exists()


@pytest.mark.django_db
def test_a_file_too_large_is_refused_with_the_limit(event_plan: Any) -> None:
    result = _plan_step(event_plan, {"f-site_plan": upload(PDF + b"x" * 2000, name="plan.pdf")})
    assert "too large" in result.errors["site_plan"][0]
    assert "1 kB" in result.errors["site_plan"][0]
    assert not FormUpload.objects.exists()


@pytest.mark.django_db
def test_an_upload_survives_an_error_elsewhere_and_only_its_owner_can_reuse_it(
    event_plan: Any,
) -> None:
    first = _plan_step(event_plan, {"f-site_plan": upload(PDF, name="plan.pdf")}, email="wrong")
    assert set(first.errors) == {"email"}
    token = first.values["site_plan"]["upload"]
    again = _plan_step(event_plan, {}, **{"site_plan-token": token})
    assert again.ok
    assert again.answers["site_plan"]["name"] == "plan.pdf"
    stranger = _plan_step(event_plan, {}, owner="user:2", **{"site_plan-token": token})
    assert "no longer available" in stranger.errors["site_plan"][0]


# --- Prefill -------------------------------------------------------------------------


@pytest.mark.django_db
def test_known_facts_come_from_the_register_and_are_not_asked_again(event_plan: Any) -> None:
    from loket.notifications.tests.conftest import make_resident

    person = make_resident(
        email="an@voorbeeld.be", first_name="An", last_name="Smet", address=AddressFactory()
    )
    known = selectors.form_known_facts(person_id=person.pk)
    assert known["person.full_name"].value == "An Smet"
    assert known["person.email"].value == "an@voorbeeld.be"
    assert known["person.address"].value["address_id"] == person.address_id
    definition = selectors.form_definition_get(service=event_plan)
    rendered = selectors.form_step_render(definition=definition, step_key="plan", known=known)
    by_key = {f.definition.key: f for f in rendered.fields}
    assert by_key["email"].fact is not None
    assert by_key["who"].fact.display == "An Smet"
    # Nothing is posted for the known questions, yet they are answered.
    result = services.form_step_validate(
        service=event_plan,
        definition=definition,
        step_key="plan",
        data=post(),
        files={"f-site_plan": upload(PNG)},
        known=known,
        owner_key="user:9",
    )
    assert result.ok, result.errors
    assert result.answers["email"] == "an@voorbeeld.be"
    assert result.answers["who"] == "An Smet"
    assert selectors.form_known_facts(person_id=None) == {}


@pytest.mark.django_db
def test_claimed_uploads_are_kept_and_abandoned_ones_pruned(event_plan: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    kept = _plan_step(event_plan, {"f-site_plan": upload(PNG)})
    abandoned = _plan_step(event_plan, {"f-site_plan": upload(PDF, name="plan.pdf")})
    # Only the owner's files are claimed, and only those in the answers.
    assert services.form_uploads_claim(answers=kept.answers, owner_key="user:2") == 0
    assert services.form_uploads_claim(answers={"x": [kept.answers]}, owner_key="user:1") == 1
    later = timezone.now() + timedelta(days=31)
    gone = FormUpload.objects.get(token=abandoned.answers["site_plan"]["upload"])
    storage, name = gone.file.storage, gone.file.name
    assert services.form_uploads_prune(now=timezone.now()) == 0
    assert services.form_uploads_prune(now=later) == 1
    assert list(FormUpload.objects.values_list("token", flat=True)) == [
        kept.answers["site_plan"]["upload"]
    ]
    assert not storage.exists(name)


def test_the_default_address_check_uses_the_people_lookup_once_it_exists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from loket.people import selectors as people_selectors
    from loket.people.types import AddressSummary

    monkeypatch.delattr(people_selectors, "address_find", raising=False)
    assert formengine.address_lookup_default(
        "8770", "Marktplein", "1", ""
    ) == formengine.AddressCheck(checked=False)
    calls = []

    def address_find(**parts: str) -> AddressSummary | None:
        calls.append(parts)
        if parts["house_number"] != "1":
            return None
        return AddressSummary(
            id=3,
            street_name="Marktplein",
            house_number="1",
            box_number="",
            postcode="8770",
            municipality_name="Ingelmunster",
        )

    monkeypatch.setattr(people_selectors, "address_find", address_find, raising=False)
    found = formengine.address_lookup_default("8770", "marktplein", "1", "")
    assert found == formengine.AddressCheck(
        checked=True, address_id=3, label="Marktplein 1, 8770 Ingelmunster"
    )
    assert formengine.address_lookup_default("8770", "Marktplein", "2", "").address_id is None
    assert calls[0] == {
        "postcode": "8770",
        "street_name": "marktplein",
        "house_number": "1",
        "box_number": "",
    }
