"""The demo's six circles, their members, posts, and an upcoming meetup with its RSVPs, through the services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q

from candidates.models import Candidate
from engagement.circles.models import Circle, Post, Rsvp
from engagement.circles.services import circle_add_members, circle_create, post_create, post_publish, rsvp
from talentcircles.models import Organization, User

# name, visibility, description, who belongs (words in the title, headline or skills)
CIRCLES = [
    ("Backend Engineers", "public", "Engineers who build APIs, data pipelines and the platforms under them.",
     ("backend", "python", "java", "api", "software engineer", "full-stack")),
    ("Silver Medallists", "private", "Finalists we could not hire last time: first to hear about new roles.", ()),
    ("Data & Machine Learning", "public", "Data scientists, data engineers and ML engineers.",
     ("data", "machine learning", "analytics", "ml ")),
    ("Product Designers", "public", "Designers and researchers who care how things work for people.",
     ("design", "ux", "researcher")),
    ("Frontend & Mobile", "public", "People who build what users touch: web, iOS and Android.",
     ("frontend", "ios", "android", "mobile", "javascript", "ui engineer", "flutter")),
    ("Engineering Leaders", "private", "Leads, managers and principals we stay in touch with.",
     ("engineering manager", "principal", "director", "head of", "staff ")),
]  # fmt: skip
POSTS: dict[str, list[dict[str, Any]]] = {
    "Data & Machine Learning": [
        {"kind": "announcement", "title": "How we run experiments at Acme",
         "body": "A write-up of our experimentation platform, and what we learned from 400 A/B tests."},
        {"kind": "job", "title": "Senior Data Engineer (Spark, dbt)", "body": "Own the pipelines behind our pricing.",
         "job_url": "https://example.com/jobs/data-engineer"},
    ],
    "Product Designers": [
        {"kind": "announcement", "title": "Portfolio reviews every first Thursday",
         "body": "Bring a case study; two of our design leads give feedback over video."},
    ],
    "Frontend & Mobile": [
        {"kind": "announcement", "title": "Our design system is open source",
         "body": "Components, tokens and accessibility notes: contributions welcome."},
        {"kind": "job", "title": "iOS Engineer (SwiftUI)", "body": "Join the team shipping our mobile app.",
         "job_url": "https://example.com/jobs/ios"},
    ],
    "Engineering Leaders": [
        {"kind": "announcement", "title": "Leadership dinner in London, spring",
         "body": "A small dinner for engineering leaders; invitations go out in February."},
    ],
}  # fmt: skip
BACKEND_POSTS: list[dict[str, Any]] = [
    {"kind": "announcement", "title": "Welcome to the Backend Engineers circle",
     "body": "We share what our platform team works on, **before** the jobs are posted."},
    {"kind": "job", "title": "Senior Backend Engineer (Python, PostgreSQL)",
     "body": "Own our data platform's ingestion path.", "job_url": "https://example.com/jobs/backend"},
]  # fmt: skip
RSVPS = 14  # members answering the meetup invitation (a few say no)


def circles_create(*, org: Organization, recruiter: User, people: list[Candidate], now: datetime) -> list[Circle]:
    """The six circles with members; posts once; an event two weeks out with its RSVPs."""
    circles = []
    for name, visibility, description, words in CIRCLES:
        circle = Circle.objects.for_org(org).filter(name=name).first() or circle_create(
            org=org, actor=recruiter, name=name, description=description, visibility=visibility
        )
        circle_add_members(org=org, circle=circle, candidates=_members(org, people, words))
        circles.append(circle)
    backend = circles[0]
    # The famous five (created by the candidates app) are backend engineers of the demo too.
    circle_add_members(
        org=org, circle=backend, candidates=Candidate.objects.for_org(org).exclude(email__endswith=".org")
    )
    if not Post.objects.filter(circle=backend).exists():
        for data in BACKEND_POSTS:
            post_publish(post=post_create(org=org, circle=backend, author=recruiter, data=data))
        _meetup(org=org, circle=backend, recruiter=recruiter, now=now)
    for circle in circles[1:]:
        if not Post.objects.filter(circle=circle).exists():
            for data in POSTS.get(circle.name, []):
                post_publish(post=post_create(org=org, circle=circle, author=recruiter, data=data))
    return circles


def _members(org: Organization, people: list[Candidate], words: tuple[str, ...]):
    if not words:  # silver medallists: a handful of people who got far last time
        return Candidate.objects.for_org(org).filter(pk__in=[p.pk for p in people[::23]])
    match = Q()
    for word in words:
        match |= Q(current_title__icontains=word) | Q(headline__icontains=word)
    return Candidate.objects.for_org(org).filter(pk__in=[p.pk for p in people]).filter(match)


def _meetup(*, org: Organization, circle: Circle, recruiter: User, now: datetime) -> Post:
    starts = (now + timedelta(days=14)).replace(hour=18, minute=0, second=0, microsecond=0)
    data = {"kind": "event", "title": "Meetup: scaling PostgreSQL to a billion rows",
            "body": "Talks, pizza and questions.", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
            "location": "Acme HQ, London", "capacity": 40}  # fmt: skip
    event = post_publish(post=post_create(org=org, circle=circle, author=recruiter, data=data))
    members = Candidate.objects.for_org(org).filter(circle_memberships__circle=circle).order_by("pk")[:RSVPS]
    for number, member in enumerate(members):
        answer = Rsvp.Response.NO if number % 5 == 4 else Rsvp.Response.YES
        rsvp(candidate=member, post=event, response=answer, now=now - timedelta(hours=RSVPS - number))
    return event
