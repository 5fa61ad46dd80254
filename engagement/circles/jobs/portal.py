"""The portal's jobs under /c/<org_slug>/jobs/: open jobs, each job's public page, and feeds of them.

Public pages: anyone may read an open job (search engines included, through its JobPosting data).
A draft, held, filled or closed job, or another organisation's, answers 404.
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
from engagement.circles.jobs.interest import job_interest_raise
from engagement.circles.jobs.models import Job
from engagement.circles.jobs.posting import job_posting, script_json

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
        return super().get_context_data(
            org=self.org,
            job=self.job,
            candidate=member,
            raised_hand=member is not None and selectors.has_raised_hand(candidate=member, job=self.job),
            json_ld=script_json(job_posting(self.job, url=url, organisation_url=landing)),
            **kwargs,
        )


class PortalJobInterestView(PortalCandidateMixin, View):
    """A member's one-click "I'm interested" on an open job's page."""

    def post(self, request, org_slug, slug):
        job = get_object_or_404(selectors.open_jobs(org=self.org), slug=slug)
        try:
            job_interest_raise(candidate=self.candidate, job=job)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Thank you: {self.org.name} knows you are interested in “{job.title}”.")
        return redirect("portal_job_detail", org_slug, slug)


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
