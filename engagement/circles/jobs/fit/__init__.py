"""Who fits a job (issue #20): the community ranked by fit, with the reasons, a page at a time."""

from engagement.circles.jobs.fit.ranking import PAGE_SIZE, WHERE_CHOICES, FitFilters, FitPage, FitRow, job_fits
from engagement.circles.jobs.fit.rules import FitPlan, fit_plan

__all__ = ["PAGE_SIZE", "WHERE_CHOICES", "FitFilters", "FitPage", "FitPlan", "FitRow", "fit_plan", "job_fits"]
