"""The contact policy: who may be contacted now, for what, and why not. The one place these rules live.

Every path that writes to candidates asks `contact_decisions` (or its one-candidate form): one-to-one
compose, bulk compose and send, sequence enrolment, every sequence step at dispatch, digests and
community mail. The rules, in the order they are reported:

- the hard blocks of `candidates.models.MESSAGE_BLOCKS` (erased, unsubscribed, do-not-contact,
  undeliverable, no e-mail, consent withdrawn, suppressed): every purpose, never overridden. Their
  queryset half is `CandidateQuerySet.messageable()` / `with_message_block()`, which this module calls;
- a final stage (hired, not interested, archived): bulk and sequences;
- a live conversation: the candidate's latest answer is not answered by us yet, or came within the
  organisation's `active_conversation_days`. No bulk or sequence message; one-to-one only by that
  conversation's recruiter, in that conversation (anyone else gets a warning they may override);
- the cooldown: someone in the organisation contacted them within `contact_cooldown_days`. No bulk
  send or enrolment; a one-to-one new conversation gets a warning;
- automated messages today: at most `automated_messages_per_day` across all sequences (each step).

Community mail (digests, announcements, invitations) follows the hard blocks only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from candidates.models import MESSAGE_BLOCKS, Candidate, CandidateQuerySet
from messaging.models import Message
from messaging.policy_rows import decision_rows, in_org
from talentcircles.models import Organization, User


class Purpose(StrEnum):
    ONE_TO_ONE = "one_to_one"  # a recruiter writing in a conversation or starting one
    BULK = "bulk"  # cold outreach to many
    SEQUENCE = "sequence"  # enrolling in a sequence
    SEQUENCE_STEP = "sequence_step"  # each automated step, at dispatch
    COMMUNITY = "community"  # digests, announcements, invitations: consent and unsubscribe only


# Every reason's short label (counts in previews, the API's enum), the hard blocks first.
REASON_LABELS: dict[str, str] = {
    **MESSAGE_BLOCKS,
    "final_stage": "Hired, not interested or archived",
    "in_conversation": "In a live conversation",
    "cooldown": "Contacted recently (cooldown)",
    "automated_today": "Already sent an automated message today",
    "unknown": "Not one of this organisation's candidates",
}
HARD_BLOCKS = frozenset(MESSAGE_BLOCKS)
# Statuses of an outgoing message that never reached anyone: not a contact.
_NOT_CONTACTED = (Message.Status.CANCELLED, Message.Status.FAILED)


@dataclass(frozen=True)
class Reason:
    code: str  # a key of REASON_LABELS
    detail: str  # for people: "Contacted by Dana Smith on 3 Dec 2026."
    thread_id: int | None = None  # the live conversation, where there is one
    # One-to-one only: the sender may go ahead anyway, as an explicit choice that is recorded.
    overridable: bool = False


@dataclass
class Decision:
    candidate_id: int
    reasons: list[Reason] = field(default_factory=list)
    automated_today: int = 0  # automated messages written to them today (SEQUENCE_STEP only)

    @property
    def may_contact(self) -> bool:
        return not self.reasons

    @property
    def blocked(self) -> bool:
        """A reason nobody may override applies."""
        return any(not r.overridable for r in self.reasons)

    @property
    def reason(self) -> Reason | None:
        return self.reasons[0] if self.reasons else None

    def override_note(self) -> str:
        """What the sender overrode, for the message's record."""
        return "; ".join(f"{r.code}: {r.detail}" for r in self.reasons if r.overridable)[:300]


def _person(user: User | None) -> str:
    if user is None:
        return "your organisation"
    return user.get_full_name() or user.email


def _day(moment: datetime, org: Organization) -> str:
    local = moment.astimezone(ZoneInfo(org.time_zone))
    return f"{local.day} {local:%b %Y}"


def contact_decisions(
    *,
    org: Organization,
    candidates: QuerySet | Iterable,
    purpose: Purpose | str,
    now: datetime | None = None,
    recruiter: User | None = None,
    thread_id: int | None = None,
) -> dict[int, Decision]:
    """Candidate id → the decision for `purpose`, for every candidate asked (ids, objects or a queryset).

    At most three queries whatever the number of candidates. Ids of other organisations (or none)
    asked by id get the reason `unknown`; a queryset's other organisations are left out.
    One-to-one: `recruiter` is who writes and `thread_id` the conversation they write in (None: a new one).
    """
    purpose, now = Purpose(purpose), now or timezone.now()
    cooldown_applies = purpose in (Purpose.BULK, Purpose.SEQUENCE) or (
        purpose == Purpose.ONE_TO_ONE and thread_id is None
    )
    since = now - timedelta(days=org.contact_cooldown_days) if cooldown_applies and org.contact_cooldown_days else None
    found, asked = decision_rows(org, candidates, conversations=purpose != Purpose.COMMUNITY, since=since, now=now)
    decisions = {pk: Decision(pk, [Reason("unknown", REASON_LABELS["unknown"])]) for pk in asked or []}
    messages = _messages(org, found)
    automated = _automated_today(org, [r["pk"] for r in found], now) if purpose == Purpose.SEQUENCE_STEP else {}
    for row in found:
        decision = Decision(row["pk"], automated_today=automated.get(row["pk"], 0))
        decision.reasons = _reasons(
            org, row, purpose, now, messages=messages, automated=decision.automated_today,
            recruiter=recruiter, thread_id=thread_id,
        )  # fmt: skip
        decisions[row["pk"]] = decision
    return decisions


