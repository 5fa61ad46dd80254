from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from talentcircles import audit
from talentcircles.audit import admin as _audit_admin  # noqa: F401  (registers the audit trail's admin)
from talentcircles.models import ApiToken, Invitation, Membership, Organization, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["first_name", "last_name", "title", "time_zone"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


class MembershipInline(admin.TabularInline):
    model = Membership
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "created_at"]
    list_filter = ["time_zone"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if change and (changes := audit.form_changes(form)):
            audit.record(request, obj, audit.Action.SETTING_CHANGED, target=obj, changes=changes)

    def save_formset(self, request, form, formset, change) -> None:
        # The members inline: additions, role changes and removals are audited like on their own page.
        org = form.instance
        for removed in formset.deleted_forms:
            if removed.instance.pk:
                audit.record(request, org, audit.Action.MEMBER_REMOVED, target=removed.instance)
        roles = {f.instance.pk: f.initial.get("role") for f in formset.initial_forms}
        super().save_formset(request, form, formset, change)
        for added in formset.new_objects:
            audit.record(request, org, audit.Action.MEMBER_ADDED, target=added, details={"role": added.role})
        for membership, fields in formset.changed_objects:
            if "role" in fields:
                changes = {"role": [roles.get(membership.pk), membership.role]}
                audit.record(request, org, audit.Action.ROLE_CHANGED, target=membership, changes=changes)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]
    list_select_related = ["user", "organization"]

    def save_model(self, request, obj, form, change) -> None:
        # Role changes are audited here: the admin is where a role changes (besides invitations).
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(request, obj.organization, audit.Action.MEMBER_ADDED, target=obj, details={"role": obj.role})
        elif "role" in form.changed_data:
            changes = {"role": [form.initial.get("role"), obj.role]}
            audit.record(request, obj.organization, audit.Action.ROLE_CHANGED, target=obj, changes=changes)

    def delete_model(self, request, obj) -> None:
        audit.record(request, obj.organization, audit.Action.MEMBER_REMOVED, target=obj, details={"role": obj.role})
        super().delete_model(request, obj)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "accepted_at"]
    list_filter = ["role", "organization", ("accepted_at", admin.EmptyFieldListFilter)]
    search_fields = ["email", "organization__name"]
    autocomplete_fields = ["organization", "invited_by", "accepted_by"]
    list_select_related = ["organization"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "key_hint", "membership", "read_only", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "membership__organization"]
    search_fields = ["name", "key_hint", "membership__user__email"]
    autocomplete_fields = ["membership"]
    readonly_fields = ["key_digest", "key_hint", "created_at", "last_used_at"]
    list_select_related = ["membership__user", "membership__organization"]
