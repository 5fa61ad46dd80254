"""Every recruiter, portal and account page, over data that gives each one something to show.

`seed_catalogue()` builds on the demo data (`seed_demo`) and adds one of everything else a page needs
(a sequence with steps, an import waiting on its mapping, a bulk preview, a duplicate pair, a portal
member with a thread and a résumé, invitation and unsubscribe links…). It returns a `Catalogue`: the
pages as (name, url, who) and a signed-in session per visitor, so a browser test can sign in by
setting a cookie instead of filling the login form each time.

Browser tests take the `catalogue` fixture (tests/browser/conftest.py). `tests/browser/test_page_catalogue.py`
checks that every GET page of the URL confs is here or listed in `EXCLUDED` with its reason.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from candidates.models import Candidate, ImportJob, Resume
from candidates.resumes import resume_attach
from candidates.retention.renewal import renewal_token
from engagement.circles.invitations import invitation_token as community_invitation_token
from engagement.circles.jobs.alerts.unsubscribe import job_alerts_unsubscribe_token
from engagement.circles.jobs.interest import job_interest_add, job_interest_raise
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.services import job_create, job_open, job_share
from engagement.circles.models import Circle, CommunityInvitation, Post
from engagement.circles.unsubscribe import circle_unsubscribe_token, community_unsubscribe_token
from engagement.sequences.builder import sequence_create
from engagement.sequences.enrolment import enrollment_job_create, enrollments_create
from engagement.timeline.models import Activity
from messaging.delivery import message_deliver
from messaging.links import response_token, unsubscribe_token
from messaging.models import InboundEmail, Message, MessageTemplate, Thread
from messaging.outbox import thread_start
from talentcircles import services
from talentcircles.demo import ADMIN_EMAIL, DEMO_PASSWORD
from talentcircles.models import Invitation, Organization, User
from talentcircles.webhooks_out.services import endpoint_create, webhook_test_send
from tests.factories import CandidateFactory, UserFactory, docx_bytes

Who = Literal["recruiter", "candidate", "anonymous"]
ORG = "demo"
LINKEDIN_EXPORT = Path(__file__).resolve().parents[1] / "candidates" / "files" / "linkedin_connections.csv"

# URL names under /o/, /c/, /accounts/ and the account pages that are not pages a visitor reads:
# each with why it is left out of the catalogue (the coverage test keeps this list honest).
EXCLUDED: dict[str, str] = {
    # Files and data, not pages.
    "candidate_export_csv": "a CSV download",
    "candidate_json_resume": "a JSON download",
    "candidate_resume_download": "a file download",
    "candidate_resume_preview": "the résumé file shown inline (PDF/text), not one of our pages",
    "import_failures": "a CSV download",
    "import_warnings": "a CSV download",
    "audit_trail_export": "a CSV download",
    "portal_my_data_download": "a JSON download",
    "portal_event_ics": "an iCalendar download",
    "mfa_download_recovery_codes": "a text download",
    # Actions: POST only (a GET answers 405 or redirects back).
    "candidate_archive": "POST only",
    "duplicate_dismiss": "POST only",
    "setup_checklist_dismiss": "POST only",
    "candidate_bulk": "POST only",
    "candidate_resume_upload": "POST only (the form is on the candidate page)",
    "portal_resume_upload": "POST only (the form is on the profile page)",
    "circle_member_add": "POST only",
    "circle_member_remove": "POST only",
    "circle_post_publish": "POST only",
    "circle_post_unpublish": "POST only",
    "circle_post_delete": "POST only",
    "circle_bulk_add": "POST only",
    "community_invite": "POST only",
    "invitation_create": "POST only",
    "invitation_revoke": "POST only",
    "member_remove": "POST only",
    "retention_exclusion_remove": "POST only",
    "member_role": "POST only",
    "api_token_revoke": "POST only",
    "webhook_action": "POST only (rotate, test, pause, resume, delete)",
    "webhook_redeliver": "POST only",
    "pipeline_move": "POST only",
    "reminder_done": "POST only",
    "reminder_snooze": "POST only",
    "timeline_stage": "POST only",
    "timeline_reminder": "POST only",
    "timeline_log": "POST only",
    "timeline_activity_delete": "POST only",
    "sequence_status": "POST only",
    "sequence_step_move": "POST only",
    "sequence_enrol_start": "POST only",
    "enrollment_pause": "POST only",
    "enrollment_resume": "POST only",
    "enrollment_stop": "POST only",
    "thread_reply": "POST only",
    "message_classify": "POST only",
    "message_resend": "POST only",
    "message_check": "POST only (the compose page's live check)",
    "template_archive": "POST only",
    "bulk_start": "POST from the list; a GET needs ?circle= and redirects to the compose page",
    "bulk_send": "POST only",
    "unmatched_discard": "POST only",
    "portal_circle_join": "POST only",
    "portal_circle_leave": "POST only",
    "portal_circle_email": "POST only",
    "portal_event_rsvp": "POST only",
    "job_status": "POST only",
    "portal_job_interest": "POST only",
    "portal_interest_withdraw": "POST only",
    "job_share": "POST only",
    "job_delete": "POST only",
    "job_interest_add": "POST only",
    "job_interest_move": "POST only (the board's cards)",
    "portal_jobs_json_feed": "a JSON feed, not a page",
    "portal_jobs_rss_feed": "an RSS feed, not a page",
    "org_switch": "POST only",
    "account_logout": "a confirmation button only; signing out would end the shared session",
    "home": "redirects only: to the sign-in, the organisation or the portal",
    # Partials and steps that only exist in the middle of a flow.
    "import_progress": "an htmx partial polled by the import page",
    "timeline_activity": "an htmx partial (one timeline entry)",
    "job_analytics": "an htmx partial (the job page's figures panel)",
    "timeline_activity_edit": "an htmx partial (the inline edit form)",
    "account_confirm_login_code": "needs a login-by-code in progress (login by code is off)",
    "account_inactive": "reached only by an inactive account signing in",
    "mfa_authenticate": "needs a login stopped at the two-factor step",
    "mfa_reauthenticate": "needs a user with two-factor on, asked to reauthenticate",
    "mfa_deactivate_totp": "needs TOTP on; it would change the signed-in user for the pages after it",
    "mfa_generate_recovery_codes": "needs TOTP on",
    "mfa_view_recovery_codes": "needs TOTP on",
    "account_set_password": "for accounts without a password (social sign-in, off); redirects to change",
    "account_reset_password_from_key_done": "the end of a password reset",
    "portal_erased": "shown once, after erasure signs the member out",
}


@dataclass(frozen=True)
class CataloguePage:
    name: str  # the URL name
    url: str  # a path, relative to the server
    who: Who  # who opens it: the demo admin (recruiter), a portal member (candidate) or a visitor


@dataclass
class Catalogue:
    pages: list[CataloguePage]
    # who → the value of the session cookie of a signed-in client (none for "anonymous").
    sessions: dict[str, str] = field(default_factory=dict)
    base: str = "http://localhost"  # the live server's URL

    def sign_in(self, context, who: Who) -> None:
        """Make a Playwright browser context `who`: a signed-in session cookie, or none."""
        context.clear_cookies()
        if who != "anonymous":
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": self.sessions[who], "url": self.base}])


@dataclass
class Seeded:
    """What the catalogue's URLs point at."""

    ids: dict[str, int]
    tokens: dict[str, str]
    draft: str
    recruiter: Client
    member: Client


