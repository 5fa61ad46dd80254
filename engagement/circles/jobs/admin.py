"""Admin for jobs: read and correct them; recruiters create and move them in the app."""

from django.contrib import admin

from engagement.circles.jobs.models import Job, JobInterest


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "status", "remote_policy", "opened_at", "created_at"]
    list_filter = ["status", "remote_policy", "employment_type", "organization"]
    search_fields = ["title", "slug", "team", "organization__name"]
    autocomplete_fields = ["organization"]
    raw_id_fields = ["owner", "hiring_manager"]
    readonly_fields = ["description_html", "opened_at", "closed_at", "created_at", "updated_at"]
    list_select_related = ["organization"]


@admin.register(JobInterest)
class JobInterestAdmin(admin.ModelAdmin):
    list_display = ["job", "candidate", "status", "source", "created_at"]
    list_filter = ["status", "source"]
    raw_id_fields = ["job", "candidate", "organization"]
    list_select_related = ["job", "candidate"]
