"""Notification events and their templates, residents' contact points and preferences,
messages with their delivery log, the portal inbox, letters and bulk fan-outs."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from loket.notifications.constants import (
    PROBLEM_STATUSES,
    Channel,
    ContactKind,
    FanOutStatus,
    LetterStatus,
    MessageStatus,
    SelectionKind,
)

LANGUAGE_CHOICES = [("nl", "Nederlands"), ("fr", "Français"), ("en", "English"), ("de", "Deutsch")]


class NotificationEvent(models.Model):
    """Something Loket tells residents about, e.g. ``case-status-changed``. Declares the
    placeholders its templates may use; other modules pass them in ``context``."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True, default="")
    placeholders = models.JSONField(
        _("placeholders"),
        default=list,
        blank=True,
        help_text=_("Names the templates of this event may use, e.g. case_reference."),
    )
    sample_context = models.JSONField(
        _("sample values"),
        default=dict,
        blank=True,
        help_text=_("Example values for the preview."),
    )

    class Meta:
        verbose_name = _("notification event")
        verbose_name_plural = _("notification events")
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name


class MessageTemplate(models.Model):
    """The text of one event on one channel in one language. Placeholders are written
    ``{{ name }}``; nothing else of the Django template language is allowed."""

    event = models.ForeignKey(
        NotificationEvent,
        on_delete=models.CASCADE,
        related_name="templates",
        verbose_name=_("event"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=2, choices=LANGUAGE_CHOICES)
    subject = models.CharField(_("subject"), max_length=200, blank=True, default="")
    body = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["event__key", "channel", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel", "language"], name="notifications_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event.key} · {self.channel} · {self.language}"


class Topic(models.Model):
    """A subject residents can subscribe to (road works, waste collection, …)."""

    key = models.SlugField(_("key"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TopicSubscription(models.Model):
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="subscriptions")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "person"], name="notifications_sub_unique")
        ]

    def __str__(self) -> str:
        return f"subscription {self.pk}"


class ContactPoint(models.Model):
    """An e-mail address or mobile number of a resident. Used only once verified."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=ContactKind.choices)
    value = models.CharField(_("address or number"), max_length=254)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    code_hash = models.CharField(max_length=128, blank=True, default="")
    code_expires_at = models.DateTimeField(null=True, blank=True)
    code_attempts = models.PositiveSmallIntegerField(default=0)
    # When the last code was sent: a new one only after a cool-down (no text bombing).
    code_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "value"], name="notifications_contact_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.pk}"


class Preference(models.Model):
    """How a resident wants to hear from the municipality. Language and "paper only"
    default to what the register says of the person; a resident's own choice here
    takes precedence (blank / null: follow the register)."""

    person = models.OneToOneField("people.Person", on_delete=models.CASCADE, related_name="+")
    use_email = models.BooleanField(_("e-mail"), default=True)
    use_sms = models.BooleanField(_("text messages"), default=True)
    language = models.CharField(
        _("language"), max_length=2, choices=LANGUAGE_CHOICES, blank=True, default=""
    )
    paper_only = models.BooleanField(_("paper only"), null=True, blank=True, default=None)
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences {self.pk}"


class FanOut(models.Model):
    """One bulk send: personalised messages to a selection of residents."""

    event = models.ForeignKey(NotificationEvent, on_delete=models.PROTECT, related_name="+")
    selection_kind = models.CharField(max_length=10, choices=SelectionKind.choices)
    selection_value = models.CharField(max_length=200, blank=True, default="")
    context = models.JSONField(default=dict, blank=True)
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=FanOutStatus.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField()
    # Resumable queueing: persons are taken in id order; this is the last one done.
    last_person_id = models.BigIntegerField(default=0)
    recipients = models.PositiveIntegerField(default=0)
    queued_seconds = models.FloatField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The one-time token of the form that started it: a second submit of the same form
    # (a double click, a reload) is refused instead of sending everything twice.
    form_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Why it stopped when it did not finish (e.g. preparing the messages failed).
    reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("bulk message")
        verbose_name_plural = _("bulk messages")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"fan-out {self.pk}"


class Message(models.Model):
    """One message to one resident on one outward channel, and where it stands.

    The idempotency key is unique: a notify() repeated with the same key, a retry or a
    restarted worker never makes or sends a second message. It travels to the provider
    (SMS ``Idempotency-Key`` header, e-mail ``Message-ID``) so that a send repeated
    after a crash is recognised at the far end too.
    """

    idempotency_key = models.CharField(max_length=200, unique=True)
    event_key = models.CharField(max_length=100)
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    fanout = models.ForeignKey(
        FanOut, on_delete=models.CASCADE, null=True, blank=True, related_name="messages"
    )
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=2)
    recipient = models.CharField(max_length=400, blank=True, default="")
    subject = models.CharField(max_length=300, blank=True, default="")
    body = models.TextField(blank=True, default="")
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    # When it could first be sent (after quiet hours); the 10-second figure counts from here.
    ready_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    provider = models.CharField(max_length=60, blank=True, default="")
    provider_message_id = models.CharField(max_length=120, blank=True, default="")
    # The SMS gateway that may already have this message (a send to it timed out):
    # retries go to it only, with the same idempotency key (ADR 0005, failover).
    pinned_provider = models.CharField(max_length=60, blank=True, default="")
    reason = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_msg_due"),
            models.Index(fields=["fanout", "status"], name="notif_msg_fanout"),
            models.Index(fields=["provider_message_id"], name="notif_msg_provider_id"),
            models.Index(fields=["sent_at"], name="notif_msg_sent_at"),
            models.Index(
                fields=["-finished_at", "-id"],
                name="notif_msg_problems",
                condition=models.Q(status__in=PROBLEM_STATUSES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} message {self.pk}"


class MessageEvent(models.Model):
    """The delivery log: one line per thing that happened to a message."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=MessageStatus.choices)
    attempt = models.PositiveSmallIntegerField(default=0)
    detail = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.status} at {self.at:%Y-%m-%d %H:%M:%S}"


class InboxMessage(models.Model):
    """A message in the resident's portal inbox; every notification lands here."""

    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    idempotency_key = models.CharField(max_length=200, unique=True)
    event_key = models.CharField(max_length=100)
    fanout = models.ForeignKey(
        FanOut, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField()
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "-created_at"], name="notif_inbox_person")]

    def __str__(self) -> str:
        return self.subject


class Letter(models.Model):
    """A letter waiting for the paper print batch (see docs/protocols/letter-print-batch.md)."""

    message = models.OneToOneField(Message, on_delete=models.CASCADE, related_name="letter")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=2)
    recipient_name = models.CharField(max_length=210)
    postal_address = models.CharField(max_length=400)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=LetterStatus.choices)
    batch_reference = models.CharField(max_length=100, blank=True, default="")
    created_at = models.DateTimeField()
    batched_at = models.DateTimeField(null=True, blank=True)
    printed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"], name="notif_letter_status")]

    def __str__(self) -> str:
        return f"letter {self.pk}"
