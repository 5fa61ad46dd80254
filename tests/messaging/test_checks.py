from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from candidates.models import Candidate, Skill
from messaging import checks
from messaging.checks import (
    FINDING_CODES,
    MASS_MESSAGE_THRESHOLD,
    CheckResult,
    body_fingerprint,
    draft_findings,
    personalisation_check,
    profile_facts,
    recent_recipients_by_fingerprint,
    vocabulary,
)
from messaging.models import Message, Thread
from messaging.rendering import render_text
from talentcircles.models import Organization, User
from tests.factories import CandidateFactory, OrganizationFactory

ORG = Organization(name="Acme Inc", slug="acme")
RECRUITER = User(email="rita@example.com", first_name="Rita", last_name="Reyes")

GOOD_SUBJECT = "Your scheduling work at Initech"
GOOD_BODY = (
    "Hi Ana,\n\nI read about the patient scheduling service you built at Initech and how it cut waiting "
    "times. We are growing the platform team at Acme, and your Python experience would fit well. Would you "
    "be up for a 20-minute call next week?\n\nRita"
)
TEMPLATE = (
    "Hi {{ candidate.first_name }},\n\nWe have a role on the platform team at {{ organization.name }} that might "
    "interest you: a small group building the services our customers rely on every day, with flexible hours. "
    "Would you be open to a short call next week to hear more?\n\n{{ recruiter.full_name }}"
)


def ana(**overrides) -> Candidate:
    fields = dict(
        first_name="Ana",
        last_name="Silva",
        headline="Backend engineer building patient scheduling in Python",
        current_title="Staff Engineer",
        current_company="Initech",
        industry="Hospital & Health Care",
        city="Lisbon",
    )
    fields.update(overrides)
    return Candidate(**fields)


def codes(subject: str = GOOD_SUBJECT, body: str = GOOD_BODY, candidate: Candidate | None = None, **kw) -> list[str]:
    findings = draft_findings(candidate=candidate or ana(), subject=subject, body=body, organization=ORG, **kw)
    return [f.code for f in findings]


def finding(code: str, subject: str = GOOD_SUBJECT, body: str = GOOD_BODY, candidate=None, **kw) -> checks.Finding:
    findings = draft_findings(candidate=candidate or ana(), subject=subject, body=body, organization=ORG, **kw)
    matching = [f for f in findings if f.code == code]
    assert matching, f"no {code} finding in {findings}"
    return matching[0]


def test_a_personal_draft_has_no_findings():
    assert codes() == []


def test_every_code_has_a_label_a_penalty_and_a_severity():
    assert set(FINDING_CODES) == set(checks.PENALTIES) == set(checks.SEVERITIES)
    assert set(checks.SEVERITIES.values()) <= {"high", "medium", "low"}


# --- generic ---------------------------------------------------------------------------------------


def test_the_template_with_only_the_name_filled_in_is_generic():
    body = render_text(TEMPLATE, candidate=ana(), recruiter=RECRUITER, organization=ORG)
    found = finding("generic", subject="A role at Acme", body=body, template_body=TEMPLATE)
    assert "nothing in it is about Ana Silva" in found.message
    assert found.penalty == 40 and found.severity == "high"


def test_the_template_is_generic_whatever_the_spacing_or_case():
    body = render_text(TEMPLATE, candidate=ana(), recruiter=RECRUITER, organization=ORG)
    squashed = " ".join(body.upper().split())
    assert "generic" in codes("A role at Acme", squashed, template_body=TEMPLATE)


def test_an_edit_beyond_the_template_is_not_generic():
    body = render_text(TEMPLATE, candidate=ana(), recruiter=RECRUITER, organization=ORG)
    edited = body.replace("Hi Ana,", "Hi Ana, I enjoyed your talk at the Lisbon meetup last month.")
    assert "generic" not in codes("A role at Acme", edited, template_body=TEMPLATE)
    # Even where a token was: an edit around the name is still an edit.
    edited_at_token = body.replace("Hi Ana,", "Hi Ana, loved your conference talk on queues,")
    assert "generic" not in codes("A role at Acme", edited_at_token, template_body=TEMPLATE)


def test_a_template_token_with_a_profile_fact_is_personal():
    template = TEMPLATE.replace("might interest you", "fits your work at {{ candidate.current_company }}")
    body = render_text(template, candidate=ana(), recruiter=RECRUITER, organization=ORG)
    assert "generic" not in codes("A role at Acme", body, template_body=template)


