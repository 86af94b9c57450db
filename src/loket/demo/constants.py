"""Facts of the demo municipality Mandelmunster, a fictional town modelled on
Ingelmunster (West Flanders; the Mandel is its river)."""

from __future__ import annotations

import datetime as dt

from loket.core.constants import OrganisationKind, StaffRole
from loket.demo.types import DemoLogin, DemoOrganisation, DemoStaff
from loket.people.constants import LegalForm

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

# Every demo staff member. The first five are the logins that the README and `loket demo`
# show; all share DEMO_PASSWORD.
DEMO_STAFF: tuple[DemoStaff, ...] = (
    DemoStaff(
        "beheerder",
        "Hanne",
        "Verhaeghe",
        (("secretariaat", StaffRole.ADMINISTRATOR),),
        description="functional administrator (all rights)",
        where="/admin/",
        superuser=True,
    ),
    DemoStaff(
        "baliemedewerker",
        "Lotte",
        "Declercq",
        (("burgerzaken", StaffRole.CLERK),),
        description="clerk at Burgerzaken",
        liaison_of="burgerzaken",
    ),
    DemoStaff(
        "diensthoofd",
        "Geert",
        "Vanhoutte",
        (("burgerzaken", StaffRole.MANAGER),),
        description="head of Burgerzaken",
    ),
    DemoStaff(
        "communicatie",
        "Sofie",
        "Debruyne",
        (("communicatie", StaffRole.MANAGER),),
        description="communication cell (head of Communicatie)",
        liaison_of="communicatie",
    ),
    DemoStaff(
        "raadslid",
        "Marc",
        "Desmet",
        (("secretariaat", StaffRole.COUNCIL_MEMBER),),
        description="council member",
    ),
    # One member of every other department, its communication liaison.
    DemoStaff(
        "medewerker-omgeving",
        "Pieter",
        "Lannoo",
        (("omgeving", StaffRole.CLERK),),
        liaison_of="omgeving",
    ),
    DemoStaff(
        "medewerker-vrije-tijd",
        "Jolien",
        "Vercruysse",
        (("vrije-tijd", StaffRole.CLERK),),
        liaison_of="vrije-tijd",
    ),
    DemoStaff(
        "medewerker-financien",
        "Kristof",
        "Degryse",
        (("financien", StaffRole.CLERK),),
        liaison_of="financien",
    ),
    DemoStaff(
        "medewerker-secretariaat",
        "Evelien",
        "Claeys",
        (("secretariaat", StaffRole.CLERK),),
        liaison_of="secretariaat",
    ),
    DemoStaff(
        "medewerker-technische-dienst",
        "Bart",
        "Verbeke",
        (("technische-dienst", StaffRole.CLERK),),
        liaison_of="technische-dienst",
    ),
    DemoStaff(
        "medewerker-sociale-dienst",
        "Nathalie",
        "Vandewalle",
        (("sociale-dienst", StaffRole.CLERK),),
        liaison_of="sociale-dienst",
    ),
    DemoStaff(
        "medewerker-thuiszorg",
        "Inge",
        "Depoorter",
        (("thuiszorg", StaffRole.CLERK),),
        liaison_of="thuiszorg",
    ),
    DemoStaff(
        "medewerker-woonzorgcentrum",
        "Wout",
        "Sabbe",
        (("woonzorgcentrum", StaffRole.CLERK),),
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
    for staff in DEMO_STAFF[:5]
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
