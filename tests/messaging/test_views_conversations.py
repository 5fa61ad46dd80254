"""Recruiter pages: the conversations list, a thread and its reply form, the composer and the live check."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from candidates import search
from candidates.privacy import candidate_unsubscribe
from messaging import outbox, services
from messaging.models import MAX_BODY_CHARS, Message, Thread
from tests.factories import CandidateFactory, MembershipFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db
PERSONAL = (
    "Hi Ana, your talk on payment reconciliation at Initech stayed with me: the part about idempotent "
    "ledgers is exactly what our platform team is wrestling with. Would you be open to a 20-minute call "
    "next week to compare notes? No pressure either way."
)
GENERIC = "Hi there, I have an exciting opportunity for you. Let me know if you are interested."


@pytest.fixture
def ana(acme):
    return CandidateFactory(
        organization=acme.org,
        first_name="Ana",
        last_name="Silva",
        current_title="Staff Engineer",
        current_company="Initech",
        email="ana@example.net",
    )


def start(tenant, candidate, *, subject="Ledgers", body=PERSONAL, recruiter=None) -> Message:
    return outbox.thread_start(
        org=tenant.org, candidate=candidate, recruiter=recruiter or tenant.user, subject=subject, body=body
    )


def url(tenant, name, *args, query: str = "") -> str:
    path = reverse(name, args=[tenant.org.slug, *args])
    return f"{path}?{query}" if query else path


def nothing_written() -> bool:
    return not Thread.objects.exists() and not Message.objects.exists()


# --- the list -----------------------------------------------------------------------------------


def test_it_lists_conversations_with_their_last_message_status_and_replies(acme, ana):
    answered = start(acme, ana, subject="Ledgers")
    services.message_receive(thread=answered.thread, channel=Message.Channel.EMAIL, body_text="Yes, happy to talk!")
    quiet = start(acme, CandidateFactory(organization=acme.org, first_name="Bo"), subject="Compilers")

    response = acme.client.get(url(acme, "thread_list"))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Ledgers" in body and "Compilers" in body
    rows = {thread.pk: thread for thread in response.context["page"].object_list}
    assert rows[answered.thread_id].has_reply and not rows[quiet.thread_id].has_reply
    assert rows[answered.thread_id].last_excerpt == "Yes, happy to talk!"
    assert rows[quiet.thread_id].last_out_status == Message.Status.QUEUED
    assert response.context["total"] == 2
    assert "Replied" in body and "Awaiting answer" in body


def test_it_filters_mine_awaiting_and_by_candidate(acme, ana):
    colleague = MembershipFactory(organization=acme.org).user
    mine = start(acme, ana, subject="Mine")
    theirs = start(
        acme, CandidateFactory(organization=acme.org, first_name="Zed"), subject="Theirs", recruiter=colleague
    )
    services.message_receive(thread=theirs.thread, channel=Message.Channel.EMAIL, body_text="Tell me more")

    def subjects(query):
        return {t.subject for t in acme.client.get(url(acme, "thread_list", query=query)).context["page"].object_list}

    assert subjects("") == {"Mine", "Theirs"}
    assert subjects("show=mine") == {"Mine"}
    assert subjects("awaiting=1") == {"Theirs"}
    search.refresh([ana.pk])
    assert subjects("q=Silva") == {"Mine"}
    assert mine.thread.recruiter == acme.user


def test_it_shows_an_empty_state_and_a_no_match_state(acme, ana):
    assert b'id="threads-empty"' in acme.client.get(url(acme, "thread_list")).content
    start(acme, ana)
    response = acme.client.get(url(acme, "thread_list", query="q=nobody-by-this-name"))
    assert b'id="threads-no-match"' in response.content


def test_the_list_runs_the_same_number_of_queries_for_a_few_or_a_full_page(acme, django_assert_num_queries):
    def page_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert acme.client.get(url(acme, "thread_list")).status_code == 200
        return len(captured)

    for _ in range(3):
        start(acme, CandidateFactory(organization=acme.org, current_company="Initech"))
    few = page_queries()
    for _ in range(30):
        start(acme, CandidateFactory(organization=acme.org, current_company="Initech"))
    many = page_queries()
    assert few == many
    with django_assert_num_queries(many):
        acme.client.get(url(acme, "thread_list", query="page=2"))


# --- a thread -----------------------------------------------------------------------------------


def test_a_thread_shows_its_messages_in_order_with_status_and_badges(acme, ana):
    first = start(acme, ana)
    thread = first.thread
    Message.objects.filter(pk=first.pk).update(status=Message.Status.FAILED, last_error="550 mailbox full", attempts=5)
    services.message_receive(
        thread=thread, channel=Message.Channel.EMAIL, body_text="I am out of office", is_auto_reply=True
    )
    services.message_receive(
        thread=thread, channel=Message.Channel.EMAIL, body_text="Sounds great, call me", classification="interested"
    )
    cancelled = outbox.message_reply(thread=thread, sender=acme.user, body="Following up, Ana, on Initech.")
    Message.objects.filter(pk=cancelled.pk).update(
        status=Message.Status.CANCELLED, last_error="Ana replied, so the follow-up was stopped."
    )

    response = acme.client.get(url(acme, "thread_detail", thread.pk))

    assert response.status_code == 200
    body = response.content.decode()
    assert [m.pk for m in response.context["thread_messages"]] == list(
        thread.messages.order_by("created_at", "id").values_list("pk", flat=True)
    )
    assert "550 mailbox full" in body and "after 5 attempts" in body
    assert "Not sent: Ana replied, so the follow-up was stopped." in body
    assert "Automatic reply" in body and 'data-classification="interested"' in body
    assert "Sounds great, call me" in body


def test_a_reply_is_queued_in_the_thread(acme, ana):
    thread = start(acme, ana).thread

    response = acme.client.post(url(acme, "thread_reply", thread.pk), {"body": "Thanks {{ candidate.first_name }}!"})

    assert response.status_code == 302
    assert response["Location"] == url(acme, "thread_detail", thread.pk)
    reply = thread.messages.order_by("-id").first()
    assert reply.body_text == "Thanks Ana!" and reply.status == Message.Status.QUEUED
    assert reply.in_reply_to


def test_a_reply_with_errors_shows_them_and_writes_nothing(acme, ana):
    thread = start(acme, ana).thread
    before = Message.objects.count()

    empty = acme.client.post(url(acme, "thread_reply", thread.pk), {"body": ""})
    unknown = acme.client.post(url(acme, "thread_reply", thread.pk), {"body": "Hi {{ candidate.salary }}"})

    assert empty.status_code == unknown.status_code == 400
    assert empty.context["form"].errors["body"]
    assert "candidate.salary" in " ".join(unknown.context["form"].errors["body"])
    assert Message.objects.count() == before


def test_a_reply_to_an_unsubscribed_candidate_is_refused(acme, ana):
    thread = start(acme, ana).thread
    candidate_unsubscribe(candidate=ana, source="recruiter")
    before = Message.objects.count()

    response = acme.client.post(url(acme, "thread_reply", thread.pk), {"body": "One more thing, Ana."})

    assert response.status_code == 400
    assert "unsubscribed" in response.content.decode().lower()
    assert Message.objects.count() == before


# --- composing ----------------------------------------------------------------------------------


def test_compose_picks_a_candidate_by_search(acme, ana):
    search.refresh([ana.pk])
    response = acme.client.get(url(acme, "message_compose", query="q=Silva"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["found"]] == [ana.pk]


def test_compose_sends_a_personal_message_and_goes_to_the_thread(acme, ana):
    response = acme.client.post(
        url(acme, "message_compose", query=f"candidate={ana.pk}"),
        {
            "candidate": ana.pk,
            "action": "send",
            "subject": "Ledgers at {{ candidate.current_company }}",
            "body": PERSONAL,
        },
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url(acme, "thread_detail", thread.pk)
    message = thread.messages.get()
    assert message.subject == "Ledgers at Initech" and thread.candidate == ana and thread.recruiter == acme.user
    assert message.personalisation_score is not None
    followed = acme.client.get(response["Location"])
    assert "queued for sending" in followed.content.decode()


def test_compose_fills_in_a_template_and_previews_it(acme, ana):
    template = MessageTemplateFactory(organization=acme.org, owner=acme.user)

    loaded = acme.client.get(url(acme, "message_compose", query=f"candidate={ana.pk}&template={template.pk}"))
    assert loaded.context["form"].initial["body"] == template.body

    preview = acme.client.post(
        url(acme, "message_compose"),
        {
            "candidate": ana.pk,
            "action": "preview",
            "template": template.pk,
            "subject": template.subject,
            "body": template.body,
        },
    )
    assert preview.status_code == 200
    assert preview.context["draft"].body.startswith("Hi Ana,")
    assert "Staff Engineer" in preview.content.decode()
    assert nothing_written()

    chosen = acme.client.post(
        url(acme, "message_compose"), {"candidate": ana.pk, "action": "load", "template": template.pk}
    )
    assert chosen.context["form"].initial["subject"] == template.subject


def test_a_missing_token_is_a_form_error_naming_it(acme):
    bo = CandidateFactory(organization=acme.org, first_name="Bo", last_name="Berg", current_company="")

    response = acme.client.post(
        url(acme, "message_compose"),
        {"candidate": bo.pk, "action": "send", "subject": "Hi", "body": "Hello from {{ candidate.current_company }}"},
    )

    assert response.status_code == 400
    error = " ".join(response.context["form"].errors["body"])
    assert "candidate.current_company" in error and "Bo Berg" in error
    assert nothing_written()


def test_an_unknown_token_is_a_form_error_naming_it(acme, ana):
    response = acme.client.post(
        url(acme, "message_compose"),
        {"candidate": ana.pk, "action": "preview", "subject": "Hi {{ candidate.password }}", "body": PERSONAL},
    )
    assert response.status_code == 400
    assert "candidate.password" in " ".join(response.context["form"].errors["subject"])


def test_a_body_over_50000_characters_is_refused(acme, ana):
    response = acme.client.post(
        url(acme, "message_compose"),
        {"candidate": ana.pk, "action": "send", "subject": "Hi", "body": "x" * (MAX_BODY_CHARS + 1)},
    )
    assert response.status_code == 400
    error = " ".join(response.context["form"].errors["body"])
    assert "50,000" in error
    assert nothing_written()


def test_an_unsubscribed_candidate_is_refused_with_a_clear_message(acme, ana):
    candidate_unsubscribe(candidate=ana, source="recruiter")

    page = acme.client.get(url(acme, "message_compose", query=f"candidate={ana.pk}"))
    response = acme.client.post(
        url(acme, "message_compose"), {"candidate": ana.pk, "action": "send", "subject": "Hi", "body": PERSONAL}
    )

    assert "can't be messaged: unsubscribed from all messages" in page.content.decode()
    assert response.status_code == 400
    assert "Ana Silva can't be messaged: unsubscribed from all messages." in response.content.decode()
    assert nothing_written()


def test_the_live_check_scores_the_draft_and_rises_with_a_personal_fact(acme, ana):
    def check(body):
        response = acme.client.post(
            url(acme, "message_check"), {"candidate": ana.pk, "subject": "A role", "body": body}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        return response

    generic = check(GENERIC)
    personal = check(GENERIC + " I loved your work at Initech as a Staff Engineer.")

    assert generic.context["check"].score < personal.context["check"].score
    assert 'data-code="generic"' in generic.content.decode()
    assert 'data-code="generic"' not in personal.content.decode()
    assert nothing_written()


def test_the_live_check_shows_token_errors_instead_of_a_score(acme, ana):
    bad = acme.client.post(url(acme, "message_check"), {"candidate": ana.pk, "subject": "", "body": "Hi {{ nope }}"})
    empty = acme.client.post(url(acme, "message_check"), {"candidate": ana.pk, "subject": "", "body": ""})

    assert bad.status_code == 200 and "nope" in bad.content.decode() and bad.context["check"] is None
    assert empty.context["check"] is None


def test_the_candidate_page_panel_lists_their_conversations(acme, ana):
    start(acme, ana, subject="Ledgers")
    start(acme, CandidateFactory(organization=acme.org), subject="Someone else")

    response = acme.client.get(url(acme, "candidate_conversations", ana.pk))

    assert response.status_code == 200
    assert "Ledgers" in response.content.decode() and "Someone else" not in response.content.decode()
    detail = acme.client.get(reverse("candidate_detail", args=[acme.org.slug, ana.pk])).content.decode()
    assert url(acme, "candidate_conversations", ana.pk) in detail
    assert f"{url(acme, 'message_compose')}?candidate={ana.pk}" in detail


# --- tenancy ------------------------------------------------------------------------------------


def test_another_organisations_threads_candidates_and_templates_are_404(acme, globex):
    theirs = CandidateFactory(organization=globex.org, first_name="Gil", current_company="Globex")
    thread = start(globex, theirs, body="Hi Gil, your work at Globex is great; shall we talk next week?").thread
    template = MessageTemplateFactory(organization=globex.org, owner=globex.user)
    count = Message.objects.count()

    assert acme.client.get(url(acme, "thread_detail", thread.pk)).status_code == 404
    assert acme.client.post(url(acme, "thread_reply", thread.pk), {"body": "hi"}).status_code == 404
    assert acme.client.get(url(acme, "message_compose", query=f"candidate={theirs.pk}")).status_code == 404
    assert (
        acme.client.post(
            url(acme, "message_compose"), {"candidate": theirs.pk, "action": "send", "subject": "x", "body": "y"}
        ).status_code
        == 404
    )
    assert acme.client.post(url(acme, "message_check"), {"candidate": theirs.pk, "body": "x"}).status_code == 404
    assert acme.client.get(url(acme, "candidate_conversations", theirs.pk)).status_code == 404
    ana = CandidateFactory(organization=acme.org)
    foreign_template = url(acme, "message_compose", query=f"candidate={ana.pk}&template={template.pk}")
    assert acme.client.get(foreign_template).status_code == 404
    assert Message.objects.count() == count
    listed = acme.client.get(url(acme, "thread_list")).context["page"].object_list
    assert list(listed) == []


@pytest.mark.parametrize(
    "name", ["thread_list", "message_compose", "message_check", "template_list", "template_create", "unmatched_list"]
)
def test_pages_without_ids_are_404_for_non_members(acme, globex, name):
    assert acme.client.get(url(globex, name)).status_code == 404
    assert acme.client.post(url(globex, name), {}).status_code == 404


def test_timestamps_are_shown(acme, ana):
    message = start(acme, ana)
    Message.objects.filter(pk=message.pk).update(status=Message.Status.SENT, sent_at=timezone.now())
    assert b"Sent <time" in acme.client.get(url(acme, "thread_detail", message.thread_id)).content
