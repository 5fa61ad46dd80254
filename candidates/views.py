"""Recruiter pages for candidates: list with search, filters and bulk actions; detail; create,
edit, archive and delete; résumé upload, download and preview; CSV and JSON Resume exports.

Mounted under /o/<org_slug>/candidates/. Every query starts from the request's organisation,
so another organisation's candidate is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponseRedirect, JsonResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.generic import FormView, TemplateView

from candidates import exports, privacy, search, services
from candidates.countries import flag_unmapped
from candidates.duplicates.selectors import duplicates_of
from candidates.forms import (
    BulkActionForm,
    CandidateFilterForm,
    CandidateForm,
    ResumeUploadForm,
    org_members,
    split_labels,
)
from candidates.list_rows import ROW_FIELDS, candidate_rows
from candidates.models import Candidate, ConsentRecord, Resume
from candidates.resumes import resume_attach
from candidates.selectors import candidate_detail, candidate_filter, candidate_list, candidate_results
from candidates.upload_rate import UploadRateLimited, upload_rate_check
from talentcircles import audit, permissions
from talentcircles.mixins import HtmxRequest, OrgMemberRequiredMixin
from talentcircles.overload import statement_timeout_lifted
from talentcircles.pagination import LIST_COUNT_CAP, SEARCH_COUNT_CAP, CappedPaginator
from talentcircles.permissions import Capability
from talentcircles.tenancy import signed_in_user

PAGE_SIZE = 25
CONTENT_TYPES: dict[str, str] = {
    Resume.Kind.PDF: "application/pdf",
    Resume.Kind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
# The preview is an uploaded file framed by our own page only. No `sandbox`: Chrome refuses
# to run its PDF viewer in a sandboxed document, and the type is fixed from the sniffed
# content (never the upload's claim) with nosniff, so the browser treats it as a PDF only.
PREVIEW_CSP = "default-src 'none'; frame-ancestors 'self'"


def _candidates(count: int) -> str:
    return f"{count} candidate{'' if count == 1 else 's'}"


def _list_url(org_slug: str, query: str = "") -> str:
    url = reverse("candidate_list", args=[org_slug])
    return f"{url}?{query}" if query else url


def _filter_query(params: QueryDict) -> str:
    """The list's query string without the page number (what "all matching" and exports act on)."""
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


class CandidateMixin(OrgMemberRequiredMixin):
    """The candidate named by the URL, scoped to the organisation (404 outside it)."""

    def candidate_for_page(self) -> Candidate:
        try:
            return candidate_detail(org=self.org, pk=self.kwargs["pk"])
        except Candidate.DoesNotExist:
            raise Http404 from None

    def candidate(self) -> Candidate:
        return get_object_or_404(Candidate.objects.for_org(self.org), pk=self.kwargs["pk"])

    def deletable_candidate(self) -> Candidate:
        """The candidate, if this member may delete or erase them (a recruiter: only their own), else 403."""
        candidate = self.candidate()
        permissions.require_candidate_deletion(self.membership, candidate)
        return candidate


# --- List, bulk actions, CSV export ---------------------------------------------------------


class CandidateListView(OrgMemberRequiredMixin, TemplateView):
    """The list; an htmx request (live search, paging) gets only the results partial."""

    request: HtmxRequest
    template_name = "candidates/list.html"

    def get_template_names(self) -> list[str]:
        htmx = self.request.htmx
        if htmx and not htmx.history_restore_request:
            return ["candidates/_results.html"]
        return [self.template_name]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # The same URL answers with a page or a partial: caches must tell them apart.
        patch_vary_headers(response, ("HX-Request",))
        return response

    def get_context_data(self, **kwargs):
        members = org_members(self.org)
        form = CandidateFilterForm(self.request.GET, org=self.org, members=members)
        form.is_valid()  # invalid fields are left out of the filters and named above the results
        filters = form.to_filters()
        results = candidate_results(org=self.org, filters=filters, ordering=form.ordering(), fields=ROW_FIELDS)
        cap = results.count_cap or (SEARCH_COUNT_CAP if search.terms(filters.search) else LIST_COUNT_CAP)
        paginator = CappedPaginator(results.pages, PAGE_SIZE, count_cap=cap, counted=results.counted)
        page = paginator.get_page(self.request.GET.get("page"))
        # Only an empty result needs to know whether the organisation has anyone at all.
        has_any = bool(page.object_list) or Candidate.objects.for_org(self.org).exists()
        return super().get_context_data(
            form=form,
            filter_errors=[
                (form[name].label if name in form.fields else "Filters", errors) for name, errors in form.errors.items()
            ],
            page=page,
            rows=candidate_rows(page.object_list, self.org.slug),
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            total=paginator.count,
            total_is_capped=paginator.count_is_capped,
            has_any=has_any,
            filter_query=_filter_query(self.request.GET),
            bulk_form=BulkActionForm(members=members),
            **kwargs,
        )


