"""Admin for talent circles."""

from django.contrib import admin

from engagement.circles.models import Circle


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "visibility", "created_at"]
    list_filter = ["visibility", "organization"]
    search_fields = ["name", "slug", "organization__name"]
    autocomplete_fields = ["organization"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["organization"]
