from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from candidates.models import Candidate
        from candidates.sqlite_functions import register as register_sqlite_functions
        from talentcircles.figures import Figure, register_figure

        connection_created.connect(register_sqlite_functions, dispatch_uid="candidates.sqlite_functions")
        register_figure(
            Figure(key="candidates", label="Candidates", order=10,
                   count=lambda org: Candidate.objects.for_org(org).count())
        )  # fmt: skip

    def seed_demo(self, *, org, recruiter) -> None:
        from candidates.models import Candidate

        people = [
            ("Grace", "Hopper", "grace.hopper@example.com"),
            ("Alan", "Turing", "alan.turing@example.com"),
            ("Katherine", "Johnson", "katherine.johnson@example.com"),
            ("Linus", "Torvalds", "linus@example.com"),
            ("Margaret", "Hamilton", "margaret.hamilton@example.com"),
        ]
        for first, last, email in people:
            Candidate.objects.get_or_create(
                organization=org, email=email, defaults={"first_name": first, "last_name": last}
            )
