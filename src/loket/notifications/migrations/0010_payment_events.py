"""Starting texts for the payments module's events: the confirmation that a payment
was received, and the reminder of an order unpaid past its due date (at most two).
Staff change the texts afterwards."""

from django.db import migrations

PLACEHOLDERS = [
    "order_reference",
    "order_description",
    "amount",
    "order_url",
    "due_date",
    "structured_communication",
]
SAMPLE = {
    "order_reference": "B2026-000123",
    "order_description": "Zaalhuur De Schakel",
    "amount": "€ 126,00",
    "order_url": "https://loket.example/betalen/bestelling/B2026-000123/",
    "due_date": "15/12/2026",
    "structured_communication": "+++090/0000/00197+++",
}

EVENTS = {
    "payment-received": {
        "name": "Betaling ontvangen",
        "placeholders": PLACEHOLDERS,
        "sample": SAMPLE,
        "texts": {
            "nl": (
                "Betaling ontvangen: {{ order_reference }}",
                "Beste {{ first_name }},\n\nWe ontvingen uw betaling van {{ amount }} voor "
                "{{ order_description }} ({{ order_reference }}). Dank u wel.\n"
                "Uw ontvangstbewijs vindt u hier: {{ order_url }}\n\n"
                "Met vriendelijke groeten,\nUw gemeente",
                "We ontvingen uw betaling van {{ amount }} voor {{ order_reference }}. Dank u.",
            ),
            "fr": (
                "Paiement reçu : {{ order_reference }}",
                "Bonjour {{ first_name }},\n\nNous avons reçu votre paiement de {{ amount }} "
                "pour {{ order_description }} ({{ order_reference }}). Merci.\n"
                "Votre reçu se trouve ici : {{ order_url }}\n\nCordialement,\nVotre commune",
                "Nous avons reçu votre paiement de {{ amount }} pour {{ order_reference }}. Merci.",
            ),
            "en": (
                "Payment received: {{ order_reference }}",
                "Dear {{ first_name }},\n\nWe received your payment of {{ amount }} for "
                "{{ order_description }} ({{ order_reference }}). Thank you.\n"
                "Your receipt is here: {{ order_url }}\n\nKind regards,\nYour municipality",
                "We received your payment of {{ amount }} for {{ order_reference }}. Thank you.",
            ),
            "de": (
                "Zahlung erhalten: {{ order_reference }}",
                "Guten Tag {{ first_name }},\n\nWir haben Ihre Zahlung von {{ amount }} für "
                "{{ order_description }} ({{ order_reference }}) erhalten. Vielen Dank.\n"
                "Ihre Quittung finden Sie hier: {{ order_url }}\n\n"
                "Mit freundlichen Grüßen\nIhre Gemeinde",
                "Wir haben Ihre Zahlung von {{ amount }} für {{ order_reference }} erhalten. "
                "Danke.",
            ),
        },
        "channels": ("email", "sms", "letter", "inbox"),
    },
    "payment-reminder": {
        "name": "Herinnering: nog te betalen",
        "placeholders": PLACEHOLDERS,
        "sample": SAMPLE,
        "texts": {
            "nl": (
                "Herinnering: nog te betalen {{ order_reference }}",
                "Beste {{ first_name }},\n\nWe ontvingen nog geen betaling van {{ amount }} "
                "voor {{ order_description }} ({{ order_reference }}), te betalen voor "
                "{{ due_date }}.\nU betaalt online via {{ order_url }} of met een "
                "overschrijving met de gestructureerde mededeling "
                "{{ structured_communication }}.\nBetaalde u al? Dan mag u dit bericht "
                "negeren.\n\nMet vriendelijke groeten,\nUw gemeente",
                "Herinnering: nog {{ amount }} te betalen voor {{ order_reference }}. "
                "{{ order_url }}",
            ),
            "fr": (
                "Rappel : montant à payer {{ order_reference }}",
                "Bonjour {{ first_name }},\n\nNous n'avons pas encore reçu le paiement de "
                "{{ amount }} pour {{ order_description }} ({{ order_reference }}), à payer "
                "avant le {{ due_date }}.\nPayez en ligne via {{ order_url }} ou par virement "
                "avec la communication structurée {{ structured_communication }}.\n"
                "Déjà payé ? Ignorez ce message.\n\nCordialement,\nVotre commune",
                "Rappel : {{ amount }} à payer pour {{ order_reference }}. {{ order_url }}",
            ),
            "en": (
                "Reminder: still to pay {{ order_reference }}",
                "Dear {{ first_name }},\n\nWe have not yet received your payment of "
                "{{ amount }} for {{ order_description }} ({{ order_reference }}), due "
                "before {{ due_date }}.\nPay online at {{ order_url }} or by bank transfer "
                "with the structured communication {{ structured_communication }}.\n"
                "Already paid? Then ignore this message.\n\nKind regards,\nYour municipality",
                "Reminder: {{ amount }} still to pay for {{ order_reference }}. {{ order_url }}",
            ),
            "de": (
                "Erinnerung: noch zu zahlen {{ order_reference }}",
                "Guten Tag {{ first_name }},\n\nWir haben Ihre Zahlung von {{ amount }} für "
                "{{ order_description }} ({{ order_reference }}), fällig bis {{ due_date }}, "
                "noch nicht erhalten.\nZahlen Sie online unter {{ order_url }} oder per "
                "Überweisung mit der strukturierten Mitteilung "
                "{{ structured_communication }}.\nSchon bezahlt? Dann ist alles gut.\n\n"
                "Mit freundlichen Grüßen\nIhre Gemeinde",
                "Erinnerung: noch {{ amount }} zu zahlen für {{ order_reference }}. "
                "{{ order_url }}",
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
    dependencies = [("notifications", "0009_document_events")]
    operations = [migrations.RunPython(install, remove)]
