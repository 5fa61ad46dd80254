"""Correcting a reply's classification on the thread page (htmx and plain) and through the API; tenancy;
and no recruiter path that lifts an opt-out."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from candidates.models import Candidate
from messaging.models import ClassificationCorrection, Message
from messaging.replies.classifier import classify
from messaging.services import message_receive
from tests.messaging.inbound_support import Sent, start_conversation
from tests.messaging.test_api import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(acme) -> Sent:
    return start_conversation(acme, email="sam@example.net")


def written(sent: Sent, text: str) -> Message:
    intent = classify(text)
    return message_receive(
        thread=sent.thread,
        channel=Message.Channel.EMAIL,
        body_text=text,
        classification=intent.classification,
        classification_reason=intent.reason,
    )


def classify_url(org, message) -> str:
    return f"/o/{org.slug}/messages/message/{message.pk}/classification/"


def api_url(message) -> str:
    return f"/api/v1/messages/{message.pk}/classification/"


def test_the_thread_shows_what_each_reply_was_read_as_and_why(acme, sent):
    written(sent, "Bitte keine E-Mails mehr")
    written(sent, "Ask me again in March")

    with CaptureQueriesContext(connection) as queries:
        page = acme.client.get(f"/o/{acme.org.slug}/messages/{sent.thread.pk}/")

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-classification="opt_out"' in html and "“keine E-Mails mehr” (de)" in html
    assert 'data-classification="later"' in html and "“Ask me again in” (en)" in html
    assert "Correcting an opt-out does not resubscribe the candidate" in html
    # The corrections of every reply come in one query, however many replies the thread has.
    assert sum("messaging_classificationcorrection" in q["sql"] for q in queries.captured_queries) == 1


def test_one_click_corrects_with_htmx_and_says_an_opt_out_stays(acme, sent):
    message = written(sent, "Unsubscribe")

    url = classify_url(acme.org, message)
    response = acme.client.post(url, {"classification": "interested"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-classification="interested"' in html
    assert "does not resubscribe" in html and "data-correction" in html
    assert Candidate.objects.get(pk=sent.candidate.pk).unsubscribed_at is not None
    assert ClassificationCorrection.objects.get(message=message).corrected_by == acme.user


def test_without_javascript_the_correction_redirects_to_the_thread(acme, sent):
    message = written(sent, "Thanks, received.")

    response = acme.client.post(classify_url(acme.org, message), {"classification": "not_interested"})

    assert response.status_code == 302 and response["Location"].endswith(f"#message-{message.pk}")
    assert Message.objects.get(pk=message.pk).classification == "not_interested"


def test_a_bad_value_is_a_form_error_not_a_500(acme, sent):
    message = written(sent, "Thanks, received.")

    response = acme.client.post(classify_url(acme.org, message), {"classification": "maybe"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 400 and "Choose one of" in response.content.decode()


def test_it_rejects_other_organisations(acme, globex, sent):
    message = written(sent, "Yes!")

    assert globex.client.post(classify_url(globex.org, message), {"classification": "neutral"}).status_code == 404
    assert post_json(token_client(globex), api_url(message), {"classification": "neutral"}).status_code == 404
    assert Message.objects.get(pk=message.pk).classification == "interested"


def post_json(client, url, payload):
    return client.post(url, payload, content_type="application/json")


def test_the_api_corrects_and_the_thread_api_shows_the_classification(acme, sent):
    opt_out = written(sent, "please stop emailing me and remove me from your list")
    later = written(sent, "Not right now, maybe next year.")
    client = token_client(acme)

    thread = client.get(f"/api/v1/threads/{sent.thread.pk}/").json()
    shown = {m["id"]: (m["classification"], m["classification_reason"]) for m in thread["messages"]}
    assert shown[opt_out.pk] == ("opt_out", "“stop emailing me” (en)")
    assert shown[later.pk][0] == "later"

    response = post_json(client, api_url(later), {"classification": "interested"})
    assert response.status_code == 200 and response.json()["classification"] == "interested"
    assert response.json()["classification_reason"].startswith("Corrected by")

    bad = post_json(client, api_url(later), {"classification": "maybe"})
    assert bad.status_code == 400 and "classification" in bad.json()
    outgoing = post_json(client, api_url(sent.message), {"classification": "neutral"})
    assert outgoing.status_code == 400 and "message" in outgoing.json()


def test_no_recruiter_path_lifts_an_opt_out(acme, sent):
    message = written(sent, "Unsubscribe me please")
    candidate = Candidate.objects.get(pk=sent.candidate.pk)
    assert candidate.unsubscribed_at is not None
    client = token_client(acme)

    post_json(client, api_url(message), {"classification": "interested"})
    client.patch(
        f"/api/v1/candidates/{candidate.pk}/",
        {"unsubscribed_at": None, "unsubscribed": False, "do_not_contact": False, "messages_consent": True},
        content_type="application/json",
    )
    acme.client.post(
        f"/o/{acme.org.slug}/candidates/{candidate.pk}/edit/",
        {"first_name": candidate.first_name, "last_name": candidate.last_name, "email": candidate.email,
         "stage": "engaged", "unsubscribed_at": "", "unsubscribed": "", "messages_consent": "on"},
    )  # fmt: skip

    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is not None
    assert candidate.message_block_reason() == "unsubscribed"