def test_without_a_template_no_profile_fact_is_generic():
    body = "Hi Ana, we have a role on our platform team. Would you be open to a short call next week? " * 3
    found = finding("generic", subject="A role at Acme", body=body)
    assert found.message.startswith("Nothing in this message is specific to Ana Silva.")


def test_the_first_name_alone_is_not_personal():
    assert "generic" in codes("Hi Ana", "Ana, Ana, Ana: we are hiring and would like to talk to you, Ana. " * 4)


@pytest.mark.parametrize(
    "fact",
    ["Initech", "INITECH", "Staff Engineer", "Lisbon", "healthcare", "patient scheduling", "Python"],
)
def test_any_profile_fact_makes_it_personal(fact):
    body = f"Hi Ana, we are hiring and thought of you because of {fact}. Could we talk next week? " * 3
    assert "generic" not in codes("A role at Acme", body)


def test_profile_facts_include_skills_and_leave_out_common_words(db):
    candidate = CandidateFactory(current_company="Initech Ltd", headline="Senior engineer | Kubernetes")
    candidate.skills.add(Skill.objects.create(organization=candidate.organization, name="Terraform", key="terraform"))
    facts = profile_facts(candidate)
    assert {"initech", "kubernetes", "Terraform"} <= set(facts)
    assert "senior" not in facts and "engineer" not in facts
    assert checks.facts_mentioned(candidate, "Your Terraform modules are great") == ["Terraform"]


# --- placeholders ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "placeholder",
    [
        "[Name]",
        "[Company]",
        "[Job Title]",
        "[FIRST_NAME]",
        "[company name]",
        "{first_name}",
        "{Company}",
        "{{ candidate.salary }}",
        "{{first_name}}",
        "<<Company>>",
        "XXX",
        "xxx",
        "XXXX",
        "%NAME%",
        "%first_name%",
        "FIRSTNAME",
        "FIRST_NAME",
        "COMPANY_NAME",
    ],
)
def test_it_reports_leftover_placeholders(placeholder):
    found = finding("placeholder", body=GOOD_BODY.replace("Initech", placeholder))
    assert f"“{placeholder}”" in found.message
    assert found.penalty == 40


def test_it_reports_every_placeholder_found_once():
    found = finding("placeholder", subject="Hi [Name]", body=GOOD_BODY + " [Name] at <<Company>>, XXX")
    assert found.message.startswith("Leftover placeholders: “[Name]”, “<<Company>>”, “XXX”.")


@pytest.mark.parametrize(
    "text",
    [
        "See [our careers page](https://example.com/careers).",
        "It pays in the $100k range, 100% remote, {braces} are fine lowercase? no: {",
        "The XXL size and Xbox are not placeholders; nor is Firstname Lastname spelled as words.",
        "Use ratio 3:2 and 20% more [1] references.",
    ],
)
def test_ordinary_text_is_not_a_placeholder(text):
    assert "placeholder" not in codes(body=GOOD_BODY + " " + text.replace("{braces}", "braces"))


# --- wrong industry and company --------------------------------------------------------------------


def test_it_reports_an_industry_the_profile_contradicts():
    body = GOOD_BODY.replace("and how it cut", "and your experience in banking, and how it cut")
    found = finding("wrong_industry", body=body)
    assert found.message.startswith(
        "The message mentions “banking”, but Ana Silva works in Hospital & Health Care according to their profile."
    )


@pytest.mark.parametrize(
    ("sentence", "industry"),
    [
        ("You're clearly at home in the gaming industry.", "Banking"),
        ("I see you work in fintech.", "Hospital & Health Care"),
        ("Given your background in automotive, this fits.", "Retail"),
        ("Your years in pharma show.", "Computer Software"),
    ],
)
def test_industry_claims_about_the_reader_are_checked(sentence, industry):
    assert "wrong_industry" in codes(body=f"{GOOD_BODY} {sentence}", candidate=ana(industry=industry))


