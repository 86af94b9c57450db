"""The demo case types: data, not code. Names are the municipality's own (Dutch) texts,
as a municipality would configure them in the back office."""

from __future__ import annotations

from typing import Any

R = "resident"
M = "municipality"
A = "advice"
P = "payment"
N = "nobody"

# (key, staff name, public name, next step for the resident, waits for, initial, final)
Status = tuple[str, str, str, str, str, bool, bool]
# (key, name, from, to, actor, permissions, guards, actions, result)
Trans = tuple[str, str, str, str, str, list[str], list[str], list[str], str]

HANDLE = ["cases.handle"]


def _resident_steps(open_statuses: list[str]) -> list[Trans]:
    """Withdraw from every open status; provide information when it is asked."""
    steps: list[Trans] = [
        (
            "withdraw",
            "Intrekken",
            key,
            "withdrawn",
            "resident",
            [],
            [],
            ["notify_resident"],
            "Ingetrokken",
        )
        for key in open_statuses
    ]
    steps.append(
        (
            "provide_info",
            "Informatie aanvullen",
            "info-requested",
            "in-progress",
            "resident",
            [],
            [],
            [],
            "",
        )
    )
    return steps


def _request_statuses(extra: list[Status] | None = None) -> list[Status]:
    return [
        (
            "submitted",
            "Ingediend",
            "Ontvangen",
            "We bekijken uw aanvraag binnenkort.",
            M,
            True,
            False,
        ),
        (
            "in-progress",
            "In behandeling",
            "In behandeling",
            "Een medewerker behandelt uw aanvraag.",
            M,
            False,
            False,
        ),
        (
            "info-requested",
            "Info gevraagd",
            "Wij hebben info van u nodig",
            "Vul de gevraagde informatie aan in uw dossier.",
            R,
            False,
            False,
        ),
        *(extra or []),
        ("approved", "Goedgekeurd", "Goedgekeurd", "", N, False, True),
        ("refused", "Geweigerd", "Geweigerd", "", N, False, True),
        ("withdrawn", "Ingetrokken", "Ingetrokken", "", N, False, True),
    ]


def _basic_request(*, document: str = "", payment: bool = False) -> list[Trans]:
    done_actions = ["notify_resident", "close_with_result"]
    guards: list[str] = ["assigned"]
    steps: list[Trans] = [
        (
            "start",
            "In behandeling nemen",
            "submitted",
            "in-progress",
            "staff",
            HANDLE,
            [],
            ["notify_resident"],
            "",
        ),
        (
            "ask-info",
            "Informatie vragen",
            "in-progress",
            "info-requested",
            "staff",
            HANDLE,
            [],
            ["notify_resident"],
            "",
        ),
    ]
    if payment:
        steps += [
            (
                "ask-payment",
                "Betaling vragen",
                "in-progress",
                "awaiting-payment",
                "staff",
                HANDLE,
                [],
                ["request_payment", "notify_resident"],
                "",
            ),
            # Automatic: the payments module says the order is paid (online, by
            # transfer or at the counter) and the case moves on by itself.
            (
                "payment-received",
                "Betaling ontvangen",
                "awaiting-payment",
                "in-progress",
                "system",
                [],
                ["payment_received"],
                ["payment_received", "notify_resident"],
                "",
            ),
            # By hand, for a payment made outside Loket when the service has no fee
            # in the catalogue (refused while an order of the case is still open).
            (
                "payment-received",
                "Betaling ontvangen",
                "awaiting-payment",
                "in-progress",
                "staff",
                HANDLE,
                [],
                ["payment_received", "notify_resident"],
                "",
            ),
        ]
        guards = [*guards, "payment_received"]
    if document:
        done_actions = [f"generate_document:{document}", *done_actions]
    steps += [
        (
            "approve",
            "Goedkeuren",
            "in-progress",
            "approved",
            "staff",
            HANDLE,
            guards,
            done_actions,
            "Goedgekeurd",
        ),
        (
            "refuse",
            "Weigeren",
            "in-progress",
            "refused",
            "staff",
            HANDLE,
            [],
            ["notify_resident", "close_with_result"],
            "Geweigerd",
        ),
        (
            "reopen",
            "Heropenen",
            "refused",
            "in-progress",
            "staff",
            HANDLE,
            [],
            ["notify_resident"],
            "",
        ),
        (
            "reopen",
            "Heropenen",
            "approved",
            "in-progress",
            "staff",
            HANDLE,
            [],
            ["notify_resident"],
            "",
        ),
    ]
    open_statuses = ["submitted", "in-progress", "info-requested"] + (
        ["awaiting-payment"] if payment else []
    )
    return steps + _resident_steps(open_statuses)


