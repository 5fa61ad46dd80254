"""The response-rate guard: LinkedIn's 13% line applied to our own recruiters.

Evaluated daily per recruiter (`guard_evaluate`): a live 14-day rate under 13% on at least the
organisation's minimum of sends warns the recruiter (state and e-mail, with the reasons found);
still under it seven days later starts a 14-day improvement period in which that recruiter's bulk
sends and new enrolments wait (`bulk_send_pause_reason`, registered with talentcircles.guards).
One-to-one messages never ask. The period ends by itself, or early by an admin (`guard_end_period`).
"""

from __future__ import annotations

import zoneinfo
from collections import Counter
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Length
from django.template.loader import render_to_string
from django.utils import timezone

from engagement.analytics.metric import GUARD_THRESHOLD, LIVE_DAYS, live_rate, org_setting
from engagement.analytics.models import RecruiterGuard, ResponseOutreach, ResponseStat
from messaging.models import Message, MessageTemplate, Thread
from talentcircles.models import Membership, Organization, User

State = RecruiterGuard.State
RECHECK_AFTER = timedelta(days=7)
IMPROVEMENT_PERIOD = timedelta(days=14)
LONG_MESSAGE_CHARS = 1400
LOW_SCORE = 60
WORST_TEMPLATES = 3
TEMPLATE_MIN_SENDS = 10


def _percent(rate: float | None) -> str:
    return "—" if rate is None else f"{round(rate * 100)}%"


def _local_day(org: Organization, moment: datetime) -> str:
    zone = zoneinfo.ZoneInfo(getattr(org, "time_zone", "") or "UTC")
    local = moment.astimezone(zone)
    return f"{local.day} {local:%B}"


def pause_sentence(guard: RecruiterGuard) -> str:
    assert guard.period_ends_at is not None  # only a guard in its improvement period pauses
    return (
        f"Your bulk sends and new enrolments are paused until {_local_day(guard.organization, guard.period_ends_at)}: "
        f"your response rate over the last {LIVE_DAYS} days is {_percent(guard.last_rate)} "
        f"(under {round(GUARD_THRESHOLD * 100)}%)."
    )


def bulk_send_pause_reason(org: Organization, recruiter: User | None, *, now: datetime | None = None) -> str | None:
    """Why `recruiter`'s bulk sends and new enrolments wait now, in words, or None.

    Registered with `talentcircles.guards`: messaging's bulk sends and the sequences ask it there.
    """
    if recruiter is None or not org_setting(org, "response_guard_enabled"):
        return None
    guard = (
        RecruiterGuard.objects.select_related("organization")
        .filter(organization=org, recruiter=recruiter, state=State.IMPROVEMENT)
        .first()
    )
    if guard is None or not guard.paused_at(now or timezone.now()):
        return None
    return pause_sentence(guard)


def low_rate_reasons(*, org: Organization, recruiter_id: int, now: datetime) -> list[str]:
    """What in the last 14 days' outreach may explain a low rate, in words the recruiter can act on."""
    since = now - timedelta(days=LIVE_DAYS)
    threads = Thread.objects.for_org(org).filter(recruiter_id=recruiter_id, last_message_at__gte=since)
    sent = (
        Message.objects.for_org(org)
        .filter(thread__in=threads, direction=Message.Direction.OUT, sent_at__gte=since, sent_at__lte=now)
        .annotate(chars=Length("body_text"))
        .values_list("personalisation_score", "findings", "chars")
    )
    total, low, long = 0, 0, 0
    codes: Counter[str | None] = Counter()
    for score, findings, chars in sent.iterator(chunk_size=2000):
        total += 1
        low += score is not None and score < LOW_SCORE
        long += chars > LONG_MESSAGE_CHARS
        codes.update({f.get("code") for f in findings or [] if isinstance(f, dict)})
    reasons: list[str] = []
    if not total:
        return reasons
    if low:
        reasons.append(f"{low} of {total} messages scored under {LOW_SCORE} for personalisation.")
    if codes["mass_message"]:
        reasons.append(f"{codes['mass_message']} messages were identical to many others sent the same day.")
    if long:
        reasons.append(
            f"{long} messages were longer than {LONG_MESSAGE_CHARS:,} characters (long messages get fewer answers)."
        )
    if codes["wrong_industry"]:
        reasons.append(
            f"{codes['wrong_industry']} messages named an industry that contradicts the candidate's profile."
        )
    reasons += _worst_templates(org=org, recruiter_id=recruiter_id, since=since)
    return reasons


