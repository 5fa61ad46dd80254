"""Job alerts in the portal: the member's alert preference (/c/<org>/job-alerts/, part of Preferences) and
the one-click unsubscribe link of the alert e-mails (/c/<org>/job-alerts/unsubscribe/<token>/)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from candidates.portal_access import PortalCandidateMixin, portal_org
from engagement.circles.jobs.alerts import services, unsubscribe
from engagement.circles.jobs.alerts.forms import JobAlertForm
from engagement.circles.jobs.alerts.models import AlertFrequency


class JobAlertsView(PortalCandidateMixin, TemplateView):
    """job-alerts/: what openings I want by e-mail (skills, places, workplaces) and how often."""

    template_name = "portal/jobs/alerts.html"

    def get_context_data(self, **kwargs):
        preference = services.job_alert_preference_for(self.candidate)
        kwargs.setdefault("form", JobAlertForm(initial=JobAlertForm.initial_for(preference)))
        return super().get_context_data(
            preference=preference,
            suggestions=services.skill_suggestions(org_id=self.org.pk),
            digest_off=self.candidate.digest_frequency == AlertFrequency.NEVER,
            **kwargs,
        )

    def post(self, request, org_slug):
        form = JobAlertForm(request.POST)
        if form.is_valid():
            try:
                services.job_alert_preference_set(candidate=self.candidate, **form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Your job alerts are saved.")
                return redirect("portal_job_alerts", org_slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class JobAlertsUnsubscribeView(View):
    """job-alerts/unsubscribe/<token>/: the alert e-mail's one-click link. GET asks; POST (the mail client's
    RFC 8058 request, or the button) stops job alerts."""

    def _candidate(self, org_slug: str, token: str):
        self.org = portal_org(org_slug)
        return unsubscribe.candidate_for_token(self.org, token)

    def _page(self, request, template: str, candidate, status: int = 200, **context):
        context = {"org": self.org, "erased": bool(candidate and candidate.erased_at), **context}
        return render(request, template, context, status=status)

    def get(self, request, org_slug, token):
        candidate = self._candidate(org_slug, token)
        if candidate is None:
            return self._page(request, "portal/community/unsubscribe_invalid.html", None, status=404)
        if candidate.erased_at or not unsubscribe.job_alerts_on(candidate):
            return self._page(request, "portal/jobs/alerts_unsubscribe_done.html", candidate)
        return self._page(request, "portal/jobs/alerts_unsubscribe_confirm.html", candidate, confirm_url=request.path)

    def post(self, request, org_slug, token):
        candidate = self._candidate(org_slug, token)
        if candidate is None:
            return self._page(request, "portal/community/unsubscribe_invalid.html", None, status=404)
        if not candidate.erased_at:
            unsubscribe.job_alerts_stop(candidate=candidate)
        return self._page(request, "portal/jobs/alerts_unsubscribe_done.html", candidate)
