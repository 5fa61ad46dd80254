"""Bulk sends: one message rendered, checked and written for each candidate of a selection, a filter or
a circle (what the bulk compose pages and `POST /api/v1/...` preview and send).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet

from candidates.models import Candidate
from messaging import checks
from messaging.models import Message, MessageTemplate, Thread
from messaging.outbox import OutgoingDraft, messages_write_many
from messaging.policy import REASON_LABELS, Purpose, contact_decisions
from messaging.rendering import TemplateError, render_message
from messaging.services import MessagingError, clean_body, clean_subject
from messaging.topics import Topic
from talentcircles.guards import bulk_send_block
from talentcircles.models import Organization, User

# --- Bulk -------------------------------------------------------------------------------------


@dataclass
class Recipient:
    candidate: Candidate
    subject: str = ""
    body: str = ""
    check: checks.CheckResult | None = None
    problem: str = ""  # why it is not sent: the contact policy's detail, a rendering error or the score rule
    code: str = ""  # skipped: the contact policy's reason (a key of policy.REASON_LABELS)
    thread_id: int | None = None  # skipped for a live conversation: that conversation

    @property
    def score(self) -> int | None:
        return self.check.score if self.check else None


@dataclass
class BulkResult:
    ready: list[Recipient] = field(default_factory=list)
    skipped: list[Recipient] = field(default_factory=list)  # not contactable
    failed: list[Recipient] = field(default_factory=list)  # the template can't be filled for them
    held: list[Recipient] = field(default_factory=list)  # under the organisation's minimum score
    messages: list[Message] = field(default_factory=list)  # written and queued (empty for a preview)

    def skip_counts(self) -> list[tuple[str, str, int]]:
        """(code, label, how many) per skip reason, most frequent first."""
        counts: dict[str, int] = {}
        for recipient in self.skipped:
            counts[recipient.code] = counts.get(recipient.code, 0) + 1
        return sorted(((c, REASON_LABELS[c], n) for c, n in counts.items()), key=lambda t: (-t[2], t[0]))


def _bulk_render(
    *, org: Organization, recruiter: User, candidate: Candidate, subject: str, body: str, circle, topic: Topic | None
) -> Recipient:
    try:
        rendered = render_message(
            subject=subject, body=body, candidate=candidate, recruiter=recruiter, organization=org, circle=circle,
            extra=topic.context() if topic else None,
        )  # fmt: skip
        return Recipient(candidate=candidate, subject=clean_subject(rendered.subject), body=clean_body(rendered.body))
    except (TemplateError, MessagingError) as error:
        return Recipient(candidate=candidate, problem=str(error))


def bulk_compose(
    *,
    org: Organization,
    recruiter: User,
    candidates: QuerySet,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
    circle=None,
    topic: Topic | None = None,
    preview_only: bool = False,
) -> BulkResult:
    """Render and check a message for every candidate, then (unless previewing) write and queue them.

    Each candidate gets their own rendering, check and conversation; those the contact policy
    rules out for cold outreach (`messaging.policy`, purpose bulk) are skipped with its reason,
    those the template can't be filled for fail with the token named (a `topic`, such as a job, fills
    its own tokens and is recorded with each new conversation, see `messaging.topics`),
    and drafts under the organisation's minimum score are held. Raises MessagingError while the
    recruiter's bulk sends are paused (the response-rate guard); previews still work.
    """
    blocked = bulk_send_block(org, recruiter)
    if blocked and not preview_only:
        raise MessagingError(blocked, field="candidates")
    result = BulkResult()
    candidates = candidates.filter(organization=org).select_related("organization").prefetch_related("skills")
    decisions = contact_decisions(org=org, candidates=candidates, purpose=Purpose.BULK)
    reasons: dict[int, str] = {}
    rendered: list[Recipient] = []
    for candidate in candidates:
        reason = decisions[candidate.pk].reason if candidate.pk in decisions else None
        if reason is not None:
            reasons[candidate.pk] = reason.code
            result.skipped.append(
                Recipient(candidate=candidate, problem=reason.detail, code=reason.code, thread_id=reason.thread_id)
            )
            continue
        recipient = _bulk_render(
            org=org, recruiter=recruiter, candidate=candidate, subject=subject, body=body, circle=circle, topic=topic
        )
        (result.failed if recipient.problem else rendered).append(recipient)
    # One query for every draft's mass-message count, not one per candidate.
    results = checks.personalisation_check_many(
        org=org,
        drafts=[(r.candidate, r.subject, r.body) for r in rendered],
        template_body=template.body if template else body,
    )
    for recipient, check in zip(rendered, results, strict=True):
        recipient.check = check
        if org.bulk_min_score and check.score < org.bulk_min_score:
            recipient.problem = f"Scores {check.score}; your organisation asks at least {org.bulk_min_score}."
            result.held.append(recipient)
        else:
            result.ready.append(recipient)
    if not preview_only and result.ready:
        drafts = [
            OutgoingDraft(
                candidate=r.candidate,
                sender=recruiter,
                subject=r.subject,
                body=r.body,
                template=template,
                origin=Thread.Origin.BULK,
                circle_id=getattr(circle, "pk", None),
                topic=topic.key if topic else "",
            )
            for r in result.ready
        ]
        written = messages_write_many(org=org, drafts=drafts, skip=reasons)
        result.messages = [w.message for w in written if w.message is not None]
    return result