@pytest.mark.parametrize(
    ("sentence", "industry"),
    [
        ("Your experience in banking is why I wrote.", "Banking"),
        ("Your fintech experience is why I wrote.", "Banking"),  # a related industry of the same family
        ("We are a fintech and you would fit right in.", "Hospital & Health Care"),  # about us, not them
        ("Your experience in banking is why I wrote.", ""),  # the profile does not say
    ],
)
def test_industry_mentions_that_do_not_contradict_are_fine(sentence, industry):
    assert "wrong_industry" not in codes(body=f"{GOOD_BODY} {sentence}", candidate=ana(industry=industry))


def test_the_industry_vocabulary_only_names_industries_of_the_taxonomy():
    families = vocabulary.industry_families()
    assert families and all(families.values())
    assert "banking" in vocabulary.industry_keywords()


@pytest.mark.parametrize(
    "claim",
    ["your time at Globex", "your work at Globex Corporation", "You're currently at Globex", "you work for Globex"],
)
def test_it_reports_a_company_the_profile_contradicts(claim):
    found = finding("wrong_company", subject="A role at Acme", body=f"{GOOD_BODY} I liked {claim}.")
    assert "Globex" in found.message and "they work at Initech" in found.message
    assert "earlier employer" in found.message


@pytest.mark.parametrize(
    ("claim", "company"),
    [
        ("your time at Initech", "Initech"),
        ("your work at Initech", "Initech Ltd"),
        ("your role at Goldman", "Goldman Sachs"),
        ("your team at The Guardian", "Guardian"),
        ("your work at Globex", ""),  # the profile does not say
        ("your time at Acme", "Initech"),  # our own organisation
    ],
)
def test_company_mentions_that_do_not_contradict_are_fine(claim, company):
    body = f"{GOOD_BODY} I liked {claim}."
    assert "wrong_company" not in codes("A role at Acme", body, candidate=ana(current_company=company))


def test_a_company_that_is_not_about_the_reader_is_fine():
    assert "wrong_company" not in codes(body=f"{GOOD_BODY} Join us at Globex Park on Friday.")


# --- length ----------------------------------------------------------------------------------------


