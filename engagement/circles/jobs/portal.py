"""The portal's jobs under /c/<org_slug>/jobs/: open jobs, each job's public page, and feeds of them;
raising a hand (a member's "I'm interested", or a visitor's "join and say I'm interested"), and the
member's own interests at /c/<org_slug>/my-interests/ where they can withdraw.

Public pages: anyone may read an open job (search engines included, through its JobPosting data).
A draft, held, filled or closed job, or another organisation's, answers 404. A member's interests are
always their own: another person's interest id is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.syndication.views import Feed
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Rss201rev2Feed
from django.views import View
from django.views.generic import TemplateView

from candidates.portal_access import PortalCandidateMixin, portal_candidate, portal_org
from engagement.circles.jobs import selectors
from engagement.circles.jobs.forms import JobJoinForm, RaiseHandForm
from engagement.circles.jobs.interest import job_interest_raise, job_interest_withdraw
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.posting import job_posting, script_json
from engagement.circles.models import Circle
from engagement.circles.portal import JoinView
from engagement.circles.views import OrgTimeZoneMixin

JOBS_PER_PAGE = 20
FEED_ITEMS = 50


def _member(request, org_slug: str):
    """The signed-in member's candidate record (for the portal navigation), without a query for visitors."""
    return portal_candidate(request, org_slug) if request.user.is_authenticated else None


class PortalJobListView(TemplateView):
    template_name = "portal/jobs/list.html"

    def get(self, request, org_slug):
        self.org = portal_org(org_slug)
        with timezone.override(self.org.time_zone or "UTC"):
            return super().get(request, org_slug).render()

    def get_context_data(self, **kwargs):
        paginator = Paginator(selectors.open_jobs(org=self.org), JOBS_PER_PAGE)
        return super().get_context_data(
            org=self.org,
            candidate=_member(self.request, self.org.slug),
            page=paginator.get_page(self.request.GET.get("page")),
            total=paginator.count,
            **kwargs,
        )


class PortalJobDetailView(TemplateView):
    template_name = "portal/jobs/detail.html"

    def get(self, request, org_slug, slug):
        self.org = portal_org(org_slug)
        self.job = get_object_or_404(selectors.open_jobs(org=self.org), slug=slug)
        with timezone.override(self.org.time_zone or "UTC"):
            return super().get(request, org_slug).render()

    def get_context_data(self, **kwargs):
        url = _job_url(self.request, self.job)  # canonical: without the query string
        landing = self.request.build_absolute_uri(reverse("community_landing", args=[self.org.slug]))
        member = _member(self.request, self.org.slug)
        interest = selectors.candidate_interest(candidate=member, job=self.job) if member else None
        active = interest is not None and interest.status != JobInterest.Status.WITHDRAWN
        return super().get_context_data(
            org=self.org,
            job=self.job,
            candidate=member,
            interest=interest,
            raised_hand=active,
            raise_form=RaiseHandForm(candidate=member) if member is not None and not active else None,
            json_ld=script_json(job_posting(self.job, url=url, organisation_url=landing)),
            **kwargs,
        )


