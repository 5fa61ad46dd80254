"""Django admin finds `engagement.admin`; each part registers its own models in `<part>/admin.py`."""

import engagement.analytics.admin
import engagement.circles.admin
import engagement.circles.jobs.admin
import engagement.sequences.admin  # noqa: F401
