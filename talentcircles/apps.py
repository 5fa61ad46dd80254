from django.apps import AppConfig


class TalentCirclesConfig(AppConfig):
    name = "talentcircles"
    verbose_name = "TalentCircles"

    def ready(self) -> None:
        from talentcircles import events
        from talentcircles.webhooks_out.outbox import on_events

        # Webhooks out: the deliveries are written in the transaction of the change they announce.
        events.subscribe_batch(on_events)
