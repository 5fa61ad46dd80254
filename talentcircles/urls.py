from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from talentcircles import views
from talentcircles.api import OrganizationView
from talentcircles.health import healthz

# The admin signs in through allauth's login (its rate limits, two-factor step and verified e-mail),
# as allauth documents: Django's own admin login form would skip all three.
admin.autodiscover()
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

recruiter_patterns: list[URLPattern | URLResolver] = [
    path("", views.OrgHomeView.as_view(), name="org_home"),
    path("settings/", views.OrgSettingsView.as_view(), name="org_settings"),
    path("checklist/dismiss/", views.ChecklistDismissView.as_view(), name="setup_checklist_dismiss"),
    path("settings/invitations/", views.InvitationCreateView.as_view(), name="invitation_create"),
    path("settings/invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation_revoke"),
    path("settings/members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="member_remove"),
    path("settings/audit/", include("talentcircles.audit.views")),
    path("settings/members/<int:pk>/role/", views.MemberRoleView.as_view(), name="member_role"),
    path("settings/tokens/", views.ApiTokenListView.as_view(), name="api_tokens"),
    path("settings/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="api_token_revoke"),
    path("settings/webhooks/", include("talentcircles.webhooks_out.urls")),
    path("candidates/", include("candidates.urls")),
    path("messages/", include("messaging.urls")),
]

api_v1_patterns: list[URLPattern | URLResolver] = [
    path("organization/", OrganizationView.as_view(), name="api_organization"),
    path("", include("candidates.api_urls")),
    path("", include("messaging.api_urls")),
]

# Every /api/ error is JSON; other paths keep Django's HTML pages (talentcircles.api_fallbacks).
handler400 = "talentcircles.api_fallbacks.bad_request"
handler403 = "talentcircles.api_fallbacks.permission_denied"
handler404 = "talentcircles.api_fallbacks.page_not_found"
handler500 = "talentcircles.api_fallbacks.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says. The unhashed name (WhiteNoise serves it too):
    # looking up the hashed one here would need the static manifest at import time.
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}favicon.svg"), name="favicon"),
    path("orgs/new/", views.OrganizationCreateView.as_view(), name="organization_create"),
    path("orgs/switch/", views.org_switch, name="org_switch"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("account/profile/", views.ProfileView.as_view(), name="profile"),
    path("o/<slug:org_slug>/", include(recruiter_patterns)),
    path("c/<slug:org_slug>/", include("candidates.portal_urls")),
    path("c/<slug:org_slug>/", include("messaging.portal_urls")),
    path("", include("messaging.public_urls")),
    path("", include("messaging.inbound_urls")),
    # Each part of `engagement` mounts its recruiter pages, portal pages and API itself.
    path("", include("engagement.timeline.urls")),
    path("", include("engagement.circles.urls")),
    path("", include("engagement.sequences.urls")),
    path("", include("engagement.analytics.urls")),
    path("api/v1/", include(api_v1_patterns)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # The split view serves Swagger UI's start-up script from ?script (CSP: no inline script).
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api_schema", template_name="api_docs.html"),
        name="api_docs",
    ),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
