"""Payments of every department: ``payments.manage`` is now limited to the departments
where the role is held; seeing and handling the money of the whole municipality (bank
statements, unmatched bank lines, the bookkeeping export) is a permission of its own,
for the finance department and the functional administrator. Roles a municipality
edited keep their edits; only the new code is added."""

from django.db import migrations

ADDED = {
    "finance": ["payments.all_departments"],
    "administrator": ["payments.all_departments"],
}


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


class Migration(migrations.Migration):
    dependencies = [("core", "0004_payment_permissions")]

    operations = [migrations.RunPython(seed_roles, migrations.RunPython.noop)]
