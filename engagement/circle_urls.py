"""Recruiter pages for talent circles, relative to /o/<org_slug>/circles/ (included by talentcircles.urls)."""

from django.urls import path

from engagement import circle_views as views

urlpatterns = [
    path("", views.CircleListView.as_view(), name="circle_list"),
    path("new/", views.CircleCreateView.as_view(), name="circle_create"),
    path("bulk-add/", views.CircleBulkAddView.as_view(), name="circle_bulk_add"),
    path("invite/", views.CommunityInviteView.as_view(), name="community_invite"),
    path("<int:pk>/", views.CircleDetailView.as_view(), name="circle_detail"),
    path("<int:pk>/edit/", views.CircleEditView.as_view(), name="circle_edit"),
    path("<int:pk>/delete/", views.CircleDeleteView.as_view(), name="circle_delete"),
    path("<int:pk>/members/", views.MemberAddView.as_view(), name="circle_member_add"),
    path("<int:pk>/members/<int:candidate_pk>/remove/", views.MemberRemoveView.as_view(), name="circle_member_remove"),
    path("<int:pk>/posts/new/", views.PostCreateView.as_view(), name="circle_post_create"),
    path("<int:pk>/posts/<int:post_pk>/", views.PostDetailView.as_view(), name="circle_post_detail"),
    path("<int:pk>/posts/<int:post_pk>/edit/", views.PostEditView.as_view(), name="circle_post_edit"),
    path("<int:pk>/posts/<int:post_pk>/publish/", views.PostPublishView.as_view(), name="circle_post_publish"),
    path("<int:pk>/posts/<int:post_pk>/unpublish/", views.PostUnpublishView.as_view(), name="circle_post_unpublish"),
    path("<int:pk>/posts/<int:post_pk>/delete/", views.PostDeleteView.as_view(), name="circle_post_delete"),
]