def _worst_templates(*, org: Organization, recruiter_id: int, since: datetime) -> list[str]:
    rows = (
        ResponseOutreach.objects.for_org(org)
        .filter(recruiter_id=recruiter_id, first_sent_at__gte=since, template_id__isnull=False, bounced=False)
        .values("template_id")
        .annotate(sent=Count("id"), answered=Count("id", filter=Q(answered_at__isnull=False)))
        .filter(sent__gte=TEMPLATE_MIN_SENDS)
    )
    ranked = sorted(
        (row for row in rows if row["answered"] / row["sent"] < GUARD_THRESHOLD),
        key=lambda row: row["answered"] / row["sent"],
    )[:WORST_TEMPLATES]
    names: dict[int | None, str] = dict(
        MessageTemplate.objects.for_org(org).filter(pk__in=[r["template_id"] for r in ranked]).values_list("pk", "name")
    )
    return [
        f"Template “{names.get(r['template_id'], str(r['template_id']))}”: "
        f"{r['answered']} answers to {r['sent']} sends "
        f"({_percent(r['answered'] / r['sent'])})."
        for r in ranked
    ]


def _email(guard: RecruiterGuard, kind: str) -> None:
    recruiter, org = guard.recruiter, guard.organization
    if not recruiter.email:
        return
    context = {
        "kind": kind,
        "org": org,
        "recruiter": recruiter,
        "guard": guard,
        "rate": _percent(guard.last_rate),
        "threshold": f"{round(GUARD_THRESHOLD * 100)}%",
        "sent": guard.last_sent,
        "reasons": guard.reasons,
        "until": _local_day(org, guard.period_ends_at) if guard.period_ends_at else "",
        "recheck": _local_day(org, guard.warned_at + RECHECK_AFTER) if guard.warned_at else "",
        "analytics_url": f"{settings.SITE_URL}/o/{org.slug}/analytics/",
    }
    send_mail(
        subject=render_to_string("emails/response_guard_subject.txt", context).strip(),
        message=render_to_string("emails/response_guard_body.txt", context),
        html_message=render_to_string("emails/response_guard_body.html", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[recruiter.email],
    )


def _queue_email(guard: RecruiterGuard, kind: str) -> None:
    guard_id = guard.pk

    def send() -> None:
        _email(RecruiterGuard.objects.select_related("organization", "recruiter").get(pk=guard_id), kind)

    transaction.on_commit(send)


@transaction.atomic
def guard_evaluate_recruiter(*, org: Organization, recruiter: User, now: datetime) -> RecruiterGuard:
    """Move one recruiter's guard along: ok → warning → improvement period → ok."""
    guard, _ = RecruiterGuard.objects.select_for_update().get_or_create(organization=org, recruiter=recruiter)
    guard.organization, guard.recruiter = org, recruiter
    live = live_rate(org=org, recruiter_id=recruiter.pk, now=now)
    guard.last_evaluated_at, guard.last_rate, guard.last_sent, guard.updated_at = now, live.rate, live.sent, now
    if guard.state == State.IMPROVEMENT and guard.period_ends_at and now >= guard.period_ends_at:
        guard.state, guard.period_ended_at = State.OK, guard.period_ends_at
    elif guard.state == State.OK and live.below_threshold:
        guard.state, guard.warned_at, guard.warned_rate = State.WARNING, now, live.rate
        guard.reasons = low_rate_reasons(org=org, recruiter_id=recruiter.pk, now=now)
        guard.period_started_at = guard.period_ends_at = guard.period_ended_at = guard.ended_by = None
        _queue_email(guard, "warning")
    elif guard.state == State.WARNING and guard.warned_at and now >= guard.warned_at + RECHECK_AFTER:
        if live.below_threshold:
            guard.state, guard.period_started_at = State.IMPROVEMENT, now
            guard.period_ends_at = now + IMPROVEMENT_PERIOD
            guard.reasons = low_rate_reasons(org=org, recruiter_id=recruiter.pk, now=now)
            _queue_email(guard, "improvement")
        else:
            guard.state = State.OK
    guard.save()
    return guard


def guard_evaluate(*, org: Organization, now: datetime | None = None) -> list[RecruiterGuard]:
    """Evaluate every recruiter who sent outreach in the last 14 days or has a guard under way."""
    now = now or timezone.now()
    if not org_setting(org, "response_guard_enabled"):
        return []
    today = now.astimezone(UTC).date()
    active = ResponseStat.objects.for_org(org).filter(
        dimension="recruiter", recruiter_id=0, day__gte=today - timedelta(days=LIVE_DAYS - 1), day__lte=today
    )
    ids = {int(key) for key in active.values_list("key", flat=True).distinct() if key.isdigit()}
    ids |= set(RecruiterGuard.objects.for_org(org).exclude(state=State.OK).values_list("recruiter_id", flat=True))
    members = Membership.objects.filter(organization=org, user_id__in=ids).select_related("user")
    return [guard_evaluate_recruiter(org=org, recruiter=m.user, now=now) for m in members]


@transaction.atomic
def guard_end_period(*, guard: RecruiterGuard, by: User | None, now: datetime | None = None) -> RecruiterGuard:
    """An admin ends a warning or an improvement period early; bulk sends resume at once."""
    now = now or timezone.now()
    changed = (
        RecruiterGuard.objects.filter(pk=guard.pk)
        .exclude(state=State.OK)
        .update(state=State.OK, period_ended_at=now, ended_by=by, updated_at=now)
    )
    guard.refresh_from_db()
    if changed and guard.period_ends_at and guard.period_ends_at > now:
        guard.period_ends_at = now
        guard.save(update_fields=["period_ends_at"])
    return guard


def guard_for(*, org: Organization, recruiter_id: int, now: datetime | None = None) -> RecruiterGuard | None:
    """The recruiter's guard row for the banner and the analytics page (None: never evaluated)."""
    guard = (
        RecruiterGuard.objects.select_related("organization")
        .filter(organization=org, recruiter_id=recruiter_id)
        .first()
    )
    if guard and guard.state == State.IMPROVEMENT and not guard.paused_at(now or timezone.now()):
        guard.state = State.OK  # ended by itself; the next evaluation records it
    return guard


# --- Guard state (read for banners) -----------------------------------------------------------


def active_guard(*, org: Organization, user_id: int, now: datetime | None = None) -> RecruiterGuard | None:
    """The recruiter's guard row when it warns them or their improvement period runs, else None."""
    if not org_setting(org, "response_guard_enabled"):
        return None
    guard = guard_for(org=org, recruiter_id=user_id, now=now)
    return guard if guard is not None and _guard_shows(guard, now or timezone.now()) else None


def _guard_shows(guard: RecruiterGuard, now: datetime) -> bool:
    if guard.state == RecruiterGuard.State.WARNING:
        return True
    return guard.state == RecruiterGuard.State.IMPROVEMENT and guard.paused_at(now)


def guarded_recruiters(*, org: Organization, now: datetime | None = None) -> list[RecruiterGuard]:
    """Recruiters warned or in an improvement period now, for the people who see the team's figures."""
    guards = (
        RecruiterGuard.objects.for_org(org)
        .exclude(state=RecruiterGuard.State.OK)
        .select_related("recruiter")
        .order_by("recruiter__first_name", "recruiter__email")
    )
    if not org_setting(org, "response_guard_enabled"):
        return []
    moment = now or timezone.now()
    return [guard for guard in guards if _guard_shows(guard, moment)]


def guard_reason_texts(guard: RecruiterGuard) -> list[str]:
    """The warning's reasons in words (stored as text or as {"text": …} items)."""
    reasons = []
    for reason in guard.reasons or []:
        if isinstance(reason, dict):
            reason = reason.get("text") or reason.get("message") or reason.get("reason") or ""
        if reason:
            reasons.append(str(reason))
    return reasons
