"""Text messages over real HTTP to the simulated gateways: failover, retries, callbacks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from loket.notifications import services
from loket.notifications.constants import Channel, MessageStatus
from loket.notifications.models import Message
from loket.notifications.providers import registry
from loket.notifications.selectors import message_failures, message_log
from loket.notifications.tests.conftest import make_resident

pytestmark = pytest.mark.django_db

CASE = {"case_reference": "R1", "case_title": "T", "status": "klaar", "case_url": "https://x"}


def _sms(phone: str = "0470 12 34 56", key: str = "sms-1", **fields: Any) -> Message:
    person = make_resident(phone=phone, **fields)
    result = services.notify(
        event="case-status-changed", person_id=person.pk, context=CASE, idempotency_key=key
    )
    return Message.objects.get(pk=result.message_ids[0])


def _deliver(message: Message, **kwargs: Any) -> Message:
    services.messages_deliver(message_ids=[message.pk], **kwargs)
    message.refresh_from_db()
    return message


def test_sms_goes_through_the_first_gateway(gateways: Any) -> None:
    first, second = gateways
    message = _deliver(_sms())
    assert message.channel == Channel.SMS
    assert message.status == MessageStatus.SENT
    (text,) = first.messages
    assert text["to"] == "+32470123456"
    assert text["idempotency_key"] == message.idempotency_key
    assert text["body"] == "Uw dossier R1 is nu: klaar. Meer: https://x"
    assert message.provider_message_id == text["id"]
    assert second.messages == []


def test_failover_when_the_first_gateway_is_down(gateways: Any) -> None:
    first, second = gateways
    first.mode = "down"
    message = _deliver(_sms())
    assert message.status == MessageStatus.SENT
    assert first.messages == []
    assert [t["to"] for t in second.messages] == ["+32470123456"]
    assert message.provider.startswith(f"sms:127.0.0.1:{second.port}")


def test_failover_when_the_first_gateway_answers_500(gateways: Any) -> None:
    first, second = gateways
    first.mode = "error"
    assert _deliver(_sms()).status == MessageStatus.SENT
    assert first.requests == 1
    assert len(second.messages) == 1


def test_all_gateways_failing_is_retried_then_delivered(gateways: Any) -> None:
    first, second = gateways
    first.mode, second.mode = "error", "error"
    now = timezone.now()
    message = _deliver(_sms(), now=now)
    assert message.status == MessageStatus.WAITING
    assert message.reason.count("answered 500") == 2
    assert message.next_attempt_at == now + timedelta(seconds=30)
    assert message.pinned_provider == ""  # a 500 takes nothing: any gateway may retry
    first.mode = "ok"  # the provider recovers
    later = now + timedelta(seconds=31)
    assert services.messages_sweep(now=later) == 1
    message = _deliver(message, now=later)
    assert message.status == MessageStatus.SENT
    assert len(first.messages) == 1
    assert [e[1] for e in message_log(message_id=message.pk)] == ["waiting", "sent"]


def test_a_timeout_is_retried_at_the_same_gateway_not_failed_over(gateways: Any) -> None:
    first, second = gateways
    first.mode = "timeout"  # it may still accept the text after we stopped waiting
    now = timezone.now()
    message = _deliver(_sms(), now=now)
    assert message.status == MessageStatus.WAITING
    assert "in time" in message.reason
    assert second.requests == 0  # no failover: that could send the text twice
    assert message.pinned_provider.startswith(f"sms:127.0.0.1:{first.port}")
    # Still slow on the next attempt, while the second gateway would answer: wait again.
    later = now + timedelta(seconds=31)
    services.messages_sweep(now=later)
    message = _deliver(message, now=later)
    assert message.status == MessageStatus.WAITING
    assert second.requests == 0
    first.mode = "ok"
    later += timedelta(minutes=2)
    services.messages_sweep(now=later)
    message = _deliver(message, now=later)
    assert message.status == MessageStatus.SENT
    assert second.requests == 0
    assert len(first.messages) == 1  # the slow attempts and the last one: one text
    assert message.provider_message_id == first.messages[0]["id"]


def test_a_timeout_after_a_failover_pins_the_second_gateway(gateways: Any) -> None:
    first, second = gateways
    first.mode, second.mode = "error", "timeout"
    now = timezone.now()
    message = _deliver(_sms(), now=now)
    assert message.status == MessageStatus.WAITING
    assert "answered 500" in message.reason
    assert "in time" in message.reason
    first.mode, second.mode = "ok", "ok"
    later = now + timedelta(seconds=31)
    services.messages_sweep(now=later)
    message = _deliver(message, now=later)
    assert message.status == MessageStatus.SENT
    assert first.messages == []  # the first gateway is not asked after the timeout
    assert len(second.messages) == 1


def test_a_repeated_send_after_a_crash_is_deduplicated_by_the_gateway(gateways: Any) -> None:
    first, _ = gateways
    message = _deliver(_sms())
    # The worker died after the gateway accepted but before the commit: the message is
    # claimed again after the lease and sent once more with the same key.
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.messages_sweep() == 1
    again = _deliver(message)
    assert again.status == MessageStatus.SENT
    assert first.requests == 2
    assert len(first.messages) == 1  # one text reached the phone
    assert again.provider_message_id == message.provider_message_id


def test_invalid_number_fails_with_a_reason(gateways: Any) -> None:
    message = _deliver(_sms(phone="12"))
    assert message.status == MessageStatus.FAILED
    assert message.reason == "not a valid mobile number"
    assert gateways[0].requests == 0


def _post(
    client: Client, body: bytes, headers: dict[str, str], url: str = "/berichten/sms-status"
) -> Any:
    parts = urlsplit(url)
    return client.post(
        parts.path + (f"?{parts.query}" if parts.query else ""),
        data=body,
        content_type="application/json",
        headers={k: v for k, v in headers.items() if k != "Content-Type"},
    )


def test_delivery_callbacks_update_the_log(gateways: Any, client: Client) -> None:
    first, _ = gateways
    delivered = _deliver(_sms(key="a"))
    bounced = _deliver(_sms(phone="+32470000999", key="b"))
    assert len(first.pending_callbacks) == 2
    for url, body, headers in first.pending_callbacks:
        assert url == (
            "http://127.0.0.1:8000/berichten/sms-status?gateway="
            + quote(delivered.provider, safe="")
        )
        assert _post(client, body, headers, url=url).status_code == 204
    delivered.refresh_from_db()
    bounced.refresh_from_db()
    assert delivered.status == MessageStatus.DELIVERED
    assert delivered.delivered_at is not None
    assert bounced.status == MessageStatus.BOUNCED
    assert [e[1] for e in message_log(message_id=bounced.pk)] == ["sent", "bounced"]


def test_a_callback_with_a_bad_signature_is_refused(gateways: Any, client: Client) -> None:
    first, _ = gateways
    message = _deliver(_sms())
    body, headers = first.callback_for(message.provider_message_id, "delivered")
    forged = body.replace(b"delivered", b"undeliverable")
    assert _post(client, forged, headers).status_code == 403
    stale = {**headers, "X-Loket-Timestamp": str(int(headers["X-Loket-Timestamp"]) - 3600)}
    assert _post(client, body, stale).status_code == 403
    assert _post(client, body, {}).status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert _post(client, body, headers).status_code == 204


def _check_in_production(tmp_path: Any, gateways: str) -> Any:
    import os
    import subprocess
    import sys

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("LOKET_", "DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))
    }
    env.update(
        LOKET_ENVIRONMENT="production",
        SECRET_KEY="x" * 60,
        ALLOWED_HOSTS="loket.example",
        LOKET_BASE_URL="https://loket.example",
        LOKET_DATA_DIR=str(tmp_path),
        LOKET_SMS_GATEWAYS=gateways,
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**env, "DJANGO_SETTINGS_MODULE": "loket.config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_a_loopback_sms_gateway(tmp_path: Any) -> None:
    for loopback in ("http://127.0.0.1:8003/v1", "http://localhost:9/v1"):
        done = _check_in_production(tmp_path, f"https://sms.provider.example/v1,{loopback}")
        assert done.returncode != 0
        assert "refuses an SMS gateway on loopback" in done.stderr
    fine = _check_in_production(tmp_path, "https://sms.provider.example/v1")
    assert fine.returncode == 0, fine.stderr[-2000:]


def test_simulators_refuse_to_start_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    from loket.simulators.sms_gateway import SmsGateway
    from loket.simulators.smtp_sink import SmtpSink

    monkeypatch.setenv("LOKET_ENVIRONMENT", "production")
    with pytest.raises(SystemExit):
        SmtpSink()
    with pytest.raises(SystemExit):
        SmsGateway(token="t", callback_secret="s")


@pytest.mark.parametrize(
    "timestamp",
    ["²", "٣", "1" * 5000, "-1", " 1", "1.5"],
    ids=["superscript", "arabic-indic", "5000-digits", "negative", "space", "decimal"],
)
def test_a_callback_with_an_odd_timestamp_is_refused_not_a_500(
    gateways: Any, client: Client, timestamp: str
) -> None:
    first, _ = gateways
    message = _deliver(_sms())
    body, headers = first.callback_for(message.provider_message_id, "delivered")
    assert _post(client, body, {**headers, "X-Loket-Timestamp": timestamp}).status_code == 403


def test_a_callback_with_a_non_ascii_signature_is_refused_not_a_500(
    gateways: Any, client: Client
) -> None:
    first, _ = gateways
    message = _deliver(_sms())
    body, headers = first.callback_for(message.provider_message_id, "delivered")
    odd = {**headers, "X-Loket-Signature": "sha256=é" + headers["X-Loket-Signature"][8:]}
    assert _post(client, body, odd).status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_a_slow_group_keeps_its_claim_so_the_sweep_does_not_send_it_again(
    gateways: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    first, _ = gateways
    monkeypatch.setattr(services, "CLAIM_LEASE", timedelta(seconds=0.4))
    messages = [_sms(phone=f"+3247000000{n}", key=f"slow-{n}") for n in range(4)]
    real = services._send_sms
    taken_back: list[int] = []

    def slow(message: Message) -> Any:
        time.sleep(0.3)  # a hanging gateway, in miniature
        taken_back.append(services.messages_sweep())  # another worker's sweep
        return real(message)

    monkeypatch.setattr(services, "_send_sms", slow)
    assert services.messages_deliver(message_ids=[m.pk for m in messages]) == 4
    assert taken_back == [0, 0, 0, 0]
    assert first.requests == 4


def test_delivery_reports_are_matched_by_gateway_and_id(gateways: Any, client: Client) -> None:
    """Two gateways may hand out the same id: a report names its gateway."""
    first, second = gateways
    one = _deliver(_sms(key="one"))
    second_name = registry.sms_providers()[1].name
    other = _sms(phone="0470 99 88 77", key="other")
    Message.objects.filter(pk=other.pk).update(
        status=MessageStatus.SENT, provider=second_name, provider_message_id=one.provider_message_id
    )
    body, headers = second.callback_for(one.provider_message_id, "undeliverable")
    url = "/berichten/sms-status?" + urlencode({"gateway": second_name})
    assert _post(client, body, headers, url=url).status_code == 204
    one.refresh_from_db()
    other.refresh_from_db()
    assert one.status == MessageStatus.SENT  # the first gateway's message is untouched
    assert other.status == MessageStatus.BOUNCED
    # Without the gateway, an id two messages share matches neither.
    body, headers = first.callback_for(one.provider_message_id, "delivered")
    assert _post(client, body, headers).status_code == 404
    one.refresh_from_db()
    assert one.status == MessageStatus.SENT


def test_a_late_bounce_moves_a_delivered_message_to_bounced(gateways: Any) -> None:
    message = _deliver(_sms())
    later = timezone.now() + timedelta(hours=2)
    assert services.message_record_delivery_status(
        provider=message.provider,
        provider_message_id=message.provider_message_id,
        status="delivered",
    )
    assert services.message_record_delivery_status(
        provider=message.provider,
        provider_message_id=message.provider_message_id,
        status="undeliverable",
        detail="mailbox gone",
        now=later,
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED
    assert message.reason == "bounced after it was reported delivered: mailbox gone"
    assert [e[1] for e in message_log(message_id=message.pk)] == ["sent", "delivered", "bounced"]
    failures, _ = message_failures()
    assert [m.pk for m in failures] == [message.pk]
    # A "delivered" repeated after that changes nothing.
    assert services.message_record_delivery_status(
        provider=message.provider,
        provider_message_id=message.provider_message_id,
        status="delivered",
    )
    message.refresh_from_db()
    assert message.status == MessageStatus.BOUNCED


def test_a_worker_dying_mid_send_retries_at_the_gateway_it_was_calling(gateways: Any) -> None:
    """The gateway is recorded before the call; after a crash the sweep pins the text
    to it, so the retry cannot go to another gateway (and send it twice)."""
    first, second = gateways
    first.mode = "down"
    message = _sms()
    crashed: list[str] = []
    original = type(registry.sms_providers()[1]).send
    second_name = registry.sms_providers()[1].name

    def die_after_sending(self: Any, sms: Any) -> Any:
        outcome = original(self, sms)
        if self.name == second_name and not crashed:
            crashed.append(self.name)
            raise SystemExit("worker killed")  # the answer never gets recorded
        return outcome

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(type(registry.sms_providers()[1]), "send", die_after_sending)
        with pytest.raises(SystemExit):
            services.messages_deliver(message_ids=[message.pk])
    message.refresh_from_db()
    assert message.status == MessageStatus.SENDING
    assert message.provider == crashed[0] == registry.sms_providers()[1].name
    first.mode = "ok"  # the first gateway is back: it must still not get this text
    services.messages_sweep(now=timezone.now() + timedelta(minutes=5))
    message.refresh_from_db()
    assert message.pinned_provider == crashed[0]
    message = _deliver(message)
    assert message.status == MessageStatus.SENT
    assert first.messages == []
    assert len(second.messages) == 1  # the repeat was recognised by its key
