"""One rule for who may be messaged (`CandidateQuerySet.messageable`), and every sending path obeys it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from candidates.consent import consent_record
from candidates.models import MESSAGE_BLOCKS, Candidate, Suppression
from candidates.privacy import suppression_hash
from engagement.circles import services as circles
from engagement.circles.community import community_invite
from engagement.circles.digests import community_digests_send
from engagement.circles.invitations import community_invitations_send
from engagement.circles.models import CircleMembership, CommunityInvitation
from engagement.sequences.enrolment import enrollments_create
from messaging.bulk import bulk_compose
from messaging.services import skip_reasons
from tests.engagement.sequence_support import make_sequence

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def _set(**fields):
    return lambda candidate: Candidate.objects.filter(pk=candidate.pk).update(**fields)


def _withdraw_consent(candidate: Candidate) -> None:
    consent_record(candidate=candidate, purpose="messages", granted=False, source="portal")


def _suppress(candidate: Candidate) -> None:
    Suppression.objects.create(
        organization=candidate.organization, email_hash=suppression_hash(candidate.email), reason="bounced"
    )


# Each attribute alone, set without the services that would also set others (erasure also unsubscribes).
BLOCKS = {
    "erased": _set(erased_at=NOW),
    "unsubscribed": _set(unsubscribed_at=NOW),
    "do_not_contact": _set(do_not_contact=True),
    "undeliverable": _set(email_undeliverable=True),
    "no_email": _set(email=""),
    "no_consent": _withdraw_consent,
    "suppressed": _suppress,
}


def test_every_reason_has_a_blocking_attribute_here():
    assert set(BLOCKS) == set(MESSAGE_BLOCKS)


@pytest.fixture
def circle(acme):
    return circles.circle_create(org=acme.org, actor=acme.user, name="Backend Engineers", visibility="public")


@pytest.fixture
def people(acme, circle, make_candidate):
    """Two candidates alike, circle members who said yes to messages and get digests at once."""
    made = []
    for name in ("Fine", "Blocked"):
        candidate = make_candidate(acme, name, "Person", email=f"{name.lower()}@example.com", current_title="Engineer")
        Candidate.objects.filter(pk=candidate.pk).update(digest_frequency="immediately")
        consent_record(candidate=candidate, purpose="messages", granted=True, source="portal")
        circles.circle_join(candidate=candidate, circle=circle)
        made.append(candidate)
    CircleMembership.objects.update(joined_at=NOW - timedelta(days=1))
    return made


@pytest.mark.parametrize("reason", list(BLOCKS))
def test_each_blocking_attribute_keeps_the_candidate_out_of_every_path(
    reason, acme, circle, people, django_capture_on_commit_callbacks
):
    fine, blocked = people
    BLOCKS[reason](blocked)
    both = Candidate.objects.filter(pk__in=[fine.pk, blocked.pk])

    # The rule itself, for a queryset, a batch and one candidate.
    assert list(both.messageable()) == [fine]
    assert skip_reasons(org=acme.org, candidates=both) == {blocked.pk: reason}
    assert (blocked.message_block_reason(), fine.message_block_reason()) == (reason, None)

    # Bulk send: skipped with the reason's label.
    bulk = bulk_compose(org=acme.org, recruiter=acme.user, candidates=both, subject="Hello", body="Hi there",
                        preview_only=True)  # fmt: skip
    assert [(r.candidate.pk, r.problem) for r in bulk.skipped] == [(blocked.pk, MESSAGE_BLOCKS[reason])]

    # Enrolment in a sequence.
    enrolled = enrollments_create(
        org=acme.org, sequence=make_sequence(acme), enrolled_by=acme.user, candidate_ids=[fine.pk, blocked.pk]
    )
    assert [e.candidate_id for e in enrolled.enrolled] == [fine.pk] and enrolled.skipped == {blocked.pk: reason}

    # The community digest.
    post = circles.post_create(org=acme.org, circle=circle, author=acme.user, data={"title": "News"})
    circles.post_publish(post=post, now=NOW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        community_digests_send(now=NOW + timedelta(minutes=5))
    assert [message.to for message in mail.outbox] == [["fine@example.com"]]

    # A community invitation.
    invited = community_invite(org=acme.org, candidates=both, invited_by=acme.user)
    assert (invited.invited, invited.skipped) == (1, 1)
    assert list(CommunityInvitation.objects.values_list("candidate_id", flat=True)) == [fine.pk]


@pytest.mark.parametrize(("reason", "shown"), [("no_consent", "Withdrew consent"), ("suppressed", "suppression list")])
def test_the_candidate_page_says_why_they_cannot_be_contacted(reason, shown, acme, people):
    fine, blocked = people
    BLOCKS[reason](blocked)

    page = acme.client.get(reverse("candidate_detail", args=[acme.org.slug, blocked.pk])).content.decode()

    assert "Not contactable:" in page and shown in page
    assert (
        "Can be contacted."
        in acme.client.get(reverse("candidate_detail", args=[acme.org.slug, fine.pk])).content.decode()
    )


@pytest.mark.parametrize("reason", list(BLOCKS))
def test_an_invitation_is_not_sent_to_someone_blocked_since(reason, acme, people):
    fine, blocked = people
    community_invite(org=acme.org, candidates=Candidate.objects.filter(pk__in=[fine.pk, blocked.pk]), invited_by=None)
    BLOCKS[reason](blocked)
    mail.outbox.clear()

    assert community_invitations_send(list(CommunityInvitation.objects.values_list("pk", flat=True))) == 1
    assert [message.to for message in mail.outbox] == [["fine@example.com"]]
