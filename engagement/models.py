from __future__ import annotations

from django.db import models
from django.utils import timezone

from talentcircles.models import Organization
from talentcircles.tenancy import OrgScopedQuerySet


class Circle(models.Model):
    """A group of candidates: public ones can be joined in the portal, private ones are segments."""

    class Visibility(models.TextChoices):
        PUBLIC = "public", "Public"
        PRIVATE = "private", "Private"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="circles")
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE)
    created_at = models.DateTimeField(default=timezone.now)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "slug"], name="circle_org_slug_unique")]

    def __str__(self) -> str:
        return self.name