def seed_catalogue(base_url: str = "http://localhost") -> Catalogue:
    """The demo data plus one of everything, and the catalogue of pages over it."""
    seeded = _seed()
    return Catalogue(
        pages=every_page(seeded),
        sessions={
            "recruiter": seeded.recruiter.cookies[settings.SESSION_COOKIE_NAME].value,
            "candidate": seeded.member.cookies[settings.SESSION_COOKIE_NAME].value,
        },
        base=base_url,
    )


def every_page(seeded: Seeded) -> list[CataloguePage]:
    """Each recruiter, portal and account page once, with who opens it."""
    ids, tokens = seeded.ids, seeded.tokens
    o, c = f"/o/{ORG}/", f"/c/{ORG}/"

    def page(name: str, who: Who, *args: object) -> CataloguePage:
        slug = [ORG] if name not in SLUGLESS else []
        return CataloguePage(name, reverse(name, args=[*slug, *args]), who)

    cand, circle, post, seq = ids["candidate"], ids["circle"], ids["post"], ids["sequence"]
    recruiter: list[CataloguePage] = [
        page("org_home", "recruiter"),
        page("org_settings", "recruiter"),
        page("api_tokens", "recruiter"),
        page("webhooks", "recruiter"),
        page("webhook_detail", "recruiter", ids["webhook"]),
        page("audit_trail", "recruiter"),  # the demo admin: the page is for admins
        page("organization_create", "recruiter"),
        page("profile", "recruiter"),
        page("candidate_list", "recruiter"),
        page("candidate_create", "recruiter"),
        page("candidate_detail", "recruiter", cand),
        page("candidate_edit", "recruiter", cand),
        page("candidate_delete", "recruiter", cand),
        page("candidate_erase", "recruiter", cand),
        page("candidate_resume_status", "recruiter", cand, ids["resume"]),
        page("candidate_timeline", "recruiter", cand),
        page("import_list", "recruiter"),
        page("import_create", "recruiter"),
        page("import_detail", "recruiter", ids["import"]),
        page("import_mapping", "recruiter", ids["import"]),
        page("duplicate_list", "recruiter"),
        page("duplicate_merge", "recruiter", ids["duplicate_a"], ids["duplicate_b"]),
        page("retention_settings", "recruiter"),
        page("retention_due", "recruiter"),
        page("retention_exclusions", "recruiter"),
        page("retention_exclude", "recruiter", cand),
        page("thread_list", "recruiter"),
        page("thread_detail", "recruiter", ids["thread"]),
        page("message_compose", "recruiter"),
        page("candidate_conversations", "recruiter", ids["thread_candidate"]),
        page("bulk_compose", "recruiter", seeded.draft),
        page("bulk_preview", "recruiter", seeded.draft),
        page("template_list", "recruiter"),
        page("template_create", "recruiter"),
        page("template_edit", "recruiter", ids["template"]),
        page("template_preview", "recruiter", ids["template"]),
        page("unmatched_list", "recruiter"),
        page("unmatched_assign", "recruiter", ids["inbound"]),
        page("pipeline", "recruiter"),
        page("my_day", "recruiter"),
        page("circle_list", "recruiter"),
        page("circle_create", "recruiter"),
        page("circle_detail", "recruiter", circle),
        page("circle_edit", "recruiter", circle),
        page("circle_delete", "recruiter", circle),
        page("circle_post_create", "recruiter", circle),
        page("circle_post_detail", "recruiter", circle, post),
        page("circle_post_edit", "recruiter", circle, post),
        page("job_list", "recruiter"),
        page("job_create", "recruiter"),
        page("job_detail", "recruiter", ids["job"]),
        page("job_edit", "recruiter", ids["job"]),
        page("job_board", "recruiter", ids["job"]),
        page("candidate_job_interests", "recruiter", cand),
        page("job_fits", "recruiter", ids["job"]),
        page("sequence_list", "recruiter"),
        page("sequence_create", "recruiter"),
        page("sequence_detail", "recruiter", seq),
        page("sequence_edit", "recruiter", seq),
        page("sequence_preview", "recruiter", seq),
        page("sequence_enrol", "recruiter"),
        page("sequence_enrol_job", "recruiter", ids["enrol_job"]),
        page("analytics_dashboard", "recruiter"),
    ]
    portal: list[CataloguePage] = [
        page("community_landing", "anonymous"),
        page("community_join", "anonymous"),
        page("community_invitation", "anonymous", tokens["community_invitation"]),
        page("community_unsubscribe", "anonymous", tokens["community_unsubscribe"]),
        page("community_circle_unsubscribe", "anonymous", tokens["circle_unsubscribe"]),
        page("job_alerts_unsubscribe", "anonymous", tokens["job_alerts_unsubscribe"]),
        page("retention_renew", "anonymous", tokens["retention_renew"]),
        page("unsubscribe", "anonymous", tokens["unsubscribe"]),
        page("message_response", "anonymous", tokens["message_response"]),
        page("invitation_accept", "anonymous", tokens["invitation"]),
        page("portal_profile", "candidate"),
        page("portal_resume_status", "candidate", ids["member_resume"]),
        page("portal_preferences", "candidate"),
        page("portal_job_alerts", "candidate"),
        page("portal_my_data", "candidate"),
        page("portal_erase", "candidate"),
        page("portal_jobs", "anonymous"),
        page("portal_job_detail", "anonymous", tokens["job_slug"]),
        page("portal_job_join", "anonymous", tokens["job_slug"]),
        page("portal_circle", "anonymous", circle),
        page("portal_my_interests", "candidate"),
        page("portal_circles", "candidate"),
        page("portal_feed", "candidate"),
        page("portal_events", "candidate"),
        page("portal_inbox", "candidate"),
        page("portal_inbox_thread", "candidate", ids["member_thread"]),
    ]
    accounts: list[CataloguePage] = [
        page("account_login", "anonymous"),
        page("account_signup", "anonymous"),
        page("account_reset_password", "anonymous"),
        page("account_reset_password_done", "anonymous"),
        page("account_reset_password_from_key", "anonymous", tokens["reset_uid"], tokens["reset_key"]),
        page("account_email_verification_sent", "anonymous"),
        page("account_confirm_email", "anonymous", tokens["confirm_email"]),
        page("account_email", "recruiter"),
        page("account_change_password", "recruiter"),
        page("account_reauthenticate", "recruiter"),
        page("mfa_index", "recruiter"),
        page("mfa_activate_totp", "recruiter"),
    ]
    assert all(p.url.startswith((o, c, "/accounts/", "/account/", "/orgs/", "/invitations/", "/u/", "/r/"))
               for p in recruiter + portal + accounts)  # fmt: skip
    return recruiter + portal + accounts


