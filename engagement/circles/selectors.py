"""Reads of talent circles shared by the recruiter pages, the API, the portal and the digests.

Each selector owns its joins and annotations, so the pages that use it run a fixed number of queries.
Candidate-facing reads only ever return published posts of public circles the candidate belongs to.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from candidates.models import Candidate
from engagement.circles.models import Circle, CircleMembership, Post, Rsvp
from engagement.circles.outreach import circle_outreach_record, thread_circle
from talentcircles.audiences import CIRCLE, AudienceSource
from talentcircles.models import Organization


def _count(queryset: QuerySet, field: str) -> Coalesce:
    """A correlated COUNT: several counts over different joins without multiplying rows."""
    counted = queryset.order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def circle_list(*, org: Organization) -> QuerySet[Circle]:
    """The organisation's circles with `member_count` and `post_count`, by name."""
    return (
        Circle.objects.for_org(org)
        .annotate(
            member_count=_count(CircleMembership.objects.filter(circle=OuterRef("pk")), "circle"),
            post_count=_count(Post.objects.filter(circle=OuterRef("pk")), "circle"),
        )
        .order_by("name", "pk")
    )


# --- A circle as an audience: the one definition of "the members of circle X" -----------------


def circle_member_ids(*, org: Organization, circle_id: int) -> QuerySet:
    """The ids of the candidates in the organisation's circle `circle_id` (none for another organisation's)."""
    return CircleMembership.objects.filter(circle_id=circle_id, circle__organization=org).values("candidate_id")


def circle_audience(*, org: Organization, circle_id: int) -> QuerySet[Candidate]:
    """The organisation's candidates in circle `circle_id`: who enrolling or messaging the circle reaches."""
    return Candidate.objects.for_org(org).filter(pk__in=circle_member_ids(org=org, circle_id=circle_id))


def circle_choices(org: Organization) -> list[tuple[int, str]]:
    return list(Circle.objects.for_org(org).order_by("name", "pk").values_list("pk", "name"))


def circle_name(org: Organization, circle_id: int) -> str | None:
    return Circle.objects.for_org(org).filter(pk=circle_id).values_list("name", flat=True).first()


AUDIENCE = AudienceSource(
    kind=CIRCLE,
    choices=circle_choices,
    name=circle_name,
    member_ids=lambda org, circle_id: circle_member_ids(org=org, circle_id=circle_id),
    outreach_started=circle_outreach_record,
    outreach_audience=thread_circle,
)


def circle_members(*, circle: Circle) -> QuerySet[CircleMembership]:
    """The circle's memberships with each candidate (stage, last contact and portal link on the row)."""
    return (
        CircleMembership.objects.filter(circle=circle)
        .select_related("candidate")
        .order_by("candidate__last_name", "candidate__first_name", "candidate_id")
    )


def circle_posts(*, circle: Circle) -> QuerySet[Post]:
    """All the circle's posts, drafts first, then newest published, with yes-RSVP counts.

    `going_count` includes the anonymous attendees of an event who have since erased their data.
    """
    going = Rsvp.objects.filter(post=OuterRef("pk"), response=Rsvp.Response.YES)
    return (
        Post.objects.filter(circle=circle)
        .select_related("author")
        .annotate(going_count=_count(going, "post") + F("erased_attendees"))
        .order_by("-status", "-published_at", "-created_at", "-pk")
    )


def event_attendees(*, post: Post) -> QuerySet[Rsvp]:
    return Rsvp.objects.filter(post=post).select_related("candidate").order_by("-response", "-responded_at")


# --- The public community and the portal ------------------------------------------------------


def public_circles(*, org: Organization, candidate: Candidate | None = None) -> QuerySet[Circle]:
    """Public circles with `member_count`; with a candidate also `is_member` and `email_posts`."""
    circles = (
        Circle.objects.for_org(org)
        .filter(visibility=Circle.Visibility.PUBLIC)
        .annotate(member_count=_count(CircleMembership.objects.filter(circle=OuterRef("pk")), "circle"))
        .order_by("name", "pk")
    )
    if candidate is not None:
        mine = CircleMembership.objects.filter(circle=OuterRef("pk"), candidate=candidate)
        circles = circles.annotate(is_member=Exists(mine), email_posts=Exists(mine.filter(email_posts=True)))
    return circles


def visible_posts(*, org: Organization) -> QuerySet[Post]:
    """Published posts of the organisation's public circles: what the community may see at all."""
    return Post.objects.for_org(org).published().filter(circle__visibility=Circle.Visibility.PUBLIC)


def portal_feed(*, candidate: Candidate) -> QuerySet[Post]:
    """Published posts of the candidate's public circles, newest first."""
    mine = CircleMembership.objects.filter(candidate=candidate).values("circle_id")
    return (
        visible_posts(org=candidate.organization)
        .filter(circle_id__in=mine)
        .select_related("circle")
        .order_by("-published_at", "-pk")
    )


def _with_rsvps(posts: QuerySet[Post], candidate: Candidate | None) -> QuerySet[Post]:
    going = Rsvp.objects.filter(post=OuterRef("pk"), response=Rsvp.Response.YES)
    posts = posts.annotate(going_count=_count(going, "post"))
    if candidate is not None:
        answer = Rsvp.objects.filter(post=OuterRef("pk"), candidate=candidate).values("response")[:1]
        posts = posts.annotate(my_response=Subquery(answer))
    return posts


def upcoming_events(*, org: Organization, now: datetime, candidate: Candidate | None = None) -> QuerySet[Post]:
    """Published events of public circles that have not ended, soonest first, with `going_count`.

    With a candidate: only their circles' events, each with `my_response` ("yes", "no" or None).
    """
    events = (
        visible_posts(org=org)
        .filter(kind=Post.Kind.EVENT)
        .filter(Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now))
    )
    if candidate is not None:
        events = events.filter(circle_id__in=CircleMembership.objects.filter(candidate=candidate).values("circle_id"))
    return _with_rsvps(events.select_related("circle"), candidate).order_by("starts_at", "pk")


def portal_event(*, candidate: Candidate, pk: int) -> Post:
    """One event the candidate may see (published, public circle, a member); DoesNotExist otherwise."""
    mine = CircleMembership.objects.filter(candidate=candidate).values("circle_id")
    events = visible_posts(org=candidate.organization).filter(kind=Post.Kind.EVENT, circle_id__in=mine)
    return _with_rsvps(events.select_related("circle", "organization"), candidate).get(pk=pk)


def is_circle_member(*, candidate: Candidate, circle: Circle) -> bool:
    return CircleMembership.objects.filter(circle=circle, candidate=candidate).exists()
