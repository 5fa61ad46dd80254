"""Who holds a skill, read from the index alone: (skill_id, candidate_id) on the skills' join table.

A job's "who fits" counts, per person, how many of the job's skills they hold; with both columns in
one index PostgreSQL answers it by an index-only scan of those skills' entries instead of fetching
every row of the join table. The join table is Django's own (an auto-created many-to-many), so the
index is plain SQL, the same on PostgreSQL and SQLite.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("candidates", "0017_retention")]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX IF NOT EXISTS cand_skills_skill_holder"
            " ON candidates_candidate_skills (skill_id, candidate_id)",
            "DROP INDEX IF EXISTS cand_skills_skill_holder",
        )
    ]
