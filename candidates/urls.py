"""Recruiter pages of the candidates app, mounted under /o/<org_slug>/candidates/.

Each feature module owns its `urlpatterns`; this module only gathers them.
"""

from candidates import import_views, views
from candidates.duplicates import views as duplicate_views
from candidates.retention import views as retention_views

urlpatterns = [
    *views.urlpatterns,
    *import_views.urlpatterns,
    *duplicate_views.urlpatterns,
    *retention_views.urlpatterns,
]
