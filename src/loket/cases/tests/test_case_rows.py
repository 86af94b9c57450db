"""The case lists' rows written in Python (``case_rows``) give the same HTML as the
template loops they replace, in every language, with markup in every value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from loket.cases.types import CaseRow

LANGUAGES = ("nl-be", "fr", "en", "de")
HOSTILE = "<script>alert('x')</script> & \"quotes\""

# The loops as they were in the templates (the reference).
RESIDENT_LOOP = """{% load i18n payments_money loket_urls %}{% for row, due in rows %}
          <tr>
            <th scope="row"><a href="{% url 'cases:detail' row.reference %}">{{ row.title }}</a>{% if due %} <span class="badge">{% blocktranslate with amount=due|euro %}To pay: {{ amount }}{% endblocktranslate %}</span>{% endif %}<br><small>{{ row.reference }}{% if row.party_label %} – {{ row.party_label }}{% endif %}</small></th>
            <td>{{ row.public_status }}</td>
            <td>{% if row.is_open %}{{ row.next_step }}{% endif %}</td>
            <td>{% if row.is_open and row.deadline %}{{ row.deadline|date:"j F Y" }}{% endif %}</td>
          </tr>
        {% endfor %}"""  # noqa: E501

QUEUE_LOOP = """{% load i18n loket_urls %}{% for row in page.items %}
            <tr>
              {% if can_assign %}<td><input type="checkbox" name="case" value="{{ row.id }}" id="case-{{ row.id }}" aria-label="{% blocktranslate with ref=row.reference %}Select {{ ref }}{% endblocktranslate %}"></td>{% endif %}
              <th scope="row"><a href="{% url 'cases_staff:detail' row.reference %}">{{ row.reference }}</a><br><small>{{ row.title }}{% if row.party_label %} – {{ row.party_label }}{% endif %}</small></th>
              <td>{{ row.status_name }}</td>
              <td>{{ row.department }}</td>
              <td>{{ row.assignee|default:"–" }}</td>
              <td>{{ row.channel }}</td>
              <td>{% if row.deadline %}{{ row.deadline|date:"SHORT_DATE_FORMAT" }}{% endif %}
                {% if row.overdue %}<span class="badge badge--error">{% translate "overdue" %}</span>{% elif row.deadline_near %}<span class="badge">{% translate "deadline near" %}</span>{% endif %}</td>
            </tr>
          {% endfor %}"""  # noqa: E501

TIMELINE_LOOP = """{% load i18n %}{% for event in timeline %}
      <li class="timeline__item{% if not event.public %} timeline__item--internal{% endif %}">
        <p><time datetime="{{ event.at|date:'c' }}">{{ event.at|date:"j F Y H:i" }}</time>
          {% if not event.public %}<span class="badge">{% translate "internal" %}</span>{% endif %}</p>
        <p>{{ event.text }}{% if show_internal and event.actor_label %} <small>– {{ event.actor_label }}</small>{% endif %}</p>
      </li>
    {% endfor %}"""  # noqa: E501


def _row(number: int, **changes: object) -> CaseRow:
    values: dict[str, object] = {
        "id": 1000 + number,
        "reference": f"Z2026-{number:06d}",
        "title": f"Uittreksel {number}",
        "type_name": "Uittreksel",
        "status_name": "In behandeling",
        "public_status": "We bekijken je aanvraag",
        "next_step": "Je krijgt bericht",
        "waiting_for": "",
        "department": "Burgerzaken",
        "assignee": "Jan Peeters",
        "party_label": "",
        "channel": "Online",
        "submitted_at": datetime(2026, 1, 2, 9, 30, tzinfo=UTC),
        "deadline": date(2026, 12, 5),
        "is_open": True,
        "overdue": False,
        "deadline_near": False,
    }
    values.update(changes)
    return CaseRow(**values)


ROWS = [
    _row(1),
    _row(2, title=HOSTILE, party_label=HOSTILE, next_step=HOSTILE, public_status=HOSTILE),
    _row(3, is_open=False, deadline=None, assignee=""),
    _row(4, deadline=date(2026, 3, 1), overdue=True, department=HOSTILE, channel=HOSTILE),
    _row(5, deadline=date(2026, 12, 5), deadline_near=True, status_name=HOSTILE),
    _row(6, reference="Z2026-0000 07", assignee=HOSTILE),
]
EVENTS = [
    SimpleNamespace(
        at=datetime(2026, 1, 2, 8, 5, 7, 123456, tzinfo=UTC),
        public=True,
        text="Aanvraag ontvangen",
        actor_label="",
    ),
    SimpleNamespace(
        at=datetime(2026, 7, 31, 22, 59, tzinfo=UTC),
        public=False,
        text=HOSTILE,
        actor_label=HOSTILE,
    ),
    SimpleNamespace(
        at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC), public=True, text="Klaar", actor_label="An"
    ),
]


def _render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize("language", LANGUAGES)
def test_resident_rows_are_the_template_loop(language: str) -> None:
    rows = [(row, due) for row, due in zip(ROWS, (0, 1250, 0, 123456, 7, 0), strict=True)]
    with translation.override(language):
        expected = _render(RESIDENT_LOOP, rows=rows)
        got = _render("{% load case_rows %}{% resident_case_rows rows %}", rows=rows)
    assert got == expected
    assert "<script>" not in got
    assert "&lt;script&gt;" in got


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("can_assign", [True, False])
def test_queue_rows_are_the_template_loop(language: str, can_assign: bool) -> None:
    page = SimpleNamespace(items=ROWS)
    with translation.override(language):
        expected = _render(QUEUE_LOOP, page=page, can_assign=can_assign)
        got = _render(
            "{% load case_rows %}{% queue_case_rows page.items can_assign %}",
            page=page,
            can_assign=can_assign,
        )
    assert got == expected
    assert ('name="case"' in got) is can_assign
    assert "<script>" not in got


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("show_internal", [True, False])
def test_timeline_items_are_the_template_loop(language: str, show_internal: bool) -> None:
    with translation.override(language):
        expected = _render(TIMELINE_LOOP, timeline=EVENTS, show_internal=show_internal)
        got = _render(
            "{% load case_rows %}{% timeline_items timeline show_internal %}",
            timeline=EVENTS,
            show_internal=show_internal,
        )
    assert got == expected
    assert "<script>" not in got
    # Brussels time: 31 December 2026 23:30 UTC is already 1 January 2027.
    assert "2027-01-01T00:30:00+01:00" in got


def test_empty_lists_give_nothing() -> None:
    assert _render("{% load case_rows %}{% resident_case_rows rows %}", rows=[]) == ""
    assert _render("{% load case_rows %}{% queue_case_rows rows True %}", rows=[]) == ""
    assert _render("{% load case_rows %}{% timeline_items rows %}", rows=[]) == ""
