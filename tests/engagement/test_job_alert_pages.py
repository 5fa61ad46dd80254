"""Job alerts in the portal: the preference form, its tenancy, and the e-mail's one-click unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from engagement.circles.jobs.alerts.models import JobAlert, JobAlertPreference
from engagement.circles.jobs.alerts.unsubscribe import job_alerts_unsubscribe_token, job_alerts_unsubscribe_url
from engagement.circles.unsubscribe import community_email_stop
from engagement.timeline.models import Activity
from tests.engagement.job_alert_support import alert_member, run, signed_in
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db


def url(org) -> str:
    return reverse("portal_job_alerts", args=[org.slug])


def test_alerts_are_off_until_the_member_chooses_and_the_form_suggests_open_jobs_skills(acme):
    ada = alert_member(acme, "Ada", frequency=None)
    make_job(acme, open_it=True, skills=["Python", "Kubernetes"])
    make_job(acme, title="Draft", skills=["Cobol"])
    response = signed_in(ada).get(url(acme.org))
    content = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<input type="radio" name="frequency" value="never"[^>]* checked>', content)
    assert len(re.findall(r'name="remote_policies" value="\w+"[^>]* checked>', content)) == 3
    assert "Kubernetes, Python" in content and "Cobol" not in content
    assert not JobAlertPreference.objects.exists()
    preferences = signed_in(ada).get(reverse("portal_preferences", args=[acme.org.slug])).content.decode()
    assert f'href="{url(acme.org)}"' in preferences


def test_a_valid_form_saves_the_alert(acme):
    ada = alert_member(acme, "Ada", frequency=None)
    data = {"skills": " Python, django ,python", "locations": "Berlin\nLeeds", "remote_policies": ["hybrid", "remote"],
            "frequency": "weekly"}  # fmt: skip
    response = signed_in(ada).post(url(acme.org), data)
    assert response.status_code == 302 and response["Location"] == url(acme.org)
    preference = JobAlertPreference.objects.get(candidate=ada)
    assert (preference.skills, preference.locations) == (["Python", "django"], ["Berlin", "Leeds"])
    assert (preference.remote_policies, preference.frequency) == (["hybrid", "remote"], "weekly")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"remote_policies": []}, "remote_policies", "Choose at least one kind of workplace you would accept."),
        ({"frequency": "daily"}, "frequency", "Select a valid choice."),
        ({"remote_policies": ["moon"]}, "remote_policies", "Select a valid choice."),
        ({"skills": "x" * 81}, "skills", "Keep each entry under 80 characters."),
        ({"locations": ",".join(f"Town {n}" for n in range(31))}, "locations", "List at most 30."),
    ],
)
def test_a_bad_form_shows_the_error_next_to_its_field_and_saves_nothing(acme, data, field, message):
    ada = alert_member(acme, "Ada", frequency=None)
    valid = {"skills": "Python", "locations": "", "remote_policies": ["onsite"], "frequency": "weekly"}
    response = signed_in(ada).post(url(acme.org), {**valid, **data})
    assert response.status_code == 400
    assert message in str(response.context["form"].errors[field])
    assert message.replace("'", "&#x27;") in response.content.decode()
    assert not JobAlertPreference.objects.exists()


def test_the_page_is_the_members_own_in_their_organisation_only(acme, globex):
    ada = alert_member(acme, "Ada", skills=("Python",))
    hal = alert_member(globex, "Hal")
    # A member of another community is sent to this one's join page and sees nothing of acme's members.
    response = signed_in(hal).get(url(acme.org))
    assert response.status_code == 302 and response["Location"] == reverse("community_join", args=["acme"])
    signed_in(hal).post(url(acme.org), {"remote_policies": ["onsite"], "frequency": "never"})
    assert JobAlertPreference.objects.get(candidate=ada).frequency == "immediately"
    assert Client().get(url(acme.org)).status_code == 302  # visitors sign in first
    assert Client().get(reverse("portal_job_alerts", args=["nowhere"])).status_code == 302
    assert signed_in(ada).get(reverse("portal_job_alerts", args=["nowhere"])).status_code == 404


# --- One-click unsubscribe (RFC 8058) ----------------------------------------------------------


def test_the_one_click_post_stops_job_alerts_once_without_signing_in(acme):
    ada = alert_member(acme, "Ada", frequency="weekly")
    make_job(acme, title="First", open_it=True)
    run(timezone.now())
    make_job(acme, title="Second", open_it=True)
    run(timezone.now())  # matched; waits for the week
    link = job_alerts_unsubscribe_url(ada)
    page = Client().get(link)
    assert page.status_code == 200 and b'id="unsubscribe-confirm"' in page.content
    assert JobAlertPreference.objects.get(candidate=ada).frequency == "weekly"  # a GET changes nothing
    client = Client(enforce_csrf_checks=True)
    done = client.post(link, {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and b'id="unsubscribe-done"' in done.content
    client.post(link, {"List-Unsubscribe": "One-Click"})
    assert JobAlertPreference.objects.get(candidate=ada).frequency == "never"
    assert JobAlert.objects.get(job__title="Second").status == "dropped"
    stops = Activity.objects.filter(candidate_id=ada.pk, kind=Activity.Kind.COMMUNITY_OPT_OUT)
    assert list(stops.values_list("details__scope", flat=True)) == ["job_alerts"]
    ada.refresh_from_db()
    assert ada.digest_frequency == "weekly" and ada.unsubscribed_at is None  # only job alerts stop


def test_a_link_is_valid_only_in_its_organisation_and_untampered(acme, globex):
    ada = alert_member(acme, "Ada")
    token = job_alerts_unsubscribe_token(ada)
    other = reverse("job_alerts_unsubscribe", args=[globex.org.slug, token])
    assert Client().get(other).status_code == 404
    assert Client().post(other).status_code == 404
    assert Client().post(reverse("job_alerts_unsubscribe", args=[acme.org.slug, token[:-2] + "xx"])).status_code == 404
    assert JobAlertPreference.objects.get(candidate=ada).frequency == "immediately"


def test_stopping_all_community_e_mail_stops_job_alerts_too(acme):
    ada = alert_member(acme, "Ada")
    community_email_stop(candidate=ada)
    assert JobAlertPreference.objects.get(candidate=ada).frequency == "never"
    make_job(acme, open_it=True)
    assert run(timezone.now()).emails == 0
