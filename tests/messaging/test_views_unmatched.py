"""The "Unmatched" inbox: list, assign to a candidate, discard; another organisation's mail is 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from candidates import search
from messaging.models import InboundEmail, Message, Thread
from tests.factories import CandidateFactory

pytestmark = pytest.mark.django_db


def url(tenant, name, *args, query: str = "") -> str:
    path = reverse(name, args=[tenant.org.slug, *args])
    return f"{path}?{query}" if query else path


def waiting(org, *, subject="Question about the role", sender="ana.private@example.org", n=0) -> InboundEmail:
    raw = (
        f"From: Ana <{sender}>\r\nTo: jobs@acme.example\r\nSubject: {subject}\r\n"
        f"Message-ID: <unmatched-{n}-{org.pk}@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Is the role still open? I would like to apply.\r\n"
    ).encode()
    return InboundEmail.objects.create(
        organization=org,
        status=InboundEmail.Status.UNMATCHED,
        dedup_key=f"<unmatched-{n}-{org.pk}@example.org>",
        message_id_header=f"<unmatched-{n}-{org.pk}@example.org>",
        from_email=sender,
        to_emails="jobs@acme.example",
        subject=subject,
        body_text="Is the role still open? I would like to apply.",
        raw=raw,
    )


def test_it_lists_waiting_mail_with_sender_subject_and_excerpt(acme, globex):
    mail = waiting(acme.org)
    waiting(globex.org, subject="Not yours", n=1)
    InboundEmail.objects.create(organization=acme.org, status=InboundEmail.Status.MATCHED, dedup_key="m", raw=b"x")

    response = acme.client.get(url(acme, "unmatched_list"))

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [mail]
    body = response.content.decode()
    assert "Question about the role" in body and "ana.private@example.org" in body and "still open" in body
    assert "Not yours" not in body


def test_it_shows_an_empty_state(acme):
    assert b'id="unmatched-empty"' in acme.client.get(url(acme, "unmatched_list")).content


def test_the_list_runs_the_same_number_of_queries_for_a_few_or_many(acme, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    waiting(acme.org)
    with CaptureQueriesContext(connection) as few:
        acme.client.get(url(acme, "unmatched_list"))
    for n in range(1, 30):
        waiting(acme.org, n=n)
    with django_assert_max_num_queries(len(few)):
        acme.client.get(url(acme, "unmatched_list"))


def test_it_assigns_mail_to_a_candidate_found_by_search(acme):
    ana = CandidateFactory(organization=acme.org, first_name="Ana", last_name="Silva", email="ana@example.net")
    mail = waiting(acme.org)

    search.refresh([ana.pk])
    page = acme.client.get(url(acme, "unmatched_assign", mail.pk, query="q=Silva"))
    assert page.status_code == 200 and [c.pk for c in page.context["found"]] == [ana.pk]
    response = acme.client.post(url(acme, "unmatched_assign", mail.pk), {"candidate": ana.pk})

    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(acme, "thread_detail", message.thread_id)
    assert message.thread.candidate == ana and message.direction == Message.Direction.IN
    mail.refresh_from_db()
    assert mail.status == InboundEmail.Status.ASSIGNED and mail.assigned_by == acme.user
    # Filed mail leaves the inbox.
    assert acme.client.get(url(acme, "unmatched_assign", mail.pk)).status_code == 404


def test_it_discards_mail(acme):
    mail = waiting(acme.org)

    response = acme.client.post(url(acme, "unmatched_discard", mail.pk))

    assert response.status_code == 302
    mail.refresh_from_db()
    assert mail.status == InboundEmail.Status.DISCARDED and mail.raw
    assert list(acme.client.get(url(acme, "unmatched_list")).context["page"].object_list) == []


def test_another_organisations_mail_or_candidate_is_404(acme, globex):
    theirs = waiting(globex.org, n=1)
    mine = waiting(acme.org, n=2)
    outsider = CandidateFactory(organization=globex.org)
    ana = CandidateFactory(organization=acme.org)

    assert acme.client.get(url(acme, "unmatched_assign", theirs.pk)).status_code == 404
    assert acme.client.post(url(acme, "unmatched_assign", theirs.pk), {"candidate": ana.pk}).status_code == 404
    assert acme.client.post(url(acme, "unmatched_discard", theirs.pk)).status_code == 404
    assert acme.client.post(url(acme, "unmatched_assign", mine.pk), {"candidate": outsider.pk}).status_code == 404
    assert acme.client.post(url(acme, "unmatched_assign", mine.pk), {"candidate": "x"}).status_code == 404
    theirs.refresh_from_db()
    mine.refresh_from_db()
    assert theirs.status == mine.status == InboundEmail.Status.UNMATCHED
    assert not Thread.objects.exists()