PAYMENT_STATUS: Status = (
    "awaiting-payment",
    "Wacht op betaling",
    "Wacht op uw betaling",
    "Betaal online met de knop in uw dossier, of schrijf het bedrag over met de "
    "gestructureerde mededeling.",
    P,
    False,
    False,
)

TYPES: list[dict[str, Any]] = [
    {
        "slug": "attest-van-woonst",
        "service": "bewijs-van-woonst",
        "name": "Attest van woonst",
        "department": "burgerzaken",
        "deadline_days": 1,
        "deadline_kind": "working",
        "auto_complete": True,
        "fields": [
            {
                "name": "purpose",
                "label": "Waarvoor hebt u het attest nodig?",
                "kind": "text",
                "required": False,
            },
        ],
        "statuses": [
            ("submitted", "Ingediend", "Ontvangen", "", M, True, False),
            ("delivered", "Afgeleverd", "Uw attest staat klaar", "", N, False, True),
        ],
        "transitions": [
            (
                "auto_complete",
                "Automatisch afleveren",
                "submitted",
                "delivered",
                "system",
                [],
                [],
                ["generate_document:residence-certificate", "notify_resident", "close_with_result"],
                "Afgeleverd",
            ),
        ],
    },
    {
        "slug": "gezinssamenstelling",
        "service": "gezinssamenstelling",
        "name": "Attest van gezinssamenstelling",
        "department": "burgerzaken",
        "deadline_days": 5,
        "deadline_kind": "working",
        "fields": [
            {
                "name": "doel",
                "label": "Waarvoor hebt u het attest nodig?",
                "kind": "text",
                "required": True,
            },
            {"name": "remarks", "label": "Opmerkingen", "kind": "textarea", "required": False},
        ],
        "statuses": _request_statuses(),
        "transitions": _basic_request(document="household-composition"),
    },
    {
        "slug": "evenementenvergunning",
        "service": "evenementenvergunning",
        "name": "Vergunning voor een evenement",
        "department": "vrije-tijd",
        "deadline_days": 30,
        "deadline_kind": "working",
        "fields": [
            {
                "name": "naam_evenement",
                "label": "Naam van het evenement",
                "kind": "text",
                "required": True,
            },
            {"name": "datum", "label": "Datum", "kind": "date", "required": True},
            {"name": "plaats", "label": "Plaats", "kind": "text", "required": True},
            {
                "name": "bezoekers",
                "label": "Verwacht aantal bezoekers",
                "kind": "number",
                "required": True,
            },
            {"name": "description", "label": "Beschrijving", "kind": "textarea", "required": False},
        ],
        "statuses": _request_statuses(
            [
                (
                    "advice",
                    "Advies gevraagd",
                    "We vragen advies aan politie, brandweer en mobiliteit",
                    "De adviezen komen binnen; daarna beslissen we.",
                    A,
                    False,
                    False,
                )
            ]
        ),
        "transitions": [
            (
                "start",
                "In behandeling nemen",
                "submitted",
                "in-progress",
                "staff",
                HANDLE,
                [],
                ["notify_resident"],
                "",
            ),
            (
                "ask-info",
                "Informatie vragen",
                "in-progress",
                "info-requested",
                "staff",
                HANDLE,
                [],
                ["notify_resident"],
                "",
            ),
            (
                "ask-advice",
                "Advies vragen (politie, brandweer, mobiliteit)",
                "in-progress",
                "advice",
                "staff",
                HANDLE,
                ["required_data:plaats"],
                ["request_advice:politie,brandweer,mobiliteit", "notify_resident"],
                "",
            ),
            (
                "approve",
                "Vergunning verlenen",
                "advice",
                "approved",
                "staff",
                HANDLE,
                ["advice_received", "assigned"],
                ["generate_document:decision-letter", "notify_resident", "close_with_result"],
                "Vergunning verleend",
            ),
            (
                "refuse",
                "Vergunning weigeren",
                "advice",
                "refused",
                "staff",
                HANDLE,
                ["advice_received"],
                ["notify_resident", "close_with_result"],
                "Vergunning geweigerd",
            ),
            (
                "refuse",
                "Weigeren",
                "in-progress",
                "refused",
                "staff",
                HANDLE,
                [],
                ["notify_resident", "close_with_result"],
                "Geweigerd",
            ),
            (
                "reopen",
                "Heropenen",
                "refused",
                "in-progress",
                "staff",
                HANDLE,
                [],
                ["notify_resident"],
                "",
            ),
            *_resident_steps(["submitted", "in-progress", "info-requested", "advice"]),
        ],
    },
    {
        "slug": "zaalhuur",
        "service": "zaalhuur",
        "name": "Een zaal huren",
        "department": "vrije-tijd",
        "deadline_days": 10,
        "deadline_kind": "working",
        "fields": [
            {"name": "room", "label": "Welke zaal?", "kind": "text", "required": True},
            {"name": "date", "label": "Datum", "kind": "date", "required": True},
            {"name": "purpose", "label": "Waarvoor?", "kind": "textarea", "required": True},
        ],
        "statuses": _request_statuses([PAYMENT_STATUS]),
        "transitions": _basic_request(payment=True),
    },
    {
        "slug": "melding-openbaar-domein",
        "service": "melding-openbaar-domein",
        "name": "Melding openbaar domein",
        "department": "technische-dienst",
        "deadline_days": 10,
        "deadline_kind": "working",
        "anonymous_allowed": True,
        "fields": [
            {"name": "location", "label": "Waar is het?", "kind": "text", "required": True},
            {
                "name": "description",
                "label": "Wat is er aan de hand?",
                "kind": "textarea",
                "required": True,
            },
        ],
        "statuses": [
            ("submitted", "Ontvangen", "Ontvangen", "We bekijken uw melding.", M, True, False),
            ("planned", "Ingepland", "Ingepland", "Onze ploeg komt langs.", M, False, False),
            (
                "solved",
                "Opgelost",
                "Opgelost",
                "Niet opgelost? Heropen de melding.",
                N,
                False,
                True,
            ),
            ("rejected", "Niet weerhouden", "Niet weerhouden", "", N, False, True),
        ],
        "transitions": [
            (
                "plan",
                "Inplannen",
                "submitted",
                "planned",
                "staff",
                HANDLE,
                [],
                ["notify_resident"],
                "",
            ),
            (
                "solve",
                "Opgelost",
                "planned",
                "solved",
                "staff",
                HANDLE,
                [],
                ["notify_resident", "close_with_result"],
                "Opgelost",
            ),
            (
                "solve",
                "Opgelost",
                "submitted",
                "solved",
                "staff",
                HANDLE,
                [],
                ["notify_resident", "close_with_result"],
                "Opgelost",
            ),
            (
                "reject",
                "Niet weerhouden",
                "submitted",
                "rejected",
                "staff",
                HANDLE,
                [],
                ["notify_resident", "close_with_result"],
                "Niet weerhouden",
            ),
            (
                "reopen",
                "Heropenen",
                "solved",
                "submitted",
                "resident",
                [],
                [],
                ["notify_resident"],
                "",
            ),
            ("reopen", "Heropenen", "solved", "submitted", "staff", HANDLE, [], [], ""),
        ],
    },
    {
        "slug": "vraag-sociale-media",
        "service": "vraag-via-sociale-media",
        "name": "Vraag via sociale media",
        "department": "communicatie",
        "deadline_days": 2,
        "deadline_kind": "working",
        "fields": [
            {"name": "network", "label": "Kanaal", "kind": "text", "required": False},
            {"name": "question", "label": "Vraag", "kind": "textarea", "required": True},
        ],
        "statuses": [
            ("submitted", "Ontvangen", "Ontvangen", "We beantwoorden uw vraag.", M, True, False),
            ("answered", "Beantwoord", "Beantwoord", "", N, False, True),
        ],
        "transitions": [
            (
                "answer",
                "Beantwoord",
                "submitted",
                "answered",
                "staff",
                HANDLE,
                [],
                ["notify_resident", "close_with_result"],
                "Beantwoord",
            ),
            ("reopen", "Heropenen", "answered", "submitted", "staff", HANDLE, [], [], ""),
        ],
    },
    {
        "slug": "bewonerskaart-parkeren",
        "service": "bewonerskaart",
        "name": "Parkeerkaart voor bewoners",
        "department": "mobiliteit",
        "deadline_days": 10,
        "deadline_kind": "working",
        "fields": [
            {"name": "plate", "label": "Nummerplaat", "kind": "text", "required": True},
            {"name": "zone", "label": "Zone", "kind": "text", "required": False},
        ],
        "statuses": _request_statuses([PAYMENT_STATUS]),
        "transitions": _basic_request(document="decision-letter", payment=True),
    },
]

# Departments the types need, created in the main organisation when missing.
DEPARTMENTS = {
    "burgerzaken": "Burgerzaken",
    "vrije-tijd": "Vrije tijd",
    "technische-dienst": "Technische dienst",
    "communicatie": "Communicatie",
    "mobiliteit": "Mobiliteit",
    "politie": "Politie",
    "brandweer": "Brandweer",
}
