# ruff: noqa: E501
"""The demo catalogue: life events, target groups and realistic services with forms.

The texts are the municipality's own (Dutch, clear language), as staff would type them
in the back office; they are data, not interface strings.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction

from loket.catalog.constants import Channel, LoginLevel

LIFE_EVENTS: tuple[tuple[str, str, str], ...] = (
    ("verhuizen", "Verhuizen", "Je verhuist binnen de gemeente of je komt hier wonen."),
    ("geboorte", "Geboorte", "Er is een kindje geboren of op komst."),
    (
        "trouwen-en-samenwonen",
        "Trouwen en samenwonen",
        "Je trouwt of je gaat wettelijk samenwonen.",
    ),
    ("overlijden", "Overlijden", "Iemand van je familie of een naaste is overleden."),
    ("een-zaak-starten", "Een zaak starten", "Je begint een eigen zaak of onderneming."),
    (
        "een-evenement-organiseren",
        "Een evenement organiseren",
        "Je organiseert een feest, markt of wedstrijd.",
    ),
    ("bouwen-en-verbouwen", "Bouwen en verbouwen", "Je bouwt, verbouwt of breekt af."),
    ("mobiliteit", "Mobiliteit", "Parkeren, fietsen, het openbaar vervoer en de weg."),
)

TARGET_GROUPS: tuple[tuple[str, str], ...] = (
    ("inwoners", "Inwoners"),
    ("ondernemingen", "Ondernemingen"),
    ("verenigingen", "Verenigingen"),
    ("bezoekers", "Bezoekers"),
)

_ONLINE_COUNTER = [Channel.ONLINE, Channel.COUNTER]

SERVICES: tuple[tuple[str, dict[str, Any]], ...] = (
    (
        "burgerzaken",
        {
            "slug": "bewijs-van-woonst",
            "ipdc_code": "1502",
            "title": "Bewijs van woonst",
            "summary": "Een document dat toont waar je officieel woont. Je downloadt het meteen.",
            "description": (
                "Een bewijs van woonst (ook: uittreksel uit het bevolkingsregister met "
                "adres) toont op welk adres je ingeschreven bent.\n\nJe hebt het soms "
                "nodig voor een school, een bank of een verzekering."
            ),
            "who_can_apply": "Iedereen die in de gemeente ingeschreven is, voor zichzelf.",
            "conditions": "Je bent ingeschreven in het bevolkingsregister van de gemeente.",
            "procedure": (
                "Meld je aan met itsme of je eID. Controleer je gegevens en klik op "
                "'Aanvragen'. Je krijgt het document meteen in je berichten."
            ),
            "cost_text": "Gratis online. Aan het loket: 3 euro.",
            "output": "Een PDF met een elektronisch zegel van de gemeente.",
            "legal_basis": "Wet van 19 juli 1991 betreffende de bevolkingsregisters.",
            "channels": _ONLINE_COUNTER,
            "login_level": LoginLevel.SUBSTANTIAL,
            "life_events": ("verhuizen",),
            "target_groups": ("inwoners",),
            "translations": {
                "fr": {
                    "title": "Certificat de résidence",
                    "summary": "Un document qui montre où vous habitez.",
                },
                "en": {
                    "title": "Certificate of residence",
                    "summary": "A document that shows where you live.",
                },
            },
            "form": {
                "steps": [
                    {
                        "key": "controle",
                        "title": "Controleer je gegevens",
                        "intro": "Dit weten we al over jou. Je hoeft niets in te vullen.",
                        "fields": [
                            {
                                "key": "naam",
                                "type": "known",
                                "label": "Naam",
                                "prefill": "person.full_name",
                            },
                            {
                                "key": "geboortedatum",
                                "type": "known",
                                "label": "Geboortedatum",
                                "prefill": "person.birth_date",
                            },
                            {
                                "key": "adres",
                                "type": "known",
                                "label": "Adres",
                                "prefill": "person.address",
                            },
                        ],
                    }
                ]
            },
        },
    ),
    (
        "burgerzaken",
        {
            "slug": "gezinssamenstelling",
            "ipdc_code": "1503",
            "title": "Attest gezinssamenstelling",
            "summary": "Een document met wie er bij jou op hetzelfde adres woont.",
            "description": "Het attest toont alle personen die volgens het bevolkingsregister deel uitmaken van je gezin.",
            "who_can_apply": "Elke inwoner van 12 jaar of ouder, voor het eigen gezin.",
            "conditions": "Je bent ingeschreven in de gemeente.",
            "procedure": "Meld je aan, controleer de gezinsleden en kies waarvoor je het attest nodig hebt.",
            "cost_text": "Gratis.",
            "output": "Een PDF met een elektronisch zegel.",
            "legal_basis": "Wet van 19 juli 1991 betreffende de bevolkingsregisters.",
            "channels": _ONLINE_COUNTER,
            "life_events": ("geboorte", "trouwen-en-samenwonen", "verhuizen"),
            "target_groups": ("inwoners",),
            "form": {
                "steps": [
                    {
                        "key": "gezin",
                        "title": "Je gezin",
                        "intro": "Dit zijn de gezinsleden volgens het bevolkingsregister.",
                        "fields": [
                            {
                                "key": "gezinsleden",
                                "type": "known",
                                "label": "Gezinsleden",
                                "prefill": "household.members",
                            },
                            {
                                "key": "adres",
                                "type": "known",
                                "label": "Adres",
                                "prefill": "person.address",
                            },
                            {
                                "key": "doel",
                                "type": "choice",
                                "label": "Waarvoor heb je het attest nodig?",
                                "required": True,
                                "widget": "select",
                                "options": [
                                    {"value": "school", "label": "School of kinderopvang"},
                                    {"value": "uitkering", "label": "Uitkering of toelage"},
                                    {"value": "huur", "label": "Huur of sociale woning"},
                                    {"value": "andere", "label": "Iets anders"},
                                ],
                            },
                        ],
                    }
                ]
            },
        },
    ),
    (
        "burgerzaken",
        {
            "slug": "uittreksel-bevolkingsregister",
            "ipdc_code": "1504",
            "title": "Uittreksel uit het bevolkingsregister",
            "summary": "Een officieel document met je gegevens uit het bevolkingsregister.",
            "description": "Het uittreksel toont je naam, geboortedatum, nationaliteit en adres. Je kiest zelf of je de adressen van vroeger ook wil.",
            "who_can_apply": "Elke inwoner, voor zichzelf. Ouders voor hun minderjarige kinderen.",
            "conditions": "Je bent ingeschreven in de gemeente.",
            "procedure": "Meld je aan en kies welk uittreksel je nodig hebt.",
            "cost_text": "Gratis online.",
            "output": "Een PDF met een elektronisch zegel.",
            "legal_basis": "Koninklijk besluit van 16 juli 1992 betreffende de bevolkingsregisters.",
            "channels": [*_ONLINE_COUNTER, Channel.POST],
            "life_events": ("verhuizen",),
            "target_groups": ("inwoners",),
            "form": {
                "steps": [
                    {
                        "key": "soort",
                        "title": "Welk uittreksel?",
                        "fields": [
                            {
                                "key": "naam",
                                "type": "known",
                                "label": "Naam",
                                "prefill": "person.full_name",
                            },
                            {
                                "key": "historiek",
                                "type": "yesno",
                                "label": "Wil je ook je vorige adressen op het uittreksel?",
                                "required": True,
                            },
                            {
                                "key": "taal",
                                "type": "choice",
                                "label": "In welke taal?",
                                "required": True,
                                "options": [
                                    {"value": "nl", "label": "Nederlands"},
                                    {"value": "fr", "label": "Frans"},
                                    {"value": "de", "label": "Duits"},
                                    {"value": "en", "label": "Engels"},
                                ],
                            },
                        ],
                    }
                ]
            },
        },
    ),
    (
        "vrije-tijd",
        {
            "slug": "evenementenvergunning",
            "ipdc_code": "2187",
            "title": "Evenementenvergunning",
            "summary": "Toestemming om een evenement te organiseren op een openbare plaats of met veel bezoekers.",
            "description": (
                "Organiseer je een fuif, markt, buurtfeest of wedstrijd? Vraag dan minstens "
                "8 weken op voorhand een vergunning aan. Wij kijken naar veiligheid, geluid "
                "en verkeer."
            ),
            "who_can_apply": "Inwoners, verenigingen en bedrijven.",
            "conditions": "Je vraagt de vergunning minstens 8 weken voor het evenement aan.",
            "procedure": "Vul het formulier in. De dienst Vrije tijd vraagt advies aan politie en brandweer. Het college beslist.",
            "cost_text": "Gratis. Voor materiaal (nadarhekken, podium) betaal je apart.",
            "output": "Een vergunning (besluit van het college) met de voorwaarden.",
            "legal_basis": "Politiereglement, artikel 25 (evenementen).",
            "channels": [*_ONLINE_COUNTER, Channel.POST],
            "life_events": ("een-evenement-organiseren",),
            "target_groups": ("inwoners", "verenigingen", "ondernemingen"),
            "form": {
                "steps": [
                    {
                        "key": "evenement",
                        "title": "Het evenement",
                        "fields": [
                            {
                                "key": "naam_evenement",
                                "type": "text",
                                "label": "Naam van het evenement",
                                "required": True,
                                "max_length": 150,
                            },
                            {
                                "key": "datum",
                                "type": "date",
                                "label": "Datum",
                                "hint": "Minstens 8 weken na vandaag.",
                                "required": True,
                                "min": "today+56",
                            },
                            {
                                "key": "plaats",
                                "type": "address",
                                "label": "Plaats",
                                "hint": "Het adres waar het evenement plaatsvindt.",
                                "required": True,
                            },
                            {
                                "key": "bezoekers",
                                "type": "number",
                                "label": "Hoeveel bezoekers verwacht je?",
                                "required": True,
                                "min": 1,
                                "max": 100000,
                            },
                            {
                                "key": "geluid",
                                "type": "yesno",
                                "label": "Speel je versterkte muziek?",
                                "required": True,
                            },
                            {
                                "key": "geluidsniveau",
                                "type": "choice",
                                "label": "Hoe luid?",
                                "required": True,
                                "show_if": {"geluid": "yes"},
                                "options": [
                                    {"value": "85", "label": "Tot 85 dB(A)"},
                                    {"value": "95", "label": "Tot 95 dB(A)"},
                                    {"value": "100", "label": "Tot 100 dB(A)"},
                                ],
                            },
                            {
                                "key": "wegafsluiting",
                                "type": "yesno",
                                "label": "Moet er een straat dicht?",
                                "required": True,
                            },
                        ],
                    },
                    {
                        "key": "verkeer",
                        "title": "Verkeer",
                        "intro": "Je vroeg om een straat af te sluiten. Vertel ons welke en wanneer.",
                        "show_if": {"wegafsluiting": "yes"},
                        "fields": [
                            {
                                "key": "straten",
                                "type": "textarea",
                                "label": "Welke straten?",
                                "required": True,
                                "max_length": 1000,
                            },
                            {
                                "key": "van_uur",
                                "type": "text",
                                "label": "Vanaf welk uur?",
                                "required": True,
                                "pattern": "[0-2]?[0-9][:.u][0-5][0-9]",
                                "pattern_message": "Schrijf het uur als 14:00.",
                            },
                            {
                                "key": "tot_uur",
                                "type": "text",
                                "label": "Tot welk uur?",
                                "required": True,
                                "pattern": "[0-2]?[0-9][:.u][0-5][0-9]",
                                "pattern_message": "Schrijf het uur als 23:30.",
                            },
                        ],
                    },
                    {
                        "key": "plan",
                        "title": "Inplantingsplan",
                        "fields": [
                            {
                                "key": "inplantingsplan",
                                "type": "file",
                                "label": "Inplantingsplan",
                                "hint": "Een tekening van de plaats met tenten, podium, nooduitgangen. PDF, JPG of PNG, hoogstens 10 MB.",
                                "required": True,
                                "max_size": 10485760,
                                "allowed_types": ["application/pdf", "image/jpeg", "image/png"],
                            },
                            {
                                "key": "contact_email",
                                "type": "email",
                                "label": "E-mailadres",
                                "required": True,
                                "prefill": "person.email",
                            },
                            {
                                "key": "contact_telefoon",
                                "type": "phone",
                                "label": "Telefoon op de dag zelf",
                                "required": True,
                            },
                        ],
                    },
                ]
            },
        },
    ),
    (
        "vrije-tijd",
        {
            "slug": "zaalhuur",
            "title": "Een zaal huren",
            "summary": "Huur een zaal van de gemeente voor een vergadering, feest of activiteit.",
            "description": "De gemeente verhuurt zalen in het cultuurcentrum en in de parochiezalen.",
            "who_can_apply": "Inwoners en verenigingen.",
            "conditions": "Erkende verenigingen betalen minder.",
            "procedure": "Kies een zaal en een datum. Je krijgt binnen 5 werkdagen een bevestiging.",
            "cost_text": "Je betaalt per uur. Inwoners en erkende verenigingen betalen minder. De waarborg betaal je apart bij de sleutel.",
            "fee": {
                "label": "Huur zaal",
                "amount_cents": 2000,
                "quantity_field": "uren",
                "unit": "uur",
                "resident_cents": 1500,
                "association_cents": 1000,
            },
            "output": "Een bevestiging van je reservatie en een factuur.",
            "legal_basis": "Retributiereglement zaalverhuur.",
            "channels": [*_ONLINE_COUNTER, Channel.PHONE],
            "life_events": ("een-evenement-organiseren",),
            "target_groups": ("inwoners", "verenigingen"),
            "form": {
                "steps": [
                    {
                        "key": "reservatie",
                        "title": "Je reservatie",
                        "fields": [
                            {
                                "key": "zaal",
                                "type": "choice",
                                "label": "Welke zaal?",
                                "required": True,
                                "options": [
                                    {
                                        "value": "groot",
                                        "label": "Grote zaal cultuurcentrum (300 personen)",
                                    },
                                    {
                                        "value": "klein",
                                        "label": "Kleine zaal cultuurcentrum (60 personen)",
                                    },
                                    {"value": "vergader", "label": "Vergaderzaal (15 personen)"},
                                ],
                            },
                            {
                                "key": "datum",
                                "type": "date",
                                "label": "Datum",
                                "required": True,
                                "min": "today+7",
                            },
                            {
                                "key": "uren",
                                "type": "number",
                                "label": "Hoeveel uur heb je de zaal nodig?",
                                "hint": "Opbouw en opruimen inbegrepen.",
                                "required": True,
                                "min": 1,
                                "max": 24,
                            },
                            {
                                "key": "vereniging",
                                "type": "yesno",
                                "label": "Huur je voor een vereniging?",
                                "required": True,
                            },
                            {
                                "key": "naam_vereniging",
                                "type": "text",
                                "label": "Naam van de vereniging",
                                "required": True,
                                "show_if": {"vereniging": "yes"},
                            },
                            {
                                "key": "activiteit",
                                "type": "textarea",
                                "label": "Wat ga je doen?",
                                "required": True,
                                "max_length": 500,
                            },
                        ],
                    }
                ]
            },
        },
    ),
    (
        "technische-dienst",
        {
            "slug": "melding-openbaar-domein",
            "title": "Een probleem op straat melden",
            "summary": "Meld een kapotte straatlamp, een put in de weg, zwerfvuil of iets anders op straat.",
            "description": "Zie je iets dat kapot of gevaarlijk is op straat of in het park? Meld het. Je hoeft je niet aan te melden.",
            "who_can_apply": "Iedereen.",
            "conditions": "",
            "procedure": "Vul het formulier in. Voeg een foto toe als je kan. De technische dienst bekijkt je melding binnen 2 werkdagen.",
            "cost_text": "Gratis.",
            "output": "Een bevestiging en, als je je e-mailadres geeft, een bericht wanneer het opgelost is.",
            "legal_basis": "",
            "channels": [Channel.ONLINE, Channel.PHONE, Channel.COUNTER],
            "login_level": LoginLevel.NONE,
            "life_events": ("mobiliteit",),
            "target_groups": ("inwoners", "bezoekers"),
            "form": {
                "steps": [
                    {
                        "key": "melding",
                        "title": "Wat wil je melden?",
                        "fields": [
                            {
                                "key": "categorie",
                                "type": "choice",
                                "label": "Soort probleem",
                                "required": True,
                                "options": [
                                    {"value": "verlichting", "label": "Straatverlichting"},
                                    {
                                        "value": "wegdek",
                                        "label": "Put of schade aan de weg of het voetpad",
                                    },
                                    {"value": "zwerfvuil", "label": "Zwerfvuil of sluikstort"},
                                    {"value": "groen", "label": "Bomen, hagen of gras"},
                                    {"value": "andere", "label": "Iets anders"},
                                ],
                            },
                            {
                                "key": "locatie",
                                "type": "address",
                                "label": "Waar?",
                                "hint": "Het dichtstbijzijnde adres.",
                                "required": True,
                            },
                            {
                                "key": "beschrijving",
                                "type": "textarea",
                                "label": "Beschrijf het probleem",
                                "required": True,
                                "max_length": 2000,
                            },
                            {
                                "key": "foto",
                                "type": "file",
                                "label": "Foto",
                                "hint": "Niet verplicht. JPG of PNG, hoogstens 8 MB.",
                                "max_size": 8388608,
                                "allowed_types": ["image/jpeg", "image/png", "image/heic"],
                            },
                            {
                                "key": "email",
                                "type": "email",
                                "label": "Je e-mailadres",
                                "hint": "Niet verplicht. Dan laten we weten wanneer het opgelost is.",
                            },
                        ],
                    }
                ]
            },
        },
    ),
    (
        "communicatie",
        {
            "slug": "vraag-via-sociale-media",
            "title": "Een vraag stellen via sociale media",
            "summary": "Stel je vraag aan de gemeente via Facebook, Instagram of hier online.",
            "description": "Heb je een vraag via sociale media gesteld? Wij maken er een dossier van, zodat je het antwoord ook hier kan volgen.",
            "who_can_apply": "Iedereen.",
            "conditions": "",
            "procedure": "Stel je vraag. De dienst Communicatie antwoordt binnen 3 werkdagen of stuurt ze door naar de juiste dienst.",
            "cost_text": "Gratis.",
            "output": "Een antwoord op je vraag.",
            "legal_basis": "",
            "channels": [Channel.ONLINE, Channel.PHONE],
            "login_level": LoginLevel.NONE,
            "target_groups": ("inwoners", "ondernemingen", "verenigingen", "bezoekers"),
            "form": {
                "steps": [
                    {
                        "key": "vraag",
                        "title": "Je vraag",
                        "fields": [
                            {
                                "key": "kanaal",
                                "type": "choice",
                                "label": "Waar stelde je de vraag?",
                                "required": True,
                                "options": [
                                    {"value": "facebook", "label": "Facebook"},
                                    {"value": "instagram", "label": "Instagram"},
                                    {"value": "x", "label": "X"},
                                    {"value": "hier", "label": "Nog nergens, ik stel ze hier"},
                                ],
                            },
                            {
                                "key": "vraag",
                                "type": "textarea",
                                "label": "Je vraag",
                                "required": True,
                                "max_length": 2000,
                            },
                            {
                                "key": "email",
                                "type": "email",
                                "label": "E-mailadres voor het antwoord",
                                "required": True,
                                "prefill": "person.email",
                            },
                        ],
                    }
                ]
            },
        },
    ),
    (
        "omgeving",
        {
            "slug": "bewonerskaart",
            "title": "Bewonerskaart om te parkeren",
            "summary": "Met een bewonerskaart parkeer je in je eigen buurt zonder te betalen.",
            "description": "Woon je in een zone met betalend parkeren of een blauwe zone? Dan kan je een bewonerskaart aanvragen voor je auto.",
            "who_can_apply": "Inwoners die in een zone met betalend parkeren of een blauwe zone wonen.",
            "conditions": "De auto staat op jouw naam of op naam van iemand van je gezin, of het is een bedrijfswagen die jij gebruikt. Hoogstens 2 kaarten per gezin.",
            "procedure": "Vul het formulier in en voeg het inschrijvingsbewijs van de auto toe. Je krijgt de kaart binnen 5 werkdagen digitaal.",
            "cost_text": "Per jaar. 65-plussers betalen de helft. Een tweede kaart voor je gezin vraag je aan het loket.",
            "fee": {"label": "Bewonerskaart (1 jaar)", "amount_cents": 2500, "senior_cents": 1250},
            "output": "Een digitale bewonerskaart gekoppeld aan je nummerplaat.",
            "legal_basis": "Gemeentelijk parkeerreglement, hoofdstuk 4.",
            "channels": _ONLINE_COUNTER,
            "life_events": ("mobiliteit", "verhuizen"),
            "target_groups": ("inwoners",),
            "form": {
                "steps": [
                    {
                        "key": "adres",
                        "title": "Je adres",
                        "fields": [
                            {
                                "key": "adres",
                                "type": "known",
                                "label": "Adres",
                                "prefill": "person.address",
                            },
                        ],
                    },
                    {
                        "key": "wagen",
                        "title": "Je auto",
                        "fields": [
                            {
                                "key": "nummerplaat",
                                "type": "text",
                                "label": "Nummerplaat",
                                "hint": "Bijvoorbeeld 1-ABC-234.",
                                "required": True,
                                "pattern": "[0-9A-Za-z]{1,3}-?[A-Za-z]{3}-?[0-9]{3}",
                                "pattern_message": "Schrijf de nummerplaat zoals 1-ABC-234.",
                            },
                            {
                                "key": "bedrijfswagen",
                                "type": "yesno",
                                "label": "Is het een bedrijfswagen?",
                                "required": True,
                            },
                            {
                                "key": "inschrijvingsbewijs",
                                "type": "file",
                                "label": "Inschrijvingsbewijs van de auto",
                                "hint": "Een scan of foto van beide kanten. PDF, JPG of PNG, hoogstens 5 MB.",
                                "required": True,
                                "max_size": 5242880,
                            },
                            {
                                "key": "attest_werkgever",
                                "type": "file",
                                "label": "Attest van je werkgever",
                                "required": True,
                                "show_if": {"bedrijfswagen": "yes"},
                                "max_size": 5242880,
                                "allowed_types": ["application/pdf"],
                            },
                        ],
                    },
                ]
            },
        },
    ),
)


def seed(*, department_ids: Mapping[str, int] | None = None) -> int:
    from loket.catalog import services

    with transaction.atomic():
        events = {
            slug: services._life_event_ensure(slug=slug, name=name, description=text, order=index)
            for index, (slug, name, text) in enumerate(LIFE_EVENTS)
        }
        groups = {
            slug: services._target_group_ensure(slug=slug, name=name, order=index)
            for index, (slug, name) in enumerate(TARGET_GROUPS)
        }
        departments = dict(department_ids or {})
        missing = {slug for slug, _spec in SERVICES} - set(departments)
        if missing:
            departments.update(services._departments_by_slug(sorted(missing)))
        created = 0
        for department_slug, spec in SERVICES:
            department_id = departments.get(department_slug) or next(
                iter(departments.values()), None
            )
            if department_id is None:
                continue  # no departments at all: nothing to attach services to
            created += services._service_seed(
                spec=spec, department_id=department_id, life_events=events, target_groups=groups
            )
        return created
