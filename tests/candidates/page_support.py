"""Shared by the tests/candidates/test_candidate_*.py page tests: candidates made through the service, URLs."""

from __future__ import annotations

from django.urls import reverse

from candidates import services
from candidates.models import Candidate
from tests.factories import CandidateFactory

TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def add_candidate(org, first="Ada", last="Lovelace", *, skills=(), tags=(), **data):
    return services.candidate_create(
        org=org, actor=None, data={"first_name": first, "last_name": last, **data}, skills=skills, tags=tags
    )


def page_url(name, org, *args, query=""):
    url = reverse(name, args=[org.slug, *args])
    return f"{url}?{query}" if query else url


def listed_names(response) -> list[str]:
    return [c.full_name for c in response.context["page"].object_list]


def make_candidates(org, owner, count):
    for _ in range(count):
        candidate = CandidateFactory(organization=org, owner=owner)
        services.candidates_tag(org=org, candidates=Candidate.objects.filter(pk=candidate.pk), names=["Tagged"])
        candidate.skills.set(services.labels_for(services.Skill, org, ["Python", "SQL"]))


def bulk_post(tenant, **data):
    data.setdefault("query", "")
    return tenant.client.post(page_url("candidate_bulk", tenant.org), data)


def tag_names(candidate) -> list[str]:
    return sorted(candidate.tags.values_list("name", flat=True))
