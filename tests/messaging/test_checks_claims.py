"""The classes of false positives and misses fixed in the personalisation check (issue 15), one test each.

The labelled set (test_checks_labelled.py) measures them together; these name them.
"""

from __future__ import annotations

import pytest

from candidates.models import Candidate, Resume, Skill
from messaging.checks import draft_findings
from messaging.checks.claims import company_claims
from talentcircles.models import Organization
from tests.factories import CandidateFactory

ORG = Organization(name="Acme Robotics", slug="acme-robotics")
SUBJECT = "Your work at Initech"
OPENING = "Hi Grace, your payments work at Initech in Leeds caught my eye."


def grace(**overrides) -> Candidate:
    fields = dict(
        first_name="Grace",
        last_name="Okafor",
        headline="Mainframe engineer | ex-Lloyds",
        current_title="Senior Mainframe Engineer",
        current_company="Initech",
        industry="Banking",
        city="Leeds",
    )
    fields.update(overrides)
    return Candidate(**fields)


def codes(
    sentence: str, candidate: Candidate | None = None, subject: str = SUBJECT, opening: str = OPENING
) -> set[str]:
    body = f"{opening} {sentence} Would you be open to a short call next week?\n\nRita"
    findings = draft_findings(candidate=candidate or grace(), subject=subject, body=body, organization=ORG)
    return {f.code for f in findings}


@pytest.mark.parametrize(
    "sentence",
    [
        "Your experience with COBOL, Go and SQL is rare.",  # the shipped template: technologies, not employers
        "Your experience with Go is rare.",
        "I see you work with Rust and Kubernetes every day.",
        "Your years with SAP S/4HANA show.",
        "Your work with Salesforce Health Cloud is great.",
        "Your time at Abertay University shows.",  # a school
        "Your years at KTH show.",
        "I hear you're at KubeCon next week.",  # an event
        "You're at Web Summit, I think.",
        "Your future team at Acme would be four people.",  # our own organisation, short name, the job on offer
        "Your new role at Hooli would be leading the platform.",  # an agency's client: the job on offer
        "Your time at Lloyds shows in your code.",  # a past employer in the headline
        "Trabajas en Leeds, ¿verdad?",  # a place
        "Ihre Arbeit mit Kafka bei Initech ist beeindruckend.",
        "Votre travail sur GitLab CI chez Initech est impressionnant.",
    ],
)
def test_technologies_schools_events_places_and_past_employers_are_not_a_wrong_company(sentence):
    assert "wrong_company" not in codes(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Your experience with Kubernetes at Hooli is rare.",  # technologies, then the employer
        "Your work on Go microservices at Zalando is great.",
        "Your time at SAP shows.",  # a product name used as an employer
        "You're with Santander, I believe.",
        "Your time with Ubisoft shows.",
        "Ihre Zeit bei Vattenfall ist beeindruckend.",
        "Sie arbeiten bei Revolut, habe ich gehört.",
        "Votre passage chez Lydia m'a marquée.",
        "Vous travaillez chez Alan, je crois.",
        "Tu etapa en Accenture encaja.",
        "Sé que trabajas en Santander.",
    ],
)
def test_a_claim_the_profile_does_not_back_is_a_wrong_company_in_four_languages(sentence):
    assert "wrong_company" in codes(sentence)


def test_a_declined_company_name_is_the_same_company():
    candidate = grace(current_company="Stadtwerke Nord")
    sentence = "Ihre Arbeit bei den Stadtwerken Nord ist spannend."
    assert "wrong_company" not in codes(sentence, candidate, subject="Kafka", opening="Hallo Grace,")


def test_a_skill_after_an_ambiguous_preposition_is_not_an_employer(db):
    candidate = CandidateFactory(current_company="Initech", first_name="Grace", industry="Banking")
    candidate.skills.add(Skill.objects.create(organization=candidate.organization, name="Mainframe Ops", key="m"))
    assert "wrong_company" not in codes("Your years with Mainframe Ops show.", candidate)
    assert "wrong_company" in codes("Your years at Mainframe Ops show.", candidate)