class CandidateBulkView(OrgMemberRequiredMixin, View):
    """Tag, untag, assign an owner, set a stage or export, on a selection or on all matching."""

    capability = Capability.TAG  # the least any action needs; each action's own is checked too
    action_capabilities = {
        "export": Capability.EXPORT_CONTACT_DATA,
        "tag": Capability.TAG,
        "untag": Capability.TAG,
        "owner": Capability.EDIT_CANDIDATES,
        "stage": Capability.MOVE_STAGE,
    }

    def post(self, request, org_slug):
        members = org_members(self.org)
        form = BulkActionForm(request.POST, members=members)
        query = QueryDict(request.POST.get("query", ""))
        back = _list_url(org_slug, _filter_query(query))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        filters = CandidateFilterForm(query, org=self.org, members=members)
        if form.cleaned_data["all_matching"] and not filters.is_valid():
            # An invalid filter is left out of the list, which would widen "all matching": refuse instead.
            messages.error(request, "The filters are not valid any more, so nothing was changed. Try again.")
            return HttpResponseRedirect(back)
        data, action = form.cleaned_data, form.cleaned_data["action"]
        permissions.require(self.membership, self.action_capabilities.get(action, Capability.MOVE_STAGE))
        if data["all_matching"]:
            targets = candidate_filter(org=self.org, filters=filters.to_filters())
        else:
            targets = Candidate.objects.for_org(self.org).filter(pk__in=data["selected"])
        if action == "export":
            if data["all_matching"]:  # in the list's order
                targets = candidate_list(org=self.org, filters=filters.to_filters(), ordering=filters.ordering())
            scope = {"query": _filter_query(query)} if data["all_matching"] else {"ids": sorted(data["selected"])}
            return _csv_response(request, self.org, targets, scope)
        try:
            if action == "tag":
                names = split_labels(data["tags"])
                result = services.candidates_tag(org=self.org, candidates=targets, names=names)
                done = f"Tagged {_candidates(result.affected)} with “{', '.join(names)}”."
            elif action == "untag":
                names = split_labels(data["tags"])
                result = services.candidates_untag(org=self.org, candidates=targets, names=names)
                done = f"Removed “{', '.join(names)}” from {_candidates(result.affected)}."
            elif action == "owner":
                owner = form.owner_user()
                result = services.candidates_assign_owner(org=self.org, candidates=targets, owner=owner)
                who = (owner.get_full_name() or owner.email) if owner else "nobody"
                done = f"Assigned {_candidates(result.affected)} to {who}."
            else:
                stage = data["stage"]
                result = services.candidates_set_stage(
                    org=self.org, candidates=targets, stage=stage, actor=request.user
                )
                label = Candidate.Stage(stage).label
                done = f"Moved {_candidates(result.affected)} to “{label}”."
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, done)
        return HttpResponseRedirect(back)


def _csv_response(request, org, candidates: QuerySet[Candidate], scope: dict) -> StreamingHttpResponse:
    audit.record(request, org, audit.Action.DATA_EXPORTED, target=(audit.TargetType.CANDIDATE_LIST, None),
                 details={"format": "csv", **scope})  # fmt: skip
    # Every matching row, for longer than a page may take: no web statement timeout (docs/scale.md).
    stream = statement_timeout_lifted(exports.csv_stream(candidates))
    response = StreamingHttpResponse(stream, content_type="text/csv; charset=utf-8")
    filename = f"{org.slug}-candidates-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CandidateExportCsvView(OrgMemberRequiredMixin, View):
    """The current list (same filters and order as the page) as CSV."""

    capability = Capability.EXPORT_CONTACT_DATA

    def get(self, request, org_slug):
        form = CandidateFilterForm(request.GET, org=self.org, members=org_members(self.org))
        form.is_valid()  # like the list: what you see is what you export
        candidates = candidate_list(org=self.org, filters=form.to_filters(), ordering=form.ordering())
        return _csv_response(request, self.org, candidates, {"query": _filter_query(request.GET)})


