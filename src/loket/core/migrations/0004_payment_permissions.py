"""Payments arrive: three permission codes for the system roles and a new system role,
the finance department (financiële dienst). Roles a municipality edited keep their
edits; only the new codes are added."""

from django.db import migrations

ADDED = {
    "handler": ["payments.view", "payments.record"],
    "coordinator": ["payments.view", "payments.record"],
    "head": ["payments.view", "payments.record", "payments.manage"],
    "administrator": ["payments.view", "payments.record", "payments.manage"],
    "counter_clerk": ["payments.view", "payments.record"],
}
FINANCE = (
    "finance",
    "Financiële dienst",
    "Volgt betalingen op: terugbetalingen, bankafschriften en de export voor de boekhouding.",
    ["backoffice.enter", "payments.view", "payments.record", "payments.manage"],
)


def seed_roles(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for slug, codes in ADDED.items():
        role = Role.objects.filter(slug=slug).first()
        if role is None:
            continue
        missing = [code for code in codes if code not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])
    slug, name, description, permissions = FINANCE
    Role.objects.get_or_create(
        slug=slug,
        defaults={
            "name": name,
            "description": description,
            "permissions": permissions,
            "is_system": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("core", "0003_roles_as_data")]

    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
