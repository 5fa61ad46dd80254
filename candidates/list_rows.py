"""The candidate list's table rows, rendered in Python (issue #18).

The list, its searches and its filtered views are half of what recruiters ask for, and the rows
were most of their templates' cost: some twenty variables, filters and a `{% url %}` per row,
each resolved, localised and escaped by the template engine (about 6 of the page's 11 ms of
rendering). Here each row is one string with every value escaped once: the same HTML as the
row template it replaced (tests/candidates/test_list_rows.py renders both and compares).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import conditional_escape as e
from django.utils.safestring import SafeString, mark_safe

from candidates.models import Candidate

SKILLS_SHOWN = 4
# The candidate's columns a row reads (`candidate_results(fields=...)`): a list page reads only these.
ROW_FIELDS = (
    "id", "first_name", "last_name", "email", "current_title", "current_company",
    "city", "region", "country_code", "stage", "last_contacted_at",
)  # fmt: skip


# A stand-in id, reversed once a page and replaced by each row's own (a reverse() a row cost ~0.4 ms a page).
_ANY_ID = 987654321987


def candidate_rows(candidates: Iterable[Candidate], org_slug: str) -> list[SafeString]:
    """One `<tr>` per candidate (owner joined; `listed_skills` and `listed_tags` read with it)."""
    profile_url = e(reverse("candidate_detail", args=[org_slug, _ANY_ID]))
    return [_row(candidate, profile_url.replace(str(_ANY_ID), str(candidate.pk))) for candidate in candidates]


def _row(c: Candidate, profile_url: str) -> SafeString:
    name = e(c.full_name)
    email = f'<div class="small text-body-secondary">{e(c.email)}</div>' if c.email else ""
    at = '<span class="text-body-secondary"> at </span>' if c.current_title and c.current_company else ""
    return mark_safe(  # every value below is escaped
        "<tr>"
        f'<td><input class="form-check-input" type="checkbox" name="selected" value="{c.pk}" id="select-{c.pk}"'
        f' aria-label="Select {name}"></td>'
        f'<td><a class="fw-semibold" href="{profile_url}">{name}</a>'
        f"{email}</td>"
        f"<td>{e(c.current_title)}{at}{e(c.current_company)}</td>"
        f"<td>{e(c.location)}</td>"
        f'<td><span class="badge tc-stage tc-stage-{e(c.stage)}">{e(c.get_stage_display())}</span></td>'
        f"<td>{_owner(c)}</td>"
        f'<td class="tc-labels">{_labels(c)}</td>'
        f"<td>{_last_contacted(c)}</td>"
        "</tr>"
    )


def _owner(c: Candidate) -> str:
    if c.owner is None:
        return '<span class="text-body-secondary">Unowned</span>'
    return e(c.owner.get_full_name() or c.owner.email)


def _labels(c: Candidate) -> str:
    skills = c.listed_skills
    shown = "".join(f'<span class="badge text-bg-light border">{e(s.name)}</span> ' for s in skills[:SKILLS_SHOWN])
    more = len(skills) - SKILLS_SHOWN
    more_html = f'<span class="small text-body-secondary">+{more}</span>' if more > 0 else ""
    tags = "".join(f'<span class="badge text-bg-info-subtle border tc-tag">#{e(t.name)}</span> ' for t in c.listed_tags)
    return shown + more_html + tags


def _last_contacted(c: Candidate) -> str:
    if not c.last_contacted_at:
        return '<span class="text-body-secondary">Never</span>'
    when = timezone.localtime(c.last_contacted_at)  # as the template's `date` filter shows it
    return f'<time datetime="{e(when.isoformat())}">{e(date_format(when, "j M Y"))}</time>'  # "c" is isoformat()
