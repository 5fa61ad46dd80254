"""Sum the existing daily roll-ups into the weekly ones (the handlers keep both from now on)."""

from django.db import migrations

from engagement.analytics.rollups.store import COUNT_COLUMNS, fold_weeks


def fill_weeks(apps, schema_editor):
    day_model = apps.get_model("engagement", "ResponseStat")
    week_model = apps.get_model("engagement", "ResponseStatWeek")
    organization_ids = day_model.objects.values_list("organization_id", flat=True).distinct()
    for organization_id in list(organization_ids):
        days = (
            day_model.objects.filter(organization_id=organization_id)
            .values_list("day", "recruiter_id", "dimension", "key", *COUNT_COLUMNS, "answer_hours")
            .iterator(chunk_size=20_000)
        )
        week_model.objects.filter(organization_id=organization_id).delete()
        week_model.objects.bulk_create(
            [
                week_model(organization_id=organization_id, day=day, recruiter_id=rid, dimension=dim, key=key, **values)
                for (day, rid, dim, key), values in fold_weeks(days).items()
            ],
            batch_size=5_000,
        )


class Migration(migrations.Migration):
    dependencies = [("engagement", "0007_response_stat_weeks")]

    operations = [migrations.RunPython(fill_weeks, migrations.RunPython.noop)]