SLUGLESS = {
    "organization_create", "profile", "unsubscribe", "message_response", "invitation_accept",
    "account_login", "account_signup", "account_reset_password", "account_reset_password_done",
    "account_reset_password_from_key", "account_email_verification_sent", "account_confirm_email",
    "account_email", "account_change_password", "account_reauthenticate", "mfa_index", "mfa_activate_totp",
}  # fmt: skip


def _seed() -> Seeded:
    call_command("seed_demo", stdout=io.StringIO())
    org = Organization.objects.get(slug=ORG)
    admin = User.objects.get(email=ADMIN_EMAIL)
    recruiter = _signed_in(ADMIN_EMAIL)
    ids: dict[str, int] = {}
    tokens: dict[str, str] = {}
    _seed_candidates(org, admin, ids)
    _seed_messaging(org, admin, ids, tokens)
    _seed_engagement(org, admin, ids, tokens)
    member = _seed_member(org, admin, ids, tokens)
    _seed_account_links(org, admin, tokens)
    ids["import"] = _upload_import(recruiter)
    return Seeded(ids=ids, tokens=tokens, draft=_bulk_preview(recruiter, ids), recruiter=recruiter, member=member)


def _signed_in(email: str) -> Client:
    """A client signed in through allauth's forms and just reauthenticated: the two-factor set-up
    asks for the password again otherwise (for allauth's REAUTHENTICATION_TIMEOUT, 5 minutes)."""
    client = Client()
    for name, data in [("account_login", {"login": email}), ("account_reauthenticate", {})]:
        response = client.post(reverse(name), {**data, "password": DEMO_PASSWORD})
        assert response.status_code == 302, response.content[:500]
    return client


