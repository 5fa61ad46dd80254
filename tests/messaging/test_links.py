"""Signed links in e-mails: one-click unsubscribe (RFC 8058) and the Interested / Not interested responses."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client

from candidates.models import ConsentRecord, MergeRecord
from candidates.privacy import candidate_erase
from messaging import delivery, links, outbox, services
from messaging.models import Message
from talentcircles import events
from tests.factories import CandidateFactory, UserFactory

BODY = "Hi Ada,\n\nYour compiler work at Analytical caught my eye. Open to a call next week?\n\nGrace"


@pytest.fixture
def candidate(acme):
    return CandidateFactory(organization=acme.org, first_name="Ada", last_name="Lovelace", email="ada@example.net")


@pytest.fixture
def visitor() -> Client:
    """A mail client or a browser with no session and CSRF checks on, as a real one-click POST arrives."""
    return Client(enforce_csrf_checks=True)


def _sent(acme, candidate) -> Message:
    message = outbox.thread_start(
        org=acme.org, candidate=candidate, recruiter=acme.user, subject="Compilers at Acme", body=BODY
    )
    assert delivery.message_deliver(message.pk) == delivery.SENT
    message.refresh_from_db()
    return message


def _path(url: str) -> str:
    return urlsplit(url).path


def _tamper(token: str) -> str:
    value, signature = token.rsplit(".", 1)
    return f"{value}.{'0' if signature[0] != '0' else '1'}{signature[1:]}"


# --- Tokens ----------------------------------------------------------------------------------


def test_unsubscribe_tokens_are_stable_compact_and_mailto_safe(acme, candidate):
    token = links.unsubscribe_token(candidate)

    assert token == links.unsubscribe_token(candidate)
    assert len(token) <= 40
    assert all(c.isdigit() or c == "." or "a" <= c <= "z" for c in token)
    assert links.candidate_for_unsubscribe_token(token) == candidate
    # Some mail systems upper-case the local part of `unsubscribe+<token>@…`.
    assert links.candidate_for_unsubscribe_token(token.upper()) == candidate


@pytest.mark.parametrize("bad", ["", "nonsense", "1.2", "1.2.", "1.2.zzzz", "x" * 500, "1.2.3.4.5"])
def test_a_malformed_unsubscribe_token_names_nobody(db, bad):
    assert links.candidate_for_unsubscribe_token(bad) is None


def test_a_tampered_unsubscribe_token_names_nobody(acme, candidate):
    assert links.candidate_for_unsubscribe_token(_tamper(links.unsubscribe_token(candidate))) is None


def test_an_unsubscribe_token_signed_with_a_rotated_key_still_works(acme, candidate, settings):
    token = links.unsubscribe_token(candidate)
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40

    assert links.candidate_for_unsubscribe_token(token) == candidate
    assert links.unsubscribe_token(candidate) != token


def test_a_response_token_is_not_an_unsubscribe_token(acme, candidate):
    message = _sent(acme, candidate)
    response = links.response_token(message, Message.Classification.INTERESTED)
    unsubscribe = links.unsubscribe_token(candidate)

    assert links.candidate_for_unsubscribe_token(response) is None
    assert links.message_for_response_token(unsubscribe) is None
    assert links.message_for_response_token(response) == (message, Message.Classification.INTERESTED)


def test_only_outgoing_email_messages_have_response_links(acme, candidate):
    message = _sent(acme, candidate)
    reply = services.message_receive(thread=message.thread, channel=Message.Channel.EMAIL, body_text="Hi!")

    assert links.message_for_response_token(links.response_token(reply, Message.Classification.INTERESTED)) is None
    with pytest.raises(ValueError):
        links.response_token(message, Message.Classification.NEUTRAL)


def test_a_merged_away_candidates_link_unsubscribes_the_record_it_was_merged_into(acme, candidate):
    kept = CandidateFactory(organization=acme.org, email="ada.l@example.net")
    token = links.unsubscribe_token(candidate)
    merged_id = candidate.pk
    candidate.delete()
    MergeRecord.objects.create(organization=acme.org, kept=kept, merged_candidate_id=merged_id, merged_snapshot={})

    assert links.candidate_for_unsubscribe_token(token) == kept


def test_an_ids_token_gives_back_its_ids_under_its_own_salt_only(db):
    token = links.ids_token("tests.one", 7, 123456789, 36)

    assert token == links.ids_token("tests.one", 7, 123456789, 36)
    assert links.ids_from_token("tests.one", token, 3) == (7, 123456789, 36)
    assert links.ids_from_token("tests.one", token.upper(), 3) == (7, 123456789, 36)
    assert links.ids_from_token("tests.one", token, 2) is None  # not as many ids as expected
    assert links.ids_from_token("tests.two", token, 3) is None
    assert links.ids_from_token("tests.one", _tamper(token), 3) is None
    assert links.ids_from_token(links.UNSUBSCRIBE_SALT, token, 3) is None


def test_a_link_naming_another_organisations_candidate_is_404(acme, globex, candidate, visitor):
    # Correctly signed, but the candidate is not in the organisation the token names.
    forged = links._sign(links.UNSUBSCRIBE_SALT, f"{links._b36(globex.org.pk)}.{links._b36(candidate.pk)}")

    assert visitor.get(f"/u/{forged}").status_code == 404
    assert globex.client.post(f"/u/{forged}").status_code == 404
    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is None


# --- Unsubscribe -----------------------------------------------------------------------------


def test_the_unsubscribe_page_asks_and_changes_nothing(acme, candidate, visitor, seen_events):
    response = visitor.get(f"/u/{links.unsubscribe_token(candidate)}")

    assert response.status_code == 200
    assert b"Stop all messages from Acme Inc?" in response.content
    assert b'method="post"' in response.content
    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is None
    assert not ConsentRecord.objects.filter(candidate=candidate).exists()
    assert seen_events == []


def test_a_one_click_post_unsubscribes_without_cookies_or_csrf_token(acme, candidate, visitor, seen_events):
    response = visitor.post(
        f"/u/{links.unsubscribe_token(candidate)}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is not None
    consent = ConsentRecord.objects.get(candidate=candidate, purpose=ConsentRecord.Purpose.MESSAGES)
    assert consent.granted is False
    assert consent.source == ConsentRecord.Source.UNSUBSCRIBE_LINK
    assert consent.ip_address == "203.0.113.9"
    assert [e.kind for e in seen_events].count(events.UNSUBSCRIBED) == 1


def test_the_list_unsubscribe_header_of_a_sent_email_works(acme, candidate, visitor):
    _sent(acme, candidate)
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    https_url = header.split(",")[0].strip("<> ")

    assert visitor.post(_path(https_url), data={"List-Unsubscribe": "One-Click"}).status_code == 200

    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is not None


def test_unsubscribing_twice_is_harmless(acme, candidate, visitor, seen_events):
    url = f"/u/{links.unsubscribe_token(candidate)}"

    assert visitor.post(url).status_code == 200
    first = type(candidate).objects.get(pk=candidate.pk).unsubscribed_at
    assert visitor.post(url).status_code == 200
    assert visitor.get(url).status_code == 200  # now says it is done

    candidate.refresh_from_db()
    assert candidate.unsubscribed_at == first
    assert [e.kind for e in seen_events].count(events.UNSUBSCRIBED) == 1


def test_after_unsubscribing_no_message_goes_out(acme, candidate, visitor):
    pending = outbox.thread_start(
        org=acme.org, candidate=candidate, recruiter=acme.user, subject="Compilers at Acme", body=BODY
    )

    visitor.post(f"/u/{links.unsubscribe_token(candidate)}")

    assert delivery.message_deliver(pending.pk) == delivery.CANCELLED
    with pytest.raises(services.NotContactable):
        outbox.thread_start(org=acme.org, candidate=candidate, recruiter=acme.user, subject="Again", body=BODY)
    assert mail.outbox == []


def test_an_erased_candidates_link_shows_a_neutral_page(acme, candidate, visitor, seen_events):
    url = f"/u/{links.unsubscribe_token(candidate)}"
    candidate_erase(candidate=candidate, source=ConsentRecord.Source.ADMIN)
    seen_events.clear()

    for response in (visitor.get(url), visitor.post(url)):
        assert response.status_code == 200
        assert b"No more messages" in response.content
    assert seen_events == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_unsubscribe_link_is_404(acme, candidate, visitor, method):
    token = _tamper(links.unsubscribe_token(candidate))

    assert getattr(visitor, method)(f"/u/{token}").status_code == 404
    assert getattr(visitor, method)("/u/not-a-token").status_code == 404
    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is None


# --- One-click responses ---------------------------------------------------------------------


def _clicks(message: Message):
    return Message.objects.filter(thread=message.thread, channel=Message.Channel.CLICK)


def test_the_response_page_asks_and_records_nothing(acme, candidate, visitor, seen_events):
    acme.user.first_name, acme.user.last_name = "Grace", "Hopper"
    acme.user.save()
    message = _sent(acme, candidate)
    seen_events.clear()

    response = visitor.get(_path(links.response_url(message, Message.Classification.INTERESTED)))

    assert response.status_code == 200
    assert "Tell Grace Hopper you\u2019re interested?" in response.content.decode()
    assert not _clicks(message).exists()
    assert seen_events == []


@pytest.mark.parametrize(
    ("classification", "label"),
    [(Message.Classification.INTERESTED, "Interested"), (Message.Classification.NOT_INTERESTED, "Not interested")],
)
def test_a_click_records_the_response_once(acme, candidate, visitor, seen_events, classification, label):
    message = _sent(acme, candidate)
    seen_events.clear()
    url = _path(links.response_url(message, classification))

    assert visitor.post(url).status_code == 200
    assert visitor.post(url).status_code == 200  # a second click, or a client retrying

    click = _clicks(message).get()
    assert click.direction == Message.Direction.IN
    assert click.classification == classification
    assert click.body_text == f"Clicked “{label}”"
    clicked = [e for e in seen_events if e.kind == events.RESPONSE_CLICKED]
    assert len(clicked) == 1
    assert clicked[0].related == {"message_id": click.pk, "thread_id": message.thread_id}
    assert clicked[0].details["classification"] == classification


def test_changing_ones_mind_records_both_answers(acme, candidate, visitor):
    message = _sent(acme, candidate)

    visitor.post(_path(links.response_url(message, Message.Classification.INTERESTED)))
    visitor.post(_path(links.response_url(message, Message.Classification.NOT_INTERESTED)))

    assert sorted(_clicks(message).values_list("classification", flat=True)) == [
        Message.Classification.INTERESTED,
        Message.Classification.NOT_INTERESTED,
    ]


def test_the_links_in_a_sent_email_record_a_response(acme, candidate, visitor):
    message = _sent(acme, candidate)
    line = next(line for line in mail.outbox[0].body.splitlines() if line.startswith("Interested: "))

    response = visitor.post(_path(line.removeprefix("Interested: ")))

    assert response.status_code == 200
    assert "We told" in response.content.decode()
    assert _clicks(message).get().classification == Message.Classification.INTERESTED


def test_the_thank_you_page_links_to_the_portal_for_members(acme, candidate, visitor):
    candidate.user = UserFactory()
    candidate.save()
    message = _sent(acme, candidate)

    response = visitor.post(_path(links.response_url(message, Message.Classification.INTERESTED)))

    assert f'href="/c/{acme.org.slug}/inbox/{message.thread_id}/"' in response.content.decode()


def test_the_thank_you_page_has_no_portal_link_for_others(acme, candidate, visitor):
    message = _sent(acme, candidate)

    response = visitor.post(_path(links.response_url(message, Message.Classification.INTERESTED)))

    assert "response-portal-link" not in response.content.decode()


def test_an_erased_candidates_click_records_nothing(acme, candidate, visitor):
    message = _sent(acme, candidate)
    candidate_erase(candidate=candidate, source=ConsentRecord.Source.ADMIN)

    response = visitor.post(_path(links.response_url(message, Message.Classification.INTERESTED)))

    assert response.status_code == 200
    assert not _clicks(message).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_response_link_is_404(acme, candidate, visitor, method):
    message = _sent(acme, candidate)
    token = links.response_token(message, Message.Classification.INTERESTED)
    # Pointing a genuine signature at another classification is tampering too.
    swapped = token.replace(".i.", ".n.", 1)

    for bad in (_tamper(token), swapped, "nonsense"):
        assert getattr(visitor, method)(f"/r/{bad}").status_code == 404
    assert not _clicks(message).exists()


def test_a_response_link_for_a_deleted_message_is_404(acme, candidate, visitor):
    message = _sent(acme, candidate)
    url = _path(links.response_url(message, Message.Classification.INTERESTED))
    message.thread.delete()

    assert visitor.get(url).status_code == 404
    assert visitor.post(url).status_code == 404


# --- The mailto form -------------------------------------------------------------------------


def test_a_mail_to_the_unsubscribe_address_unsubscribes(acme, candidate, settings, seen_events):
    settings.INBOUND_EMAIL_DOMAIN = "in.example.com"
    token = links.unsubscribe_token(candidate)
    # Some servers upper-case the local part; a display name and angle brackets may come along.
    addresses = ["jobs@acme.example", f"<UNSUBSCRIBE+{token.upper()}@IN.EXAMPLE.COM>"]

    assert links.unsubscribe_by_email(addresses=addresses) == [candidate]
    assert links.unsubscribe_by_email(addresses=addresses) == [candidate]

    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is not None
    assert [e.kind for e in seen_events].count(events.UNSUBSCRIBED) == 1


def test_a_mail_to_an_unsubscribe_address_with_a_bad_token_or_domain_does_nothing(acme, candidate, settings):
    settings.INBOUND_EMAIL_DOMAIN = "in.example.com"
    token = links.unsubscribe_token(candidate)

    addresses = [f"unsubscribe+{_tamper(token)}@in.example.com", f"unsubscribe+{token}@elsewhere.example.com"]
    assert links.unsubscribe_by_email(addresses=addresses) == []

    candidate.refresh_from_db()
    assert candidate.unsubscribed_at is None
