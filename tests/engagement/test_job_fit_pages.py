"""The "Who fits" page of a job, and messaging its selection about the job with {{ job.title }} and {{ job.url }}."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from candidates.services import candidate_create
from engagement.circles.jobs.outreach import JobOutreach
from messaging.models import Message, Thread
from messaging.rendering import TemplateError, render_message
from tests.engagement.job_support import make_job

pytestmark = pytest.mark.django_db

SKILLS = ["Python", "Django", "PostgreSQL"]


def person(tenant, first, *, skills=SKILLS, city="Berlin", **data):
    return candidate_create(
        org=tenant.org,
        actor=tenant.user,
        data={"first_name": first, "last_name": "Fit", "email": f"{first.lower()}@example.net", "city": city,
              "current_title": "Engineer", "current_company": f"{first} Co", **data},
        skills=skills,
    )  # fmt: skip


def fits_url(tenant, job) -> str:
    return reverse("job_fits", args=[tenant.org.slug, job.pk])


def test_the_page_ranks_people_with_their_reasons(acme):
    job = make_job(acme, skills=SKILLS, locations=["Berlin"], open_it=True)
    person(acme, "Ada")
    person(acme, "Bob", skills=["Python"], city="Lisbon")
    response = acme.client.get(fits_url(acme, job))
    assert response.status_code == 200
    content = response.content.decode()
    assert content.index("Ada Fit") < content.index("Bob Fit")
    assert "3 of 3 skills, in Berlin" in content and "1 of 3 skills, not in Berlin" in content
    assert "Missing: Django, PostgreSQL" in content
    assert f'name="about" value="job:{job.pk}"' in content
    assert "2</strong> people fit" in content


def test_the_job_page_links_to_who_fits(acme):
    job = make_job(acme)
    response = acme.client.get(reverse("job_detail", args=[acme.org.slug, job.pk]))
    assert fits_url(acme, job) in response.content.decode()


def test_its_query_count_is_fixed_whatever_the_number_of_people(acme, django_assert_num_queries):
    job = make_job(acme, skills=SKILLS, locations=["Berlin"])
    for n in range(3):
        person(acme, f"P{n}")
    url = fits_url(acme, job)
    acme.client.get(url)  # warm the session and the membership cache
    # session, user, membership with its organisation, the switcher's memberships (4); the job, its skills,
    # other jobs, the count, the ranked window, its hard blocks, the people, their skills, their interests
    # and the policy's rows (no conversations here, so none of its further reads)
    with django_assert_num_queries(14):
        response = acme.client.get(url, {"min_skills": 2, "where": "place"})
    assert response.context["fits"].count == 3
    for n in range(3, 30):
        person(acme, f"P{n}")
    with django_assert_num_queries(14):
        response = acme.client.get(url, {"min_skills": 2, "where": "place"})
    assert len(response.context["fits"].rows) == 25


def test_filters_narrow_the_list_and_bad_ones_are_reported_not_a_500(acme):
    job = make_job(acme, skills=SKILLS, locations=["Berlin"])
    person(acme, "Ada")
    person(acme, "Bob", skills=["Python"])
    narrowed = acme.client.get(fits_url(acme, job), {"min_skills": 3})
    assert [row.candidate.first_name for row in narrowed.context["fits"].rows] == ["Ada"]
    bad = acme.client.get(fits_url(acme, job), {"min_skills": "many", "where": "moon", "page": "-1"})
    assert bad.status_code == 200
    assert "Some filters were ignored" in bad.content.decode()
    assert len(bad.context["fits"].rows) == 2


def test_a_job_without_skills_says_what_to_do(acme):
    job = make_job(acme, skills=[])
    response = acme.client.get(fits_url(acme, job))
    assert response.status_code == 200 and "Add the skills it asks for" in response.content.decode()


def test_another_organisations_job_is_a_404(acme, globex):
    job = make_job(globex)
    assert acme.client.get(fits_url(acme, job)).status_code == 404
    assert acme.client.get(reverse("job_fits", args=[globex.org.slug, job.pk])).status_code in (302, 403, 404)


# --- messaging the selection about the job ----------------------------------------------------------------


BODY = (
    "Hi {{ candidate.first_name }}, we are hiring a {{ job.title }} in {{ job.location }} and your work at "
    "{{ candidate.current_company }} with {{ job.skills }} caught my eye. The role: {{ job.url }} — would you be "
    "open to a short call next week about it?"
)


def test_the_selection_is_messaged_about_the_job_with_its_tokens(acme):
    job = make_job(acme, title="Data Engineer", skills=SKILLS, locations=["Berlin"], open_it=True)
    ada, bob = person(acme, "Ada"), person(acme, "Bob")
    start = acme.client.post(
        reverse("bulk_start", args=[acme.org.slug]),
        {"selected": [ada.pk, bob.pk], "about": f"job:{job.pk}", "back": fits_url(acme, job)},
    )
    key = start["Location"].rstrip("/").split("/")[-1]
    compose = acme.client.get(start["Location"])
    assert "about the job “Data Engineer”" in compose.content.decode()
    assert "job.title" in compose.content.decode()  # the job's tokens are listed
    preview = acme.client.post(
        reverse("bulk_compose", args=[acme.org.slug, key]),
        {"action": "preview", "subject": "{{ job.title }} at {{ organization.name }}", "body": BODY},
    )
    assert preview.status_code == 302, preview.content[:800]
    shown = acme.client.get(preview["Location"]).content.decode()
    public = settings.SITE_URL + reverse("portal_job_detail", args=[acme.org.slug, job.slug])
    assert "we are hiring a Data Engineer in Berlin" in shown and public in shown
    acme.client.post(reverse("bulk_send", args=[acme.org.slug, key]))
    messages = Message.objects.order_by("candidate__first_name")
    assert [m.subject for m in messages] == ["Data Engineer at Acme Inc"] * 2
    assert "Python, Django and PostgreSQL" in messages[0].body_text and public in messages[0].body_text
    # Each conversation is recorded as being about the job.
    threads = set(Thread.objects.values_list("pk", flat=True))
    assert set(JobOutreach.objects.filter(job=job).values_list("thread_id", flat=True)) == threads


def test_another_organisations_job_cannot_be_the_topic(acme, globex):
    job = make_job(globex)
    ada = person(acme, "Ada")
    response = acme.client.post(
        reverse("bulk_start", args=[acme.org.slug]), {"selected": [ada.pk], "about": f"job:{job.pk}"}
    )
    assert response.status_code == 404


def test_an_empty_selection_goes_back_to_who_fits(acme):
    job = make_job(acme)
    response = acme.client.post(
        reverse("bulk_start", args=[acme.org.slug]), {"about": f"job:{job.pk}", "back": fits_url(acme, job)}
    )
    assert response.status_code == 302 and response["Location"] == fits_url(acme, job)
    elsewhere = acme.client.post(reverse("bulk_start", args=[acme.org.slug]), {"back": "https://evil.example/"})
    assert elsewhere["Location"] == reverse("candidate_list", args=[acme.org.slug])


def test_job_tokens_need_a_job_and_an_open_job_for_its_url(acme):
    ada = person(acme, "Ada")
    with pytest.raises(TemplateError, match="not about a job"):
        render_message(subject="x", body="{{ job.title }}", candidate=ada, recruiter=acme.user, organization=acme.org)
    draft = make_job(acme, title="Draft role")
    with pytest.raises(TemplateError, match=r"job\.url"):
        render_message(
            subject="x", body="{{ job.url }}", candidate=ada, recruiter=acme.user, organization=acme.org,
            extra={"job": draft},
        )  # fmt: skip
    rendered = render_message(
        subject="{{ job.title }}", body='{{ job.url|default:"soon" }}', candidate=ada, recruiter=acme.user,
        organization=acme.org, extra={"job": draft},
    )  # fmt: skip
    assert (rendered.subject, rendered.body) == ("Draft role", "soon")


def test_every_job_token_is_documented_and_renders(acme):
    from messaging.rendering import TOKENS

    job = make_job(acme, title="Data Engineer", team="Data", skills=SKILLS, locations=["Berlin"], open_it=True)
    paths = [path for path in TOKENS if path.startswith("job.")]
    assert {"job.title", "job.url"} <= set(paths) and all(TOKENS[path] for path in paths)
    text = " | ".join("{{ " + path + " }}" for path in paths)
    rendered = render_message(
        subject="x", body=text, candidate=person(acme, "Ada"), recruiter=acme.user, organization=acme.org,
        extra={"job": job},
    )  # fmt: skip
    assert rendered.body.startswith("Data Engineer | http") and "Berlin | Data | Python, Django and PostgreSQL" in (
        rendered.body
    )


# --- enrolling the selection about the job ------------------------------------------------------------------


def test_the_selection_is_enrolled_about_the_job_and_its_steps_fill_the_job_tokens(acme):
    from engagement.sequences.dispatcher import dispatch_due
    from engagement.sequences.models import Enrollment
    from tests.engagement.sequence_support import MONDAY_10, make_sequence, on_london_time, template

    on_london_time(acme.org)
    job = make_job(acme, title="Data Engineer", skills=SKILLS, locations=["Berlin"], open_it=True)
    ada = person(acme, "Ada")
    step = template(acme, subject="{{ job.title }} at {{ organization.name }}", body=BODY)
    sequence = make_sequence(acme, steps=[{"order": 1, "kind": "email", "template": step.pk}])
    start = acme.client.post(
        reverse("sequence_enrol_start", args=[acme.org.slug]), {"selected": [ada.pk], "job": job.pk, "about": "x"}
    )
    assert start.status_code == 302 and f"job={job.pk}" in start["Location"]
    screen = acme.client.get(start["Location"] + f"&sequence={sequence.pk}")
    content = screen.content.decode()
    assert "about the job “Data Engineer”" in content and "we are hiring a Data Engineer in Berlin" in content
    enrolled = acme.client.post(
        reverse("sequence_enrol", args=[acme.org.slug]), {"selected": [ada.pk], "job": job.pk, "sequence": sequence.pk}
    )
    assert enrolled.status_code == 302
    assert Enrollment.objects.get().job == job
    Enrollment.objects.update(next_run_at=MONDAY_10)
    dispatch_due(now=MONDAY_10)
    message = Message.objects.get()
    assert message.subject == "Data Engineer at Acme Inc" and "hiring a Data Engineer in Berlin" in message.body_text
    assert JobOutreach.objects.filter(job=job, thread_id=message.thread_id).exists()


def test_enrolling_about_another_organisations_job_is_a_404(acme, globex):
    job = make_job(globex)
    ada = person(acme, "Ada")
    response = acme.client.post(
        reverse("sequence_enrol_start", args=[acme.org.slug]), {"selected": [ada.pk], "job": job.pk}
    )
    assert response.status_code == 404
    assert (
        acme.client.get(
            reverse("sequence_enrol", args=[acme.org.slug]), {"selected": ada.pk, "job": job.pk}
        ).status_code
        == 404
    )
