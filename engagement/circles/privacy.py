"""The talent community's part of a person's data rights: their "my data" sections and erasure.

The sections are registered with `candidates.privacy.register_data_section` from
`EngagementConfig.ready()`; `on_erased` is added to the timeline's receiver for ERASED events, so it
runs inside the erasure's transaction.
"""

from __future__ import annotations

from candidates.models import Candidate
from engagement.circles.models import CircleMembership, CommunityInvitation, DigestDelivery, Rsvp
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

    Invitations and the record of digested posts go. Memberships and RSVPs stay: they now
    point at an anonymous row and carry nothing personal, so member counts and seats taken
    remain correct.
    """
    CommunityInvitation.objects.filter(candidate_id=candidate_id).delete()
    DigestDelivery.objects.filter(candidate_id=candidate_id).delete()


def on_erased(event: events.CandidateEvent) -> None:
    erase_community_data(event.candidate_id)
