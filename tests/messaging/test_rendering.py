from __future__ import annotations

import pytest

from candidates.models import Candidate, Skill
from messaging.rendering import (
    TOKENS,
    Rendered,
    TemplateError,
    parse,
    render_message,
    render_text,
    tokens_used,
    validate_template_text,
)
from talentcircles.models import Organization, User
from tests.factories import CandidateFactory, CircleFactory, MessageTemplateFactory, UserFactory


def ana(**overrides) -> Candidate:
    """An unsaved candidate with a full profile: rendering needs no database."""
    fields = dict(
        first_name="Ana",
        last_name="Silva",
        headline="Backend engineer building patient scheduling",
        current_title="Staff Engineer",
        current_company="Initech",
        industry="Hospital & Health Care",
        city="Lisbon",
        region="Lisboa",
        country_code="PT",
    )
    fields.update(overrides)
    return Candidate(**fields)


RECRUITER = User(email="rita@example.com", first_name="Rita", last_name="Reyes", title="Talent Partner")
ORG = Organization(name="Acme Inc", slug="acme")


def render(text: str, candidate: Candidate | None = None, **context) -> str:
    context.setdefault("recruiter", RECRUITER)
    context.setdefault("organization", ORG)
    return render_text(text, candidate=candidate if candidate is not None else ana(), **context)


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("candidate.first_name", "Ana"),
        ("candidate.last_name", "Silva"),
        ("candidate.headline", "Backend engineer building patient scheduling"),
        ("candidate.current_title", "Staff Engineer"),
        ("candidate.current_company", "Initech"),
        ("candidate.industry", "Hospital & Health Care"),
        ("candidate.location", "Lisbon, Lisboa, PT"),
        ("recruiter.first_name", "Rita"),
        ("recruiter.full_name", "Rita Reyes"),
        ("recruiter.title", "Talent Partner"),
        ("organization.name", "Acme Inc"),
    ],
)
def test_it_renders_every_profile_token(token, expected):
    assert render("<{{ " + token + " }}>") == f"<{expected}>"


def test_every_whitelisted_token_is_documented_and_renders(db):
    candidate = CandidateFactory(first_name="Ana", headline="h", current_title="t", current_company="c")
    candidate.industry, candidate.city = "Banking", "Leeds"
    candidate.skills.add(Skill.objects.create(organization=candidate.organization, name="Django", key="django"))
    # Messaging's own namespaces; those a higher app registers (a job's) have their own tests.
    own = ("candidate.", "recruiter.", "organization.", "circle.")
    text = " ".join("{{ " + path + " }}" for path in TOKENS if path.startswith(own))
    rendered = render(text, candidate, circle=CircleFactory(name="Data people"))
    assert "{{" not in rendered and "Django" in rendered and "Data people" in rendered
    assert all(TOKENS.values())


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Django"], "Django"),
        (["Django", "Go"], "Django and Go"),
        (["Django", "Go", "SQL"], "Django, Go and SQL"),
        (["A1", "A2", "A3", "A4", "A5", "A6", "A7"], "A1, A2, A3, A4 and A5"),
    ],
)
def test_it_renders_up_to_five_skills_as_a_list(db, names, expected):
    candidate = CandidateFactory()
    candidate.skills.set(
        Skill.objects.create(organization=candidate.organization, name=name, key=name.lower()) for name in names
    )
    assert render("{{ candidate.skills }}", candidate) == expected


def test_it_renders_the_circle_name():
    class Circle:
        name = "Rust in Lisbon"

    assert render("Join {{ circle.name }}", circle=Circle()) == "Join Rust in Lisbon"


@pytest.mark.parametrize(
    "text",
    [
        '{{ candidate.current_company|default:"your team" }}',
        "{{ candidate.current_company|default:'your team' }}",
        '{{candidate.current_company|default:"your team"}}',
        '{{  candidate.current_company | default : "your team"  }}',
    ],
)
def test_it_uses_the_fallback_when_the_profile_has_no_value(text):
    assert render(f"At {text}.", ana(current_company="")) == "At your team."


def test_it_prefers_the_value_over_the_fallback():
    assert render('{{ candidate.current_company|default:"your team" }}') == "Initech"


def test_a_fallback_may_hold_the_other_quote():
    assert render(
        """{{ candidate.location|default:"O'Brien's town" }}""", ana(city="", region="", country_code="")
    ) == ("O'Brien's town")


