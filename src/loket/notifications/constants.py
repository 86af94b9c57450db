"""Enumerations of the notifications module."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")
    INBOX = "inbox", _("Portal inbox")


# Channels a message leaves Loket through (the inbox is written directly).
OUTWARD_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.LETTER)


class MessageStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    WAITING = "waiting", _("Waiting")  # quiet hours or a retry's backoff
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    PARKED = "parked", _("Parked")  # cannot be sent as it is (e.g. a broken template)
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATUSES = (
    MessageStatus.SENT,
    MessageStatus.DELIVERED,
    MessageStatus.FAILED,
    MessageStatus.BOUNCED,
    MessageStatus.PARKED,
    MessageStatus.CANCELLED,
)
PROBLEM_STATUSES = (MessageStatus.FAILED, MessageStatus.BOUNCED, MessageStatus.PARKED)


class ContactKind(models.TextChoices):
    EMAIL = "email", _("E-mail address")
    PHONE = "phone", _("Mobile number")


class FanOutStatus(models.TextChoices):
    QUEUEING = "queueing", _("Preparing")
    RUNNING = "running", _("Sending")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


class SelectionKind(models.TextChoices):
    EVERYONE = "everyone", _("Everyone")
    STREET = "street", _("A street")
    POSTCODE = "postcode", _("A postcode")
    AGE = "age", _("An age group")
    TOPIC = "topic", _("Subscribers of a topic")


class LetterStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the print batch")
    BATCHED = "batched", _("In a print batch")
    PRINTED = "printed", _("Printed")


LANGUAGES = ("nl", "fr", "en", "de")
FALLBACK_LANGUAGE = "nl"

# Delivery: retries with exponential backoff for at least RETRY_WINDOW, then failed.
RETRY_FIRST_DELAY = timedelta(seconds=30)
RETRY_MAX_DELAY = timedelta(hours=1)
RETRY_WINDOW = timedelta(hours=4)
# A claimed message not finished within this time is taken back by the sweep (the
# worker died); the retry reuses the idempotency key.
CLAIM_LEASE = timedelta(minutes=2)
# A queued message whose wake-up task was lost is woken again by the sweep after this.
WAKE_UP_GRACE = timedelta(minutes=2)
# Messages delivered per task, and created per bulk insert.
DELIVERY_BATCH = 200
QUEUE_BATCH = 2000
SENT_QUICKLY = timedelta(seconds=10)

# The portal header's unread count is kept in the cache framework per person, with the
# "inbox epoch" it was counted in; every change to any inbox (a new message, a fan-out,
# a message read) moves the epoch on, so a count from before is counted again. The time
# to live bounds what a cache that is not shared between processes can leave behind.
INBOX_UNREAD_KEY = "notifications:inbox-unread:{person_id}"
INBOX_EPOCH_KEY = "notifications:inbox-epoch"
INBOX_UNREAD_TTL_SECONDS = 60
