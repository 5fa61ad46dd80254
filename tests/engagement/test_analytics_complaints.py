"""The spam-complaint rate beside the response rate: complaints ÷ e-mails sent, against the 0.1% line."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.analytics.complaints import COMPLAINT_THRESHOLD_PERCENT, ComplaintRate, complaint_rate
from messaging import delivery, outbox
from messaging.checks import CheckResult
from messaging.models import Message
from messaging.services import message_complaint
from tests.factories import CandidateFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def sent_by(tenant, recruiter, count: int) -> list[Message]:
    messages = []
    for _ in range(count):
        candidate = CandidateFactory(organization=tenant.org)
        message = outbox.thread_start(
            org=tenant.org, candidate=candidate, recruiter=recruiter, subject="A platform role",
            body=f"Hi {candidate.first_name}, your payments work caught my eye.", check=CheckResult(score=90),
        )  # fmt: skip
        assert delivery.message_deliver(message.pk) == delivery.SENT
        messages.append(message)
    return messages


@pytest.fixture
def rita(acme):
    return MembershipFactory(organization=acme.org, role="recruiter").user


@pytest.fixture
def sends(acme, rita):
    """Four e-mails from acme's recruiter, three from Rita; one of Rita's reported as spam (twice)."""
    sent_by(acme, acme.user, 4)
    ritas = sent_by(acme, rita, 3)
    assert message_complaint(message=ritas[0]) is True
    assert message_complaint(message=ritas[0]) is False  # the same person complaining again counts once
    return ritas


def test_the_rate_is_complaints_over_emails_sent(acme, rita, sends):
    today = timezone.now().date()

    everyone = complaint_rate(org=acme.org, date_from=today - timedelta(days=30), date_to=today)
    ritas = complaint_rate(org=acme.org, date_from=today, date_to=today, recruiter_id=rita.pk)
    own = complaint_rate(org=acme.org, date_from=today, date_to=today, recruiter_id=acme.user.pk)
    earlier = complaint_rate(org=acme.org, date_from=today - timedelta(days=30), date_to=today - timedelta(days=1))

    assert (everyone.complaints, everyone.sent) == (1, 7) and round(everyone.rate, 2) == 14.29
    assert (ritas.complaints, ritas.sent) == (1, 3) and ritas.above_threshold
    assert (own.complaints, own.sent, own.rate, own.above_threshold) == (0, 4, 0.0, False)
    assert (earlier.sent, earlier.rate) == (0, None)


def test_the_line_providers_draw_is_one_in_a_thousand():
    assert COMPLAINT_THRESHOLD_PERCENT == 0.1
    assert not ComplaintRate(complaints=1, sent=1001).above_threshold
    assert ComplaintRate(complaints=1, sent=1000).above_threshold


def test_the_dashboard_shows_it_beside_the_response_rate(acme, sends, globex):
    response = acme.client.get(f"/o/{acme.org.slug}/analytics/")

    assert response.status_code == 200
    assert (response.context["complaints"].complaints, response.context["complaints"].sent) == (1, 7)
    html = response.content.decode()
    figure = html[html.index('id="figure-complaints"') :][:700]
    assert "14.29%" in figure and "text-danger" in figure
    assert "Spam complaint rate" in figure and "1 of 7 e-mails" in figure
    assert "providers ask for under 0.1%" in figure
    # Another organisation's dashboard counts none of it.
    other = globex.client.get(f"/o/{globex.org.slug}/analytics/")
    assert (other.context["complaints"].complaints, other.context["complaints"].sent) == (0, 0)
