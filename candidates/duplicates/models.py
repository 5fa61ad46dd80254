"""The stored duplicate pairs and the recruiters' "not a duplicate" decisions.

Both are keyed by the ordered pair (candidate_a < candidate_b), so a pair has one row whichever
side it was found from. Deleting a candidate (a merge, a delete) deletes its rows with it; an
erased candidate keeps its row, so erasure deletes its pairs explicitly (`services.duplicates_forget`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from candidates.models import Candidate
from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet

REASONS: dict[str, str] = {
    "name_company": "Similar name at the same company",
    "phone": "Same phone number",
    "name_city": "Same name in the same city",
    "name_email": "Same name and e-mail name",
}


class DuplicatePair(models.Model):
    """Two candidates of one organisation that are likely the same person, with why."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate_a = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate_b = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(help_text="How many signals the pair shows (1 to 4): strongest first.")
    reasons = models.JSONField(default=list, help_text="Keys of REASONS, in their order.")
    computed_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            # Also the index that finds a candidate's pairs where it is `candidate_a`.
            models.UniqueConstraint(fields=["candidate_a", "candidate_b"], name="duppair_unique"),
            models.CheckConstraint(condition=Q(candidate_a__lt=F("candidate_b")), name="duppair_ordered"),
        ]
        indexes = [
            # The duplicates page: strongest, then newest first, within one organisation.
            models.Index(
                "organization", F("score").desc(), F("candidate_b").desc(), F("candidate_a").desc(),
                name="duppair_org_page",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"#{self.candidate_a_id} ~ #{self.candidate_b_id} ({', '.join(self.reasons)})"

    @property
    def reason_labels(self) -> list[str]:
        return [REASONS[reason] for reason in self.reasons if reason in REASONS]


class DuplicateDismissal(models.Model):
    """A recruiter said the two are not the same person: the pair is not stored or shown again."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate_a = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate_b = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    dismissed_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["candidate_a", "candidate_b"], name="dupdismissal_unique"),
            models.CheckConstraint(condition=Q(candidate_a__lt=F("candidate_b")), name="dupdismissal_ordered"),
        ]
        indexes = [models.Index(fields=["organization"], name="dupdismissal_org")]

    def __str__(self) -> str:
        return f"#{self.candidate_a_id} and #{self.candidate_b_id} are not the same person"