def _seed_candidates(org: Organization, admin: User, ids: dict[str, int]) -> None:
    grace = Candidate.objects.for_org(org).get(email="grace.hopper@example.com")
    ids["candidate"] = grace.pk
    upload = SimpleUploadedFile("grace-hopper.docx", docx_bytes("Grace Hopper. Compilers, COBOL, mentoring."))
    ids["resume"] = resume_attach(candidate=grace, upload=upload, actor=admin).pk
    # A second Grace Hopper with the same e-mail local part: the duplicates page has a pair to merge.
    twin = CandidateFactory(
        organization=org, first_name="Grace", last_name="Hopper", email="grace.hopper@example.org",
        current_title="Rear Admiral", current_company="US Navy",
    )  # fmt: skip
    ids["duplicate_a"], ids["duplicate_b"] = sorted([grace.pk, twin.pk])


def _seed_messaging(org: Organization, admin: User, ids: dict[str, int], tokens: dict[str, str]) -> None:
    template = MessageTemplate.objects.for_org(org).order_by("pk").first()
    assert template is not None
    ids["template"] = template.pk
    thread = Thread.objects.for_org(org).order_by("pk").first()
    assert thread is not None
    ids["thread"], ids["thread_candidate"] = thread.pk, thread.candidate_id
    message = Message.objects.for_org(org).filter(thread=thread).order_by("pk").first()
    assert message is not None
    tokens["message_response"] = response_token(message, Message.Classification.INTERESTED)
    tokens["unsubscribe"] = unsubscribe_token(thread.candidate)
    raw = (
        "From: Ana <ana.private@example.org>\r\nTo: jobs@demo.example\r\nSubject: Is the role still open?\r\n"
        "Message-ID: <catalogue-unmatched@example.org>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
        "Is the role still open? I would like to apply.\r\n"
    )
    inbound = InboundEmail.objects.create(
        organization=org, status=InboundEmail.Status.UNMATCHED, dedup_key="<catalogue-unmatched@example.org>",
        message_id_header="<catalogue-unmatched@example.org>", from_email="ana.private@example.org",
        to_emails="jobs@demo.example", subject="Is the role still open?",
        body_text="Is the role still open? I would like to apply.", raw=raw.encode(),
    )  # fmt: skip
    ids["inbound"] = inbound.pk


