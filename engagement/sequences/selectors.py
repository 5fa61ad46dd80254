"""Reads of sequences for the recruiter pages and the API: the list, the per-step figures, the enrollments.

Every read takes `org` (or an object already scoped to it), and each costs a fixed number of
queries whatever the number of sequences, steps, enrollments or messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceMessage, SequenceStep
from engagement.timeline.models import Activity
from messaging.models import Message

if TYPE_CHECKING:
    from talentcircles.models import Organization


def _count(queryset: QuerySet, group_by: str) -> Coalesce:
    """COUNT(*) of `queryset` as a correlated subquery (no join fan-out between several counts)."""
    counted = queryset.order_by().values(group_by).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def sequence_list(*, org: Organization, include_archived: bool = False) -> QuerySet[Sequence]:
    """The organisation's sequences, each annotated for one list row.

    Annotations: `step_count`, `active_count` (enrollments running now), `contacted_count`
    (enrollments that had at least one step) and `replied_count`; `reply_rate` on each row is
    replied ÷ contacted as a percentage, or None before the first send.
    """
    enrollments = Enrollment.objects.filter(sequence=OuterRef("pk"))
    qs = (
        Sequence.objects.for_org(org)
        .select_related("owner")
        .annotate(
            step_count=_count(SequenceStep.objects.filter(sequence=OuterRef("pk")), "sequence"),
            active_count=_count(enrollments.filter(state=Enrollment.State.ACTIVE), "sequence"),
            paused_count=_count(enrollments.filter(state=Enrollment.State.PAUSED), "sequence"),
            contacted_count=_count(enrollments.filter(steps_done__gt=0), "sequence"),
            replied_count=_count(enrollments.filter(state=Enrollment.State.REPLIED), "sequence"),
        )
    )
    if not include_archived:
        qs = qs.exclude(status=Sequence.Status.ARCHIVED)
    return qs.order_by("name", "id")


def reply_rate(*, replied: int, contacted: int) -> float | None:
    """Replies as a percentage of the enrollments contacted so far, or None before the first send."""
    if not contacted:
        return None
    return round(100 * replied / contacted, 1)


def sequence_detail(*, org: Organization, pk: int) -> Sequence:
    """One sequence of the organisation with its steps (and their templates); DoesNotExist otherwise."""
    steps = SequenceStep.objects.select_related("template").order_by("order", "id")
    return sequence_list(org=org, include_archived=True).prefetch_related(Prefetch("steps", queryset=steps)).get(pk=pk)


@dataclass
class StepFigures:
    """What happened at one step: messages it sent, and the answers and exits that followed it."""

    step: SequenceStep
    sent: int = 0
    bounced: int = 0
    replied: int = 0
    interested: int = 0
    not_interested: int = 0
    unsubscribed: int = 0
    tasks: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def reply_rate(self) -> float | None:
        return reply_rate(replied=self.replied, contacted=self.sent - self.bounced)


def _last_step_sent(enrollment_ref: str, before_ref: str) -> Subquery:
    """The step of the enrollment's latest message written at or before a moment."""
    latest = (
        SequenceMessage.objects.filter(
            enrollment_id=OuterRef(enrollment_ref), message__created_at__lte=OuterRef(before_ref)
        )
        .order_by("-message__created_at", "-message_id")
        .values("step_id")[:1]
    )
    return Subquery(latest, output_field=IntegerField())


