"""The roll-up rebuild's SQL: the outreach rows and their sums, from the messages and threads tables.

Messaging's rows carry no engagement ids; the sequence, step and circle of an outreach come from
engagement's link rows, LEFT JOINed on keys they are indexed by: a message's `SequenceMessage` on
the message id (its primary key), the thread's enrollment from the links of its messages (one
enrollment per thread; `live.py` reads the same), the thread's `CircleOutreach` on the thread id.

Standard SQL but for the few expressions the two databases spell differently (`sql_parts`); the
portable rebuild (rebuild.py) runs it as it is, the PostgreSQL one (postgres.py) builds on it.
"""

from __future__ import annotations

from django.db import connection

from engagement.analytics.models import Dimension


def sql_parts() -> dict[str, str]:
    """The few expressions the two databases spell differently; everything else is standard SQL."""
    if connection.vendor == "postgresql":
        return {
            "day": "(f.sent_at AT TIME ZONE 'UTC')::date",
            "delay_us": "(EXTRACT(EPOCH FROM (a.answered_at - f.sent_at)) * 1000000)::bigint",
            "steps": "',' || string_agg(DISTINCT o.step_id::text, ',') || ','",
            "false": "false",
        }
    # SQLite stores datetimes as 'YYYY-MM-DD HH:MM:SS[.ffffff]' text in UTC: whole seconds plus microseconds.
    micro = "CAST(COALESCE(NULLIF(substr({0}, 21, 6), ''), '0') AS INTEGER)"
    return {
        "day": "date(f.sent_at)",
        "delay_us": (
            "((CAST(strftime('%%s', a.answered_at) AS INTEGER) - CAST(strftime('%%s', f.sent_at) AS INTEGER)) * 1000000"
            f" + {micro.format('a.answered_at')} - {micro.format('f.sent_at')})"
        ),
        "steps": "',' || group_concat(DISTINCT o.step_id) || ','",
        "false": "0",
    }


OUTREACH_SELECT = """
WITH outgoing AS (
    SELECT m.id, m.thread_id, m.sent_at, m.template_id, l.step_id, m.status,
           ROW_NUMBER() OVER (PARTITION BY m.thread_id ORDER BY m.sent_at, m.id) AS rn
    FROM messaging_message m
    LEFT JOIN engagement_sequencemessage l ON l.message_id = m.id AND l.organization_id = %(org)s
    WHERE m.organization_id = %(org)s AND m.direction = 'out' AND m.sent_at IS NOT NULL
),
enrolled AS (
    SELECT thread_id, MIN(enrollment_id) AS enrollment_id
    FROM engagement_sequencemessage WHERE organization_id = %(org)s GROUP BY thread_id
),
firsts AS (
    SELECT o.thread_id, o.sent_at, o.template_id
    FROM outgoing o JOIN messaging_thread t ON t.id = o.thread_id
    WHERE o.rn = 1 AND t.started_by = 'recruiter' AND o.sent_at >= %(since)s
),
incoming AS (
    SELECT m.thread_id, m.id, m.received_at, m.classification
    FROM messaging_message m JOIN firsts f ON f.thread_id = m.thread_id
    WHERE m.organization_id = %(org)s AND m.direction = 'in' AND m.is_auto_reply = {false}
      AND m.channel IN ('email', 'portal', 'click') AND m.received_at >= f.sent_at
),
answers AS (
    SELECT thread_id, MIN(received_at) AS answered_at,
           MAX(CASE WHEN classification = 'interested' THEN 1 ELSE 0 END) AS interested,
           MAX(CASE WHEN classification = 'not_interested' THEN 1 ELSE 0 END) AS not_interested
    FROM incoming GROUP BY thread_id
),
answer_steps AS (
    SELECT thread_id, step_id FROM (
        SELECT o.thread_id, o.step_id,
               ROW_NUMBER() OVER (PARTITION BY o.thread_id ORDER BY o.sent_at DESC, o.id DESC) AS rn
        FROM outgoing o JOIN answers a ON a.thread_id = o.thread_id
        WHERE o.sent_at <= a.answered_at
    ) latest WHERE rn = 1
),
out_flags AS (
    SELECT o.thread_id, MAX(CASE WHEN o.status = 'bounced' THEN 1 ELSE 0 END) AS any_bounce, {steps} AS steps
    FROM outgoing o JOIN firsts f ON f.thread_id = o.thread_id
    GROUP BY o.thread_id
)
SELECT %(org)s, f.thread_id, t.candidate_id, f.sent_at, {day}, t.recruiter_id, f.template_id, e.sequence_id,
       co.circle_id, c.source, c.industry, COALESCE(x.steps, ''), a.answered_at,
       CASE WHEN a.answered_at IS NULL THEN NULL
            WHEN ({delay_us} + 3599999999) / 3600000000 <= 48 THEN ({delay_us} + 3599999999) / 3600000000
            ELSE 24 * (({delay_us} + 86399999999) / 86400000000) END,
       s.step_id,
       (x.any_bounce = 1 AND a.answered_at IS NULL),
       (COALESCE(a.interested, 0) = 1), (COALESCE(a.not_interested, 0) = 1), {false}
FROM firsts f
JOIN messaging_thread t ON t.id = f.thread_id
JOIN candidates_candidate c ON c.id = t.candidate_id
LEFT JOIN enrolled n ON n.thread_id = f.thread_id
LEFT JOIN engagement_enrollment e ON e.id = n.enrollment_id
LEFT JOIN engagement_circleoutreach co ON co.thread_id = f.thread_id
LEFT JOIN answers a ON a.thread_id = f.thread_id
LEFT JOIN answer_steps s ON s.thread_id = f.thread_id
LEFT JOIN out_flags x ON x.thread_id = f.thread_id
"""
OUTREACH_COLUMNS = (
    "organization_id, thread_id, candidate_id, first_sent_at, day, recruiter_id, template_id, sequence_id,"
    " circle_id, source, industry, steps_sent, answered_at, answer_bucket_hours, answer_step_id,"
    " bounced, interested, not_interested, unsubscribed"
)
OUTREACH_SQL = f"INSERT INTO engagement_responseoutreach ({OUTREACH_COLUMNS}) {OUTREACH_SELECT}"

