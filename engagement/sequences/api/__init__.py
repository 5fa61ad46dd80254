"""Sequences API: `/api/v1/sequences/` (CRUD with nested steps; sequences.py), `…/{id}/enrollments/` (list, enrol;
enrollments.py),
`/api/v1/enrollments/` (read, pause, resume, stop) and `/api/v1/enrollment-jobs/{id}/` (progress).

Scoped to the caller's organisation: another organisation's sequence, enrollment or job is 404,
and another organisation's candidate, circle or template named in a body is a 400 naming the
field. Writes go through `engagement.sequences`; its field errors come back as 400s keyed like
DRF's own (`{"steps": {"1": {"delay_hours": ["…"]}}}`, by the step's index in the request) and
nothing is written.
"""
