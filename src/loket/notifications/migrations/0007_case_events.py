"""Starting texts for the events the cases module sends besides a status change: a
message from the handler, a request for more information, a reminder and the
confirmation of receipt. Staff change the texts afterwards."""

from django.db import migrations

CASE_PLACEHOLDERS = ["case_reference", "case_title", "case_url"]

EVENTS = {
    "case-message": {
        "name": "Nieuw bericht in een dossier",
        "placeholders": CASE_PLACEHOLDERS,
        "sample": {
            "case_reference": "2026-000123",
            "case_title": "Aanvraag parkeerkaart",
            "case_url": "https://loket.example/mijn-dossiers/2026-000123",
        },
        "texts": {
            "nl": (
                "Nieuw bericht over uw dossier {{ case_reference }}",
                "Beste {{ first_name }},\n\nEr is een nieuw bericht voor u over uw dossier "
                "{{ case_title }} ({{ case_reference }}).\nU leest het in uw dossier: "
                "{{ case_url }}\n\nMet vriendelijke groeten,\nUw gemeente",
                "Er is een nieuw bericht over uw dossier {{ case_reference }}. Lees het hier: "
                "{{ case_url }}",
            ),
            "fr": (
                "Nouveau message sur votre dossier {{ case_reference }}",
                "Bonjour {{ first_name }},\n\nVous avez un nouveau message sur votre dossier "
                "{{ case_title }} ({{ case_reference }}).\nVous le trouvez ici : "
                "{{ case_url }}\n\nCordialement,\nVotre commune",
                "Nouveau message sur votre dossier {{ case_reference }} : {{ case_url }}",
            ),
            "en": (
                "New message about your case {{ case_reference }}",
                "Dear {{ first_name }},\n\nThere is a new message for you about your case "
                "{{ case_title }} ({{ case_reference }}).\nYou can read it here: "
                "{{ case_url }}\n\nKind regards,\nYour municipality",
                "New message about your case {{ case_reference }}: {{ case_url }}",
            ),
            "de": (
                "Neue Nachricht zu Ihrem Vorgang {{ case_reference }}",
                "Guten Tag {{ first_name }},\n\nSie haben eine neue Nachricht zu Ihrem Vorgang "
                "{{ case_title }} ({{ case_reference }}).\nSie finden sie hier: "
                "{{ case_url }}\n\nMit freundlichen Grüßen\nIhre Gemeinde",
                "Neue Nachricht zu Ihrem Vorgang {{ case_reference }}: {{ case_url }}",
            ),
        },
        "channels": ("email", "sms", "letter", "inbox"),
    },
    "case-info-requested": {
        "name": "Meer informatie nodig voor een dossier",
        "placeholders": [*CASE_PLACEHOLDERS, "due_date"],
        "sample": {
            "case_reference": "2026-000123",
            "case_title": "Aanvraag parkeerkaart",
            "case_url": "https://loket.example/mijn-dossiers/2026-000123",
            "due_date": "15 december 2026",
        },
        "texts": {
            "nl": (
                "We hebben meer informatie nodig: {{ case_reference }}",
                "Beste {{ first_name }},\n\nWe hebben nog iets van u nodig voor uw dossier "
                "{{ case_title }} ({{ case_reference }}).\nIn uw dossier leest u wat. "
                "Stuur het ons voor {{ due_date }}: {{ case_url }}\n\n"
                "Met vriendelijke groeten,\nUw gemeente",
                "We hebben nog iets nodig voor dossier {{ case_reference }}, voor "
                "{{ due_date }}. Kijk hier: {{ case_url }}",
            ),
            "fr": (
                "Il nous faut plus d'informations : {{ case_reference }}",
                "Bonjour {{ first_name }},\n\nIl nous manque quelque chose pour votre dossier "
                "{{ case_title }} ({{ case_reference }}).\nVous voyez quoi dans votre "
                "dossier. Envoyez-le avant le {{ due_date }} : {{ case_url }}\n\n"
                "Cordialement,\nVotre commune",
                "Il nous manque quelque chose pour le dossier {{ case_reference }}, avant le "
                "{{ due_date }}. Voir : {{ case_url }}",
            ),
            "en": (
                "We need more information: {{ case_reference }}",
                "Dear {{ first_name }},\n\nWe still need something from you for your case "
                "{{ case_title }} ({{ case_reference }}).\nYour case says what. "
                "Send it to us before {{ due_date }}: {{ case_url }}\n\n"
                "Kind regards,\nYour municipality",
                "We still need something for case {{ case_reference }}, before {{ due_date }}. "
                "See: {{ case_url }}",
            ),
            "de": (
                "Wir brauchen mehr Angaben: {{ case_reference }}",
                "Guten Tag {{ first_name }},\n\nWir brauchen noch etwas von Ihnen für Ihren "
                "Vorgang {{ case_title }} ({{ case_reference }}).\nWas, steht in Ihrem "
                "Vorgang. Schicken Sie es uns bis {{ due_date }}: {{ case_url }}\n\n"
                "Mit freundlichen Grüßen\nIhre Gemeinde",
                "Wir brauchen noch etwas für Vorgang {{ case_reference }}, bis {{ due_date }}. "
                "Siehe: {{ case_url }}",
            ),
        },
        "channels": ("email", "sms", "letter", "inbox"),
    },
    "case-reminder": {
        "name": "Herinnering voor een dossier",
        "placeholders": [*CASE_PLACEHOLDERS, "still_expected", "due_date"],
        "sample": {
            "case_reference": "2026-000123",
            "case_title": "Aanvraag parkeerkaart",
            "case_url": "https://loket.example/mijn-dossiers/2026-000123",
            "still_expected": "een kopie van uw inschrijvingsbewijs",
            "due_date": "15 december 2026",
        },
        "texts": {
            "nl": (
                "Herinnering: uw dossier {{ case_reference }}",
                "Beste {{ first_name }},\n\nWe wachten nog op {{ still_expected }} voor uw "
                "dossier {{ case_title }} ({{ case_reference }}).\nStuur het ons voor "
                "{{ due_date }}: {{ case_url }}\nDeed u dat al? Dan mag u dit bericht "
                "negeren.\n\nMet vriendelijke groeten,\nUw gemeente",
                "Herinnering: we wachten nog op {{ still_expected }} voor dossier "
                "{{ case_reference }}. {{ case_url }}",
            ),
            "fr": (
                "Rappel : votre dossier {{ case_reference }}",
                "Bonjour {{ first_name }},\n\nNous attendons encore {{ still_expected }} pour "
                "votre dossier {{ case_title }} ({{ case_reference }}).\nEnvoyez-le avant le "
                "{{ due_date }} : {{ case_url }}\nDéjà fait ? Ignorez ce message.\n\n"
                "Cordialement,\nVotre commune",
                "Rappel : nous attendons {{ still_expected }} pour le dossier "
                "{{ case_reference }}. {{ case_url }}",
            ),
            "en": (
                "Reminder: your case {{ case_reference }}",
                "Dear {{ first_name }},\n\nWe are still waiting for {{ still_expected }} for "
                "your case {{ case_title }} ({{ case_reference }}).\nSend it to us before "
                "{{ due_date }}: {{ case_url }}\nAlready done? Then ignore this message.\n\n"
                "Kind regards,\nYour municipality",
                "Reminder: we are waiting for {{ still_expected }} for case "
                "{{ case_reference }}. {{ case_url }}",
            ),
            "de": (
                "Erinnerung: Ihr Vorgang {{ case_reference }}",
                "Guten Tag {{ first_name }},\n\nWir warten noch auf {{ still_expected }} für "
                "Ihren Vorgang {{ case_title }} ({{ case_reference }}).\nSchicken Sie es uns "
                "bis {{ due_date }}: {{ case_url }}\nSchon erledigt? Dann ist alles gut.\n\n"
                "Mit freundlichen Grüßen\nIhre Gemeinde",
                "Erinnerung: Wir warten auf {{ still_expected }} für Vorgang "
                "{{ case_reference }}. {{ case_url }}",
            ),
        },
        "channels": ("email", "sms", "letter", "inbox"),
    },
    "case-submitted": {
        "name": "Aanvraag ontvangen",
        "placeholders": [*CASE_PLACEHOLDERS, "expected_date"],
        "sample": {
            "case_reference": "2026-000123",
            "case_title": "Aanvraag parkeerkaart",
            "case_url": "https://loket.example/mijn-dossiers/2026-000123",
            "expected_date": "22 december 2026",
        },
        "texts": {
            "nl": (
                "We hebben uw aanvraag ontvangen: {{ case_reference }}",
                "Beste {{ first_name }},\n\nWe hebben uw aanvraag {{ case_title }} goed "
                "ontvangen. Uw dossiernummer is {{ case_reference }}.\nU hoort van ons "
                "uiterlijk op {{ expected_date }}.\nU volgt alles op in uw dossier: "
                "{{ case_url }}\n\nMet vriendelijke groeten,\nUw gemeente",
                "We hebben uw aanvraag ontvangen. Nummer: {{ case_reference }}. Antwoord "
                "uiterlijk {{ expected_date }}.",
            ),
            "fr": (
                "Nous avons reçu votre demande : {{ case_reference }}",
                "Bonjour {{ first_name }},\n\nNous avons bien reçu votre demande "
                "{{ case_title }}. Votre numéro de dossier est {{ case_reference }}.\n"
                "Vous aurez une réponse au plus tard le {{ expected_date }}.\n"
                "Suivez tout ici : {{ case_url }}\n\nCordialement,\nVotre commune",
                "Demande reçue. Numéro : {{ case_reference }}. Réponse au plus tard le "
                "{{ expected_date }}.",
            ),
            "en": (
                "We have received your request: {{ case_reference }}",
                "Dear {{ first_name }},\n\nWe have received your request {{ case_title }}. "
                "Your case number is {{ case_reference }}.\nYou will hear from us by "
                "{{ expected_date }} at the latest.\nFollow it here: {{ case_url }}\n\n"
                "Kind regards,\nYour municipality",
                "We received your request. Number: {{ case_reference }}. Answer by "
                "{{ expected_date }}.",
            ),
            "de": (
                "Wir haben Ihren Antrag erhalten: {{ case_reference }}",
                "Guten Tag {{ first_name }},\n\nWir haben Ihren Antrag {{ case_title }} "
                "erhalten. Ihre Nummer ist {{ case_reference }}.\nSie hören von uns bis "
                "spätestens {{ expected_date }}.\nAlles dazu finden Sie hier: "
                "{{ case_url }}\n\nMit freundlichen Grüßen\nIhre Gemeinde",
                "Antrag erhalten. Nummer: {{ case_reference }}. Antwort bis "
                "{{ expected_date }}.",
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


def remove(apps, schema_editor):
    apps.get_model("notifications", "NotificationEvent").objects.filter(
        key__in=list(EVENTS)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0006_preference_language_paper_code_sent")]
    operations = [migrations.RunPython(install, remove)]
