from typing import Any

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"

    def ready(self) -> None:
        from candidates.privacy import register_data_section
        from engagement.analytics.rollups.live import STATS_BATCH_HANDLERS, STATS_HANDLERS
        from engagement.circles import privacy as circles_privacy
        from engagement.circles.models import Circle
        from engagement.circles.privacy import circles_data, community_emails_data, rsvps_data
        from engagement.sequences.receivers import SEQUENCE_HANDLERS, on_merged
        from engagement.timeline.receivers import on_candidate_events, register_handlers
        from talentcircles import events
        from talentcircles.figures import Figure, register_figure

        register_figure(
            Figure(key="circles", label="Talent circles", order=20,
                   count=lambda org: Circle.objects.for_org(org))
        )  # fmt: skip
        # Engagement's subscriber to candidate events (see talentcircles/events.py): the timeline's
        # receiver, with the higher parts' handlers added here so the timeline imports none of them.
        register_handlers(before=SEQUENCE_HANDLERS)
        register_handlers(after={events.MERGED: on_merged, events.ERASED: circles_privacy.on_erased})
        per_event = {kind: handler for kind, handler in STATS_HANDLERS.items() if kind not in STATS_BATCH_HANDLERS}
        register_handlers(after=per_event, after_batch=STATS_BATCH_HANDLERS)
        events.subscribe_batch(on_candidate_events)
        # The community's part of "download my data".
        register_data_section("circles", circles_data)
        register_data_section("rsvps", rsvps_data)
        register_data_section("community_emails", community_emails_data)
        # Each recruiter's own response rate against the 13% line, on the home page.
        from engagement.analytics.views import register_home_cards

        register_home_cards()
        # The response-rate guard holds back bulk sends and enrolments in an improvement period.
        from engagement.analytics.guard import bulk_send_pause_reason
        from talentcircles.guards import register_bulk_send_guard

        register_bulk_send_guard(bulk_send_pause_reason)
        # "Members of circle X" for the candidate list, the pipeline and bulk messages.
        from engagement.circles.selectors import AUDIENCE
        from talentcircles.audiences import register_audience_source

        register_audience_source(AUDIENCE)

    def seed_demo(self, *, org, recruiter) -> None:
        from engagement.circles.models import Circle

        for name, slug, visibility in [
            ("Backend Engineers", "backend-engineers", "public"),
            ("Silver Medallists", "silver-medallists", "private"),
        ]:
            Circle.objects.get_or_create(organization=org, slug=slug, defaults={"name": name, "visibility": visibility})
        self._seed_community(org=org, recruiter=recruiter)
        self._seed_timeline(org=org, recruiter=recruiter)

    def _seed_community(self, *, org, recruiter) -> None:
        """Members and published posts in the public circle, so the portal has something to show; once."""
        from datetime import timedelta

        from django.utils import timezone

        from candidates.models import Candidate
        from engagement.circles.models import Circle, Post
        from engagement.circles.services import circle_add_members, post_create, post_publish

        circle = Circle.objects.get(organization=org, slug="backend-engineers")
        circle_add_members(org=org, circle=circle, candidates=Candidate.objects.for_org(org))
        if Post.objects.filter(circle=circle).exists():
            return
        starts = (timezone.now() + timedelta(days=14)).replace(hour=18, minute=0, second=0, microsecond=0)
        posts: list[dict[str, Any]] = [
            {"kind": "announcement", "title": "Welcome to the Backend Engineers circle",
             "body": "We share what our platform team works on, **before** the jobs are posted."},
            {"kind": "job", "title": "Senior Backend Engineer (Python, PostgreSQL)",
             "body": "Own our data platform's ingestion path.", "job_url": "https://example.com/jobs/backend"},
            {"kind": "event", "title": "Meetup: scaling PostgreSQL to a billion rows",
             "body": "Talks, pizza and questions.", "starts_at": starts, "ends_at": starts + timedelta(hours=2),
             "location": "Acme HQ, London", "capacity": 40},
        ]  # fmt: skip
        for data in posts:
            post_publish(post=post_create(org=org, circle=circle, author=recruiter, data=data))

    def _seed_timeline(self, *, org, recruiter) -> None:
        """A few logged activities and a reminder for the demo recruiter, through the services; once."""
        from datetime import timedelta

        from django.utils import timezone

        from candidates.models import Candidate
        from engagement.timeline.models import Activity, Reminder
        from engagement.timeline.relationships import relationships_refresh
        from engagement.timeline.services import activity_log, reminder_create

        people = {c.email: c for c in Candidate.objects.for_org(org).filter(email__in=DEMO_TIMELINE_EMAILS)}
        now = timezone.now()
        if not Activity.objects.for_org(org).filter(kind__in=Activity.LOGGED_KINDS).exists():
            for email, kind, days_ago, fields in DEMO_ACTIVITIES:
                if email in people:
                    activity_log(
                        candidate=people[email], actor=recruiter, kind=kind,
                        occurred_at=now - timedelta(days=days_ago), **fields,
                    )  # fmt: skip
            relationships_refresh(candidate_ids=[c.pk for c in people.values()], now=now)
        grace = people.get("grace.hopper@example.com")
        note = "Follow up with Grace about the compiler team"
        if grace and not Reminder.objects.for_org(org).filter(candidate=grace, note=note).exists():
            reminder_create(org=org, candidate_id=grace.pk, recruiter=recruiter, due_at=now, note=note)


DEMO_ACTIVITIES: list[tuple[str, str, int, dict[str, Any]]] = [
    ("grace.hopper@example.com", "note", 10, {"body": "Met at the compilers meetup; mentors junior engineers."}),
    ("grace.hopper@example.com", "call", 3,
     {"outcome": "connected", "duration_minutes": 25, "body": "Curious about the compiler team; prefers remote."}),
    ("margaret.hamilton@example.com", "meeting", 5,
     {"attendees": ["Margaret Hamilton", "Riley Recruiter"], "body": "Coffee chat about the reliability team."}),
    ("alan.turing@example.com", "note", 1, {"body": "Asked a colleague for an introduction."}),
]  # fmt: skip
DEMO_TIMELINE_EMAILS = sorted({email for email, *_ in DEMO_ACTIVITIES})
