"""Recruiter pages for follow-up sequences, under /o/<org_slug>/sequences/: sequences.py and enrolment.py.

The list, the builder (steps added, moved and edited without JavaScript), a preview of every step
for one candidate, the sequence page (per-step figures and the enrollments), the enrol screen
(from a candidate, a selection or all matches of the candidate list, or a circle) and a
background enrolment's progress. Writes go through `engagement.sequences`; every query starts
from the request's organisation, so another organisation's objects are 404. Times are shown in
the signed-in recruiter's time zone.
"""
