"""POST /inbound/email: signed raw mail in, 403 for anything unsigned or stale, stored once."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from messaging.inbound.ingest import MAX_RAW_BYTES
from messaging.models import InboundEmail, Message
from messaging.webhooks import inbound_signature
from tests.messaging.inbound_support import SECRET, Sent, configure_inbound, start_conversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def inbound_settings(settings):
    return configure_inbound(settings)


@pytest.fixture
def sent(acme, inbound_settings) -> Sent:
    return start_conversation(acme)


URL = "/inbound/email"


def post(body: bytes, *, secret: str = SECRET, timestamp: int | None = None, signature: str | None = None, **extra):
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_TALENTCIRCLES_TIMESTAMP": stamp,
        "HTTP_X_TALENTCIRCLES_SIGNATURE": signature
        if signature is not None
        else inbound_signature(secret, stamp, body),
    }
    headers.update(extra)
    # An anonymous client with CSRF checks on: the provider has no session and no token.
    return Client(enforce_csrf_checks=True).post(URL, data=body, content_type="message/rfc822", **headers)


def test_the_url_is_named():
    assert reverse("inbound_email") == URL


def test_a_signed_reply_is_stored_and_matched(sent):
    response = post(sent.mail("gmail_reply.eml"))

    assert response.status_code == 202
    inbound = InboundEmail.objects.get()
    assert response.json() == {"status": "matched", "id": inbound.pk, "duplicate": False}
    assert inbound.message.thread == sent.thread


def test_octet_stream_is_accepted_too(sent):
    body = sent.mail("android_reply.eml")
    stamp = str(int(time.time()))
    response = Client().post(
        URL,
        data=body,
        content_type="application/octet-stream",
        HTTP_X_TALENTCIRCLES_TIMESTAMP=stamp,
        HTTP_X_TALENTCIRCLES_SIGNATURE=inbound_signature(SECRET, stamp, body),
    )

    assert response.status_code == 202


def test_an_unsigned_request_is_refused_and_nothing_stored(sent):
    response = Client().post(URL, data=sent.mail("gmail_reply.eml"), content_type="message/rfc822")

    assert response.status_code == 403
    assert not InboundEmail.objects.exists()


def test_a_wrong_signature_is_refused(sent):
    assert post(sent.mail("gmail_reply.eml"), secret="not-the-secret").status_code == 403
    assert post(sent.mail("gmail_reply.eml"), signature="zz" * 32).status_code == 403
    assert not InboundEmail.objects.exists()


def test_a_signature_over_another_body_is_refused(sent):
    stamp = str(int(time.time()))
    signature = inbound_signature(SECRET, stamp, b"something else")

    assert post(sent.mail("gmail_reply.eml"), timestamp=int(stamp), signature=signature).status_code == 403


@pytest.mark.parametrize("age", [-301, 301, 3600])
def test_a_stale_or_future_timestamp_is_refused(sent, age):
    response = post(sent.mail("gmail_reply.eml"), timestamp=int(time.time()) - age)

    assert response.status_code == 403
    assert not InboundEmail.objects.exists()


def test_nothing_is_accepted_while_no_secret_is_configured(sent, settings):
    settings.INBOUND_EMAIL_SECRET = ""

    assert post(sent.mail("gmail_reply.eml"), secret="").status_code == 403
    assert not InboundEmail.objects.exists()


def test_a_replayed_request_stores_the_mail_once(sent):
    body = sent.mail("gmail_reply.eml")
    stamp = int(time.time())

    first = post(body, timestamp=stamp)
    second = post(body, timestamp=stamp)

    assert first.status_code == 202 and second.status_code == 200
    assert second.json()["duplicate"] is True and second.json()["id"] == first.json()["id"]
    assert InboundEmail.objects.count() == 1
    assert Message.objects.incoming().count() == 1


def test_an_oversized_message_gets_413(sent):
    body = b"From: a@x.test\nSubject: big\n\n" + b"x" * (MAX_RAW_BYTES + 1)

    response = post(body)

    assert response.status_code == 413
    assert not InboundEmail.objects.exists()


def test_a_message_over_djangos_upload_limit_but_under_ours_is_accepted(sent, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = sent.mail("gmail_reply.eml") + b"\n" + b"padding " * 1000

    assert post(body).status_code == 202


def test_hostile_bytes_are_recorded_as_refused_not_a_500(inbound_settings, db):
    response = post(b"\x00\xff\xfe\x80\x81 garbage")

    assert response.status_code == 202
    assert response.json()["status"] == "rejected"


def test_other_content_types_and_methods_are_refused(inbound_settings, db):
    assert Client().post(URL, data={"a": "b"}).status_code == 415
    assert Client().get(URL).status_code == 405
