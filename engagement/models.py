"""Every model of the `engagement` app, for Django: each part defines its own in `<part>/models.py`.

One app label for the four parts, so moving code between them never moves a table. Code imports
a model from its part (`engagement.timeline.models`), not from here.
"""

from engagement.analytics.models import RecruiterGuard, ResponseOutreach, ResponseStat, ResponseStatWeek
from engagement.circles.jobs.alerts.models import JobAlert, JobAlertEmail, JobAlertPreference, JobAlertScan
from engagement.circles.jobs.models import Job, JobInterest
from engagement.circles.jobs.outreach import JobOutreach
from engagement.circles.models import (
    Circle,
    CircleMembership,
    CircleOutreach,
    CommunityInvitation,
    DigestDelivery,
    Post,
    Rsvp,
)
from engagement.sequences.models import Enrollment, EnrollmentJob, Sequence, SequenceMessage, SequenceStep
from engagement.timeline.models import Activity, RecruiterDigestLog, Relationship, Reminder

__all__ = [
    "Activity",
    "Circle",
    "CircleMembership",
    "CircleOutreach",
    "CommunityInvitation",
    "DigestDelivery",
    "Enrollment",
    "EnrollmentJob",
    "Job",
    "JobAlert",
    "JobAlertEmail",
    "JobAlertPreference",
    "JobAlertScan",
    "JobInterest",
    "JobOutreach",
    "Post",
    "RecruiterDigestLog",
    "RecruiterGuard",
    "Relationship",
    "Reminder",
    "ResponseOutreach",
    "ResponseStat",
    "ResponseStatWeek",
    "Rsvp",
    "Sequence",
    "SequenceMessage",
    "SequenceStep",
]
