"""The job-alert e-mails: a periodic pass claims each due member's alerts and sends one e-mail per window.

A member is due when they have pending alerts and their last job-alert e-mail is older than their
period (immediately: none; weekly: 7 days; monthly: 30 days; "with my digest": the digest's
frequency at that moment). Per member, in one transaction: the preference row is locked (PostgreSQL:
SKIP LOCKED, so concurrent passes take different members), the window and the contact policy are
checked again, alerts of jobs filled or closed since are dropped, and a `JobAlertEmail` is written
`sending` with the open jobs' alerts moved from `pending` to `emailed` by a conditional update (one
e-mail in flight per member: a partial unique key). After commit the e-mail goes to the mail server,
then the row is marked `sent`. A worker killed in between leaves that one e-mail in doubt: the sweep
marks it `unknown` and it is never sent again. A refused send (the relay is down) marks it `failed`,
puts its alerts back to pending for the next pass, and ends the pass.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from candidates.consent import with_message_consent
from candidates.models import Candidate
from engagement.circles.jobs.alerts.models import AlertFrequency, JobAlert, JobAlertEmail, JobAlertPreference
from engagement.circles.jobs.alerts.unsubscribe import job_alerts_unsubscribe_url
from engagement.circles.jobs.models import Job
from messaging.policy import community_recipients
from messaging.services import new_message_id_header
from talentcircles.portal_context import site_url, with_portal

logger = logging.getLogger(__name__)

PERIODS: dict[str, timedelta] = {
    AlertFrequency.IMMEDIATELY: timedelta(0),
    AlertFrequency.WEEKLY: timedelta(days=7),
    AlertFrequency.MONTHLY: timedelta(days=30),
}
MAX_JOBS = 25  # per e-mail; the rest wait for the next one
CHUNK = 500
# An e-mail still `sending` after this was interrupted (a send takes at most EMAIL_TIMEOUT): in doubt.
IN_DOUBT_AFTER = timedelta(minutes=15)
# A pass stops taking members after this long (before beat's next minute, well inside the task's time
# limits); the next pass goes on where it stopped. Passes may overlap: members are claimed one at a time.
PASS_SECONDS = 50.0
Status = JobAlert.Status


@dataclass
class SendResult:
    emails: int = 0
    failed: int = 0
    in_doubt: int = 0  # e-mails the sweep found interrupted


@dataclass
class Claim:
    email_id: int
    message: EmailMultiAlternatives


class _Taken(Exception):
    """Another pass claimed some of these alerts first: roll back and leave the member to it."""


def effective_frequency(frequency: str, candidate: Candidate) -> str:
    """The member's alert frequency, the digest's when they chose "with my digest" (its values are the same)."""
    return candidate.digest_frequency if frequency == AlertFrequency.WITH_DIGEST else frequency


def _last_email_at():
    counted = JobAlertEmail.objects.filter(candidate_id=OuterRef("candidate_id"), status__in=JobAlertEmail.COUNTED)
    return Subquery(counted.order_by("-created_at").values("created_at")[:1])


def _due(frequency: str, last_email_at: datetime | None, now: datetime) -> bool:
    if frequency not in PERIODS:  # never: the claim drops what is pending
        return True
    return last_email_at is None or last_email_at <= now - PERIODS[frequency]


def job_alerts_send(*, now: datetime | None = None, pass_seconds: float = PASS_SECONDS) -> SendResult:
    """Send due members their job alerts, one e-mail each, for at most `pass_seconds` (then at least one);
    safe to run concurrently."""
    now = now or timezone.now()
    result = SendResult(in_doubt=job_alert_emails_sweep(now=now))
    started = time.monotonic()
    after = 0
    while True:
        ids = list(
            JobAlert.objects.filter(status=Status.PENDING, candidate_id__gt=after)
            .order_by("candidate_id")
            .values_list("candidate_id", flat=True)
            .distinct()[:CHUNK]
        )
        if not ids:
            return result
        after = ids[-1]
        preferences = (
            JobAlertPreference.objects.filter(candidate_id__in=ids)
            .select_related("candidate")
            .annotate(last_email_at=_last_email_at())
        )
        known = {p.candidate_id: p for p in preferences}
        held_back = set(ids) - reachable(ids)
        _drop_unreachable(held_back, now)
        for candidate_id in ids:
            if candidate_id in held_back:
                continue
            if result.emails and time.monotonic() - started > pass_seconds:
                return result  # the next pass goes on from here
            preference = known.get(candidate_id)
            if preference is not None:
                frequency = effective_frequency(preference.frequency, preference.candidate)
                if not _due(frequency, preference.last_email_at, now):  # type: ignore[attr-defined]
                    continue
            claim = job_alert_email_claim(candidate_id=candidate_id, now=now)
            if claim is None:
                continue
            if not job_alert_email_deliver(claim):
                result.failed += 1
                return result  # the relay refused: the rest wait for the next pass
            result.emails += 1


def _drop_unreachable(candidate_ids: set[int], now: datetime) -> None:
    """Drop at once the due alerts of members the contact policy holds back (a conditional update: alerts a
    concurrent run has just e-mailed stay as they are)."""
    if candidate_ids:
        JobAlert.objects.filter(candidate_id__in=candidate_ids, status=Status.PENDING).update(
            status=Status.DROPPED, drop_reason=JobAlert.DropReason.NOT_CONTACTABLE, settled_at=now
        )


def _drop(alerts: list[JobAlert], reason: str, now: datetime) -> None:
    if alerts:
        JobAlert.objects.filter(pk__in=[a.pk for a in alerts], status=Status.PENDING).update(
            status=Status.DROPPED, drop_reason=reason, settled_at=now
        )


def reachable(candidate_ids: list[int]) -> set[int]:
    """Of these candidates, those job alerts may go to now (one query): the contact policy for community
    mail (its hard blocks: erased, unsubscribed, do-not-contact, undeliverable, suppressed, consent
    withdrawn), and on top of it, like the digest, only those whose latest answer to the messages consent
    is "yes"."""
    candidates = community_recipients(Candidate.objects.filter(pk__in=candidate_ids))
    return set(with_message_consent(candidates).filter(consents_to_messages=True).values_list("pk", flat=True))


def job_alert_email_claim(*, candidate_id: int, now: datetime) -> Claim | None:
    """Claim the member's due alerts of open jobs and build their e-mail (None: nothing to send now, or
    another pass has the member). Committed before it returns; the caller sends the e-mail."""
    try:
        with transaction.atomic():
            return _claim(candidate_id, now)
    except (_Taken, IntegrityError):
        return None


def _claim(candidate_id: int, now: datetime) -> Claim | None:
    preferences = JobAlertPreference.objects.filter(candidate_id=candidate_id).select_related("candidate__organization")
    if connection.vendor == "postgresql":
        preferences = preferences.select_for_update(skip_locked=True, of=("self",))
    preference = preferences.first()
    pending = list(
        JobAlert.objects.filter(candidate_id=candidate_id, status=Status.PENDING)
        .select_related("job")
        .order_by("created_at", "pk")
    )
    if preference is None:
        if JobAlertPreference.objects.filter(candidate_id=candidate_id).exists():
            return None  # locked by another pass
        _drop(pending, JobAlert.DropReason.ALERTS_OFF, now)
        return None
    candidate = preference.candidate
    frequency = effective_frequency(preference.frequency, candidate)
    if frequency not in PERIODS:
        _drop(pending, JobAlert.DropReason.ALERTS_OFF, now)
        return None
    last = JobAlertEmail.objects.filter(candidate_id=candidate_id, status__in=JobAlertEmail.COUNTED)
    if not _due(frequency, last.order_by("-created_at").values_list("created_at", flat=True).first(), now):
        return None
    if candidate.pk not in reachable([candidate.pk]):  # the last check, under the lock
        _drop(pending, JobAlert.DropReason.NOT_CONTACTABLE, now)
        return None
    closed = [a for a in pending if a.job.status in (Job.Status.FILLED, Job.Status.CLOSED)]
    _drop(closed, JobAlert.DropReason.JOB_CLOSED, now)
    ready = [a for a in pending if a.job.status == Job.Status.OPEN][:MAX_JOBS]  # on hold: waits
    if not ready:
        return None
    email = JobAlertEmail.objects.create(
        organization_id=candidate.organization_id,
        candidate=candidate,
        message_id_header=new_message_id_header(),
        job_count=len(ready),
        created_at=now,
    )
    taken = JobAlert.objects.filter(pk__in=[a.pk for a in ready], status=Status.PENDING).update(
        status=Status.EMAILED, email=email, settled_at=now
    )
    if taken != len(ready):
        raise _Taken
    return Claim(email.pk, build_message(candidate, [a.job for a in ready], email, frequency))


def job_alert_email_deliver(claim: Claim) -> bool:
    """Hand the claimed e-mail to the mail server and record the answer; False when it was refused (its
    alerts are due again)."""
    try:
        claim.message.send()
    except Exception as exc:
        logger.warning("Job-alert e-mail %s not sent", claim.email_id, exc_info=True)
        with transaction.atomic():
            if JobAlertEmail.objects.filter(pk=claim.email_id, status=JobAlertEmail.Status.SENDING).update(
                status=JobAlertEmail.Status.FAILED, last_error=str(exc)[:500]
            ):
                JobAlert.objects.filter(email_id=claim.email_id).update(
                    status=Status.PENDING, email=None, settled_at=None
                )
        return False
    JobAlertEmail.objects.filter(pk=claim.email_id, status=JobAlertEmail.Status.SENDING).update(
        status=JobAlertEmail.Status.SENT, sent_at=timezone.now()
    )
    return True


def job_alert_emails_sweep(*, now: datetime) -> int:
    """Mark e-mails left `sending` by an interrupted worker as `unknown` (in doubt, never sent again)."""
    return JobAlertEmail.objects.filter(
        status=JobAlertEmail.Status.SENDING, created_at__lt=now - IN_DOUBT_AFTER
    ).update(
        status=JobAlertEmail.Status.UNKNOWN, last_error="Interrupted between the claim and the mail server's answer."
    )


def _link(path: str, candidate: Candidate) -> str:
    return site_url(with_portal(path, candidate.organization))


def build_message(
    candidate: Candidate, jobs: list[Job], email: JobAlertEmail, frequency: str
) -> EmailMultiAlternatives:
    org = candidate.organization
    with timezone.override(org.time_zone or "UTC"):
        context = {
            "org": org,
            "candidate": candidate,
            "items": [
                {"job": job, "url": _link(reverse("portal_job_detail", args=[org.slug, job.slug]), candidate)}
                for job in jobs
            ],
            "frequency": AlertFrequency(frequency).label,
            "jobs_url": _link(reverse("portal_jobs", args=[org.slug]), candidate),
            "preferences_url": _link(reverse("portal_job_alerts", args=[org.slug]), candidate),
            "unsubscribe_url": job_alerts_unsubscribe_url(candidate),
        }
        message = EmailMultiAlternatives(
            subject=render_to_string("emails/job_alert_subject.txt", context).strip(),
            body=render_to_string("emails/job_alert_body.txt", context),
            from_email=org.from_address(),
            to=[candidate.email],
            reply_to=org.reply_to_addresses(),
            headers={
                "Message-ID": email.message_id_header,
                # RFC 2369 and RFC 8058: the mail client's one-click POST stops job alerts (only).
                "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "List-Id": f"{org.name} job alerts <job-alerts.{org.slug}.{settings.INBOUND_EMAIL_DOMAIN}>",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(render_to_string("emails/job_alert_body.html", context), "text/html")
    return message