def test_a_missing_value_is_an_error_naming_token_and_candidate():
    with pytest.raises(TemplateError) as caught:
        render("Hi {{ candidate.first_name }} at {{ candidate.current_company }}", ana(current_company="  "))
    error = caught.value
    assert error.token == "{{ candidate.current_company }}"
    assert error.candidate_name == "Ana Silva"
    assert error.message == (
        "{{ candidate.current_company }} has no value for Ana Silva: add a fallback such as "
        '{{ candidate.current_company|default:"your team" }} or fill in the profile.'
    )
    assert str(error) == error.message


def test_it_never_renders_a_blank_for_skills_of_an_unsaved_candidate():
    with pytest.raises(TemplateError, match=r"candidate\.skills"):
        render("{{ candidate.skills }}")
    assert render('{{ candidate.skills|default:"your stack" }}') == "your stack"


def test_a_missing_recruiter_title_asks_the_recruiter_to_fill_in_their_profile():
    recruiter = User(email="x@example.com", first_name="Rita", last_name="")
    with pytest.raises(TemplateError, match=r"\{\{ recruiter.title \}\} has no value.*your profile"):
        render("{{ recruiter.title }}", recruiter=recruiter)
    assert render('{{ recruiter.full_name|default:"The Acme team" }}', recruiter=User(email="x@example.com")) == (
        "The Acme team"
    )


def test_circle_name_without_a_circle_is_an_error_unless_it_has_a_fallback():
    with pytest.raises(TemplateError, match="not sent to a circle") as caught:
        render("{{ circle.name }}")
    assert caught.value.token == "{{ circle.name }}"
    assert render('{{ circle.name|default:"our community" }}') == "our community"


@pytest.mark.parametrize(
    "token",
    [
        "{{ candidate.salary }}",
        "{{ candidate.email }}",
        "{{ candidate.organization.name }}",
        "{{ candidate.__class__ }}",
        "{{ candidate.__class__.__init__.__globals__ }}",
        "{{ recruiter.password }}",
        "{{ organization.slug }}",
        "{{ settings.SECRET_KEY }}",
        "{{ candidate }}",
        "{{ first_name }}",
        "{{ candidate.first_name() }}",
        "{{ candidate['first_name'] }}",
        "{{ }}",
    ],
)
def test_it_rejects_tokens_outside_the_whitelist(token):
    with pytest.raises(TemplateError, match="Unknown token") as caught:
        validate_template_text(f"Hi {token}!")
    assert caught.value.token == token
    assert "{{ candidate.first_name }}" in caught.value.message  # lists what is allowed


def test_an_unknown_token_error_names_its_position():
    with pytest.raises(TemplateError, match=r"Unknown token \{\{ candidate.salary \}\} at line 2, column 4"):
        validate_template_text("Hi,\nre {{ candidate.salary }}")


@pytest.mark.parametrize(
    "text",
    [
        "{{ candidate.first_name|upper }}",
        "{{ candidate.first_name|safe }}",
        '{{ candidate.first_name|default_if_none:"x" }}',
        "{{ candidate.first_name|truncatechars:3 }}",
        "{{ candidate.first_name| }}",
    ],
)
def test_it_rejects_filters_other_than_default(text):
    with pytest.raises(TemplateError, match="only one is"):
        validate_template_text(text)


def test_it_rejects_chained_filters():
    with pytest.raises(TemplateError, match="Only one filter"):
        validate_template_text("{{ candidate.first_name|default:'there'|upper }}")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{{ candidate.first_name|default:there }}", "must be quoted"),
        ("{{ candidate.first_name|default }}", "must be quoted"),
        ('{{ candidate.first_name|default:"there }}', "must be quoted"),
        ('{{ candidate.first_name|default:"" }}', "is empty"),
        ("{{ candidate.first_name|default:'  ' }}", "is empty"),
    ],
)
def test_it_rejects_bad_fallbacks(text, problem):
    with pytest.raises(TemplateError, match=problem):
        validate_template_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "{% if candidate.first_name %}Hi{% endif %}",
        "{% load static %}",
        "Hi {{ candidate.first_name }} %}",
    ],
)
def test_it_rejects_template_tags(text):
    with pytest.raises(TemplateError, match="Template tags"):
        validate_template_text(text)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("Hi {{ candidate.first_name", "“{{” at line 1, column 4 is never closed"),
        ("Hi candidate.first_name }}", "“}}” at line 1, column 25 has no opening"),
        ("Hi {{ candidate.first_name }} and {{", "“{{” at line 1, column 35 is never closed"),
        ("{{ candidate.first_name {{ candidate.last_name }}", "is never closed"),
        ("Hi {{ candidate.first_name }} }}", "has no opening"),
    ],
)
def test_it_rejects_unbalanced_braces(text, where):
    with pytest.raises(TemplateError, match=where):
        validate_template_text(text)


