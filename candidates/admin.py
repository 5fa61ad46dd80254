from django.contrib import admin

from candidates.models import Candidate, ImportJob, MergeRecord, Resume, Skill, Tag


class ResumeInline(admin.TabularInline):
    model = Resume
    fields = ["original_name", "kind", "size", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "organization", "current_title", "current_company", "stage", "created_at"]
    list_filter = ["stage", "source", "do_not_contact", "email_undeliverable", "organization", "industry"]
    search_fields = ["first_name", "last_name", "email", "current_company", "linkedin_url"]
    autocomplete_fields = ["organization", "owner", "user", "skills", "tags"]
    list_select_related = ["organization"]
    readonly_fields = ["search_name", "created_at", "updated_at"]
    inlines = [ResumeInline]
    date_hierarchy = "created_at"


class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    list_filter = ["organization"]
    search_fields = ["name", "key"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]


admin.site.register(Skill, LabelAdmin)
admin.site.register(Tag, LabelAdmin)


@admin.register(Resume)
class ResumeAdmin(admin.ModelAdmin):
    list_display = ["original_name", "candidate", "kind", "size", "created_at"]
    list_filter = ["kind", "organization"]
    search_fields = ["original_name", "candidate__first_name", "candidate__last_name", "candidate__email"]
    autocomplete_fields = ["organization", "candidate", "uploaded_by"]
    list_select_related = ["candidate"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["original_name", "organization", "format", "status", "total", "created", "updated", "failed"]
    list_filter = ["status", "format", "organization"]
    search_fields = ["original_name"]
    autocomplete_fields = ["organization", "created_by", "owner"]
    list_select_related = ["organization"]


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    list_display = ["kept", "merged_candidate_id", "organization", "merged_by", "merged_at"]
    list_filter = ["organization"]
    search_fields = ["kept__first_name", "kept__last_name", "kept__email"]
    autocomplete_fields = ["organization", "kept", "merged_by"]
    list_select_related = ["kept", "organization"]
