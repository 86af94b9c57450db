"""Starting text for the catalogue's reminder of an online request a resident started
and left: sent once, three days after the last change, with a link to continue and the
day until which the unfinished request is kept. Staff change the text afterwards."""

from django.db import migrations

PLACEHOLDERS = ["service_title", "resume_url", "kept_until"]
SAMPLE = {
    "service_title": "Evenementenvergunning",
    "resume_url": "https://loket.example/aanvragen/evenementenvergunning/?stap=plan",
    "kept_until": "22/12/2026",
}

EVENTS = {
    "draft-reminder": {
        "name": "Herinnering: aanvraag niet afgewerkt",
        "placeholders": PLACEHOLDERS,
        "sample": SAMPLE,
        "texts": {
            "nl": (
                "Uw aanvraag is nog niet klaar: {{ service_title }}",
                "Beste {{ first_name }},\n\nU bent een aanvraag begonnen voor "
                "{{ service_title }}, maar u hebt ze nog niet ingediend.\n"
                "Ga verder waar u was gebleven: {{ resume_url }}\n\n"
                "We bewaren wat u al hebt ingevuld tot {{ kept_until }}. Daarna wissen we "
                "het, ook de bestanden die u hebt opgeladen.\n"
                "Hebt u de aanvraag niet meer nodig? Dan hoeft u niets te doen.\n\n"
                "Met vriendelijke groeten,\nUw gemeente",
                "U bent een aanvraag begonnen voor {{ service_title }}. Ga verder tot "
                "{{ kept_until }}: {{ resume_url }}",
            ),
            "fr": (
                "Votre demande n'est pas terminée : {{ service_title }}",
                "Bonjour {{ first_name }},\n\nVous avez commencé une demande pour "
                "{{ service_title }}, mais vous ne l'avez pas encore envoyée.\n"
                "Continuez là où vous vous êtes arrêté : {{ resume_url }}\n\n"
                "Nous gardons ce que vous avez déjà rempli jusqu'au {{ kept_until }}. "
                "Ensuite, nous l'effaçons, avec les fichiers que vous avez ajoutés.\n"
                "Vous n'avez plus besoin de cette demande ? Vous ne devez rien faire.\n\n"
                "Cordialement,\nVotre commune",
                "Vous avez commencé une demande pour {{ service_title }}. Continuez "
                "jusqu'au {{ kept_until }} : {{ resume_url }}",
            ),
            "en": (
                "Your request is not finished yet: {{ service_title }}",
                "Dear {{ first_name }},\n\nYou started a request for {{ service_title }}, "
                "but you have not sent it yet.\n"
                "Continue where you left off: {{ resume_url }}\n\n"
                "We keep what you filled in until {{ kept_until }}. After that we delete "
                "it, together with the files you uploaded.\n"
                "Don't need the request any more? Then you don't have to do anything.\n\n"
                "Kind regards,\nYour municipality",
                "You started a request for {{ service_title }}. Continue until "
                "{{ kept_until }}: {{ resume_url }}",
            ),
            "de": (
                "Ihr Antrag ist noch nicht fertig: {{ service_title }}",
                "Guten Tag {{ first_name }},\n\nSie haben einen Antrag für "
                "{{ service_title }} begonnen, aber noch nicht abgeschickt.\n"
                "Machen Sie dort weiter, wo Sie aufgehört haben: {{ resume_url }}\n\n"
                "Wir bewahren Ihre Angaben bis zum {{ kept_until }} auf. Danach löschen "
                "wir sie, auch die Dateien, die Sie hochgeladen haben.\n"
                "Brauchen Sie den Antrag nicht mehr? Dann müssen Sie nichts tun.\n\n"
                "Mit freundlichen Grüßen\nIhre Gemeinde",
                "Sie haben einen Antrag für {{ service_title }} begonnen. Machen Sie bis "
                "zum {{ kept_until }} weiter: {{ resume_url }}",
            ),
        },
        # No letter: a paper reminder of an online form helps nobody.
        "channels": ("email", "sms", "inbox"),
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
    dependencies = [("notifications", "0010_payment_events")]
    operations = [migrations.RunPython(install, remove)]
