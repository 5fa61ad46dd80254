"""The candidate's own pages, mounted at /c/<org_slug>/ (next to engagement.community_urls)."""

from django.urls import path

from candidates import portal
from candidates.retention import portal as retention_portal

urlpatterns = [
    path("me/", portal.ProfileView.as_view(), name="portal_profile"),
    path("me/resume/", portal.ResumeUploadView.as_view(), name="portal_resume_upload"),
    path("me/resume/<int:resume_pk>/", portal.ResumeStatusView.as_view(), name="portal_resume_status"),
    path("preferences/", portal.PreferencesView.as_view(), name="portal_preferences"),
    path("my-data/", portal.MyDataView.as_view(), name="portal_my_data"),
    path("my-data/download/", portal.MyDataDownloadView.as_view(), name="portal_my_data_download"),
    path("my-data/erase/", portal.EraseView.as_view(), name="portal_erase"),
    path("my-data/erased/", portal.ErasedView.as_view(), name="portal_erased"),
    path("stay/<str:token>/", retention_portal.renewal, name="retention_renew"),
]
