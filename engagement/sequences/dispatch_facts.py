"""What the follow-up dispatcher reads once per claimed batch: the contact policy's decisions, replies,
conversations, steps and today's sends (see `engagement.sequences.dispatcher`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max

from engagement.sequences.models import Enrollment, SequenceMessage, SequenceStep
from engagement.sequences.timing import local_day_start
from messaging.models import Message, Thread
from messaging.policy import HARD_BLOCKS, Decision, Purpose, Reason, contact_decisions
from talentcircles.guards import bulk_send_block


@dataclass
class Facts:
    """What a batch reads once for all its enrollments."""

    skip: dict[int, str]  # candidate id → hard block (what the message writer refuses)
    decisions: dict[int, Decision]  # candidate id → the contact policy's decision for this step
    answered_at: dict[int, datetime]
    last_thread: dict[int, Thread]
    steps: dict[int, SequenceStep]
    following: dict[tuple[int, int], SequenceStep]
    sent_today: dict[tuple[int, int | None], int]
    # (organisation, recruiter) → bulk sends paused by the response-rate guard, or the error asking
    # raised; asked once per batch either way.
    paused: dict[tuple[int, int | None], bool | Exception] = field(default_factory=dict)
    # Automated messages planned in this batch per candidate: the policy's daily limit holds within it.
    automated_planned: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def reasons(self, candidate_id: int) -> dict[str, Reason]:
        """The contact policy's reasons against this step for the candidate, by code."""
        decision = self.decisions.get(candidate_id)
        return {r.code: r for r in decision.reasons} if decision else {}

    def automated_limit_reached(self, org, candidate_id: int) -> bool:
        """The policy's automated messages per candidate per day, counting this batch's drafts too."""
        decision = self.decisions.get(candidate_id)
        sent = (decision.automated_today if decision else 0) + self.automated_planned[candidate_id]
        return sent >= org.automated_messages_per_day

    def bulk_sends_paused(self, org, recruiter) -> bool:
        key = (org.pk, recruiter.pk if recruiter else None)
        if key not in self.paused:
            try:
                # A savepoint: a guard whose query fails must not abort the batch's transaction
                # (PostgreSQL refuses every later statement of an aborted one).
                with transaction.atomic():
                    self.paused[key] = bulk_send_block(org, recruiter) is not None
            except Exception as error:
                self.paused[key] = error
        answer = self.paused[key]
        if isinstance(answer, Exception):
            raise answer  # this enrollment's turn fails and is tried again later, like the first one
        return answer


def batch_facts(enrollments: list[Enrollment], now: datetime) -> Facts:
    by_org: dict[int, list[Enrollment]] = defaultdict(list)
    for enrollment in enrollments:
        by_org[enrollment.organization_id].append(enrollment)
    candidate_ids = [e.candidate_id for e in enrollments]
    skip: dict[int, str] = {}
    decisions: dict[int, Decision] = {}
    sent_today: dict[tuple[int, int | None], int] = defaultdict(int)
    for rows in by_org.values():
        org = rows[0].organization
        day_start = local_day_start(now, org=org)
        asked = contact_decisions(
            org=org, candidates=[e.candidate_id for e in rows], purpose=Purpose.SEQUENCE_STEP, now=now
        )
        decisions.update(asked)
        skip.update({pk: d.reason.code for pk, d in asked.items() if d.reason and d.reason.code in HARD_BLOCKS})
        if not org.daily_send_cap:
            continue  # no cap: nothing to count (the count reads all of today's messages)
        counted = (
            Message.objects.filter(
                organization=org,
                direction=Message.Direction.OUT,
                automated=True,
                created_at__gte=day_start,
                created_at__lt=day_start + timedelta(days=1),
                sender_id__in={recruiter_id_of(e) for e in rows},
            )
            .exclude(status=Message.Status.CANCELLED)
            .values("sender_id")
            .annotate(n=Count("id"))
        )
        for row in counted:
            sent_today[(org.pk, row["sender_id"])] = row["n"]
    # Any real answer by the candidate, in any conversation (the dispatcher stops on "any reply").
    # Filtered by organisation too, so both reads use the (organisation, candidate) indexes.
    org_ids = list(by_org)
    answered_at = dict(
        Message.objects.answers()
        .filter(organization_id__in=org_ids, candidate_id__in=candidate_ids)
        .values("candidate_id")
        .annotate(last=Max("created_at"))
        .values_list("candidate_id", "last")
    )
    last_thread: dict[int, Thread] = {}
    links = SequenceMessage.objects.filter(enrollment_id__in=[e.pk for e in enrollments]).select_related("thread")
    for link in links.order_by("thread__created_at", "thread_id"):
        last_thread[link.enrollment_id] = link.thread
    steps = {
        s.pk: s
        for s in SequenceStep.objects.filter(sequence_id__in={e.sequence_id for e in enrollments}).select_related(
            "template"
        )
    }
    following = {(s.sequence_id, s.order): s for s in steps.values()}
    return Facts(skip, decisions, answered_at, last_thread, steps, following, sent_today)


def recruiter_of(enrollment: Enrollment):
    return enrollment.sequence.owner or enrollment.enrolled_by


def recruiter_id_of(enrollment: Enrollment) -> int | None:
    return enrollment.sequence.owner_id or enrollment.enrolled_by_id
