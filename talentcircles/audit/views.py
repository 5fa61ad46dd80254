"""The audit trail for an organisation's admins: /o/<org>/settings/audit/, filtered, paged, exported as CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator

from django.conf import settings
from django.http import StreamingHttpResponse
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from talentcircles.audit.forms import AuditFilterForm
from talentcircles.audit.models import AuditEntry
from talentcircles.audit.recording import record
from talentcircles.audit.selectors import COUNT_CAP, Cursor, audit_count, audit_entries, audit_page
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.overload import statement_timeout_lifted

CSV_COLUMNS = (
    "created_at", "action", "actor_email", "actor_kind", "api_token_id", "target_type", "target_id",
    "target_label", "changes", "details", "ip_address", "user_agent",
)  # fmt: skip
# A cell starting with one of these is run as a formula by spreadsheet programs.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(entries) -> Iterator[str]:
    """The entries as CSV (a BOM first, for spreadsheet programs), read in chunks: flat memory."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        row = (
            entry.created_at.isoformat(), entry.action, entry.actor.email if entry.actor else "", entry.actor_kind,
            entry.api_token_id, entry.target_type, entry.target_id, entry.target_label,
            json.dumps(entry.changes, ensure_ascii=False), json.dumps(entry.details, ensure_ascii=False),
            entry.ip_address, entry.user_agent,
        )  # fmt: skip
        yield writer.writerow([_safe_cell(value) for value in row])


class AuditTrailView(OrgMemberRequiredMixin, TemplateView):
    """Who did what, newest first; filters by who, action, candidate and dates. Admins only."""

    admin_only = True
    template_name = "talentcircles/audit.html"

    def get_context_data(self, **kwargs):
        form = AuditFilterForm(self.request.GET or None, org=self.org)
        form.is_valid()  # invalid fields are left out of the filters and shown next to their inputs
        filters = form.to_filters()
        before = Cursor.decode(self.request.GET.get("before", ""))
        page = audit_page(org=self.org, filters=filters, before=before)
        query = self.request.GET.copy()
        query.pop("before", None)
        total = audit_count(org=self.org, filters=filters)
        return super().get_context_data(
            form=form,
            entries=page.entries,
            next_cursor=page.next_cursor.encode() if page.next_cursor else "",
            first_page=before is None,
            filter_query=query.urlencode(),
            total=min(total, COUNT_CAP),
            total_is_capped=total > COUNT_CAP,
            retention_days=settings.AUDIT_RETENTION_DAYS,
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        if kwargs.get("export"):
            return self.export()
        return super().get(request, *args, **kwargs)

    def export(self):
        form = AuditFilterForm(self.request.GET or None, org=self.org)
        if form.is_bound and not form.is_valid():
            # Exporting with a filter left out would hand over more than was asked for: show why instead.
            return self.render_to_response(self.get_context_data(), status=400)
        filters = form.to_filters()
        details = {"format": "csv", "filters": {key: value for key, value in self.request.GET.items() if value}}
        record(self.request, self.org, AuditEntry.Action.DATA_EXPORTED, target=("audit_trail", None), details=details)
        response = StreamingHttpResponse(
            # Every matching entry, for longer than a page may take: no web statement timeout (docs/scale.md).
            statement_timeout_lifted(csv_stream(audit_entries(org=self.org, filters=filters))),
            content_type="text/csv; charset=utf-8",
        )
        filename = f"{self.org.slug}-audit-{timezone.localdate():%Y-%m-%d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


urlpatterns = [
    path("", AuditTrailView.as_view(), name="audit_trail"),
    path("export.csv", AuditTrailView.as_view(), {"export": True}, name="audit_trail_export"),
]
