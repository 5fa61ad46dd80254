from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"

    def ready(self) -> None:
        from engagement.models import Circle
        from talentcircles.figures import Figure, register_figure

        register_figure(
            Figure(key="circles", label="Talent circles", order=20,
                   count=lambda org: Circle.objects.for_org(org).count())
        )  # fmt: skip

    def seed_demo(self, *, org, recruiter) -> None:
        from engagement.models import Circle

        for name, slug, visibility in [
            ("Backend Engineers", "backend-engineers", "public"),
            ("Silver Medallists", "silver-medallists", "private"),
        ]:
            Circle.objects.get_or_create(organization=org, slug=slug, defaults={"name": name, "visibility": visibility})
