"""Facts of the demo municipality Mandelmunster, a fictional town modelled on
Ingelmunster (West Flanders; the Mandel is its river)."""

from __future__ import annotations

import datetime as dt

from loket.core.constants import OrganisationKind, RoleSlug
from loket.demo.types import DemoLogin, DemoOrganisation, DemoStaff, Persona, PersonaHousemate
from loket.people.constants import Gender, HouseholdRelation, LegalForm

# The same seed and size always build the same town.
DEFAULT_SEED = 8770
# Ages are counted on this day, so that the data do not depend on when they are built.
REFERENCE_DATE = dt.date(2026, 1, 1)

MUNICIPALITY_NAME = "Mandelmunster"
MUNICIPALITY_SLUG = "mandelmunster"
OCMW_SLUG = "ocmw-mandelmunster"
POSTCODE = "8770"
NIS_CODE = "36007"
# Reserved for examples (RFC 2606): nothing the demo sends can reach a real inbox.
MAIL_DOMAIN = "mandelmunster.example"

# A demo only: production refuses to start with LOKET_DEMO on.
DEMO_PASSWORD = "loket-demo-2026"  # noqa: S105
# The demo staff's authenticator app (second login step), published like the password:
# add it to any authenticator app, or read the current code that the demo (and only the
# demo) shows on the second-step page.
DEMO_TOTP_SECRET = "LOKETDEMOMANDELMUNSTERTOTPSECRET"  # noqa: S105

# Every demo staff member; all share DEMO_PASSWORD. Those with a description (one per
# role) are the logins that the README and `loket demo` show.
DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff(
        "beheerder",
        "Hanne",
        "Verhaeghe",
        (("secretariaat", RoleSlug.ADMINISTRATOR),),
        description="functional administrator (all rights)",
        where="/admin/",
        superuser=True,
    ),
    DemoStaff(
        "baliemedewerker",
        "Lotte",
        "Declercq",
        (("burgerzaken", RoleSlug.HANDLER),),
        description="case handler at Burgerzaken",
        liaison_of="burgerzaken",
    ),
    DemoStaff(
        "diensthoofd",
        "Geert",
        "Vanhoutte",
        (("burgerzaken", RoleSlug.HEAD),),
        description="head of Burgerzaken",
    ),
    DemoStaff(
        "communicatie",
        "Sofie",
        "Debruyne",
        (("communicatie", RoleSlug.COMMUNICATION),),
        description="communication cell",
        liaison_of="communicatie",
    ),
    DemoStaff(
        "raadslid",
        "Marc",
        "Desmet",
        (("secretariaat", RoleSlug.COUNCIL_MEMBER),),
        description="council member",
    ),
    DemoStaff(
        "coordinator",
        "Tom",
        "Vandenberghe",
        (("burgerzaken", RoleSlug.COORDINATOR),),
        description="coordinator at Burgerzaken (assigns dossiers)",
    ),
    DemoStaff(
        "balie",
        "Ann",
        "Vermeulen",
        (("burgerzaken", RoleSlug.COUNTER_CLERK),),
        description="counter clerk at Burgerzaken",
    ),
    DemoStaff(
        "maatschappelijk",
        "Karen",
        "Goethals",
        (("sociale-dienst", RoleSlug.SOCIAL_WORKER),),
        description="social worker of the OCMW (sees social files)",
    ),
    DemoStaff(
        "schepen",
        "Dirk",
        "Vanneste",
        (("secretariaat", RoleSlug.COLLEGE_MEMBER),),
        description="college member (alderman)",
    ),
    DemoStaff(
        "vrijwilliger",
        "Rita",
        "Maes",
        (("sociale-dienst", RoleSlug.VOLUNTEER),),
        description="volunteer helper (assists under a mandate, no back office)",
        where="/",
    ),
    # One member of every other department, its communication liaison.
    DemoStaff(
        "medewerker-omgeving",
        "Pieter",
        "Lannoo",
        (("omgeving", RoleSlug.HANDLER),),
        liaison_of="omgeving",
    ),
    DemoStaff(
        "medewerker-vrije-tijd",
        "Jolien",
        "Vercruysse",
        (("vrije-tijd", RoleSlug.HANDLER),),
        liaison_of="vrije-tijd",
    ),
    DemoStaff(
        "medewerker-financien",
        "Kristof",
        "Degryse",
        (("financien", RoleSlug.HANDLER), ("financien", RoleSlug.FINANCE)),
        description="finance department (payments, refunds, bank statements)",
        liaison_of="financien",
    ),
    DemoStaff(
        "medewerker-secretariaat",
        "Evelien",
        "Claeys",
        (("secretariaat", RoleSlug.HANDLER),),
        liaison_of="secretariaat",
    ),
    DemoStaff(
        "medewerker-technische-dienst",
        "Bart",
        "Verbeke",
        (("technische-dienst", RoleSlug.HANDLER),),
        liaison_of="technische-dienst",
    ),
    DemoStaff(
        "medewerker-sociale-dienst",
        "Nathalie",
        "Vandewalle",
        (("sociale-dienst", RoleSlug.HANDLER),),
        liaison_of="sociale-dienst",
    ),
    DemoStaff(
        "medewerker-thuiszorg",
        "Inge",
        "Depoorter",
        (("thuiszorg", RoleSlug.HANDLER),),
        liaison_of="thuiszorg",
    ),
    DemoStaff(
        "medewerker-woonzorgcentrum",
        "Wout",
        "Sabbe",
        (("woonzorgcentrum", RoleSlug.HANDLER),),
        liaison_of="woonzorgcentrum",
    ),
)
DEMO_LOGINS: tuple[DemoLogin, ...] = tuple(
    DemoLogin(
        username=staff.username,
        password=DEMO_PASSWORD,
        full_name=f"{staff.first_name} {staff.last_name}",
        description=staff.description,
        where=staff.where,
    )
    for staff in DEMO_STAFF
    if staff.description
)

