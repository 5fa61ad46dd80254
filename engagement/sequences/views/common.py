"""What the sequence pages share: the page mixin, a step's preview for one candidate, small helpers."""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme

from candidates.models import Candidate
from engagement.sequences import enrolment_batches, selectors
from engagement.sequences.models import Sequence, SequenceStep
from engagement.timeline.views import RecruiterTimeMixin
from messaging.checks import personalisation_check
from messaging.models import MessageTemplate
from messaging.rendering import TemplateError, render_message
from messaging.views.common import score_level

SEQUENCES_PER_PAGE = 25
ENROLLMENTS_PER_PAGE = 25
SAMPLE_SIZE = 5  # candidates whose first message the enrol screen shows
SKIPPED_SHOWN = 50
# The enrol screen checks who would be skipped for up to this many candidates; beyond it the
# background job checks the rest as it goes (the screen says so).
PLAN_LIMIT = 5_000


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


def _reason_summary(skipped: dict[int, str]) -> str:
    """ "3 unsubscribed from all messages; 1 already enrolled in this sequence"."""
    reasons = Counter(skipped.values())
    return "; ".join(
        f"{count:,} {enrolment_batches.ENROLL_SKIP_REASONS.get(reason, reason).lower()}"
        for reason, count in reasons.most_common()
    )


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def visible_templates(org, user) -> QuerySet[MessageTemplate]:
    """The templates a recruiter may put in a step: active, shared or their own."""
    return MessageTemplate.objects.for_org(org).active().visible_to(user).order_by("name", "id")


def step_preview(*, org, recruiter, candidate: Candidate, step: SequenceStep, job=None) -> dict:
    """One step as the candidate would get it: rendered subject and body with its check, or why not."""
    preview: dict = {"step": step}
    if step.kind == SequenceStep.Kind.TASK:
        preview["task"] = step.task_text
        return preview
    template = step.template
    if template is None:
        preview["error"] = "This step has no template yet."
        return preview
    try:
        rendered = render_message(
            subject=template.subject, body=template.body, candidate=candidate, recruiter=recruiter, organization=org,
            extra={"job": job} if job is not None else None,
        )  # fmt: skip
    except TemplateError as exc:
        preview["error"] = exc.message
        return preview
    check = personalisation_check(
        org=org, candidate=candidate, subject=rendered.subject, body=rendered.body, template_body=template.body
    )
    preview.update(subject=rendered.subject, body=rendered.body, check=check, level=score_level(check.score))
    return preview


class SequencePageMixin(RecruiterTimeMixin):
    """The sequence named by the URL, scoped to the organisation: 404 outside it."""

    @cached_property
    def sequence(self) -> Sequence:
        try:
            return selectors.sequence_detail(org=self.org, pk=self.kwargs["pk"])
        except Sequence.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "pk" in self.kwargs:
            context["sequence"] = self.sequence
        return context
