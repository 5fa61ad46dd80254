"""How often a community member gets their circles' posts by e-mail (re-exported by candidates.models)."""

from django.db import models


class DigestFrequency(models.TextChoices):
    IMMEDIATELY = "immediately", "As soon as something is posted"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    NEVER = "never", "Never"