# --- One candidate ------------------------------------------------------------------------


class CandidateDetailView(CandidateMixin, TemplateView):
    template_name = "candidates/detail.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("upload_form", ResumeUploadForm())
        candidate = self.candidate_for_page()
        # Every view of a profile is in the audit trail: one INSERT (docs/audit.md).
        audit.record(self.request, self.org, audit.Action.PROFILE_VIEWED, target=candidate)
        may_delete = permissions.may_delete_candidate(self.membership, candidate)
        return super().get_context_data(
            candidate=candidate, duplicates=duplicates_of(candidate), may_delete=may_delete, **kwargs
        )


class ResumeUploadView(CandidateMixin, View):
    capability = Capability.EDIT_CANDIDATES

    def post(self, request, org_slug, pk):
        candidate = self.candidate()
        form = ResumeUploadForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                upload_rate_check(user_id=request.user.pk)
                resume = resume_attach(candidate=candidate, upload=form.cleaned_data["file"], actor=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
                status = 429 if isinstance(exc, UploadRateLimited) else 400
            else:
                messages.success(request, f"Résumé “{resume.original_name}” added; its text is being read.")
                return redirect("candidate_detail", org_slug, candidate.pk)
        detail = CandidateDetailView(request=request, args=(), kwargs=self.kwargs)
        detail.org, detail.membership = self.org, self.membership
        return detail.render_to_response(detail.get_context_data(upload_form=form), status=status)


class ResumeFileMixin(CandidateMixin):
    def resume(self) -> Resume:
        return get_object_or_404(
            Resume.objects.for_org(self.org), candidate_id=self.kwargs["pk"], pk=self.kwargs["resume_pk"]
        )

    def file_response(self, resume: Resume, *, as_attachment: bool) -> FileResponse:
        try:
            handle = resume.file.open("rb")
        except FileNotFoundError:
            raise Http404("The file is missing from storage.") from None
        return FileResponse(
            handle,
            as_attachment=as_attachment,
            filename=resume.original_name,
            content_type=CONTENT_TYPES[resume.kind],
        )


class ResumeStatusView(ResumeFileMixin, View):
    """One résumé's row of the detail page, polled by htmx while its text is being read."""

    def get(self, request, org_slug, pk, resume_pk):
        return render(request, "candidates/_resume_item.html", {"org": self.org, "resume": self.resume()})


class ResumeDownloadView(ResumeFileMixin, View):
    capability = Capability.EXPORT_CONTACT_DATA

    def get(self, request, org_slug, pk, resume_pk):
        resume = self.resume()
        details = {"format": "resume", "resume_id": resume.pk}
        target = (audit.TargetType.CANDIDATE, resume.candidate_id)
        audit.record(request, self.org, audit.Action.DATA_EXPORTED, target=target, details=details)
        return self.file_response(resume, as_attachment=True)


@method_decorator(xframe_options_sameorigin, name="dispatch")  # shown in an <iframe> on the detail page
class ResumePreviewView(ResumeFileMixin, View):
    """A PDF shown inline, sandboxed: an uploaded file must never run as our origin."""

    def get(self, request, org_slug, pk, resume_pk):
        resume = self.resume()
        if resume.kind != Resume.Kind.PDF:
            raise Http404  # DOCX is previewed as its extracted text on the detail page
        response = self.file_response(resume, as_attachment=False)
        response["Content-Security-Policy"] = PREVIEW_CSP
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response


class CandidateJsonResumeView(CandidateMixin, View):
    capability = Capability.EXPORT_CONTACT_DATA

    def get(self, request, org_slug, pk):
        candidate = self.candidate_for_page()
        details = {"format": "json_resume"}
        audit.record(request, self.org, audit.Action.DATA_EXPORTED, target=candidate, details=details)
        response = JsonResponse(exports.json_resume(candidate), json_dumps_params={"indent": 2, "ensure_ascii": False})
        filename = f"{slugify(candidate.full_name) or 'candidate'}-{candidate.pk}.resume.json"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- Create, edit, archive, delete ----------------------------------------------------------


class CandidateFormMixin(OrgMemberRequiredMixin):
    # Typed as FormView types them, which the views mix this into.
    template_name: str | None = "candidates/form.html"
    form_class: type[CandidateForm] | None = CandidateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "org": self.org, "members": org_members(self.org)}

    def form_valid(self, form):
        try:
            candidate = self.save(form)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        return redirect("candidate_detail", self.org.slug, candidate.pk)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class CandidateCreateView(CandidateFormMixin, FormView):
    capability = Capability.EDIT_CANDIDATES

    def save(self, form: CandidateForm) -> Candidate:
        candidate = services.candidate_create(
            org=self.org, actor=signed_in_user(self.request), **form.service_arguments()
        )
        messages.success(self.request, f"{candidate.full_name} added.")
        return candidate


