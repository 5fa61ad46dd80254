"""Import pages under /o/<org_slug>/candidates/imports/: upload, map columns, watch progress, get the report.

CSV and LinkedIn files go through the mapping page (first rows, one select per column,
guessed fields preselected); JSON Resume files start at once. The job page polls its
progress partial every second with htmx until the job is done.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from candidates.importing import jobs, readers
from candidates.importing.forms import ColumnMappingForm, ImportUploadForm
from candidates.importing.report import failures_csv, failures_filename, warnings_csv, warnings_filename
from candidates.models import ImportJob
from candidates.upload_rate import UploadRateLimited, upload_rate_check
from talentcircles import audit
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability


class ImportListView(OrgMemberRequiredMixin, ListView):
    template_name = "candidates/imports/list.html"
    context_object_name = "jobs"
    paginate_by = 25

    def get_queryset(self):
        return jobs.import_jobs_for(self.org)


class ImportCreateView(OrgMemberRequiredMixin, FormView):
    capability = Capability.IMPORT
    template_name = "candidates/imports/new.html"
    form_class = ImportUploadForm

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"org": self.org}

    def get_initial(self):
        return {"owner": self.request.user.pk}

    def form_valid(self, form):
        try:
            upload_rate_check(user_id=self.request.user.pk)
            job = jobs.import_job_create(
                org=self.org,
                actor=self.request.user,
                upload=form.cleaned_data["file"],
                format=form.cleaned_data["format"],
                owner=form.cleaned_data["owner"],
                review_mapping=True,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            status = 429 if isinstance(exc, UploadRateLimited) else 400
            return self.render_to_response(self.get_context_data(form=form), status=status)
        if job.status == ImportJob.Status.MAPPING:
            return redirect("import_mapping", org_slug=self.org.slug, pk=job.pk)
        return redirect("import_detail", org_slug=self.org.slug, pk=job.pk)


class _JobView(OrgMemberRequiredMixin):
    """A job of the request's organisation (another organisation's is 404)."""

    def get_job(self) -> ImportJob:
        return get_object_or_404(
            ImportJob.objects.for_org(self.org).select_related("created_by", "owner"), pk=self.kwargs["pk"]
        )


class ImportMappingView(_JobView, View):
    capability = Capability.IMPORT
    template_name = "candidates/imports/mapping.html"

    def get(self, request, org_slug, pk):
        job = self.get_job()
        if job.status != ImportJob.Status.MAPPING:
            return redirect("import_detail", org_slug=org_slug, pk=pk)
        try:
            preview = jobs.preview(job)
        except (readers.ImportFileError, OSError) as exc:
            return self._unreadable(job, exc)
        form = ColumnMappingForm(headers=preview.headers, initial_mapping=job.mapping)
        return self._render(job, preview, form)

    def post(self, request, org_slug, pk):
        job = self.get_job()
        if job.status != ImportJob.Status.MAPPING:
            return redirect("import_detail", org_slug=org_slug, pk=pk)
        try:
            preview = jobs.preview(job)
        except (readers.ImportFileError, OSError) as exc:
            return self._unreadable(job, exc)
        form = ColumnMappingForm(request.POST, headers=preview.headers, initial_mapping=job.mapping)
        if form.is_valid():
            try:
                jobs.import_job_start(job=job, mapping=form.mapping())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                return redirect("import_detail", org_slug=org_slug, pk=pk)
        return self._render(job, preview, form, status=400)

    def _render(self, job: ImportJob, preview: jobs.Preview, form: ColumnMappingForm, status: int = 200):
        # One row per column of the file (its field, then its first values): a file's columns side by side
        # ran off a laptop's screen, and far off a phone's.
        columns = [(header, field, [row[n] for row in preview.rows if n < len(row)])
                   for n, (header, field) in enumerate(form.columns())]  # fmt: skip
        context = {
            "org": self.org, "membership": self.membership, "job": job, "preview": preview, "form": form,
            "columns": columns,
        }  # fmt: skip
        return render(self.request, self.template_name, context, status=status)

    def _unreadable(self, job: ImportJob, exc: Exception):
        message = str(exc) if isinstance(exc, readers.ImportFileError) else "The uploaded file is no longer there."
        context = {"org": self.org, "membership": self.membership, "job": job, "file_error": message}
        return render(self.request, self.template_name, context, status=400)


class ImportDetailView(_JobView, TemplateView):
    template_name = "candidates/imports/detail.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(job=self.get_job(), **kwargs)


class ImportProgressView(_JobView, View):
    """The progress partial that the job page polls; it stops asking once the job is done."""

    def get(self, request, org_slug, pk):
        context = {"org": self.org, "job": self.get_job()}
        return render(request, "candidates/imports/_progress.html", context)


def _csv_download(request, job, report: str, text: str, filename: str) -> HttpResponse:
    details = {"format": "csv", "import_report": report, "import_job_id": job.pk}
    target = (audit.TargetType.CANDIDATE_LIST, None)
    audit.record(request, job.organization_id, audit.Action.DATA_EXPORTED, target=target, details=details)
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ImportFailuresView(_JobView, View):
    capability = Capability.IMPORT

    def get(self, request, org_slug, pk):
        job = self.get_job()
        return _csv_download(request, job, "failures", failures_csv(job), failures_filename(job))


class ImportWarningsView(_JobView, View):
    capability = Capability.IMPORT

    def get(self, request, org_slug, pk):
        job = self.get_job()
        return _csv_download(request, job, "warnings", warnings_csv(job), warnings_filename(job))


urlpatterns = [
    path("imports/", ImportListView.as_view(), name="import_list"),
    path("imports/new/", ImportCreateView.as_view(), name="import_create"),
    path("imports/<int:pk>/", ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/mapping/", ImportMappingView.as_view(), name="import_mapping"),
    path("imports/<int:pk>/progress/", ImportProgressView.as_view(), name="import_progress"),
    path("imports/<int:pk>/failures.csv", ImportFailuresView.as_view(), name="import_failures"),
    path("imports/<int:pk>/warnings.csv", ImportWarningsView.as_view(), name="import_warnings"),
]
