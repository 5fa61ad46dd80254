from django.contrib import admin

from engagement.models import Circle


@admin.register(Circle)
class CircleAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "visibility", "created_at"]
    list_filter = ["visibility", "organization"]
    search_fields = ["name", "slug", "organization__name"]
    autocomplete_fields = ["organization"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["organization"]


# Registered from their own modules: response-rate roll-ups and the guard; sequences and enrollments.
import engagement.analytics_admin  # noqa: E402
import engagement.sequence_admin  # noqa: E402,F401
