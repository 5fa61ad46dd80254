from django.apps import AppConfig


class CandidatesConfig(AppConfig):
    name = "candidates"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from candidates.models import Candidate
        from candidates.retention.clock import on_candidate_event as restart_retention_clock
        from candidates.sqlite_functions import register as register_sqlite_functions
        from talentcircles import events
        from talentcircles.checklist import ChecklistItem, register_checklist_item
        from talentcircles.figures import Figure, register_figure

        connection_created.connect(register_sqlite_functions, dispatch_uid="candidates.sqlite_functions")
        events.subscribe(restart_retention_clock)  # replies, portal changes, self-given consent
        register_figure(
            Figure(key="candidates", label="Candidates", order=10, url_name="candidate_list",
                   count=lambda org: Candidate.objects.for_org(org))
        )  # fmt: skip
        register_checklist_item(
            ChecklistItem(key="candidates", label="Import your candidates", order=10, url_name="import_create",
                          hint="From a CSV or JSON Resume file, or add people one by one.",
                          done=lambda org: Candidate.objects.for_org(org))
        )  # fmt: skip

    def seed_demo(self, *, org, recruiter, small: bool = False) -> None:
        from candidates.duplicates.services import duplicates_rebuild
        from candidates.models import Candidate
        from candidates.services import candidate_create

        for data, skills in DEMO_CANDIDATES:
            if not Candidate.objects.for_org(org).filter(email=data["email"]).exists():
                candidate_create(org=org, actor=None, data={**data, "owner": recruiter}, skills=skills)
        duplicates_rebuild(org=org)  # at once, not waiting for a worker


DEMO_CANDIDATES = [
    (
        {"first_name": "Grace", "last_name": "Hopper", "email": "grace.hopper@example.com",
         "current_title": "Principal Compiler Engineer", "current_company": "Remington Rand",
         "industry": "Computer Software", "city": "New York", "country_code": "US",
         "headline": "Compilers, COBOL and teaching machines to read English"},
        ["Compilers", "COBOL", "Mentoring"],
    ),
    (
        {"first_name": "Alan", "last_name": "Turing", "email": "alan.turing@example.com",
         "current_title": "Research Scientist", "current_company": "National Physical Laboratory",
         "industry": "Research", "city": "Manchester", "country_code": "GB",
         "linkedin_url": "linkedin.com/in/alan-turing-demo"},
        ["Cryptography", "Python", "Machine Learning"],
    ),
    (
        {"first_name": "Katherine", "last_name": "Johnson", "email": "katherine.johnson@example.com",
         "current_title": "Flight Dynamics Engineer", "current_company": "NASA",
         "industry": "Aviation & Aerospace", "city": "Hampton", "region": "Virginia", "country_code": "US"},
        ["Orbital Mechanics", "Fortran", "Numerical Analysis"],
    ),
    (
        {"first_name": "Linus", "last_name": "Torvalds", "email": "linus@example.com",
         "current_title": "Kernel Maintainer", "current_company": "Linux Foundation",
         "industry": "Computer Software", "city": "Portland", "country_code": "US", "stage": "contacted"},
        ["C", "Linux", "Git"],
    ),
    (
        {"first_name": "Margaret", "last_name": "Hamilton", "email": "margaret.hamilton@example.com",
         "current_title": "Director of Software Engineering", "current_company": "MIT Instrumentation Lab",
         "industry": "Defense & Space", "city": "Boston", "country_code": "US", "stage": "engaged"},
        ["Software Reliability", "Assembly", "Leadership"],
    ),
]  # fmt: skip