class PortalJobInterestView(PortalCandidateMixin, View):
    """A member's "I'm interested" on an open job's page: one click, with an optional note and résumé."""

    def post(self, request, org_slug, slug):
        job = get_object_or_404(selectors.open_jobs(org=self.org), slug=slug)
        form = RaiseHandForm(request.POST, candidate=self.candidate)
        try:
            if not form.is_valid():
                raise ValidationError([message for errors in form.errors.values() for message in errors])
            job_interest_raise(
                candidate=self.candidate, job=job, note=form.cleaned_data["note"], resume=form.cleaned_data["resume"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Thank you: {self.org.name} knows you are interested in “{job.title}”.")
        return redirect("portal_job_detail", org_slug, slug)


class PortalJobJoinView(JoinView):
    """A visitor joins the community and raises a hand for the job in one go: the join flow as it is
    (account, e-mail verification, consents, circles: `community_join`), then the interest in the
    same transaction, with the note they wrote."""

    template_name = "portal/jobs/join.html"
    form_class = JobJoinForm

    def dispatch(self, request, org_slug, slug, *args, **kwargs):
        self.job = get_object_or_404(selectors.open_jobs(org=portal_org(org_slug)), slug=slug)
        return super().dispatch(request, org_slug, *args, **kwargs)

    def welcome_url(self) -> str:
        return reverse("portal_job_detail", args=[self.org.slug, self.job.slug])

    def initial(self) -> dict:
        # The public circles the job is shared to are offered ticked.
        shared = self.job.circles.filter(visibility=Circle.Visibility.PUBLIC).values_list("pk", flat=True)
        return {**super().initial(), "circles": list(shared)}

    def join_context(self) -> dict:
        return {"job": self.job}

    def joined(self, candidate, form) -> None:
        job_interest_raise(candidate=candidate, job=self.job, note=form.cleaned_data["note"])


# How the portal words each status to the person: kind, and without the recruiters' reasons.
PORTAL_STATUS = {
    JobInterest.Status.INTERESTED: ("Interested", "The recruiters have your interest and will be in touch."),
    JobInterest.Status.SHORTLISTED: ("Shortlisted", "The team would like to talk to you about this role."),
    JobInterest.Status.HANDED_TO_ATS: ("In the hiring process", "Your interest has gone on to the hiring team."),
    JobInterest.Status.NOT_A_FIT: (
        "Not this time",
        "The team went another way for this role. Thank you for raising your hand: we will keep you in mind.",
    ),
    JobInterest.Status.WITHDRAWN: ("Withdrawn", "You withdrew your interest. Raise your hand again while it is open."),
}
MY_INTERESTS_PER_PAGE = 20


class PortalMyInterestsView(PortalCandidateMixin, OrgTimeZoneMixin, TemplateView):
    """The jobs the member raised a hand for (or was added to), with where each stands."""

    template_name = "portal/jobs/my_interests.html"

    def get_context_data(self, **kwargs):
        page = Paginator(selectors.candidate_interests(candidate=self.candidate), MY_INTERESTS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        rows = [(interest, *PORTAL_STATUS[JobInterest.Status(interest.status)]) for interest in page.object_list]
        return super().get_context_data(page=page, rows=rows, **kwargs)


class PortalInterestWithdrawView(PortalCandidateMixin, View):
    def post(self, request, org_slug, pk):
        interest = get_object_or_404(selectors.candidate_interests(candidate=self.candidate), pk=pk)
        job_interest_withdraw(interest=interest)
        messages.success(request, f"You withdrew your interest in “{interest.job.title}”.")
        return redirect("portal_my_interests", org_slug)


def _job_url(request, job: Job) -> str:
    return request.build_absolute_uri(reverse("portal_job_detail", args=[job.organization.slug, job.slug]))


class PortalJobJsonFeedView(View):
    """The open jobs as a JSON Feed 1.1 (https://jsonfeed.org/version/1.1), newest first."""

    def get(self, request, org_slug):
        org = portal_org(org_slug)
        jobs = list(selectors.open_jobs(org=org)[:FEED_ITEMS])
        feed = {
            "version": "https://jsonfeed.org/version/1.1",
            "title": f"Jobs at {org.name}",
            "home_page_url": request.build_absolute_uri(reverse("portal_jobs", args=[org.slug])),
            "feed_url": request.build_absolute_uri(),
            "items": [
                {
                    "id": _job_url(request, job),
                    "url": _job_url(request, job),
                    "title": job.title,
                    "content_html": job.description_html,
                    "date_published": (job.opened_at or job.created_at).isoformat(),
                    "tags": job.skills,
                }
                for job in jobs
            ],
        }
        return JsonResponse(feed, content_type="application/feed+json")


class PortalJobRssFeed(Feed):
    """The open jobs as RSS 2.0, newest first."""

    feed_type = Rss201rev2Feed

    def get_object(self, request, org_slug):
        return portal_org(org_slug)

    def title(self, org):
        return f"Jobs at {org.name}"

    def link(self, org):
        return reverse("portal_jobs", args=[org.slug])

    def description(self, org):
        return f"Open jobs in the {org.name} talent community."

    def items(self, org):
        return selectors.open_jobs(org=org)[:FEED_ITEMS]

    def item_title(self, job):
        return job.title

    def item_description(self, job):
        return job.description_html

    def item_link(self, job):
        return reverse("portal_job_detail", args=[job.organization.slug, job.slug])

    def item_pubdate(self, job):
        return job.opened_at
