"""Job alerts through a real Celery worker, Redis and PostgreSQL: the opening's scan is queued on commit and
run by the worker, the periodic task sends each member's e-mail once, and an e-mail left in flight by a
killed worker is never sent again. Uses the workers of tests/engagement/test_sequence_durability.py.
Also: concurrent claims skip a member another run holds (SKIP LOCKED).
"""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from engagement.circles.jobs.alerts.matching import pending_scans_run
from engagement.circles.jobs.alerts.models import JobAlert, JobAlertEmail, JobAlertPreference
from engagement.circles.jobs.alerts.sending import IN_DOUBT_AFTER, job_alert_email_claim, job_alert_emails_sweep
from engagement.circles.jobs.alerts.tasks import job_alerts_run_task
from tests.engagement.job_alert_support import alert_member
from tests.engagement.job_support import make_job
from tests.engagement.test_sequence_durability import (  # noqa: F401 (workers: the fixture)
    wait_for,
    worker_ready,
    workers,
)
from tests.waiting import assert_stays_true

pytestmark = [
    pytest.mark.real_worker,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="needs REDIS_URL and PostgreSQL (the second CI pass)",
    ),
]


def test_a_worker_matches_an_opening_and_sends_each_member_one_e_mail_once(acme, workers):  # noqa: F811
    ada = alert_member(acme, "Ada")
    alert_member(acme, "Bo", skills=("Rust",))
    cy = alert_member(acme, "Cy", skills=("python",))
    workers.start()
    worker_ready()
    make_job(acme, open_it=True, skills=["Python"])  # its scan is published on commit; the worker runs it
    wait_for(lambda: JobAlert.objects.count() == 2)
    # A worker killed between its claim and the mail server's answer: Ada's e-mail is in flight for good.
    assert job_alert_email_claim(candidate_id=ada.pk, now=timezone.now()) is not None

    assert job_alerts_run_task.apply_async().get(timeout=60)["emails"] == 1
    assert job_alerts_run_task.apply_async().get(timeout=60)["emails"] == 0
    assert_stays_true(lambda: len(workers.message_ids()) == 1, for_seconds=1.0, every=0.25)
    sent = JobAlertEmail.objects.get(candidate=cy, status="sent")
    assert workers.message_ids() == [sent.message_id_header.encode()]
    assert job_alert_emails_sweep(now=timezone.now() + IN_DOUBT_AFTER) == 1
    assert JobAlertEmail.objects.get(candidate=ada).status == "unknown"
    assert job_alerts_run_task.apply_async().get(timeout=60)["emails"] == 0
    assert len(workers.message_ids()) == 1


@pytest.mark.usefixtures("transactional_db")
def test_a_member_locked_by_another_run_is_skipped_not_waited_for(acme):
    """PostgreSQL: the claim takes the member's preference row with SKIP LOCKED."""
    ada = alert_member(acme, "Ada")
    make_job(acme, open_it=True)
    pending_scans_run(now=timezone.now())
    locked, release = threading.Event(), threading.Event()

    def other_run() -> None:
        try:
            with transaction.atomic():
                JobAlertPreference.objects.select_for_update().get(candidate=ada)
                locked.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_run)
    thread.start()
    try:
        assert locked.wait(timeout=30)
        assert job_alert_email_claim(candidate_id=ada.pk, now=timezone.now()) is None  # at once, not blocked
        assert JobAlert.objects.get(candidate=ada).status == "pending"
    finally:
        release.set()
        thread.join(timeout=30)
    assert job_alert_email_claim(candidate_id=ada.pk, now=timezone.now()) is not None
