"""One-click unsubscribe from community e-mail, without signing in: from one circle, or from all of it.

Two kinds of link, each a token signed the way messaging signs its recruiting unsubscribe link
(`messaging.links.ids_token`: the ids in base 36 and an HMAC of them with SECRET_KEY and a salt
of its own, so no kind of token is accepted as another; no expiry, since an unsubscribe link must
work for as long as the e-mail sits in a mailbox):

- **one circle** (`/c/<org>/unsubscribe/circle/<token>/`, organisation, candidate and circle):
  that circle's posts leave the candidate's e-mails (`CircleMembership.email_posts` off); they
  stay a member and still read the circle in the portal.
- **all community e-mail** (`/c/<org>/unsubscribe/<token>/`, organisation and candidate): the
  digest frequency becomes "never", so no circle's posts are e-mailed, and job alerts are turned
  off (engagement/circles/jobs/alerts/unsubscribe.py). This is the link in the digest's
  `List-Unsubscribe` header (RFC 8058 one-click).

Recruiting messages are not affected: they carry messaging's own link (`/u/<token>`), which stops
every e-mail. A link works only under the organisation it names. Each stop is recorded once on the
candidate's timeline (a repeated click changes nothing) and only the candidate undoes it, in the
portal (My circles, Preferences).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from candidates.models import Candidate, DigestFrequency
from candidates.services import candidate_set_digest_frequency
from engagement.circles.jobs.alerts.unsubscribe import job_alerts_stop
from engagement.circles.models import Circle, CircleMembership
from engagement.timeline.models import Activity
from engagement.timeline.services import activity_record
from messaging import links
from talentcircles.models import Organization

COMMUNITY_SALT = "engagement.circles.unsubscribe.community"
CIRCLE_SALT = "engagement.circles.unsubscribe.circle"


def community_unsubscribe_token(candidate: Candidate) -> str:
    """The candidate's token for "stop all community e-mail"; the same every time."""
    return links.ids_token(COMMUNITY_SALT, candidate.organization_id, candidate.pk)


def circle_unsubscribe_token(candidate: Candidate, circle_id: int) -> str:
    """The candidate's token for "stop this circle's posts"; the same every time."""
    return links.ids_token(CIRCLE_SALT, candidate.organization_id, candidate.pk, circle_id)


def community_unsubscribe_url(candidate: Candidate) -> str:
    """Absolute: for the footer and the List-Unsubscribe header."""
    token = community_unsubscribe_token(candidate)
    return settings.SITE_URL + reverse("community_unsubscribe", args=[candidate.organization.slug, token])


def circle_unsubscribe_url(candidate: Candidate, circle_id: int) -> str:
    """Absolute: for the footer, one per circle whose posts the e-mail holds."""
    token = circle_unsubscribe_token(candidate, circle_id)
    return settings.SITE_URL + reverse("community_circle_unsubscribe", args=[candidate.organization.slug, token])


def candidate_for_community_token(org: Organization, token: str) -> Candidate | None:
    """The candidate of this organisation an all-community token names, or None when it is not valid here."""
    ids = links.ids_from_token(COMMUNITY_SALT, token, 2)
    if ids is None or ids[0] != org.pk:
        return None
    return links.candidate_by_ids(org.pk, ids[1])


@dataclass(frozen=True)
class CircleLink:
    """What a circle's token names: the candidate and the circle (None when the circle was deleted since)."""

    candidate: Candidate
    circle: Circle | None


def target_of_circle_token(org: Organization, token: str) -> CircleLink | None:
    """The candidate and circle of this organisation a circle's token names, or None when it is not valid here."""
    ids = links.ids_from_token(CIRCLE_SALT, token, 3)
    if ids is None or ids[0] != org.pk:
        return None
    candidate = links.candidate_by_ids(org.pk, ids[1])
    if candidate is None:
        return None
    return CircleLink(candidate=candidate, circle=Circle.objects.for_org(org).filter(pk=ids[2]).first())


def circle_emails_posts(candidate: Candidate, circle: Circle) -> bool:
    """Whether the candidate's e-mails still carry this circle's posts (a member with e-mail on)."""
    return CircleMembership.objects.filter(circle=circle, candidate=candidate, email_posts=True).exists()


@transaction.atomic
def community_email_stop(*, candidate: Candidate) -> bool:
    """Stop all community e-mail (digest frequency "never"); True when this changed it, recorded on the timeline."""
    changed = candidate_set_digest_frequency(candidate=candidate, digest_frequency=DigestFrequency.NEVER)
    # "All community e-mail" includes job alerts (recorded on the timeline as their own stop when they were on).
    job_alerts_stop(candidate=candidate, summary="Stopped job alerts (with all community e-mails)")
    if changed:
        activity_record(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=Activity.Kind.COMMUNITY_OPT_OUT,
            summary="Stopped all community e-mails (one-click link)",
            actor_id=candidate.user_id,
            details={"scope": "community", "digest_frequency": DigestFrequency.NEVER},
        )
    return changed


@transaction.atomic
def circle_email_stop(*, candidate: Candidate, circle: Circle) -> bool:
    """Take this circle's posts out of the candidate's e-mails; True when this changed it, recorded on the timeline.

    Any circle of the candidate's organisation they are a member of, public or not: a circle made
    private since the e-mail went out stays quiet if it is made public again.
    """
    if circle.organization_id != candidate.organization_id:
        raise ValueError("The circle belongs to another organisation.")
    changed = CircleMembership.objects.filter(circle=circle, candidate=candidate, email_posts=True).update(
        email_posts=False
    )
    if changed:
        activity_record(
            organization_id=candidate.organization_id,
            candidate_id=candidate.pk,
            kind=Activity.Kind.COMMUNITY_OPT_OUT,
            summary=f"Stopped e-mails about the circle “{circle.name}” (one-click link)",
            actor_id=candidate.user_id,
            circle_id=circle.pk,
            details={"scope": "circle"},
        )
    return bool(changed)
