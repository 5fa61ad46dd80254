"""Reads of conversations, templates and the unmatched inbox shared by the recruiter pages and the portal.

Every recruiter read takes `org`; the portal reads take the signed-in candidate and never an id
from elsewhere, so another person's conversation cannot be reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Substr

from candidates.models import Candidate, CandidateQuerySet
from candidates.selectors import CandidateFilters, candidate_filter
from messaging.models import InboundEmail, Message, MessageTemplate, Thread
from talentcircles.audiences import CIRCLE, NamedAudience, audience_get, audience_member_ids, audience_of_thread

if TYPE_CHECKING:
    from talentcircles.models import Organization, User

EXCERPT_CHARS = 160


@dataclass(frozen=True)
class ThreadFilters:
    """What the conversations list filters by. Empty means "any"."""

    mine: bool = False  # only conversations the user leads
    candidate_id: int | None = None
    search: str = ""  # words matched against the candidate (name, e-mail, title, company)
    awaiting_reply: bool = False  # the candidate wrote last: a reply nobody has answered yet


def _latest(messages: QuerySet[Message]) -> QuerySet[Message]:
    return messages.filter(thread=OuterRef("pk")).order_by("-created_at", "-id")


def thread_list(*, org: Organization, user: User | None = None, filters: ThreadFilters | None = None) -> QuerySet:
    """The organisation's conversations, newest activity first, each annotated for one list row.

    Annotations: `last_excerpt`, `last_direction`, `last_out_status`, `last_out_error` and
    `has_reply` (a real answer, auto-replies excluded); candidate and recruiter are joined, so a
    page costs the same number of queries whatever its size.
    """
    f = filters or ThreadFilters()
    latest = _latest(Message.objects.all())
    latest_out = _latest(Message.objects.outgoing())
    qs = (
        Thread.objects.for_org(org)
        .select_related("candidate", "recruiter")
        .annotate(
            last_excerpt=Subquery(latest.annotate(excerpt=Substr("body_text", 1, EXCERPT_CHARS)).values("excerpt")[:1]),
            last_direction=Subquery(latest.values("direction")[:1]),
            last_is_auto_reply=Subquery(latest.values("is_auto_reply")[:1]),
            last_out_status=Subquery(latest_out.values("status")[:1]),
            has_reply=Exists(Message.objects.answers().filter(thread=OuterRef("pk"))),
        )
    )
    if f.mine and user is not None:
        qs = qs.filter(recruiter=user)
    if f.candidate_id:
        qs = qs.filter(candidate_id=f.candidate_id)
    if f.search.strip():
        found = candidate_filter(org=org, filters=CandidateFilters(search=f.search, include_archived=True))
        qs = qs.filter(candidate_id__in=found.values("pk"))
    if f.awaiting_reply:
        qs = qs.filter(last_direction=Message.Direction.IN, last_is_auto_reply=False)
    return qs.order_by("-last_message_at", "-id")


def thread_detail(*, org: Organization, pk: int) -> Thread:
    """One conversation of the organisation with its messages in order; DoesNotExist outside it."""
    return (
        Thread.objects.for_org(org)
        .select_related("candidate", "recruiter")
        .prefetch_related(
            Prefetch(
                "messages", queryset=Message.objects.select_related("sender", "template").order_by("created_at", "id")
            )
        )
        .get(pk=pk)
    )


def candidate_threads(*, org: Organization, candidate: Candidate, limit: int = 5) -> list:
    """The candidate's most recent conversations (the panel on the candidate's page)."""
    return list(thread_list(org=org, filters=ThreadFilters(candidate_id=candidate.pk))[:limit])


def unmatched_inbox(*, org: Organization) -> QuerySet[InboundEmail]:
    """Mail that matched no conversation, newest first; the raw bytes are left in the database."""
    return InboundEmail.objects.for_org(org).unmatched().defer("raw").order_by("-received_at", "-id")


def unmatched_email(*, org: Organization, pk: int) -> InboundEmail:
    """One waiting e-mail of the organisation; DoesNotExist outside it or once handled."""
    return unmatched_inbox(org=org).get(pk=pk)


def templates_visible(*, org: Organization, user: User, archived: bool = False) -> QuerySet[MessageTemplate]:
    """The shared templates and the user's own personal ones, active (or only archived ones)."""
    qs = MessageTemplate.objects.for_org(org).visible_to(user).select_related("owner")
    qs = qs.exclude(archived_at=None) if archived else qs.filter(archived_at=None)
    return qs.order_by("name", "id")


def template_visible(*, org: Organization, user: User, pk: int) -> MessageTemplate:
    """One template the user may see (archived ones too); DoesNotExist otherwise."""
    return MessageTemplate.objects.for_org(org).visible_to(user).select_related("owner").get(pk=pk)


def circle_for(org: Organization, circle_id: int | str | None) -> NamedAudience | None:
    """The organisation's talent circle with this id (`.pk` and `.name`, for `{{ circle.name }}`), or None.

    Circles belong to `engagement`, which this app may not import: they are asked through the
    audience hook (talentcircles/audiences.py), as the candidate list does.
    """
    return audience_get(org, circle_id, CIRCLE)


def thread_circle(org: Organization, thread: Thread) -> NamedAudience | None:
    """The circle a conversation was started for (a bulk send to it, or a start naming it), or None."""
    return audience_of_thread(org, thread.pk, CIRCLE)


def circle_candidates(*, org: Organization, circle_id: int) -> CandidateQuerySet:
    """The organisation's candidates in one of its circles (none for another organisation's circle)."""
    return Candidate.objects.for_org(org).filter(pk__in=audience_member_ids(org, circle_id, CIRCLE))


def candidate_lookup(*, org: Organization, query: str, limit: int = 10) -> list[Candidate]:
    """Candidates of the organisation matching a search, for pickers (assign, preview)."""
    if not query.strip():
        return []
    if query.strip().isdigit():
        return list(Candidate.objects.for_org(org).filter(pk=int(query.strip())))
    found = candidate_filter(org=org, filters=CandidateFilters(search=query, include_archived=True))
    return list(found.order_by("last_name", "first_name", "id")[:limit])


# --- The candidate's own inbox (portal) ---------------------------------------------------------

# What a candidate sees of a conversation: what actually reached them, and their own answers.
PORTAL_VISIBLE = Q(direction=Message.Direction.OUT, status=Message.Status.SENT) | Q(direction=Message.Direction.IN)


def portal_threads(*, candidate: Candidate) -> QuerySet[Thread]:
    """The candidate's conversations with at least one message they can see, newest first."""
    visible = Message.objects.filter(PORTAL_VISIBLE, thread=OuterRef("pk"))
    latest = visible.order_by("-created_at", "-id")
    return (
        Thread.objects.filter(organization_id=candidate.organization_id, candidate=candidate)
        .filter(Exists(visible))
        .select_related("recruiter")
        .annotate(
            last_excerpt=Subquery(latest.annotate(excerpt=Substr("body_text", 1, EXCERPT_CHARS)).values("excerpt")[:1]),
            last_direction=Subquery(latest.values("direction")[:1]),
        )
        .order_by("-last_message_at", "-id")
    )


def portal_thread(*, candidate: Candidate, pk: int) -> Thread:
    """One of the candidate's own conversations with the messages they can see; DoesNotExist otherwise."""
    return (
        portal_threads(candidate=candidate)
        .prefetch_related(
            Prefetch(
                "messages",
                queryset=Message.objects.filter(PORTAL_VISIBLE).select_related("sender").order_by("created_at", "id"),
                to_attr="visible_messages",
            )
        )
        .get(pk=pk)
    )
