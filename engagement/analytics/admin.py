"""Admin for response-rate tracking: the roll-ups (read-only) and the guard, with "End the improvement period"."""

from __future__ import annotations

from django.contrib import admin, messages

from engagement.analytics.guard import guard_end_period
from engagement.analytics.models import RecruiterGuard, ResponseStat, ResponseStatWeek


@admin.register(ResponseStat, ResponseStatWeek)
class ResponseStatAdmin(admin.ModelAdmin):
    list_display = ["day", "organization", "dimension", "key", "recruiter_id", "sent", "bounced", "answered"]
    list_filter = ["dimension", "organization"]
    search_fields = ["key", "organization__name"]
    date_hierarchy = "day"
    list_select_related = ["organization"]

    # Roll-ups are derived from the messages: fix the messages, then rebuild (rebuild_response_stats).
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RecruiterGuard)
class RecruiterGuardAdmin(admin.ModelAdmin):
    list_display = ["recruiter", "organization", "state", "last_rate", "last_sent", "warned_at", "period_ends_at"]
    list_filter = ["state", "organization"]
    search_fields = ["recruiter__email", "organization__name"]
    list_select_related = ["recruiter", "organization"]
    readonly_fields = [field.name for field in RecruiterGuard._meta.fields]
    actions = ["end_period"]

    def has_add_permission(self, request) -> bool:
        return False

    @admin.action(description="End the improvement period")
    def end_period(self, request, queryset) -> None:
        ended = 0
        for guard in queryset.exclude(state=RecruiterGuard.State.OK):
            guard_end_period(guard=guard, by=request.user)
            ended += 1
        self.message_user(request, f"{ended} recruiter(s) back in good standing; bulk sends resume.", messages.SUCCESS)
