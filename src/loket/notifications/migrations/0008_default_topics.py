"""Topics residents can subscribe to from the start; staff add or rename them later."""

from django.db import migrations

TOPICS = {
    "wegenwerken": "Wegenwerken en omleidingen",
    "afvalophaling": "Afvalophaling",
    "evenementen": "Evenementen in de gemeente",
    "vacatures": "Vacatures bij de gemeente",
}


def install(apps, schema_editor):
    Topic = apps.get_model("notifications", "Topic")
    for key, name in TOPICS.items():
        Topic.objects.get_or_create(key=key, defaults={"name": name})


def remove(apps, schema_editor):
    apps.get_model("notifications", "Topic").objects.filter(key__in=list(TOPICS)).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0007_case_events")]
    operations = [migrations.RunPython(install, remove)]
