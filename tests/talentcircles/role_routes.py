"""What every recruiter page and API route should need: the expected side of the role matrix.

tests/talentcircles/test_role_matrix.py fails for a route of the URL confs that is not here, for
one whose view declares something else, and for any role the server answers otherwise.

Adding a route is one line, by URL name:
- `"name": Capability.X` — every method of the page needs X (a GET-only page: `V`; a form page
  and its POST: the capability of the write);
- `"name": Api(Capability.X)` — an API route: reads need VIEW, writes need X (exceptions by method:
  `Api(Capability.X, {"DELETE": Capability.Y})`);
- `"name": {"GET": V, "POST": Capability.X}` — method by method.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from talentcircles.permissions import Capability as C

V = C.VIEW


@dataclass(frozen=True)
class Api:
    """Reads need VIEW, writes need `write`, except the methods named in `but`."""

    write: C
    but: dict[str, C] = field(default_factory=dict)


Expected = C | Api | dict[str, C]

PAGES: dict[str, Expected] = {
    # talentcircles
    "org_home": V,
    "org_settings": C.MANAGE_SETTINGS,
    "setup_checklist_dismiss": C.MANAGE_SETTINGS,
    "invitation_create": C.MANAGE_MEMBERS,
    "invitation_revoke": C.MANAGE_MEMBERS,
    "member_remove": C.MANAGE_MEMBERS,
    "member_role": C.MANAGE_MEMBERS,
    "api_tokens": C.MANAGE_TOKENS,
    "api_token_revoke": C.MANAGE_TOKENS,
    # candidates
    "candidate_list": V,
    "candidate_bulk": C.TAG,  # each bulk action checks its own too (tag, stage, owner, export)
    "candidate_export_csv": C.EXPORT_CONTACT_DATA,
    "candidate_create": C.EDIT_CANDIDATES,
    "candidate_detail": V,
    "candidate_edit": C.EDIT_CANDIDATES,
    "candidate_archive": C.EDIT_CANDIDATES,
    "candidate_delete": C.DELETE_OWN_CANDIDATES,  # and the owner (test_roles.py)
    "candidate_erase": C.DELETE_OWN_CANDIDATES,
    "candidate_json_resume": C.EXPORT_CONTACT_DATA,
    "candidate_resume_upload": C.EDIT_CANDIDATES,
    "candidate_resume_status": V,
    "candidate_resume_download": C.EXPORT_CONTACT_DATA,
    "candidate_resume_preview": V,
    "import_list": V,
    "import_create": C.IMPORT,
    "import_detail": V,
    "import_mapping": C.IMPORT,
    "import_progress": V,
    "import_failures": C.IMPORT,
    "import_warnings": C.IMPORT,
    "duplicate_list": V,
    "duplicate_dismiss": C.MERGE_CANDIDATES,
    "duplicate_merge": C.MERGE_CANDIDATES,
    # messaging
    "thread_list": V,
    "thread_detail": V,
    "thread_reply": C.SEND_MESSAGES,
    "message_classify": C.SEND_MESSAGES,
    "message_resend": C.SEND_MESSAGES,
    "message_compose": C.SEND_MESSAGES,
    "message_check": C.SEND_MESSAGES,
    "candidate_conversations": V,
    "bulk_start": C.BULK_SEND,
    "bulk_compose": C.BULK_SEND,
    "bulk_preview": C.BULK_SEND,
    "bulk_send": C.BULK_SEND,
    "template_list": V,
    "template_create": C.MANAGE_TEMPLATES,
    "template_edit": C.MANAGE_TEMPLATES,
    "template_archive": C.MANAGE_TEMPLATES,
    "template_preview": V,
    "unmatched_list": V,
    "unmatched_assign": C.SEND_MESSAGES,
    "unmatched_discard": C.SEND_MESSAGES,
    # engagement: timeline
    "pipeline": V,
    "pipeline_move": C.MOVE_STAGE,
    "my_day": V,
    "reminder_done": C.SCHEDULE,
    "reminder_snooze": C.SCHEDULE,
    "candidate_timeline": V,
    "timeline_stage": C.MOVE_STAGE,
    "timeline_reminder": C.SCHEDULE,
    "timeline_log": C.SCHEDULE,
    "timeline_activity": V,
    "timeline_activity_edit": C.SCHEDULE,
    "timeline_activity_delete": C.SCHEDULE,
    # engagement: circles and jobs
    "circle_list": V,
    "circle_create": C.MANAGE_CIRCLES,
    "circle_bulk_add": C.MANAGE_CIRCLES,
    "community_invite": C.MANAGE_CIRCLES,
    "circle_detail": V,
    "circle_edit": C.MANAGE_CIRCLES,
    "circle_delete": C.MANAGE_CIRCLES,
    "circle_member_add": C.MANAGE_CIRCLES,
    "circle_member_remove": C.MANAGE_CIRCLES,
    "circle_post_create": C.MANAGE_CIRCLES,
    "circle_post_detail": V,
    "circle_post_edit": C.MANAGE_CIRCLES,
    "circle_post_publish": C.MANAGE_CIRCLES,
    "circle_post_unpublish": C.MANAGE_CIRCLES,
    "circle_post_delete": C.MANAGE_CIRCLES,
    "job_list": V,
    "job_create": C.MANAGE_JOBS,
    "job_detail": V,
    "job_edit": C.MANAGE_JOBS,
    "job_status": C.MANAGE_JOBS,
    "job_share": C.MANAGE_JOBS,
    "job_delete": C.MANAGE_JOBS,
    "job_board": V,
    "job_fits": V,
    "job_analytics": V,
    "job_interest_add": C.MANAGE_JOBS,
    "job_interest_move": C.MOVE_STAGE,
    "candidate_job_interests": {"GET": V, "POST": C.MANAGE_JOBS},
    # admins only: the audit trail, retention, webhooks
    "audit_trail": C.MANAGE_SETTINGS,
    "audit_trail_export": C.MANAGE_SETTINGS,
    "retention_settings": C.MANAGE_SETTINGS,
    "retention_due": C.MANAGE_SETTINGS,
    "retention_exclusions": C.MANAGE_SETTINGS,
    "retention_exclude": C.MANAGE_SETTINGS,
    "retention_exclusion_remove": C.MANAGE_SETTINGS,
    "webhooks": C.MANAGE_SETTINGS,
    "webhook_detail": C.MANAGE_SETTINGS,
    "webhook_action": C.MANAGE_SETTINGS,
    "webhook_redeliver": C.MANAGE_SETTINGS,
    # engagement: sequences and analytics
    "sequence_list": V,
    "sequence_create": C.MANAGE_SEQUENCES,
    "sequence_enrol": C.BULK_SEND,
    "sequence_enrol_start": C.BULK_SEND,
    "sequence_enrol_job": C.BULK_SEND,
    "sequence_detail": V,
    "sequence_edit": C.MANAGE_SEQUENCES,
    "sequence_preview": V,
    "sequence_status": C.MANAGE_SEQUENCES,
    "sequence_step_move": C.MANAGE_SEQUENCES,
    "enrollment_pause": C.MANAGE_SEQUENCES,
    "enrollment_resume": C.MANAGE_SEQUENCES,
    "enrollment_stop": C.MANAGE_SEQUENCES,
    "analytics_dashboard": V,
}

API: dict[str, Expected] = {
    "api_organization": V,
    "api-candidate-list": Api(C.EDIT_CANDIDATES),
    "api-candidate-detail": Api(C.EDIT_CANDIDATES, {"DELETE": C.DELETE_OWN_CANDIDATES}),
    "api-candidate-upload-resume": Api(C.EDIT_CANDIDATES),
    "api-candidate-timeline": V,
    "api-candidate-notes": Api(C.SCHEDULE),
    "api-candidate-stage": Api(C.MOVE_STAGE),
    "api-candidate-contact": V,
    "api-import-list": Api(C.IMPORT),
    "api-import-detail": V,
    "api-reminder-list": Api(C.SCHEDULE),
    "api-reminder-detail": Api(C.SCHEDULE),
    "api-circle-list": Api(C.MANAGE_CIRCLES),
    "api-circle-detail": Api(C.MANAGE_CIRCLES),
    "api-circle-members": Api(C.MANAGE_CIRCLES),
    "api-circle-post-list": Api(C.MANAGE_CIRCLES),
    "api-circle-post-detail": Api(C.MANAGE_CIRCLES),
    "api-circle-post-publish": Api(C.MANAGE_CIRCLES),
    "api-job-list": Api(C.MANAGE_JOBS),
    "api-job-detail": Api(C.MANAGE_JOBS),
    "api-job-set-status": Api(C.MANAGE_JOBS),
    "api-job-analytics": Api(C.MANAGE_JOBS),
    "api-job-interests": Api(C.MANAGE_JOBS),
    "api-job-interest": Api(C.MOVE_STAGE),
    "api-sequence-list": Api(C.MANAGE_SEQUENCES),
    "api-sequence-detail": Api(C.MANAGE_SEQUENCES),
    "api-sequence-enrollments": Api(C.BULK_SEND),
    "api-enrollment-list": V,
    "api-enrollment-detail": V,
    "api-enrollment-pause": Api(C.MANAGE_SEQUENCES),
    "api-enrollment-resume": Api(C.MANAGE_SEQUENCES),
    "api-enrollment-stop": Api(C.MANAGE_SEQUENCES),
    "api-enrollment-job-detail": V,
    "api-stats-response-rate": V,
    "api-stats-funnel": V,
    "api-template-list": Api(C.MANAGE_TEMPLATES),
    "api-template-detail": Api(C.MANAGE_TEMPLATES),
    "api-template-preview": Api(C.MANAGE_TEMPLATES),
    "api-thread-list": Api(C.SEND_MESSAGES),
    "api-thread-detail": V,
    "api-thread-messages": Api(C.SEND_MESSAGES),
    "api-thread-bulk": Api(C.BULK_SEND),
    "api-message-check": Api(C.SEND_MESSAGES),
    "api-message-classification": Api(C.SEND_MESSAGES),
    "api-message-resend": Api(C.SEND_MESSAGES),
}

SAFE = {"GET", "HEAD", "OPTIONS"}


def expected(name: str, method: str) -> C | None:
    """The capability `method` of the route named `name` should need, or None if the route is not listed."""
    spec = PAGES.get(name) or API.get(name)
    if spec is None:
        return None
    if isinstance(spec, dict):
        return spec.get(method)
    if isinstance(spec, Api):
        return spec.but.get(method) or (V if method in SAFE else spec.write)
    return spec
