"""Roles become data: a ``Role`` table seeded with the ten system roles, and
``DepartmentMembership.role`` a foreign key to it. Existing memberships move to the
nearest new role (clerk → handler, manager → head, liaison → communication,
council → council_member, admin → administrator)."""

import django.db.models.deletion
from django.db import migrations, models

import loket.core.models

ALL = [
    "backoffice.enter",
    "people.view",
    "people.view_social_file",
    "cases.view",
    "cases.handle",
    "cases.assign",
    "cases.view_all",
    "cases.configure",
    "catalog.edit",
    "counter.serve",
    "notifications.view",
    "notifications.bulk",
    "notifications.templates",
    "audit.view",
    "staff.manage",
    "mandates.assist",
]
HANDLER = ["backoffice.enter", "people.view", "cases.view", "cases.handle"]

# (slug, name, description, permissions): frozen here, later changes are data edits.
SYSTEM_ROLES = [
    ("handler", "Dossierbehandelaar", "Behandelt de dossiers van de eigen dienst.", HANDLER),
    (
        "coordinator",
        "Coördinator",
        "Behandelt dossiers en verdeelt ze over de collega's van de dienst.",
        [*HANDLER, "cases.assign"],
    ),
    (
        "head",
        "Diensthoofd",
        "Leidt de dienst: verdeelt dossiers en leest het auditlogboek.",
        [*HANDLER, "cases.assign", "audit.view"],
    ),
    (
        "administrator",
        "Functioneel beheerder",
        "Beheert de configuratie, de medewerkers en hun rollen. Geen sociale dossiers.",
        [p for p in ALL if p not in ("people.view_social_file", "mandates.assist")],
    ),
    (
        "communication",
        "Communicatiecel",
        "Verstuurt berichten aan inwoners en beheert de berichtsjablonen.",
        ["backoffice.enter", "notifications.view", "notifications.bulk", "notifications.templates"],
    ),
    (
        "social_worker",
        "Maatschappelijk werker",
        "Werkt voor het OCMW; de enige rol die sociale dossiers inziet.",
        [*HANDLER, "people.view_social_file"],
    ),
    (
        "council_member",
        "Gemeenteraadslid",
        "Leest dossiers (inzagerecht), wijzigt niets.",
        ["backoffice.enter", "cases.view_all"],
    ),
    (
        "college_member",
        "Collegelid",
        "Schepen of burgemeester: leest dossiers, wijzigt niets.",
        ["backoffice.enter", "cases.view_all"],
    ),
    (
        "volunteer",
        "Vrijwilliger",
        "Helpt inwoners met een volmacht; ziet geen gegevens van andere inwoners.",
        ["mandates.assist"],
    ),
    (
        "counter_clerk",
        "Baliemedewerker",
        "Helpt inwoners aan het loket.",
        ["backoffice.enter", "counter.serve", "people.view"],
    ),
]
OLD_TO_NEW = {
    "clerk": "handler",
    "manager": "head",
    "liaison": "communication",
    "council": "council_member",
    "admin": "administrator",
}


def seed_roles(apps, schema_editor):
    Role = apps.get_model("core", "Role")
    for slug, name, description, permissions in SYSTEM_ROLES:
        Role.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "permissions": list(permissions),
                "is_system": True,
            },
        )


def memberships_forward(apps, schema_editor):
    Membership = apps.get_model("core", "DepartmentMembership")
    Role = apps.get_model("core", "Role")
    roles = {role.slug: role for role in Role.objects.all()}
    for old, new in OLD_TO_NEW.items():
        Membership.objects.filter(role=old).update(role_new=roles[new])


def memberships_backward(apps, schema_editor):
    Membership = apps.get_model("core", "DepartmentMembership")
    new_to_old = {new: old for old, new in OLD_TO_NEW.items()}
    for membership in Membership.objects.select_related("role_new"):
        membership.role = new_to_old.get(membership.role_new.slug, "clerk")
        membership.save(update_fields=["role"])


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [
        migrations.CreateModel(
            name="Role",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("slug", models.SlugField(max_length=50, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "permissions",
                    models.JSONField(
                        blank=True,
                        default=list,
                        validators=[loket.core.models.validate_permission_codes],
                        verbose_name="permissions",
                    ),
                ),
                (
                    "is_system",
                    models.BooleanField(
                        default=False,
                        help_text="Seeded with Loket; cannot be deleted.",
                        verbose_name="system role",
                    ),
                ),
            ],
            options={"verbose_name": "role", "verbose_name_plural": "roles", "ordering": ["name"]},
        ),
        migrations.RunPython(seed_roles, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="departmentmembership", name="core_membership_unique"),
        migrations.AddField(
            model_name="departmentmembership",
            name="role_new",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.role",
            ),
        ),
        migrations.RunPython(memberships_forward, memberships_backward),
        migrations.RemoveField(model_name="departmentmembership", name="role"),
        migrations.RenameField(model_name="departmentmembership", old_name="role_new", new_name="role"),
        migrations.AlterField(
            model_name="departmentmembership",
            name="role",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="memberships",
                to="core.role",
                verbose_name="role",
            ),
        ),
        migrations.AddConstraint(
            model_name="departmentmembership",
            constraint=models.UniqueConstraint(
                fields=("user", "department", "role"), name="core_membership_unique"
            ),
        ),
    ]
