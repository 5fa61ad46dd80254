from __future__ import annotations

from django.db import models
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet


class CandidateQuerySet(OrgScopedQuerySet):
    pass


class Candidate(models.Model):
    """One person in one organisation's talent community."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="candidates")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        indexes = [models.Index(fields=["organization", "created_at"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
