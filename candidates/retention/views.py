"""The admin's retention pages, under /o/<org_slug>/candidates/retention/ (admins only; others get 404)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from candidates.models import Candidate
from candidates.retention import clock, selectors, services
from candidates.retention.forms import RetentionExclusionForm, RetentionPolicyForm
from candidates.retention.models import RetentionExclusion
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.pagination import CappedPaginator
from talentcircles.tenancy import signed_in_user

PER_PAGE = 25


class RetentionSettingsView(OrgMemberRequiredMixin, FormView):
    """The policy, the forecast ("312 people will be anonymised on 1 March") and the last runs."""

    admin_only = True
    template_name = "candidates/retention/settings.html"
    form_class = RetentionPolicyForm

    def get_initial(self):
        return {"enabled": self.org.retention_enabled, "months": self.org.retention_months}

    def form_valid(self, form):
        try:
            services.retention_policy_update(
                org=self.org, enabled=form.cleaned_data["enabled"], months=form.cleaned_data["months"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, "Retention policy saved.")
        return redirect("retention_settings", org_slug=self.org.slug)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            forecast=selectors.retention_forecast(org=self.org),
            grace_day=clock.grace_day(self.org),
            runs=list(selectors.retention_runs(org=self.org)[:10]),
            **kwargs,
        )


class RetentionDueView(OrgMemberRequiredMixin, TemplateView):
    """Who the next 30, 60 or 90 days' runs anonymise, by name, with when they were told."""

    admin_only = True
    template_name = "candidates/retention/due.html"

    def get_context_data(self, **kwargs):
        within = self.request.GET.get("within", "30")
        days = int(within) if within in {str(days) for days in selectors.WINDOWS} else selectors.WINDOWS[0]
        now = timezone.now()
        people = selectors.retention_due_list(org=self.org, within_days=days, now=now)
        page = CappedPaginator(people, PER_PAGE).get_page(self.request.GET.get("page"))
        candidates = list(page.object_list)
        sent = selectors.notices_sent(org=self.org, candidates=candidates)
        policy = selectors.as_policy(self.org, now)
        today = clock.today(now)
        rows = [
            {
                "candidate": candidate,
                "run_day": clock.run_day(policy, candidate.retention_anchor_at, today_=today),
                "notice": sent.get(candidate.pk),
            }
            for candidate in candidates
        ]
        return super().get_context_data(within=days, windows=selectors.WINDOWS, page=page, rows=rows, **kwargs)


class RetentionExclusionListView(OrgMemberRequiredMixin, TemplateView):
    admin_only = True
    template_name = "candidates/retention/exclusions.html"

    def get_context_data(self, **kwargs):
        exclusions = selectors.retention_exclusions(org=self.org)
        page = CappedPaginator(exclusions, PER_PAGE).get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, **kwargs)


class RetentionExclusionCreateView(OrgMemberRequiredMixin, FormView):
    """Keep one person whatever the policy says, with the reason (also: change the reason)."""

    admin_only = True
    template_name = "candidates/retention/exclude.html"
    form_class = RetentionExclusionForm

    def _candidate(self) -> Candidate:
        try:
            return Candidate.objects.for_org(self.org).filter(erased_at=None).get(pk=self.kwargs["pk"])
        except Candidate.DoesNotExist:
            raise Http404 from None

    def get_initial(self):
        exclusion = RetentionExclusion.objects.filter(candidate=self._candidate()).first()
        return {"reason": exclusion.reason} if exclusion else {}

    def form_valid(self, form):
        candidate = self._candidate()
        try:
            services.retention_exclusion_set(
                org=self.org, candidate_id=candidate.pk, reason=form.cleaned_data["reason"],
                by=signed_in_user(self.request),
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"{candidate.full_name} is kept whatever the retention policy says.")
        return redirect("candidate_detail", org_slug=self.org.slug, pk=candidate.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        return super().get_context_data(candidate=self._candidate(), **kwargs)


class RetentionExclusionRemoveView(OrgMemberRequiredMixin, TemplateView):
    admin_only = True
    http_method_names = ["post"]

    def post(self, request, org_slug, pk):
        try:
            services.retention_exclusion_remove(org=self.org, candidate_id=pk)
        except RetentionExclusion.DoesNotExist:
            raise Http404 from None
        messages.success(request, "The retention policy applies to this person again.")
        return redirect("candidate_detail", org_slug=org_slug, pk=pk)


urlpatterns = [
    path("retention/", RetentionSettingsView.as_view(), name="retention_settings"),
    path("retention/due/", RetentionDueView.as_view(), name="retention_due"),
    path("retention/kept/", RetentionExclusionListView.as_view(), name="retention_exclusions"),
    path("<int:pk>/retention/keep/", RetentionExclusionCreateView.as_view(), name="retention_exclude"),
    path("<int:pk>/retention/unkeep/", RetentionExclusionRemoveView.as_view(), name="retention_exclusion_remove"),
]
