"""The talent community's part of a person's data rights: their "my data" sections and erasure.

The sections are registered with `candidates.privacy.register_data_section` from
`EngagementConfig.ready()`; `on_erased` is added to the timeline's receiver for ERASED events, so it
runs inside the erasure's transaction.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from candidates.models import Candidate
from engagement.circles.jobs.privacy import erase_job_interest_data
from engagement.circles.models import CircleMembership, CommunityInvitation, DigestDelivery, Post, Rsvp
from talentcircles import events


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def circles_data(candidate: Candidate) -> list[dict]:
    """The circles the person belongs to. Private circles are listed too: it is data held about them."""
    memberships = CircleMembership.objects.filter(candidate=candidate).select_related("circle").order_by("joined_at")
    return [
        {
            "circle": m.circle.name,
            "visibility": m.circle.visibility,
            "joined_via": m.joined_via,
            "joined_at": _iso(m.joined_at),
            "email_posts": m.email_posts,
        }
        for m in memberships
    ]


def rsvps_data(candidate: Candidate) -> list[dict]:
    answers = Rsvp.objects.filter(candidate=candidate).select_related("post").order_by("responded_at")
    return [
        {
            "event": r.post.title,
            "starts_at": _iso(r.post.starts_at),
            "response": r.response,
            "responded_at": _iso(r.responded_at),
        }
        for r in answers
    ]


def community_emails_data(candidate: Candidate) -> dict:
    """Which posts were e-mailed to the person, and the invitations they were sent."""
    return {
        "digest_posts": [
            {"post": title, "sent_at": _iso(sent_at)}
            for title, sent_at in DigestDelivery.objects.filter(candidate=candidate)
            .order_by("sent_at", "pk")
            .values_list("post__title", "sent_at")
        ],
        "invitations": [
            {"sent_at": _iso(sent_at), "accepted_at": _iso(accepted_at)}
            for sent_at, accepted_at in CommunityInvitation.objects.filter(candidate=candidate)
            .order_by("sent_at", "pk")
            .values_list("sent_at", "accepted_at")
        ],
    }


def erase_community_data(candidate_id: int) -> None:
    """Remove the community rows that describe the person's contact with us.

    Circle memberships, RSVPs (a seat taken at an event is freed), invitations and the record
    of digested posts go; interest in jobs loses its notes and résumé (jobs/privacy.py). What
    stays is anonymous: `Post.erased_attendees` for events already under way when they said
    "going" (attendance counts), and the timeline's rows of kind "joined a circle" or "RSVP"
    without their words (the timeline's receiver drops those).
    """
    CircleMembership.objects.filter(candidate_id=candidate_id).delete()
    rsvps = Rsvp.objects.filter(candidate_id=candidate_id)
    # An upcoming event gets its seat back; one already under way keeps an anonymous attendee.
    attended = rsvps.filter(response=Rsvp.Response.YES, post__starts_at__lte=timezone.now()).values("post_id")
    Post.objects.filter(pk__in=attended).update(erased_attendees=F("erased_attendees") + 1)
    rsvps.delete()
    CommunityInvitation.objects.filter(candidate_id=candidate_id).delete()
    DigestDelivery.objects.filter(candidate_id=candidate_id).delete()
    erase_job_interest_data(candidate_id)


def on_erased(event: events.CandidateEvent) -> None:
    erase_community_data(event.candidate_id)
