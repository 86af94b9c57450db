"""The demo personas acting on behalf: their identity card numbers, Maria's mandate
to Lies, and Koen as the representative of his bakery in the KBO (kept apart from
``constants.py``, which holds the rest of the personas)."""

from __future__ import annotations

import datetime as dt

# The personas' identity card (eID) numbers, which the counter checks before a clerk
# serves someone on their behalf (series 590; the generated population uses 591). Key:
# the persona's key, or "<persona key>/<first name>" for a housemate.
PERSONA_CARD_NUMBERS: dict[str, str] = {
    "jong-gezin": "590000101369",
    "jong-gezin/Tom": "590000202615",
    "jong-gezin/Lena": "590000303958",
    "jong-gezin/Mats": "590000405204",
    "senior-papier": "590000506547",
    "ondernemer": "590000607890",
    "voorzitter": "590000709136",
    "raadslid": "590000810479",
    "vrijwilliger": "590000911725",
}

# Acting on behalf in the demo: Maria (senior) lets Lies (volunteer) act for her, for
# every service; Koen is the zaakvoerder of the bakery in the KBO. Sarah and Tom act
# for Lena and Mats as their parents, without a mandate.
PERSONA_MANDATES: tuple[tuple[str, str], ...] = (("senior-papier", "vrijwilliger"),)
PERSONA_COMPANY_REPRESENTATIVES: tuple[tuple[str, str, str, dt.date], ...] = (
    ("ondernemer", "Bakkerij De Mandel", "zaakvoerder", dt.date(2008, 5, 1)),
)
