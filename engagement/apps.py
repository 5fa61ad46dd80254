from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"

    def ready(self) -> None:
        from candidates.privacy import register_data_section
        from engagement.analytics.rollups.live import STATS_BATCH_HANDLERS, STATS_HANDLERS
        from engagement.circles import privacy as circles_privacy
        from engagement.circles.jobs.alerts import privacy as job_alerts_privacy
        from engagement.circles.models import Circle
        from engagement.circles.privacy import circles_data, community_emails_data, rsvps_data
        from engagement.sequences.receivers import SEQUENCE_HANDLERS, on_merged
        from engagement.timeline.receivers import on_candidate_events, register_handlers
        from talentcircles import events
        from talentcircles.checklist import ChecklistItem, register_checklist_item
        from talentcircles.figures import Figure, register_figure

        register_figure(
            Figure(key="circles", label="Talent circles", order=20,
                   count=lambda org: Circle.objects.for_org(org))
        )  # fmt: skip
        register_checklist_item(
            ChecklistItem(key="circle", label="Create a talent circle", order=20, url_name="circle_create",
                          hint="A group of candidates you keep warm with posts, events and jobs.",
                          done=lambda org: Circle.objects.for_org(org))
        )  # fmt: skip
        # Engagement's subscriber to candidate events (see talentcircles/events.py): the timeline's
        # receiver, with the higher parts' handlers added here so the timeline imports none of them.
        register_handlers(before=SEQUENCE_HANDLERS)
        register_handlers(after={events.MERGED: on_merged, events.ERASED: circles_privacy.on_erased})
        register_handlers(after={events.ERASED: job_alerts_privacy.on_erased})
        from engagement.circles.jobs.receivers import on_merged as job_interests_follow_merge

        register_handlers(after={events.MERGED: job_interests_follow_merge})
        per_event = {kind: handler for kind, handler in STATS_HANDLERS.items() if kind not in STATS_BATCH_HANDLERS}
        register_handlers(after=per_event, after_batch=STATS_BATCH_HANDLERS)
        events.subscribe_batch(on_candidate_events)
        # The community's part of "download my data".
        register_data_section("circles", circles_data)
        register_data_section("rsvps", rsvps_data)
        register_data_section("community_emails", community_emails_data)
        register_data_section("job_alerts", job_alerts_privacy.job_alerts_data)
        from engagement.circles.jobs.privacy import job_interests_data

        register_data_section("job_interests", job_interests_data)
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
        # Messages about a job: {{ job.title }} and the rest, and the conversations started about it.
        from engagement.circles.jobs.outreach import register_job_topic

        register_job_topic()

    def seed_demo(self, *, org, recruiter, small: bool = False) -> None:
        """The demo community (engagement/demo/): people, circles, sequences, outreach, replies and roll-ups."""
        from engagement.demo import demo_community_seed

        demo_community_seed(org=org, recruiter=recruiter, small=small)
