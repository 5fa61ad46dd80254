"""Countries from the maintained list: free-text values become ISO codes where they map, flagged where not.

Before, a country was whatever two letters were typed ("UN" for "United Kingdom", "UK", "de").
Each stored value is looked up in django-countries (code, then English name) and a few aliases;
one that maps is stored as its code (and the time zone guessed when there was none), one that
does not is moved to `country_unmapped`, which the profile shows for someone to fix.
"""

import re
import unicodedata
from django.db import migrations, models
from django_countries import countries

# The guess the app makes (the country's clock when all its zones keep the same time).
from candidates.normalise import time_zone_for

ALIASES = {
    "uk": "GB", "greatbritain": "GB", "britain": "GB", "england": "GB", "scotland": "GB", "wales": "GB",
    "unitedkingdom": "GB", "usa": "US", "unitedstates": "US", "america": "US", "deutschland": "DE",
    "holland": "NL", "espana": "ES", "italia": "IT", "schweiz": "CH", "suisse": "CH", "osterreich": "AT",
    "russia": "RU", "southkorea": "KR", "uae": "AE", "turkey": "TR", "vietnam": "VN", "brasil": "BR",
}  # fmt: skip


def _key(value):
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z]", "", text.casefold())


def _code_for(value, names):
    value = value.strip()
    if len(value) == 2 and value.isalpha() and countries.alpha2(value):
        return countries.alpha2(value)
    return names.get(_key(value), "")


def forwards(apps, schema_editor):
    Candidate = apps.get_model("candidates", "Candidate")
    names = {_key(str(name)): code for code, name in countries} | ALIASES
    stored = Candidate.objects.exclude(country_code="").exclude(erased_at__isnull=False)
    for value in stored.values_list("country_code", flat=True).distinct():
        code = _code_for(value, names)
        rows = Candidate.objects.filter(country_code=value)
        if not code:
            rows.update(country_code="", country_unmapped=value)
        elif code != value:
            rows.update(country_code=code)
        guess = time_zone_for(country=code) if code else ""
        if guess:
            Candidate.objects.filter(country_code=code, time_zone="").update(time_zone=guess)


def backwards(apps, schema_editor):
    Candidate = apps.get_model("candidates", "Candidate")
    for value in Candidate.objects.exclude(country_unmapped="").values_list("country_unmapped", flat=True).distinct():
        Candidate.objects.filter(country_unmapped=value).update(country_code=value[:2], country_unmapped="")


class Migration(migrations.Migration):


    dependencies = [
        ('candidates', '0011_resume_text_extraction'),
    ]

    operations = [
        migrations.AddField(
            model_name='candidate',
            name='country_unmapped',
            field=models.CharField(blank=True, editable=False, max_length=100, verbose_name='country as typed before'),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
