"""The timeline's routes: the candidate's timeline, the pipeline and My day (/o/<org_slug>/…), and its API.

Included by talentcircles.urls at the root; each part of `engagement` says where its pages live.
"""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from engagement.timeline import api, board_views, views

recruiter_patterns = [
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

router = SimpleRouter()
router.register("reminders", api.ReminderViewSet, basename="api-reminder")

api_patterns = [
    path("candidates/<int:pk>/timeline/", api.TimelineView.as_view(), name="api-candidate-timeline"),
    path("candidates/<int:pk>/notes/", api.ActivityLogView.as_view(), name="api-candidate-notes"),
    path("candidates/<int:pk>/stage/", api.StageView.as_view(), name="api-candidate-stage"),
    *router.urls,
]

urlpatterns = [
    path("o/<slug:org_slug>/", include(recruiter_patterns)),
    path("api/v1/", include(api_patterns)),
]