def sequence_step_figures(*, sequence: Sequence, steps: list[SequenceStep] | None = None) -> list[StepFigures]:
    """Per step: sent, bounced, replied, interested, not interested and unsubscribed (three aggregate queries).

    A sequence's messages are linked to their enrollment and step (`SequenceMessage`).
    An answer or an unsubscribe is credited to the last step sent to that enrollment before it, and
    each enrollment counts once per step however many times the candidate wrote.
    """
    steps = list(steps if steps is not None else sequence.steps.order_by("order", "id"))
    figures = {step.pk: StepFigures(step=step) for step in steps}
    if not figures:
        return []
    org_id = sequence.organization_id
    links = SequenceMessage.objects.filter(enrollment__sequence=sequence)

    sent = (
        links.filter(step_id__in=figures)
        .values("step_id")
        .annotate(
            sent=Count("pk", filter=Q(message__status__in=[Message.Status.SENT, Message.Status.BOUNCED])),
            bounced=Count("pk", filter=Q(message__status=Message.Status.BOUNCED)),
        )
        .order_by()
    )
    for row in sent:
        figures[row["step_id"]].sent = row["sent"]
        figures[row["step_id"]].bounced = row["bounced"]

    # Each answer in one of the sequence's conversations, with the enrollment that conversation belongs to.
    thread_enrollment = links.filter(thread_id=OuterRef("thread_id")).values("enrollment_id")[:1]
    answers = (
        Message.objects.answers()
        .filter(organization_id=org_id, thread_id__in=links.values("thread_id"))
        .annotate(enrollment_id=Subquery(thread_enrollment, output_field=IntegerField()))
        .annotate(step_id=_last_step_sent("enrollment_id", "created_at"))
        .values("step_id")
        .annotate(
            replied=Count("enrollment_id", distinct=True),
            interested=Count(
                "enrollment_id", distinct=True, filter=Q(classification=Message.Classification.INTERESTED)
            ),
            not_interested=Count(
                "enrollment_id", distinct=True, filter=Q(classification=Message.Classification.NOT_INTERESTED)
            ),
        )
        .order_by()
    )
    for row in answers:
        if row["step_id"] in figures:
            figures[row["step_id"]].replied = row["replied"]
            figures[row["step_id"]].interested = row["interested"]
            figures[row["step_id"]].not_interested = row["not_interested"]

    first_unsubscribe = (
        Activity.objects.filter(
            candidate_id=OuterRef("candidate_id"),
            kind=Activity.Kind.UNSUBSCRIBE,
            occurred_at__gte=OuterRef("enrolled_at"),
        )
        .order_by("occurred_at", "id")
        .values("occurred_at")[:1]
    )
    unsubscribed = (
        Enrollment.objects.filter(sequence=sequence)
        .annotate(unsubscribed_at=Subquery(first_unsubscribe))
        .filter(unsubscribed_at__isnull=False)
        .annotate(step_id=_last_step_sent("pk", "unsubscribed_at"))
        .values("step_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for unsubscribe in unsubscribed:
        if unsubscribe["step_id"] in figures:
            figures[unsubscribe["step_id"]].unsubscribed = unsubscribe["n"]
    return [figures[step.pk] for step in steps]


def enrollment_list(*, sequence: Sequence, state: str = "") -> QuerySet[Enrollment]:
    """The sequence's enrollments, newest first, with candidate, next step and who enrolled them joined."""
    qs = Enrollment.objects.filter(sequence=sequence).select_related("candidate", "next_step", "enrolled_by")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-enrolled_at", "-id")


def enrollment_counts(*, sequence: Sequence) -> dict[str, int]:
    """State → number of enrollments, every state present (one query)."""
    counts = {state: 0 for state in Enrollment.State.values}
    rows = Enrollment.objects.filter(sequence=sequence).values("state").annotate(n=Count("pk")).order_by()
    for row in rows:
        counts[row["state"]] = row["n"]
    return counts


def enrollment_detail(*, org: Organization, pk: int) -> Enrollment:
    """One enrollment of the organisation; DoesNotExist otherwise."""
    return (
        Enrollment.objects.for_org(org).select_related("candidate", "sequence", "next_step", "enrolled_by").get(pk=pk)
    )


def enrollment_job(*, org: Organization, pk: int) -> EnrollmentJob:
    """One background enrolment of the organisation; DoesNotExist otherwise."""
    return EnrollmentJob.objects.for_org(org).select_related("sequence").get(pk=pk)
