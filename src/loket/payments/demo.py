"""The demo municipality's bank accounts (``loket seed``): the city's and the OCMW's,
so invoices show an IBAN with an EPC QR code and bank statements can be imported.
The numbers are valid Belgian IBANs that belong to nobody's real account."""

from __future__ import annotations

from loket.core.selectors import organisation_list_public
from loket.payments.models import BankAccount

# organisation slug → (IBAN, BIC)
DEMO_ACCOUNTS = {
    "municipality": ("BE32091000123402", "GKCCBEBB"),
    "ocmw": ("BE36091000567881", "GKCCBEBB"),
}


def payments_seed_demo() -> int:
    """One bank account per demo organisation (idempotent); returns how many exist."""
    for organisation in organisation_list_public():
        iban, bic = DEMO_ACCOUNTS.get(organisation.kind, ("", ""))
        if not iban:
            continue
        BankAccount.objects.update_or_create(
            organisation=organisation,
            defaults={"holder": organisation.name, "iban": iban, "bic": bic},
        )
    return BankAccount.objects.count()
