"""A real Celery worker runs the retention pass and the notices (the second CI pass only)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from candidates.consent import consent_record
from candidates.models import Candidate, ConsentRecord
from candidates.retention.models import RetentionNotice, RetentionRun
from candidates.tasks import retention_apply_task, retention_notices_task
from tests.factories import CandidateFactory
from tests.talentcircles.test_real_worker import pytestmark as real_worker_marks
from tests.talentcircles.test_real_worker import worker_queue  # noqa: F401  (the fixture)

pytestmark = real_worker_marks


def test_a_worker_anonymises_the_due_and_records_the_run(acme, worker_queue):  # noqa: F811
    due, recent = CandidateFactory.create_batch(2, organization=acme.org)
    Candidate.objects.filter(pk=due.pk).update(retention_anchor_at=timezone.now() - timedelta(days=3 * 365))
    result = retention_apply_task.apply_async(args=[acme.org.pk], queue=worker_queue)
    run = RetentionRun.objects.get(pk=result.get(timeout=60))
    assert (run.due, run.anonymised, run.errors, run.finished_at is not None) == (1, 1, 0, True)
    assert Candidate.objects.get(pk=due.pk).erased_at is not None
    assert Candidate.objects.get(pk=recent.pk).erased_at is None


def test_a_worker_sends_the_notice_once(acme, worker_queue):  # noqa: F811
    soon = CandidateFactory(organization=acme.org)
    consent_record(
        candidate=soon, purpose=ConsentRecord.Purpose.MESSAGES, granted=True, source=ConsentRecord.Source.RECRUITER
    )
    Candidate.objects.filter(pk=soon.pk).update(retention_anchor_at=timezone.now() - timedelta(days=2 * 365 - 10))
    first = retention_notices_task.apply_async(queue=worker_queue).get(timeout=60)
    second = retention_notices_task.apply_async(queue=worker_queue).get(timeout=60)
    assert (first, second) == ({"planned": 1, "sent": 1}, {"planned": 0})
    assert RetentionNotice.objects.get().status == RetentionNotice.Status.SENT