# The city and its OCMW, with opening hours and departments.
ORGANISATIONS: tuple[DemoOrganisation, ...] = (
    DemoOrganisation(
        slug=MUNICIPALITY_SLUG,
        kind=OrganisationKind.MUNICIPALITY,
        name=f"Gemeente {MUNICIPALITY_NAME}",
        street="Marktplein 1",
        email=f"info@{MAIL_DOMAIN}",
        phone="051 30 87 70",
        website=f"https://www.{MAIL_DOMAIN}",
        is_primary=True,
        # Monday to Friday mornings; Wednesday evenings; afternoons by appointment.
        opening_hours=(
            (0, "09:00", "12:00", False),
            (0, "14:00", "16:30", True),
            (1, "09:00", "12:00", False),
            (2, "09:00", "12:00", False),
            (2, "14:00", "19:00", False),
            (3, "09:00", "12:00", False),
            (3, "14:00", "16:30", True),
            (4, "09:00", "12:00", False),
        ),
        departments=(
            ("burgerzaken", "Burgerzaken"),
            ("omgeving", "Omgeving"),
            ("vrije-tijd", "Vrije tijd"),
            ("communicatie", "Communicatie"),
            ("financien", "Financiën"),
            ("secretariaat", "Secretariaat"),
            ("technische-dienst", "Technische dienst"),
        ),
    ),
    DemoOrganisation(
        slug=OCMW_SLUG,
        kind=OrganisationKind.OCMW,
        name=f"OCMW {MUNICIPALITY_NAME}",
        street="Sint-Amandsplein 5",
        email=f"ocmw@{MAIL_DOMAIN}",
        phone="051 30 87 80",
        website=f"https://www.{MAIL_DOMAIN}/ocmw",
        is_primary=False,
        opening_hours=(
            (0, "08:30", "12:00", False),
            (1, "08:30", "12:00", False),
            (1, "13:30", "16:00", True),
            (2, "08:30", "12:00", False),
            (3, "08:30", "12:00", False),
            (3, "13:30", "18:00", False),
            (4, "08:30", "12:00", False),
        ),
        departments=(
            ("sociale-dienst", "Sociale dienst"),
            ("thuiszorg", "Thuiszorg"),
            ("woonzorgcentrum", "Woonzorgcentrum"),
        ),
    ),
)

# Companies: (name, legal form, street of their seat).
COMPANIES: tuple[tuple[str, str, str], ...] = (
    ("Bakkerij De Mandel", LegalForm.BV, "Marktplein"),
    ("Slagerij Vandamme", LegalForm.BV, "Marktplein"),
    ("Apotheek Sint-Amand", LegalForm.BV, "Marktplein"),
    ("Bloemen Margriet", LegalForm.SOLE_TRADER, "Marktplein"),
    ("Café De Gilde", LegalForm.VOF, "Marktplein"),
    ("Boekhandel Het Leesrijk", LegalForm.BV, "Marktplein"),
    ("Frituur 't Pleintje", LegalForm.SOLE_TRADER, "Marktplein"),
    ("Brouwerij Het Munster", LegalForm.NV, "Industrielaan"),
    ("Garage Vanhoutte", LegalForm.BV, "Industrielaan"),
    ("Transport Degryse", LegalForm.NV, "Industrielaan"),
    ("Drukkerij Vercruysse", LegalForm.BV, "Industrielaan"),
    ("Vlasverwerking Mandelvallei", LegalForm.NV, "Nijverheidsstraat"),
    ("Schrijnwerkerij Lannoo", LegalForm.BV, "Nijverheidsstraat"),
    ("Dakwerken Verbeke", LegalForm.COMMV, "Nijverheidsstraat"),
    ("Fietsen Declercq", LegalForm.SOLE_TRADER, "Nijverheidsstraat"),
    ("Thuisverpleging Mandelzorg", LegalForm.CV, "Nijverheidsstraat"),
    ("Kinderopvang De Speelvogel", LegalForm.VZW, "Nijverheidsstraat"),
)