def test_a_past_employer_named_in_a_resume_is_not_a_wrong_company(db):
    candidate = CandidateFactory(current_company="Initech", first_name="Grace")
    assert "wrong_company" in codes("Your time at Globex shows.", candidate)
    Resume.objects.create(
        organization=candidate.organization,
        candidate=candidate,
        file="resumes/x.pdf",
        original_name="cv.pdf",
        kind=Resume.Kind.PDF,
        size=1,
        text="2012-2018 Globex Corporation, developer",
    )
    assert "wrong_company" not in codes("Your time at Globex shows.", candidate)


def test_company_claims_say_which_preposition_is_ambiguous():
    claims = company_claims("Your time at SAP and your years with Oracle, and your experience with COBOL.")
    assert [(c.company, c.ambiguous) for c in claims] == [("SAP", False), ("Oracle", True)]


@pytest.mark.parametrize(
    "sentence",
    [
        "Would you consider a move into logistics?",  # a pitch
        "You would be helping our banking clients.",  # about our clients
        "I use your command-line utilities every day.",  # not the utilities industry
        "You have been publishing talks for years.",  # a verb, not the publishing industry
        "Könnten Sie sich einen Wechsel in die Medizintechnik vorstellen?",
        "Aimeriez-vous découvrir la santé ?",
    ],
)
def test_pitches_our_clients_and_ordinary_words_are_not_a_wrong_industry(sentence):
    assert "wrong_industry" not in codes(sentence)


def test_an_industry_word_of_the_candidates_own_headline_is_not_a_wrong_industry():
    candidate = grace(headline="Booking apps for clinics", industry="Computer Software")
    assert "wrong_industry" not in codes("Your booking apps for clinics are lovely.", candidate)
    assert "wrong_industry" in codes("Your years in the gaming industry show.", grace(industry="Retail"))


@pytest.mark.parametrize(
    "sentence",
    [
        "Ihre Erfahrung im Gesundheitswesen ist spannend.",
        "Votre expérience dans la santé nous intéresse.",
        "Tu experiencia en sanidad nos encaja.",
        "Your background in healthcare shows.",
    ],
)
def test_industry_claims_are_read_in_four_languages(sentence):
    assert "wrong_industry" in codes(sentence)


@pytest.mark.parametrize(
    "placeholder", ["[firma]", "[entreprise]", "[empresa]", "[Prénom]", "*|FNAME|*", "<First Name>", "[insert hook]"]
)
def test_lower_case_foreign_and_mail_merge_placeholders_are_found(placeholder):
    assert "placeholder" in codes(f"The role at {placeholder} is remote.")


@pytest.mark.parametrize("subject", ["[Remote] Mainframe role", "Mainframe role [Leeds]", "[Update] Mainframe role"])
def test_subject_tags_are_not_placeholders(subject):
    assert "placeholder" not in codes("The role is remote.", subject=subject)


def test_a_word_about_us_from_the_candidates_industry_is_not_personal():
    software = grace(current_company="", current_title="", headline="", city="", industry="Computer Software")
    blast = "We are a fast-growing SaaS company and we are hiring."
    assert "generic" in codes(blast, software, subject="Hello") - {"too_short"}
    assert "generic" not in codes("Your SaaS experience is why I am writing.", software, subject="Hello")


def test_checking_many_drafts_reads_the_resumes_once_for_all_of_them(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from messaging.checks import personalisation_check_many

    def queries_for(count: int) -> tuple[int, list[bool]]:
        org = CandidateFactory().organization
        people = [CandidateFactory(organization=org, current_company="Initech") for _ in range(count)]
        Resume.objects.create(
            organization=org, candidate=people[0], file="resumes/x.pdf", original_name="cv.pdf",
            kind=Resume.Kind.PDF, size=1, text="2012-2018 Globex Corporation, developer",
        )  # fmt: skip
        people = list(Candidate.objects.filter(pk__in=[p.pk for p in people]).prefetch_related("skills"))
        drafts = [(person, "Hello", "Hi, your time at Globex shows in your work.") for person in people]
        with CaptureQueriesContext(connection) as queries:
            results = personalisation_check_many(org=org, drafts=drafts)
        return len(queries), ["wrong_company" in {f.code for f in r.findings} for r in results]

    few, flagged_few = queries_for(2)
    many, flagged_many = queries_for(6)
    assert few == many  # one résumé query for the batch, not one per draft
    # The résumé explains Globex for its owner only.
    assert sorted(flagged_few) == [False, True] and sorted(flagged_many) == [False] + [True] * 5