def _seed_engagement(org: Organization, admin: User, ids: dict[str, int], tokens: dict[str, str]) -> None:
    circle = Circle.objects.get(organization=org, slug="backend-engineers")
    ids["circle"] = circle.pk
    ids["post"] = Post.objects.filter(circle=circle).order_by("pk").values_list("pk", flat=True)[0]
    grace = Candidate.objects.get(pk=ids["candidate"])
    invitation = CommunityInvitation.objects.create(organization=org, candidate=grace, invited_by=admin)
    tokens["community_invitation"] = community_invitation_token(invitation)
    tokens["community_unsubscribe"] = community_unsubscribe_token(grace)
    tokens["circle_unsubscribe"] = circle_unsubscribe_token(grace, circle.pk)
    tokens["job_alerts_unsubscribe"] = job_alerts_unsubscribe_token(grace)
    tokens["retention_renew"] = renewal_token(grace)
    template_ids = list(MessageTemplate.objects.for_org(org).order_by("pk").values_list("pk", flat=True))
    sequence = sequence_create(
        org=org, owner=admin, name="Backend engineers, spring outreach",
        steps=[
            {"order": 1, "kind": "email", "template": template_ids[0]},
            {"order": 2, "kind": "email", "template": template_ids[-1], "delay_hours": 72, "same_thread": True},
            {"order": 3, "kind": "task", "task_text": "Call them if they opened both", "delay_business_days": 1},
        ],
    )  # fmt: skip
    ids["sequence"] = sequence.pk
    people = list(Candidate.objects.for_org(org).exclude(pk=ids["thread_candidate"]).values_list("pk", flat=True))
    enrollments_create(org=org, sequence=sequence, enrolled_by=admin, candidate_ids=people[:2])
    ids["enrol_job"] = enrollment_job_create(org=org, sequence=sequence, enrolled_by=admin, ids=people[2:4]).pk
    assert Activity.objects.filter(organization=org).exists()
    _seed_jobs(org, admin, ids, tokens)
    webhook = endpoint_create(
        org=org, actor=admin, url="https://hooks.example.com/talentcircles", events=["candidate.created"]
    )
    webhook_test_send(endpoint=webhook)  # a row in its delivery log (not sent: no worker runs here)
    ids["webhook"] = webhook.pk