def contact_decision(
    *, org: Organization, candidate: Candidate | int, purpose: Purpose | str, now: datetime | None = None, **kwargs
) -> Decision:
    """The decision for one candidate (`contact_decisions` for a list of one)."""
    pk = candidate.pk if isinstance(candidate, Candidate) else int(candidate)
    return contact_decisions(org=org, candidates=[pk], purpose=purpose, now=now, **kwargs)[pk]


def _messages(org: Organization, rows: list[dict]) -> dict[int, Message]:
    """The latest answers and contacts the rows point at, with their conversation and sender (one query)."""
    ids: set[int] = {row[key] for row in rows for key in ("last_answer_id", "last_contact_id") if row.get(key)}
    if not ids:
        return {}
    answered = Message.objects.filter(
        thread=OuterRef("thread"), direction=Message.Direction.OUT, created_at__gt=OuterRef("created_at")
    ).exclude(status__in=_NOT_CONTACTED)
    found = (
        Message.objects.filter(organization=org, pk__in=ids)
        .select_related("thread__recruiter", "sender")
        .only("pk", "created_at", "thread_id", "sender", "thread__recruiter", "status", "direction")
        .annotate(answered=Exists(answered))
    )
    return {m.pk: m for m in found}


def _automated_today(org: Organization, candidate_ids: list[int], now: datetime) -> dict[int, int]:
    local = now.astimezone(ZoneInfo(org.time_zone))
    day_start = datetime.combine(local.date(), time(0, 0), tzinfo=local.tzinfo)
    counted = (
        Message.objects.filter(
            organization=org,
            candidate_id__in=candidate_ids,
            direction=Message.Direction.OUT,
            automated=True,
            created_at__gte=day_start,
            created_at__lt=day_start + timedelta(days=1),
        )
        .exclude(status__in=_NOT_CONTACTED)
        .values("candidate_id")
        .annotate(n=Count("id"))
    )
    return {row["candidate_id"]: row["n"] for row in counted}


def _reasons(
    org: Organization, row: dict, purpose: Purpose, now: datetime, *, messages: dict[int, Message], automated: int,
    recruiter: User | None, thread_id: int | None,
) -> list[Reason]:  # fmt: skip
    reasons: list[Reason] = []
    if row["message_block"]:
        reasons.append(Reason(row["message_block"], MESSAGE_BLOCKS[row["message_block"]]))
    if purpose == Purpose.COMMUNITY:
        return reasons
    if purpose != Purpose.ONE_TO_ONE and row["stage"] in Candidate.FINAL_STAGES:
        reasons.append(Reason("final_stage", REASON_LABELS["final_stage"]))
    answer = messages.get(row.get("last_answer_id") or 0)
    if answer is not None:
        recent = answer.created_at >= now - timedelta(days=org.active_conversation_days)
        live = not answer.answered or recent  # type: ignore[attr-defined]
        own = recruiter is not None and answer.thread.recruiter_id == recruiter.pk and answer.thread_id == thread_id
        if live and not (purpose == Purpose.ONE_TO_ONE and own):
            state = "not answered yet" if not answer.answered else "answered"  # type: ignore[attr-defined]
            detail = (
                f"In a conversation with {_person(answer.thread.recruiter)}: replied on "
                f"{_day(answer.created_at, org)}, {state}."
            )
            reasons.append(Reason("in_conversation", detail, answer.thread_id, purpose == Purpose.ONE_TO_ONE))
    contact = messages.get(row.get("last_contact_id") or 0)
    if contact is not None and contact.status not in _NOT_CONTACTED:
        detail = f"Contacted by {_person(contact.sender)} on {_day(contact.created_at, org)}."
        reasons.append(Reason("cooldown", detail, contact.thread_id, purpose == Purpose.ONE_TO_ONE))
    if purpose == Purpose.SEQUENCE_STEP and automated >= org.automated_messages_per_day:
        reasons.append(Reason("automated_today", f"Already sent {automated} automated message(s) today."))
    return reasons


def blocked_codes(*, org: Organization, candidates: QuerySet | Iterable) -> dict[int, str]:
    """Candidate id → the first hard block (a key of MESSAGE_BLOCKS) for those of `org` it applies to.

    The last check before a message is written or sent, whatever its purpose (one query).
    """
    scoped, _asked = in_org(org, candidates)
    return dict(scoped.with_message_block().exclude(message_block=None).values_list("pk", "message_block"))


def community_recipients(candidates: QuerySet) -> CandidateQuerySet:
    """Of `candidates`, those community mail may go to: the hard blocks' queryset half, nothing more."""
    return candidates.messageable()  # type: ignore[attr-defined]


def reason_counts(decisions: Iterable[Decision]) -> list[tuple[str, str, int]]:
    """(code, label, how many) per first reason, most frequent first: what previews show."""
    counts: dict[str, int] = {}
    for decision in decisions:
        if decision.reason is not None:
            counts[decision.reason.code] = counts.get(decision.reason.code, 0) + 1
    return sorted(((c, REASON_LABELS[c], n) for c, n in counts.items()), key=lambda t: (-t[2], t[0]))


def may_contact_many(org: Organization, candidate_ids: list[int]) -> dict[int, bool]:
    """Candidate id → may get cold outreach now (purpose bulk): what the candidate API shows."""
    decisions = contact_decisions(org=org, candidates=candidate_ids, purpose=Purpose.BULK)
    return {pk: decision.may_contact for pk, decision in decisions.items()}
