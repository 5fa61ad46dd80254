"""Helpers the recruiter pages of the messaging app share: drafts rendered and checked for one candidate."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page
from django.http import Http404, QueryDict

from candidates.models import Candidate
from messaging.checks import CheckResult, personalisation_check
from messaging.models import MessageTemplate
from messaging.rendering import TemplateError, render_text
from talentcircles.models import Organization, User
from talentcircles.pagination import CappedPaginator

PAGE_SIZE = 25
FIELD_LABELS = {"subject": "Subject", "body": "Message"}


@dataclass
class Draft:
    """A draft rendered for one candidate and scored; `errors` maps a field to why it can't be filled."""

    subject: str = ""
    body: str = ""
    check: CheckResult | None = None
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def draft_for(
    *,
    org: Organization,
    recruiter: User,
    candidate: Candidate,
    subject: str,
    body: str,
    template: MessageTemplate | None = None,
    circle=None,
    topic=None,
) -> Draft:
    """Fill the tokens of `subject` and `body` for the candidate, then score the result.

    Each field is rendered on its own so an error names the field as well as the token.
    """
    draft = Draft()
    for name, text in (("subject", subject), ("body", body)):
        try:
            setattr(
                draft,
                name,
                render_text(
                    text,
                    candidate=candidate,
                    recruiter=recruiter,
                    organization=org,
                    circle=circle,
                    extra=topic.context() if topic else None,
                ),
            )
        except TemplateError as exc:
            draft.errors[name] = exc.message
    if draft.ok:
        draft.check = personalisation_check(
            org=org,
            candidate=candidate,
            subject=draft.subject,
            body=draft.body,
            template_body=template.body if template else None,
        )
    return draft


def score_level(score: int | None) -> str:
    """A Bootstrap colour for a personalisation score."""
    if score is None:
        return "secondary"
    if score >= 70:
        return "success"
    if score >= 40:
        return "warning"
    return "danger"


def page_of(queryset, request, *, per_page: int = PAGE_SIZE) -> tuple[Page, CappedPaginator]:
    paginator = CappedPaginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page")), paginator


def query_without_page(params: QueryDict) -> str:
    params = params.copy()
    params.pop("page", None)
    return params.urlencode()


def int_or_404(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404 from None
    if number < 1 or number > 2**63 - 1:
        raise Http404
    return number
