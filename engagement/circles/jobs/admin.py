"""Admin for jobs: read and correct them; recruiters create and move them in the app."""

from django.contrib import admin

from engagement.circles.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "status", "remote_policy", "opened_at", "created_at"]
    list_filter = ["status", "remote_policy", "employment_type", "organization"]
    search_fields = ["title", "slug", "team", "organization__name"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["owner", "hiring_manager"]
    readonly_fields = ["description_html", "opened_at", "closed_at", "created_at", "updated_at"]
    list_select_related = ["organization"]