# Associations: (name, has an enterprise number).
ASSOCIATIONS: tuple[tuple[str, bool], ...] = (
    ("KSA Mandelmunster", False),
    ("Chiro Sint-Amand", False),
    ("SK Mandelmunster", True),
    ("Tennisclub De Mandel", True),
    ("Wielerclub De Mandelrenners", False),
    ("Koninklijke Harmonie Sint-Cecilia", True),
    ("Toneelgroep Het Masker", False),
    ("Davidsfonds Mandelmunster", False),
    ("OKRA Mandelmunster", False),
    ("Femma Mandelmunster", False),
    ("Gezinsbond Mandelmunster", False),
    ("Natuurpunt Mandelvallei", True),
    ("Schaakclub De Toren", False),
    ("Vrienden van het Woonzorgcentrum", True),
    ("Jeugdhuis De Kelder", True),
)

# --- Personas of the demo identity provider ------------------------------------------
#
# Residents who log in with eID or itsme in the demo. Their national numbers are fixed
# and valid; each uses the last counter of its birth date (498), which the generated
# population never reaches, so they never collide with a generated resident. The
# newcomer is deliberately absent from the register. They live on their own street,
# one household per address.
PERSONA_STREET = "Mandelhof"
PERSONA_CLIENT_ID = "loket-demo"
PERSONA_CLIENT_SECRET = "loket-demo-client-secret"  # noqa: S105 (demo only)

PERSONAS: tuple[Persona, ...] = (
    Persona(
        key="jong-gezin",
        first_name="Sarah",
        last_name="Vandenberghe",
        national_number="91041299896",
        birth_date=dt.date(1991, 4, 12),
        gender=Gender.FEMALE,
        description="Jonge mama: woont samen met haar partner en twee kleine kinderen.",
        email=f"sarah.vandenberghe@{MAIL_DOMAIN}",
        house_number="2",
        housemates=(
            PersonaHousemate(
                "Tom",
                "Deprez",
                "89112399765",
                dt.date(1989, 11, 23),
                Gender.MALE,
                HouseholdRelation.PARTNER,
            ),
            PersonaHousemate(
                "Lena",
                "Deprez",
                "19060299891",
                dt.date(2019, 6, 2),
                Gender.FEMALE,
                HouseholdRelation.CHILD,
            ),
            PersonaHousemate(
                "Mats",
                "Deprez",
                "22021799765",
                dt.date(2022, 2, 17),
                Gender.MALE,
                HouseholdRelation.CHILD,
            ),
        ),
    ),
    Persona(
        key="senior-papier",
        first_name="Maria",
        last_name="Vanneste",
        national_number="41090399830",
        birth_date=dt.date(1941, 9, 3),
        gender=Gender.FEMALE,
        description="Senior van 84 zonder e-mailadres: krijgt haar post liefst op papier.",
        prefers_paper=True,
        house_number="4",
    ),
    Persona(
        key="ondernemer",
        first_name="Koen",
        last_name="Devos",
        national_number="78031599718",
        birth_date=dt.date(1978, 3, 15),
        gender=Gender.MALE,
        description="Zaakvoerder van Bakkerij De Mandel: regelt zaken voor zijn bedrijf.",
        email=f"koen@bakkerij-demandel.{MAIL_DOMAIN}",
        house_number="6",
    ),
    Persona(
        key="voorzitter",
        first_name="Ann",
        last_name="Coussement",
        national_number="69083099892",
        birth_date=dt.date(1969, 8, 30),
        gender=Gender.FEMALE,
        description="Voorzitter van Toneelgroep Het Masker.",
        email=f"ann.coussement@{MAIL_DOMAIN}",
        house_number="8",
        chairs_association="Toneelgroep Het Masker",
    ),
    Persona(
        key="nieuwkomer",
        first_name="Youssef",
        last_name="El Amrani",
        national_number="95012099519",
        birth_date=dt.date(1995, 1, 20),
        gender=Gender.MALE,
        description="Net verhuisd naar Mandelmunster: nog niet ingeschreven in het "
        "bevolkingsregister.",
        email=f"youssef.elamrani@{MAIL_DOMAIN}",
        in_register=False,
    ),
    Persona(
        key="raadslid",
        first_name="Marc",
        last_name="Desmet",
        national_number="65050899766",
        birth_date=dt.date(1965, 5, 8),
        gender=Gender.MALE,
        description="Gemeenteraadslid, en ook gewoon inwoner van Mandelmunster.",
        email=f"marc.desmet@{MAIL_DOMAIN}",
        house_number="10",
    ),
    Persona(
        key="vrijwilliger",
        first_name="Lies",
        last_name="Vermeulen",
        national_number="58120199880",
        birth_date=dt.date(1958, 12, 1),
        gender=Gender.FEMALE,
        description="Vrijwilliger die buren helpt met hun aanvragen.",
        email=f"lies.vermeulen@{MAIL_DOMAIN}",
        house_number="12",
    ),
)
