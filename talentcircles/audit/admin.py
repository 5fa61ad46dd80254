"""The audit trail in the Django admin: to read, never to write (not even for superusers)."""

from __future__ import annotations

from django.contrib import admin

from talentcircles.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organization", "action", "actor", "actor_kind", "target_label", "ip_address"]
    list_filter = ["action", "actor_kind", "target_type"]
    search_fields = ["target_label", "actor__email"]
    date_hierarchy = "created_at"
    list_select_related = ["organization", "actor"]
    show_full_result_count = False  # a COUNT(*) of millions of rows on every page
    actions = None

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEntry._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
