from __future__ import annotations

import pytest

from candidates import services
from candidates.consent import consent_record, consent_state, with_message_consent
from candidates.models import Candidate, ConsentRecord
from talentcircles import events

pytestmark = pytest.mark.django_db


def test_consent_is_recorded_with_its_wording_and_withdrawn_as_easily(acme):
    candidate = services.candidate_create(org=acme.org, actor=None, data={"first_name": "Ann"})
    seen = []
    events.subscribe(seen.append)
    try:
        assert consent_state(candidate, "messages") is None
        consent_record(candidate=candidate, purpose="messages", granted=True, source="portal", ip_address="203.0.113.9")
        consent_record(candidate=candidate, purpose="messages", granted=True, source="portal")  # no change
        consent_record(candidate=candidate, purpose="messages", granted=False, source="portal")
    finally:
        events.unsubscribe(seen.append)
    assert consent_state(candidate, "messages") is False
    first = ConsentRecord.objects.order_by("recorded_at", "id").first()
    assert (first.wording_version, first.ip_address) == ("messages-2026-11", "203.0.113.9")
    assert [e.details["granted"] for e in seen if e.kind == events.CONSENT_CHANGED] == [True, False]
    annotated = with_message_consent(Candidate.objects.filter(pk=candidate.pk)).get()
    assert annotated.consents_to_messages is False
