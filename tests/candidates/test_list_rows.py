"""The candidate list's rows rendered in Python are the HTML the row template gave (issue #18)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template

from candidates.list_rows import candidate_rows
from candidates.models import Candidate
from candidates.selectors import CandidateFilters, candidate_list
from tests.candidates.page_support import add_candidate, page_url
from tests.factories import UserFactory

# The row as templates/candidates/_results.html wrote it before candidates.list_rows.
ROW_TEMPLATE = """{% for candidate in candidates %}
<tr>
  <td><input class="form-check-input" type="checkbox" name="selected" value="{{ candidate.pk }}" id="select-{{ candidate.pk }}" aria-label="Select {{ candidate.full_name }}"></td>
  <td>
    <a class="fw-semibold" href="{% url 'candidate_detail' org.slug candidate.pk %}">{{ candidate.full_name }}</a>
    {% if candidate.email %}<div class="small text-body-secondary">{{ candidate.email }}</div>{% endif %}
  </td>
  <td>{{ candidate.current_title }}{% if candidate.current_title and candidate.current_company %}<span class="text-body-secondary"> at </span>{% endif %}{{ candidate.current_company }}</td>
  <td>{{ candidate.location }}</td>
  <td><span class="badge tc-stage tc-stage-{{ candidate.stage }}">{{ candidate.get_stage_display }}</span></td>
  <td>{% if candidate.owner %}{{ candidate.owner.get_full_name|default:candidate.owner.email }}{% else %}<span class="text-body-secondary">Unowned</span>{% endif %}</td>
  <td class="tc-labels">
    {% for skill in candidate.listed_skills|slice:":4" %}<span class="badge text-bg-light border">{{ skill.name }}</span> {% endfor %}
    {% with more=candidate.listed_skills|length|add:"-4" %}{% if more > 0 %}<span class="small text-body-secondary">+{{ more }}</span>{% endif %}{% endwith %}
    {% for tag in candidate.listed_tags %}<span class="badge text-bg-info-subtle border tc-tag">#{{ tag.name }}</span> {% endfor %}
  </td>
  <td>{% if candidate.last_contacted_at %}<time datetime="{{ candidate.last_contacted_at|date:'c' }}">{{ candidate.last_contacted_at|date:"j M Y" }}</time>{% else %}<span class="text-body-secondary">Never</span>{% endif %}</td>
</tr>
{% endfor %}"""  # noqa: E501


def _normalised(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "><", html)).strip()


def test_the_rows_are_the_html_the_row_template_gave(acme):
    full = add_candidate(
        acme.org, "Siobhán", "O'Brien <b>", email="siobhan@example.com", current_title="Head of R&D",
        current_company="Smith & Sons", city="Cork", country_code="IE", stage="engaged", owner=acme.user,
        skills=["Python", "SQL", "Go", "Rust", "C++", "Django"], tags=["Shortlist", "2026 <intake>"],
    )  # fmt: skip
    Candidate.objects.filter(pk=full.pk).update(last_contacted_at=datetime(2026, 3, 4, 23, 30, tzinfo=UTC))
    bare = add_candidate(acme.org, "Bare", "Person")  # owned by someone without a name: their e-mail is shown
    Candidate.objects.filter(pk=bare.pk).update(owner=UserFactory(first_name="", last_name=""))
    add_candidate(acme.org, "No", "Owner", current_company="Globex", skills=["Python"])
    candidates = list(candidate_list(org=acme.org, filters=CandidateFilters()))
    expected = Template(ROW_TEMPLATE).render(Context({"candidates": candidates, "org": acme.org}))
    assert _normalised("".join(candidate_rows(candidates, acme.org.slug))) == _normalised(expected)
    assert "O&#x27;Brien &lt;b&gt;" in expected and "+2" in expected and "Unowned" in expected


@pytest.mark.parametrize("query", ["", "q=lovelace"])
def test_the_list_page_shows_the_rows(acme, query):
    ada = add_candidate(acme.org, "Ada", "Lovelace", email="ada@example.com")
    html = acme.client.get(page_url("candidate_list", acme.org, query=query)).content.decode()
    assert f'id="select-{ada.pk}"' in html and page_url("candidate_detail", acme.org, ada.pk) in html
