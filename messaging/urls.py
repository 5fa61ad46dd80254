"""Recruiter pages of the messaging app, relative to /o/<org_slug>/messages/ (included by talentcircles.urls)."""

from django.urls import path

from messaging.views import bulk, classification, conversations, resend, templates, unmatched

urlpatterns = [
    path("", conversations.ThreadListView.as_view(), name="thread_list"),
    path("<int:pk>/", conversations.ThreadDetailView.as_view(), name="thread_detail"),
    path("<int:pk>/reply/", conversations.ThreadReplyView.as_view(), name="thread_reply"),
    path(
        "message/<int:pk>/classification/",
        classification.MessageClassifyView.as_view(),
        name="message_classify",
    ),
    path("message/<int:pk>/resend/", resend.MessageResendView.as_view(), name="message_resend"),
    path("new/", conversations.ComposeView.as_view(), name="message_compose"),
    path("check/", conversations.CheckView.as_view(), name="message_check"),
    path(
        "candidate/<int:candidate_pk>/",
        conversations.CandidateConversationsView.as_view(),
        name="candidate_conversations",
    ),
    path("bulk/", bulk.BulkStartView.as_view(), name="bulk_start"),
    path("bulk/<str:draft>/", bulk.BulkComposeView.as_view(), name="bulk_compose"),
    path("bulk/<str:draft>/preview/", bulk.BulkPreviewView.as_view(), name="bulk_preview"),
    path("bulk/<str:draft>/send/", bulk.BulkSendView.as_view(), name="bulk_send"),
    path("templates/", templates.TemplateListView.as_view(), name="template_list"),
    path("templates/new/", templates.TemplateCreateView.as_view(), name="template_create"),
    path("templates/<int:pk>/edit/", templates.TemplateEditView.as_view(), name="template_edit"),
    path("templates/<int:pk>/archive/", templates.TemplateArchiveView.as_view(), name="template_archive"),
    path("templates/<int:pk>/preview/", templates.TemplatePreviewView.as_view(), name="template_preview"),
    path("unmatched/", unmatched.UnmatchedListView.as_view(), name="unmatched_list"),
    path("unmatched/<int:pk>/assign/", unmatched.UnmatchedAssignView.as_view(), name="unmatched_assign"),
    path("unmatched/<int:pk>/discard/", unmatched.UnmatchedDiscardView.as_view(), name="unmatched_discard"),
]