# The candidate's latest outreach before their unsubscribe (over all their outreach, kept or rebuilt).
UNSUBSCRIBED_RANKED_SQL = """
SELECT id FROM (
    SELECT o.id, o.day,
           ROW_NUMBER() OVER (PARTITION BY o.candidate_id ORDER BY o.first_sent_at DESC, o.id DESC) AS rn
    FROM engagement_responseoutreach o JOIN candidates_candidate c ON c.id = o.candidate_id
    WHERE o.organization_id = %(org)s AND c.unsubscribed_at IS NOT NULL AND o.first_sent_at <= c.unsubscribed_at
) latest WHERE rn = 1 AND day >= %(since_day)s
"""
UNSUBSCRIBED_SQL = (
    f"UPDATE engagement_responseoutreach SET unsubscribed = {{true}} WHERE id IN ({UNSUBSCRIBED_RANKED_SQL})"  # noqa: S608
)

STEP_SENT_SQL = """
SELECT o.day, o.recruiter_id, l.step_id, COUNT(DISTINCT m.thread_id)
FROM messaging_message m
JOIN engagement_sequencemessage l ON l.message_id = m.id
JOIN engagement_responseoutreach o ON o.thread_id = m.thread_id
WHERE m.organization_id = %(org)s AND o.organization_id = %(org)s AND o.day >= %(since_day)s
  AND m.direction = 'out' AND m.sent_at IS NOT NULL AND l.step_id IS NOT NULL
GROUP BY o.day, o.recruiter_id, l.step_id
"""

# Outreach columns per dimension (the key) for the GROUP BY statements.
DIMENSION_COLUMNS = {
    Dimension.ALL: "''",
    Dimension.RECRUITER: "recruiter_id",
    Dimension.TEMPLATE: "template_id",
    Dimension.SEQUENCE: "sequence_id",
    Dimension.CIRCLE: "circle_id",
    Dimension.SOURCE: "source",
    Dimension.INDUSTRY: "industry",
}


# Per dimension and scope (everyone, or per recruiter); names below come from DIMENSION_COLUMNS only.
COUNTS_SQL = (
    "SELECT day, {scope}, {column}, COUNT(*), SUM(CASE WHEN bounced = {true} THEN 1 ELSE 0 END), COUNT(answered_at),"
    " SUM(CASE WHEN interested = {true} THEN 1 ELSE 0 END), SUM(CASE WHEN not_interested = {true} THEN 1 ELSE 0 END),"
    " SUM(CASE WHEN unsubscribed = {true} THEN 1 ELSE 0 END)"
    " FROM engagement_responseoutreach WHERE {where} GROUP BY 1, 2, 3"
)
HOURS_SQL = (
    "SELECT day, {scope}, {column}, answer_bucket_hours, COUNT(*) FROM engagement_responseoutreach"
    " WHERE {where} AND answered_at IS NOT NULL GROUP BY 1, 2, 3, 4"
)
