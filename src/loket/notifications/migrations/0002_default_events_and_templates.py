"""Starting texts for the events other modules send; staff change them afterwards."""

from django.db import migrations

EVENTS = {
    "case-status-changed": {
        "name": "Status van een dossier gewijzigd",
        "placeholders": ["case_reference", "case_title", "status", "case_url"],
        "sample": {
            "case_reference": "2026-000123",
            "case_title": "Aanvraag parkeerkaart",
            "status": "goedgekeurd",
            "case_url": "https://loket.example/dossiers/2026-000123",
        },
        "texts": {
            "nl": (
                "Nieuws over uw dossier {{ case_reference }}",
                "Beste {{ first_name }},\n\nUw dossier {{ case_title }} ({{ case_reference }}) "
                "heeft een nieuwe status: {{ status }}.\nU leest alles in uw dossier: "
                "{{ case_url }}\n\nMet vriendelijke groeten,\nUw gemeente",
                "Uw dossier {{ case_reference }} is nu: {{ status }}. Meer: {{ case_url }}",
            ),
            "fr": (
                "Nouvelles de votre dossier {{ case_reference }}",
                "Bonjour {{ first_name }},\n\nVotre dossier {{ case_title }} ({{ case_reference }}) "
                "a un nouveau statut : {{ status }}.\nTous les détails : {{ case_url }}\n\n"
                "Cordialement,\nVotre commune",
                "Votre dossier {{ case_reference }} est maintenant : {{ status }}. {{ case_url }}",
            ),
            "en": (
                "News about your case {{ case_reference }}",
                "Dear {{ first_name }},\n\nYour case {{ case_title }} ({{ case_reference }}) "
                "has a new status: {{ status }}.\nRead more: {{ case_url }}\n\n"
                "Kind regards,\nYour municipality",
                "Your case {{ case_reference }} is now: {{ status }}. More: {{ case_url }}",
            ),
            "de": (
                "Neues zu Ihrem Vorgang {{ case_reference }}",
                "Guten Tag {{ first_name }},\n\nIhr Vorgang {{ case_title }} ({{ case_reference }}) "
                "hat einen neuen Status: {{ status }}.\nMehr dazu: {{ case_url }}\n\n"
                "Mit freundlichen Grüßen\nIhre Gemeinde",
                "Ihr Vorgang {{ case_reference }} ist jetzt: {{ status }}. {{ case_url }}",
            ),
        },
        "channels": ("email", "sms", "letter", "inbox"),
    },
    "verification-code": {
        "name": "Verificatiecode",
        "placeholders": ["code"],
        "sample": {"code": "123456"},
        "texts": {
            "nl": (
                "Uw code: {{ code }}",
                "Beste {{ first_name }},\n\nUw code is {{ code }}. Hij werkt 15 minuten.\n"
                "Vroeg u niets aan? Dan mag u dit bericht negeren.",
                "Uw code is {{ code }}. Hij werkt 15 minuten.",
            ),
            "fr": (
                "Votre code : {{ code }}",
                "Bonjour {{ first_name }},\n\nVotre code est {{ code }}. Il est valable 15 "
                "minutes.\nVous n'avez rien demandé ? Ignorez ce message.",
                "Votre code est {{ code }}. Valable 15 minutes.",
            ),
            "en": (
                "Your code: {{ code }}",
                "Dear {{ first_name }},\n\nYour code is {{ code }}. It works for 15 minutes.\n"
                "Did not ask for it? Then ignore this message.",
                "Your code is {{ code }}. It works for 15 minutes.",
            ),
            "de": (
                "Ihr Code: {{ code }}",
                "Guten Tag {{ first_name }},\n\nIhr Code lautet {{ code }}. Er gilt 15 Minuten.\n"
                "Nichts angefordert? Dann ignorieren Sie diese Nachricht.",
                "Ihr Code lautet {{ code }}. Er gilt 15 Minuten.",
            ),
        },
        "channels": ("email", "sms"),
    },
    "crisis-alert": {
        "name": "Crisisbericht",
        "placeholders": ["alert_title", "alert_text"],
        "sample": {
            "alert_title": "Drinkwater koken",
            "alert_text": "Kook uw kraantjeswater tot vrijdag minstens één minuut.",
        },
        "texts": {
            "nl": (
                "Belangrijk: {{ alert_title }}",
                "Beste {{ first_name }},\n\n{{ alert_text }}\n\nUw gemeente",
                "{{ alert_title }}: {{ alert_text }}",
            ),
            "fr": (
                "Important : {{ alert_title }}",
                "Bonjour {{ first_name }},\n\n{{ alert_text }}\n\nVotre commune",
                "{{ alert_title }} : {{ alert_text }}",
            ),
            "en": (
                "Important: {{ alert_title }}",
                "Dear {{ first_name }},\n\n{{ alert_text }}\n\nYour municipality",
                "{{ alert_title }}: {{ alert_text }}",
            ),
            "de": (
                "Wichtig: {{ alert_title }}",
                "Guten Tag {{ first_name }},\n\n{{ alert_text }}\n\nIhre Gemeinde",
                "{{ alert_title }}: {{ alert_text }}",
            ),
        },
        "channels": ("email", "sms", "letter", "inbox"),
    },
}


def install(apps, schema_editor):
    Event = apps.get_model("notifications", "NotificationEvent")
    Template = apps.get_model("notifications", "MessageTemplate")
    for key, spec in EVENTS.items():
        event, _ = Event.objects.get_or_create(
            key=key,
            defaults={
                "name": spec["name"],
                "placeholders": spec["placeholders"],
                "sample_context": spec["sample"],
            },
        )
        for language, (subject, body, short) in spec["texts"].items():
            for channel in spec["channels"]:
                Template.objects.get_or_create(
                    event=event,
                    channel=channel,
                    language=language,
                    defaults={
                        "subject": "" if channel == "sms" else subject,
                        "body": short if channel == "sms" else body,
                    },
                )


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
