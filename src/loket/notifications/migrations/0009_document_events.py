"""Starting texts for "your document is ready": sent when a document (a certificate or
a decision letter) is issued to a resident. Staff change the texts afterwards."""

from django.db import migrations

EVENTS = {
    "document-issued": {
        "name": "Document staat klaar",
        "placeholders": ["document_title", "document_code", "documents_url"],
        "sample": {
            "document_title": "Bewijs van woonst",
            "document_code": "K7QM-3XPA-9TRW",
            "documents_url": "https://loket.example/mijn-documenten/",
        },
        "texts": {
            "nl": (
                "Uw document {{ document_title }} staat klaar",
                "Beste {{ first_name }},\n\nUw document {{ document_title }} staat klaar. "
                "U downloadt het wanneer u wilt in Mijn documenten: {{ documents_url }}\n"
                "Wie het document krijgt, kan het controleren met de code "
                "{{ document_code }}.\nLiever op papier? Vraag het aan het loket.\n\n"
                "Met vriendelijke groeten,\nUw gemeente",
                "Uw document {{ document_title }} staat klaar in Mijn documenten: "
                "{{ documents_url }}",
            ),
            "fr": (
                "Votre document {{ document_title }} est prêt",
                "Bonjour {{ first_name }},\n\nVotre document {{ document_title }} est prêt. "
                "Vous le téléchargez quand vous voulez dans Mes documents : "
                "{{ documents_url }}\nQui reçoit le document peut le vérifier avec le code "
                "{{ document_code }}.\nVous le préférez sur papier ? Demandez-le au "
                "guichet.\n\nCordialement,\nVotre commune",
                "Votre document {{ document_title }} est prêt dans Mes documents : "
                "{{ documents_url }}",
            ),
            "en": (
                "Your document {{ document_title }} is ready",
                "Dear {{ first_name }},\n\nYour document {{ document_title }} is ready. "
                "Download it whenever you like from My documents: {{ documents_url }}\n"
                "Whoever receives it can check it with the code {{ document_code }}.\n"
                "Prefer paper? Ask for it at the counter.\n\n"
                "Kind regards,\nYour municipality",
                "Your document {{ document_title }} is ready in My documents: {{ documents_url }}",
            ),
            "de": (
                "Ihr Dokument {{ document_title }} liegt bereit",
                "Guten Tag {{ first_name }},\n\nIhr Dokument {{ document_title }} liegt "
                "bereit. Sie laden es jederzeit unter Meine Dokumente herunter: "
                "{{ documents_url }}\nWer das Dokument erhält, kann es mit dem Code "
                "{{ document_code }} prüfen.\nLieber auf Papier? Fragen Sie am Schalter "
                "danach.\n\nMit freundlichen Grüßen\nIhre Gemeinde",
                "Ihr Dokument {{ document_title }} liegt bereit unter Meine Dokumente: "
                "{{ documents_url }}",
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
    dependencies = [("notifications", "0008_default_topics")]
    operations = [migrations.RunPython(install, remove)]
