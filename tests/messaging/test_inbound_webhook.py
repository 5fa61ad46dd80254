"""POST /inbound/email: signed raw mail in, stored once; every refusal answered with its status and nothing stored."""

from __future__ import annotations

import io
import time

import pytest
from django.core.handlers.asgi import ASGIRequest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from messaging.inbound.ingest import MAX_RAW_BYTES
from messaging.models import InboundEmail, Message
from messaging.webhooks import inbound_email, inbound_signature
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


# --- Every refusal: the status code, and nothing stored; whatever is stored keeps its raw bytes -------


def signed(body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {
        "HTTP_X_TALENTCIRCLES_TIMESTAMP": stamp,
        "HTTP_X_TALENTCIRCLES_SIGNATURE": inbound_signature(SECRET, stamp, body),
    }


def nothing_stored() -> bool:
    return not InboundEmail.objects.exists() and not Message.objects.incoming().exists()


@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def test_it_refuses_every_method_but_post(sent, method):
    body = sent.mail("gmail_reply.eml")

    response = Client().generic(method, URL, data=body, content_type="message/rfc822", **signed(body))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert nothing_stored()


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data; boundary=x", "text/html"])
def test_it_refuses_other_content_types_even_signed(sent, content_type):
    body = sent.mail("gmail_reply.eml")

    response = Client().post(URL, data=body, content_type=content_type, **signed(body))

    assert response.status_code == 415
    assert response.json() == {
        "status": "refused",
        "error": "Send the raw message as message/rfc822 or application/octet-stream.",
    }
    assert nothing_stored()


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_TALENTCIRCLES_TIMESTAMP": "not-a-number"},
        {"HTTP_X_TALENTCIRCLES_TIMESTAMP": "-1"},
        {"HTTP_X_TALENTCIRCLES_TIMESTAMP": "1" * 13},  # digits, but no plausible unix time
        {"HTTP_X_TALENTCIRCLES_TIMESTAMP": ""},
        {"HTTP_X_TALENTCIRCLES_SIGNATURE": ""},
        {"HTTP_X_TALENTCIRCLES_SIGNATURE": "not hex at all"},
    ],
    ids=["letters", "negative", "thirteen-digits", "no-timestamp", "no-signature", "not-hex"],
)
def test_it_refuses_malformed_signature_headers(sent, headers):
    body = sent.mail("gmail_reply.eml")

    response = Client().post(URL, data=body, content_type="message/rfc822", **{**signed(body), **headers})

    assert response.status_code == 403
    assert response.json()["error"] == "Missing, stale or wrong signature."
    assert nothing_stored()


def test_a_signature_in_upper_case_hex_is_the_same_signature(sent):
    body = sent.mail("gmail_reply.eml")
    headers = signed(body)
    headers["HTTP_X_TALENTCIRCLES_SIGNATURE"] = headers["HTTP_X_TALENTCIRCLES_SIGNATURE"].upper()

    assert Client().post(URL, data=body, content_type="message/rfc822", **headers).status_code == 202


@pytest.mark.parametrize("body", [b"", b"  \r\n\t\r\n"], ids=["empty", "blank"])
def test_a_signed_empty_body_is_a_400(inbound_settings, db, body):
    response = post(body)

    assert response.status_code == 400
    assert response.json()["error"] == "The body is empty: send the raw message."
    assert nothing_stored()


def test_an_unreadable_content_length_is_a_400(sent):
    body = sent.mail("gmail_reply.eml")

    response = post(body, CONTENT_LENGTH="forty")

    assert response.status_code == 400
    assert response.json()["error"] == "Bad Content-Length."
    assert nothing_stored()


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_read(sent):
    # A small body behind a huge Content-Length: refused on the header alone.
    response = post(sent.mail("gmail_reply.eml"), CONTENT_LENGTH=str(MAX_RAW_BYTES + 1))

    assert response.status_code == 413
    assert nothing_stored()


def _asgi_request(body: bytes, headers: dict[str, str]) -> ASGIRequest:
    """A request as an ASGI server hands it over for a chunked upload: the body, and no Content-Length."""
    scope = {
        "type": "http", "method": "POST", "path": URL, "query_string": b"", "server": ("testserver", 80),
        "headers": [(b"content-type", b"message/rfc822")]
        + [(name[5:].replace("_", "-").lower().encode(), value.encode()) for name, value in headers.items()],
    }  # fmt: skip
    return ASGIRequest(scope, io.BytesIO(body))


def test_a_chunked_body_over_the_limit_is_refused_after_reading_no_more_than_the_limit(sent):
    body = b"From: a@x.test\nSubject: big\n\n" + b"x" * MAX_RAW_BYTES

    response = inbound_email(_asgi_request(body, signed(body)))

    assert response.status_code == 413
    assert nothing_stored()


def test_a_chunked_body_under_the_limit_is_stored(sent):
    body = sent.mail("gmail_reply.eml")

    response = inbound_email(_asgi_request(body, signed(body)))

    assert response.status_code == 202
    assert bytes(InboundEmail.objects.get().raw) == body


def test_a_database_that_refuses_the_write_gets_503_so_the_sender_retries(sent, caplog):
    body = sent.mail("gmail_reply.eml")

    def refuse_inserts(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("INSERT") and "messaging_inboundemail" in sql:
            raise OperationalError("the database is read-only just now")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_inserts):
        refused = post(body)

    assert refused.status_code == 503
    assert refused.json() == {"status": "error", "error": "Temporarily unable to store the message."}
    assert "Inbound e-mail could not be stored" in caplog.text
    assert nothing_stored()
    # The sender's retry finds the database back and the mail is stored, once.
    assert post(body).status_code == 202
    assert InboundEmail.objects.count() == 1 and Message.objects.incoming().count() == 1


def test_mail_that_is_not_an_e_mail_is_kept_raw_as_refused_and_never_filed(inbound_settings, db):
    body = b"\x00\xff\xfe\x80\x81 garbage with no headers at all"

    first = post(body)
    again = post(body)

    assert (first.status_code, again.status_code) == (202, 200)
    refused = InboundEmail.objects.get()
    assert refused.status == InboundEmail.Status.REJECTED
    assert bytes(refused.raw) == body and refused.error == "Refused: not an e-mail (no headers)."
    assert refused.message is None and not Message.objects.exists()


def test_a_reply_with_an_unknown_token_is_kept_raw_and_waits_unmatched(sent):
    body = sent.mail("gmail_reply.eml", token="nosuchtoken", message_id="<unknown@nowhere.test>")

    response = post(body)

    assert response.status_code == 202 and response.json()["status"] == "unmatched"
    waiting = InboundEmail.objects.get()
    assert bytes(waiting.raw) == body
    assert waiting.message is None and not Message.objects.incoming().exists()
    assert sent.thread.messages.count() == 1  # our message only: nothing was filed under it


def test_an_unknown_token_in_an_address_naming_the_organisation_waits_in_its_unmatched_inbox(acme, sent):
    body = sent.mail("gmail_reply.eml", token=f"{acme.org.slug}", message_id="<unknown@nowhere.test>")

    assert post(body).json()["status"] == "unmatched"

    page = acme.client.get(reverse("unmatched_list", args=[acme.org.slug]))
    assert [mail.pk for mail in page.context["page"].object_list] == [InboundEmail.objects.get().pk]
