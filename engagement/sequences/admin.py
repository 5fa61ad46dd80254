"""Admin pages for sequences, their enrollments and background enrolment jobs (read mostly)."""

from __future__ import annotations

from django.contrib import admin

from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceStep


class SequenceStepInline(admin.TabularInline):
    model = SequenceStep
    extra = 0
    fields = ["order", "kind", "template", "delay_hours", "delay_business_days", "same_thread", "task_text"]
    raw_id_fields = ["template"]


@admin.register(Sequence)
class SequenceAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "owner", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["name", "organization__name"]
    raw_id_fields = ["organization", "owner"]
    list_select_related = ["organization", "owner"]
    inlines = [SequenceStepInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["candidate", "sequence", "state", "steps_done", "next_run_at", "stop_reason", "enrolled_at"]
    list_filter = ["state"]
    search_fields = ["sequence__name", "candidate__email"]
    raw_id_fields = ["organization", "sequence", "candidate", "enrolled_by", "next_step"]
    list_select_related = ["candidate", "sequence"]
    readonly_fields = ["claimed_until"]


@admin.register(EnrollmentJob)
class EnrollmentJobAdmin(admin.ModelAdmin):
    list_display = ["pk", "sequence", "status", "total", "processed", "enrolled", "skipped", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["organization", "sequence", "enrolled_by"]
    exclude = ["candidate_ids"]
    readonly_fields = ["skipped_reasons", "error", "started_at", "finished_at"]
