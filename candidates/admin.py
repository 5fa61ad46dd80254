from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from candidates import search
from candidates.models import Candidate, ConsentRecord, ImportJob, MergeRecord, Resume, Skill, Suppression, Tag
from candidates.privacy import candidate_erase
from talentcircles import audit


class ResumeInline(admin.TabularInline):
    model = Resume
    fields = readonly_fields = ("original_name", "kind", "size", "extraction_status", "extraction_reason", "created_at")
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
    actions = ["erase_personal_data"]

    def save_related(self, request, form, formsets, change) -> None:
        # After the skills are saved: the search columns read them.
        super().save_related(request, form, formsets, change)
        search.refresh([form.instance.pk])
        if change and (changes := audit.form_changes(form)):
            target = form.instance
            audit.record(request, target.organization_id, audit.Action.FIELD_CHANGED, target=target, changes=changes)

    @admin.action(description="Erase personal data", permissions=["change"])
    def erase_personal_data(self, request, queryset):
        """The same erasure as the portal's and the recruiters', after a confirmation page."""
        if request.POST.get("confirm_erase") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "title": "Erase personal data?",
                "opts": self.model._meta,
                "candidates": queryset,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/candidates/candidate/erase_confirmation.html", context)
        erased = 0
        for candidate in queryset.filter(erased_at=None):
            candidate_erase(candidate=candidate, source=ConsentRecord.Source.ADMIN, actor=request.user)
            erased += 1
        self.message_user(
            request, f"Erased the personal data of {erased} candidate{'' if erased == 1 else 's'}.", messages.SUCCESS
        )
        return None


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
    list_display = ["original_name", "candidate", "kind", "size", "extraction_status", "created_at"]
    list_filter = ["kind", "extraction_status", "organization"]
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence (consents) and the suppression list are written by services only, never by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentRecord)
class ConsentRecordAdmin(ReadOnlyAdmin):
    list_display = ["candidate", "purpose", "granted", "wording_version", "source", "recorded_at", "organization"]
    list_filter = ["purpose", "granted", "source", "organization"]
    search_fields = ["candidate__first_name", "candidate__last_name", "candidate__email"]
    list_select_related = ["candidate", "organization"]
    date_hierarchy = "recorded_at"


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdmin):
    list_display = ["email_hash", "reason", "organization", "created_at"]
    list_filter = ["reason", "organization"]
    search_fields = ["email_hash"]
    list_select_related = ["organization"]
