from django.contrib import admin

from candidates.models import Candidate


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ["full_name", "email", "organization", "created_at"]
    list_filter = ["organization"]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["organization"]
    list_select_related = ["organization"]