def _seed_jobs(org: Organization, admin: User, ids: dict[str, int], tokens: dict[str, str]) -> None:
    """An open job with every field filled (its public page carries the JobPosting data), shared to the
    circle, with Grace interested (the member raises a hand too, in `_seed_member`)."""
    job = job_create(
        org=org, actor=admin,
        data={
            "title": "Senior Backend Engineer", "team": "Platform", "locations": ["Berlin", "Lisbon"],
            "description": "We build the **APIs** behind our product.\n\n- Python and Django\n- PostgreSQL",
            "remote_policy": "hybrid", "seniority": "senior", "skills": ["Python", "Django", "PostgreSQL"],
            "salary_min": 70_000, "salary_max": 90_000, "salary_currency": "EUR", "hiring_manager": admin,
            "ats_url": "https://jobs.example.com/backend",
        },
    )  # fmt: skip
    job_open(job=job)
    job_share(job=job, circles=[Circle.objects.get(pk=ids["circle"])])
    grace = Candidate.objects.get(pk=ids["candidate"])
    job_interest_add(job=job, candidate=grace, actor=admin, source=JobInterest.Source.REPLY)
    ids["job"], tokens["job_slug"] = job.pk, job.slug


def _seed_member(org: Organization, admin: User, ids: dict[str, int], tokens: dict[str, str]) -> Client:
    """A portal member with a message from the recruiter and a résumé of their own."""
    user = UserFactory(email="ada.member@example.com", first_name="Ada", last_name="Member")
    candidate = CandidateFactory(
        organization=org, user=user, email=user.email, first_name="Ada", last_name="Member",
        current_title="Platform Engineer", current_company="Analytical Engines Ltd",
    )  # fmt: skip
    Circle.objects.get(pk=ids["circle"]).memberships.get_or_create(candidate=candidate)
    message = thread_start(
        org=org, candidate=candidate, recruiter=admin, subject="Our platform team", body="Hi Ada, would you talk?"
    )
    message_deliver(message.pk)  # the portal shows what was sent
    ids["member_thread"] = message.thread_id
    upload = SimpleUploadedFile("ada.docx", docx_bytes("Ada Member. Platform engineering."))
    resume = resume_attach(candidate=candidate, upload=upload, actor=user)
    ids["member_resume"] = resume.pk
    assert Resume.objects.filter(pk=ids["member_resume"]).exists()
    job_interest_raise(candidate=candidate, job=Job.objects.get(pk=ids["job"]), note="Free from March.", resume=resume)
    member = Client()
    member.force_login(user)
    return member


def _seed_account_links(org: Organization, admin: User, tokens: dict[str, str]) -> None:
    invitation = services.invitation_create(org=org, email="new.colleague@example.com", role="recruiter",
                                            invited_by=admin)  # fmt: skip
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    tokens["invitation"] = services.invitation_token(invitation)
    # Someone who never signs in here: a sign-in changes last_login, which voids a reset key.
    forgetful = UserFactory(email="forgetful@example.com")
    tokens["reset_uid"] = user_pk_to_url_str(forgetful)
    tokens["reset_key"] = default_token_generator.make_token(forgetful)
    unverified = UserFactory(email="unverified@example.com", verified=False)
    address = EmailAddress.objects.create(user=unverified, email=unverified.email, verified=False, primary=True)
    tokens["confirm_email"] = EmailConfirmationHMAC(address).key


def _upload_import(recruiter: Client) -> int:
    """A LinkedIn export uploaded through the page: the job waits on its mapping step."""
    upload = SimpleUploadedFile("Connections.csv", LINKEDIN_EXPORT.read_bytes())
    response = recruiter.post(reverse("import_create", args=[ORG]), {"file": upload, "format": "auto"})
    assert response.status_code == 302, response.content[:500]
    job = ImportJob.objects.order_by("-pk").first()
    assert job is not None and job.status == ImportJob.Status.MAPPING
    return job.pk


def _bulk_preview(recruiter: Client, ids: dict[str, int]) -> str:
    """A bulk message to every demo candidate, previewed: the draft lives in the recruiter's session."""
    everyone = list(Candidate.objects.filter(organization__slug=ORG).values_list("pk", flat=True))
    started = recruiter.post(reverse("bulk_start", args=[ORG]), {"selected": everyone, "query": ""})
    assert started.status_code == 302, started.content[:500]
    draft = started["Location"].rstrip("/").split("/")[-1]
    template = MessageTemplate.objects.get(pk=ids["template"])
    composed = recruiter.post(
        reverse("bulk_compose", args=[ORG, draft]),
        {"action": "preview", "subject": template.subject, "body": template.body},
    )
    assert composed.status_code == 302, composed.content[:500]
    return draft