def test_it_accepts_plain_text_and_valid_templates():
    validate_template_text("")
    validate_template_text("Hi there, {single braces} and 100% plain text.")
    validate_template_text(MessageTemplateFactory.build().body)
    assert tokens_used('{{ candidate.first_name }} {{ recruiter.title|default:"x" }} {{ candidate.first_name }}') == [
        "candidate.first_name",
        "recruiter.title",
    ]


def test_values_are_inserted_as_plain_text_and_never_rendered_again():
    candidate = ana(first_name="{{ candidate.last_name }}", current_company="<b>Acme & Co</b>")
    assert render("{{ candidate.first_name }} at {{ candidate.current_company }}", candidate) == (
        "{{ candidate.last_name }} at <b>Acme & Co</b>"
    )


def test_render_message_renders_subject_and_body():
    result = render_message(
        subject="{{ candidate.first_name }}, a role at {{ organization.name }}",
        body="Hi {{ candidate.first_name }}",
        candidate=ana(),
        recruiter=RECRUITER,
        organization=ORG,
    )
    assert result == Rendered(subject="Ana, a role at Acme Inc", body="Hi Ana")


def test_render_message_raises_the_first_problem():
    with pytest.raises(TemplateError, match=r"candidate\.current_company"):
        render_message(
            subject="Hi {{ candidate.current_company }}",
            body="{{ candidate.salary }}",
            candidate=ana(current_company=""),
            recruiter=RECRUITER,
            organization=ORG,
        )


@pytest.mark.parametrize(
    ("subject", "candidate"),
    [
        ("Hi {{ candidate.headline }}", ana(headline="Engineer\r\nBcc: everyone@example.com")),
        ("Hi {{ candidate.headline }}", ana(headline="Engineer\nX-Injected: yes")),
        ('Hi {{ candidate.current_company|default:"a\nBcc: x@example.com" }}', ana(current_company="")),
        ("Hi\r\nBcc: x@example.com", ana()),
        ("Hi\u2028there", ana()),
    ],
)
def test_it_refuses_a_subject_with_a_line_break(subject, candidate):
    with pytest.raises(TemplateError, match="one line"):
        render_message(subject=subject, body="Hi", candidate=candidate, recruiter=RECRUITER, organization=ORG)


def test_a_body_may_have_line_breaks():
    result = render_message(
        subject="Hi",
        body="Hi {{ candidate.first_name }},\n\nBye",
        candidate=ana(),
        recruiter=RECRUITER,
        organization=ORG,
    )
    assert result.body == "Hi Ana,\n\nBye"


def test_prefetched_skills_cost_no_query_per_candidate(db, django_assert_num_queries):
    org = Organization.objects.create(name="Acme", slug="acme-prefetch")
    skills = [Skill.objects.create(organization=org, name=f"Skill {i}", key=f"skill {i}") for i in range(3)]
    for i in range(50):
        CandidateFactory(organization=org, first_name=f"C{i}").skills.set(skills)
    recruiter = UserFactory()
    with django_assert_num_queries(2):  # the candidates, then all their skills
        candidates = Candidate.objects.filter(organization=org).prefetch_related("skills")
        bodies = [
            render_text(
                "Hi {{ candidate.first_name }}, {{ candidate.skills }}?",
                candidate=c,
                recruiter=recruiter,
                organization=org,
            )
            for c in candidates
        ]
    assert len(bodies) == 50 and all(b.endswith("Skill 0, Skill 1 and Skill 2?") for b in bodies)


def test_it_renders_a_thousand_candidates_each_with_their_own_values_parsing_the_template_once():
    # How fast this is, is measured by benchmarks/drafts.py; here: every message right, one parse per text.
    subject = "{{ candidate.first_name }}, {{ candidate.current_title|default:'your work' }} at {{ organization.name }}"
    body = MessageTemplateFactory.build().body * 3
    people = [ana(first_name=f"Person{i}", current_title="" if i % 2 else "Engineer") for i in range(1000)]
    parse.cache_clear()

    rendered = [
        render_message(subject=subject, body=body, candidate=person, recruiter=RECRUITER, organization=ORG)
        for person in people
    ]

    assert [r.subject for r in rendered[:2]] == ["Person0, Engineer at Acme Inc", "Person1, your work at Acme Inc"]
    assert all(r.subject.startswith(f"Person{i}, ") for i, r in enumerate(rendered))
    assert all(r.body.count(f"Hi Person{i},") == 3 and "Rita Reyes" in r.body for i, r in enumerate(rendered))
    assert parse.cache_info().misses == 2  # the subject and the body, not once per candidate