def _body_of(length: int) -> str:
    base = "Hi Ana, your work at Initech on patient scheduling stood out. "
    return (base * (length // len(base) + 1))[: length - 1] + "."


@pytest.mark.parametrize(
    ("length", "code"),
    [
        (150, "too_short"),
        (199, "too_short"),
        (200, None),
        (400, None),
        (401, "long"),
        (1400, "long"),
        (1401, "too_long"),
    ],
)
def test_it_scores_length_by_linkedins_bands(length, code):
    length_codes = [c for c in codes(body=_body_of(length)) if c in ("too_short", "long", "too_long")]
    assert length_codes == ([code] if code else [])


def test_too_long_cites_the_inmail_study():
    found = finding("too_long", body=_body_of(2000))
    assert "18% fewer answers" in found.message and "2,000 characters" in found.message
    assert found.penalty > checks.PENALTIES["long"]


# --- spam phrases ----------------------------------------------------------------------------------


def test_it_lists_the_spam_phrases_found():
    body = GOOD_BODY.replace("Hi Ana,", "Dear Sir/Madam, I came across your profile. URGENT: click  here!")
    found = finding("spam_phrases", body=body)
    assert "“dear sir/madam”" in found.message and "“i came across your profile”" in found.message
    assert "“urgent”" in found.message and "“click here”" in found.message
    assert found.penalty == 20  # 4 phrases, 5 points each


def test_spam_phrase_penalty_is_capped():
    body = GOOD_BODY + " Rockstar ninja guru, act now: guaranteed, 100% free, limited time, exciting opportunity!"
    assert finding("spam_phrases", body=body).penalty == checks.SPAM_PENALTY_CAP


def test_spam_phrases_in_the_subject_count():
    assert "spam_phrases" in codes(subject="Urgent: a role at Acme")


def test_spam_phrases_match_whole_words_only():
    assert "spam_phrases" not in codes(body=GOOD_BODY + " Our guarantee team and the urgentology lab.")


def test_the_spam_list_is_documented_and_loaded():
    phrases = checks.spam_phrases()
    assert {"dear candidate", "to whom it may concern", "exciting opportunity", "quick question"} <= set(phrases)
    header = (checks.DATA / "spam_phrases.txt").read_text(encoding="utf-8").splitlines()[0]
    assert header.startswith("#")


# --- subject ---------------------------------------------------------------------------------------


def test_an_empty_subject_is_reported():
    assert finding("empty_subject", subject="  ").penalty == 10


@pytest.mark.parametrize("subject", ["Opportunity", "Job opening", "Hi", "hi!", "RE: Exciting opportunity!!", "Hello"])
def test_a_generic_subject_is_reported(subject):
    assert "generic_subject" in codes(subject=subject)


# --- score -----------------------------------------------------------------------------------------


def test_the_score_is_100_minus_penalties_and_never_below_zero(db):
    org = OrganizationFactory()
    candidate = CandidateFactory(organization=org, first_name="Ana", last_name="Silva", current_company="Initech")
    good = personalisation_check(org=org, candidate=candidate, subject=GOOD_SUBJECT, body=GOOD_BODY)
    assert good.score == 100 and good.findings == []
    awful = personalisation_check(
        org=org,
        candidate=candidate,
        subject="",
        body="Dear candidate, [Name] at <<Company>>: urgent, click here, act now, guaranteed. Your time at Globex.",
    )
    assert awful.score == 0
    assert awful.findings[0].penalty >= awful.findings[-1].penalty  # worst first


def test_as_dict_is_what_the_api_returns():
    result = CheckResult(score=60, findings=[checks.Finding("generic", "Nothing personal.", 40, "high")])
    assert result.as_dict() == {
        "score": 60,
        "findings": [{"code": "generic", "message": "Nothing personal.", "severity": "high", "penalty": 40}],
    }


# --- mass messages ---------------------------------------------------------------------------------


def test_the_fingerprint_ignores_the_candidates_own_facts_case_and_spacing():
    one = ana()
    two = ana(first_name="Bo", last_name="Berg", current_company="Globex", current_title="Data Lead")
    text = "Hi {name},  your work as {title} at {company} is great, {last}."
    body_one = text.format(name="Ana", title="Staff Engineer", company="Initech", last="Silva")
    body_two = text.format(name="Bo", title="Data Lead", company="Globex", last="Berg").upper()
    assert body_fingerprint(body_one, one) == body_fingerprint(body_two, two)
    assert body_fingerprint(body_one, one) != body_fingerprint(body_one + " Extra.", one)
    assert len(body_fingerprint("", one)) == 64


def _sent(org, candidate, body, *, created_at=None, direction=Message.Direction.OUT, status=Message.Status.SENT):
    thread = Thread.objects.create(organization=org, candidate=candidate, subject="Hi")
    return Message.objects.create(
        organization=org,
        thread=thread,
        candidate=candidate,
        direction=direction,
        status=status,
        subject="Hi",
        body_text=body,
        body_fingerprint=body_fingerprint(body, candidate),
        created_at=created_at or timezone.now(),
    )


BLAST = "Hi {first}, we are hiring engineers at Acme. Interested in a chat this week? We have great roles."


def _blast(org, count, **kwargs):
    for i in range(count):
        other = CandidateFactory(organization=org, first_name=f"Other{i}")
        _sent(org, other, BLAST.format(first=other.first_name), **kwargs)


def _check(org, candidate, **kwargs):
    return personalisation_check(
        org=org, candidate=candidate, subject="A role", body=BLAST.format(first=candidate.first_name), **kwargs
    )


def test_the_same_body_sent_to_many_today_is_a_mass_message(acme, django_assert_num_queries):
    _blast(acme.org, MASS_MESSAGE_THRESHOLD)
    candidate = Candidate.objects.prefetch_related("skills").get(pk=CandidateFactory(organization=acme.org).pk)
    with django_assert_num_queries(1):
        result = _check(acme.org, candidate)
    found = [f for f in result.findings if f.code == "mass_message"]
    assert found and f"to {MASS_MESSAGE_THRESHOLD} other candidates in the last 24 hours" in found[0].message


def test_fewer_than_the_threshold_is_not_a_mass_message(acme):
    _blast(acme.org, MASS_MESSAGE_THRESHOLD - 1)
    candidate = CandidateFactory(organization=acme.org, first_name="Ana")
    for _ in range(3):  # the candidate's own earlier messages do not count
        _sent(acme.org, candidate, BLAST.format(first="Ana"))
    assert "mass_message" not in _check(acme.org, candidate).codes


@pytest.mark.parametrize(
    "kwargs",
    [
        {"created_at": timezone.now() - timedelta(hours=25)},
        {"direction": Message.Direction.IN, "status": Message.Status.RECEIVED},
        {"status": Message.Status.CANCELLED},
    ],
    ids=["older than a day", "incoming", "never sent"],
)
def test_only_outgoing_messages_of_the_last_day_count(acme, kwargs):
    _blast(acme.org, MASS_MESSAGE_THRESHOLD, **kwargs)
    candidate = CandidateFactory(organization=acme.org, first_name="Ana")
    assert "mass_message" not in _check(acme.org, candidate).codes


def test_another_organisations_messages_do_not_count(acme, globex):
    _blast(globex.org, MASS_MESSAGE_THRESHOLD)
    candidate = CandidateFactory(organization=acme.org, first_name="Ana")
    assert "mass_message" not in _check(acme.org, candidate).codes


def test_it_can_leave_out_the_message_being_checked(acme):
    _blast(acme.org, MASS_MESSAGE_THRESHOLD - 1)
    saved = _sent(acme.org, CandidateFactory(organization=acme.org, first_name="Bo"), BLAST.format(first="Bo"))
    candidate = CandidateFactory(organization=acme.org, first_name="Ana")
    assert "mass_message" in _check(acme.org, candidate).codes
    assert "mass_message" not in _check(acme.org, candidate, exclude_message_id=saved.pk).codes


def test_now_sets_the_window(acme):
    _blast(acme.org, MASS_MESSAGE_THRESHOLD, created_at=timezone.now() - timedelta(days=3))
    candidate = CandidateFactory(organization=acme.org, first_name="Ana")
    assert (
        "mass_message" in _check(acme.org, candidate, now=timezone.now() - timedelta(days=3) + timedelta(hours=1)).codes
    )


def test_bulk_checks_share_one_query(acme, django_assert_num_queries):
    _blast(acme.org, MASS_MESSAGE_THRESHOLD)
    for i in range(20):
        CandidateFactory(organization=acme.org, first_name=f"New{i}")
    people = list(Candidate.objects.filter(first_name__startswith="New").prefetch_related("skills"))
    assert len(people) == 20
    bodies = {p.pk: BLAST.format(first=p.first_name) for p in people}
    with django_assert_num_queries(1):  # skills were prefetched with the candidates
        recipients = recent_recipients_by_fingerprint(
            org=acme.org, fingerprints={body_fingerprint(bodies[p.pk], p) for p in people}
        )
        results = [
            personalisation_check(
                org=acme.org, candidate=p, subject="A role", body=bodies[p.pk], recent_recipients=recipients
            )
            for p in people
        ]
    assert all("mass_message" in r.codes for r in results)


def test_personalisation_check_many_gives_the_same_results_in_one_query(acme, django_assert_num_queries):
    _blast(acme.org, MASS_MESSAGE_THRESHOLD)
    for i in range(5):
        CandidateFactory(organization=acme.org, first_name=f"New{i}", current_company="Initech")
    people = list(Candidate.objects.filter(first_name__startswith="New").prefetch_related("skills"))
    drafts = [(p, "A role", BLAST.format(first=p.first_name)) for p in people] + [(people[0], GOOD_SUBJECT, GOOD_BODY)]
    with django_assert_num_queries(1):
        many = checks.personalisation_check_many(org=acme.org, drafts=drafts)
    one_by_one = [personalisation_check(org=acme.org, candidate=c, subject=s, body=b) for c, s, b in drafts]
    assert [r.as_dict() for r in many] == [r.as_dict() for r in one_by_one]
    assert "mass_message" in many[0].codes and "mass_message" not in many[-1].codes


def test_it_finds_each_of_a_thousand_name_only_drafts_generic_and_names_its_own_candidate():
    # How fast this is, is measured by benchmarks/drafts.py; here: each draft judged on its own candidate.
    people = [ana(first_name=f"P{i}", current_company=f"Company {i}") for i in range(1000)]
    findings = []
    for person in people:
        body = render_text(TEMPLATE, candidate=person, recruiter=RECRUITER, organization=ORG)
        findings.append(
            draft_findings(
                candidate=person, subject="A role at Acme", body=body, template_body=TEMPLATE, organization=ORG
            )
        )

    assert all([f.code for f in found] == ["generic"] for found in findings)
    assert all(f"about P{i} Silva" in found[0].message for i, found in enumerate(findings))