class CandidateEditView(CandidateMixin, CandidateFormMixin, FormView):
    capability = Capability.EDIT_CANDIDATES

    @cached_property
    def object(self) -> Candidate:
        return self.candidate_for_page()

    def get_initial(self):
        return CandidateForm.initial_for(self.object)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        flag_unmapped(form, self.object.country_unmapped)
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(candidate=self.object, **kwargs)

    def save(self, form: CandidateForm) -> Candidate:
        arguments = form.service_arguments()
        try:
            candidate = services.candidate_update(
                candidate=self.object, actor=signed_in_user(self.request), **arguments
            )
        except ValidationError:
            # The service set the typed values on the instance before refusing; show the stored record.
            self.__dict__.pop("object", None)
            raise
        messages.success(self.request, f"{candidate.full_name} saved.")
        return candidate


class CandidateArchiveView(CandidateMixin, View):
    capability = Capability.EDIT_CANDIDATES

    def post(self, request, org_slug, pk):
        candidate = services.candidate_archive(candidate=self.candidate(), actor=request.user)
        messages.success(
            request, f"{candidate.full_name} archived. Archived candidates show in the list under the Archived stage."
        )
        return redirect("candidate_detail", org_slug, candidate.pk)


class CandidateDeleteView(CandidateMixin, TemplateView):
    capability = Capability.DELETE_OWN_CANDIDATES  # and the candidate's owner
    template_name = "candidates/delete.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(candidate=self.deletable_candidate(), **kwargs)

    def post(self, request, org_slug, pk):
        candidate = self.deletable_candidate()
        name = candidate.full_name
        services.candidate_delete(candidate=candidate, actor=request.user)
        messages.success(request, f"{name} deleted, with their résumés.")
        return redirect("candidate_list", org_slug)


class CandidateEraseView(CandidateMixin, TemplateView):
    """Erase a person's data on their request (the same service as the portal's and the admin's)."""

    capability = Capability.DELETE_OWN_CANDIDATES  # and the candidate's owner

    template_name = "candidates/erase.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(candidate=self.deletable_candidate(), **kwargs)

    def post(self, request, org_slug, pk):
        candidate = self.deletable_candidate()
        name = candidate.full_name
        privacy.candidate_erase(candidate=candidate, source=ConsentRecord.Source.RECRUITER, actor=request.user)
        messages.success(request, f"{name}'s personal data is erased; an anonymous record stays for the counts.")
        return redirect("candidate_detail", org_slug, candidate.pk)


urlpatterns = [
    path("", CandidateListView.as_view(), name="candidate_list"),
    path("bulk/", CandidateBulkView.as_view(), name="candidate_bulk"),
    path("export.csv", CandidateExportCsvView.as_view(), name="candidate_export_csv"),
    path("new/", CandidateCreateView.as_view(), name="candidate_create"),
    path("<int:pk>/", CandidateDetailView.as_view(), name="candidate_detail"),
    path("<int:pk>/edit/", CandidateEditView.as_view(), name="candidate_edit"),
    path("<int:pk>/archive/", CandidateArchiveView.as_view(), name="candidate_archive"),
    path("<int:pk>/delete/", CandidateDeleteView.as_view(), name="candidate_delete"),
    path("<int:pk>/erase/", CandidateEraseView.as_view(), name="candidate_erase"),
    path("<int:pk>/resume.json", CandidateJsonResumeView.as_view(), name="candidate_json_resume"),
    path("<int:pk>/resumes/", ResumeUploadView.as_view(), name="candidate_resume_upload"),
    path("<int:pk>/resumes/<int:resume_pk>/", ResumeStatusView.as_view(), name="candidate_resume_status"),
    path("<int:pk>/resumes/<int:resume_pk>/download/", ResumeDownloadView.as_view(), name="candidate_resume_download"),
    path("<int:pk>/resumes/<int:resume_pk>/preview/", ResumePreviewView.as_view(), name="candidate_resume_preview"),
]
