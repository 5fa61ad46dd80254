"""Recruiter pages of the engagement app, relative to /o/<org_slug>/ (included by talentcircles.urls)."""

from django.urls import path

from engagement import board_views, views

urlpatterns = [
    path("pipeline/", board_views.PipelineView.as_view(), name="pipeline"),
    path("pipeline/<int:pk>/move/", board_views.PipelineMoveView.as_view(), name="pipeline_move"),
    path("today/", board_views.MyDayView.as_view(), name="my_day"),
    path("today/reminders/<int:pk>/done/", board_views.ReminderDoneView.as_view(), name="reminder_done"),
    path("today/reminders/<int:pk>/snooze/", board_views.ReminderSnoozeView.as_view(), name="reminder_snooze"),
    path("candidates/<int:pk>/timeline/", views.TimelineView.as_view(), name="candidate_timeline"),
    path("candidates/<int:pk>/timeline/stage/", views.TimelineStageView.as_view(), name="timeline_stage"),
    path("candidates/<int:pk>/timeline/reminders/", views.TimelineReminderView.as_view(), name="timeline_reminder"),
    path("candidates/<int:pk>/timeline/log/<str:kind>/", views.TimelineLogView.as_view(), name="timeline_log"),
    path("candidates/<int:pk>/timeline/<int:activity_pk>/", views.ActivityView.as_view(), name="timeline_activity"),
    path(
        "candidates/<int:pk>/timeline/<int:activity_pk>/edit/",
        views.ActivityEditView.as_view(),
        name="timeline_activity_edit",
    ),
    path(
        "candidates/<int:pk>/timeline/<int:activity_pk>/delete/",
        views.ActivityDeleteView.as_view(),
        name="timeline_activity_delete",
    ),
]
