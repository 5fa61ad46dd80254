"""Recruiter pages for duplicates: the list of likely pairs, "not a duplicate" and the side-by-side merge.

Mounted under /o/<org_slug>/candidates/ by candidates.urls.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.views.generic import TemplateView, View

from candidates.duplicates.selectors import duplicate_pair_list
from candidates.duplicates.services import duplicate_dismiss
from candidates.merge import KEEP, OTHER, candidate_merge, default_choices, differing_fields
from candidates.models import Candidate
from candidates.selectors import candidate_detail
from talentcircles.errors import field_messages
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability
from talentcircles.tenancy import signed_in_user

PAIRS_PER_PAGE = 25
# Counting every pair costs a second at 16 million (a million seeded candidates): the page counts up to
# this many and says "10,000+"; the pages beyond are not offered (merge or dismiss the first ones).
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP rows (one more to know there are more)."""

    @cached_property
    def _counted(self) -> int:
        assert isinstance(self.object_list, QuerySet)
        return self.object_list[: COUNT_CAP + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._counted, COUNT_CAP)

    @property
    def capped(self) -> bool:
        return self._counted > COUNT_CAP


class DuplicateListView(OrgMemberRequiredMixin, TemplateView):
    template_name = "candidates/duplicates.html"

    def get_context_data(self, **kwargs):
        raw = self.request.GET.get("page", "")
        number = int(raw) if raw.isdigit() and 0 < len(raw) < 7 and int(raw) > 0 else 1
        # A page past the end shows the last one.
        paginator = CappedPaginator(duplicate_pair_list(org=self.org), PAIRS_PER_PAGE)
        page = paginator.get_page(number)
        context = {"page": page, "pairs": page.object_list, "total": paginator.count, "capped": paginator.capped}
        return super().get_context_data(**context, **kwargs)


class DuplicateDismissView(OrgMemberRequiredMixin, View):
    """POST: the two candidates are not the same person; back to `next` (this site only) or the list."""

    capability = Capability.MERGE_CANDIDATES

    def post(self, request, org_slug, pk_a, pk_b):
        try:
            dismissal = duplicate_dismiss(org=self.org, first_id=pk_a, second_id=pk_b, actor=signed_in_user(request))
        except Candidate.DoesNotExist:
            raise Http404 from None
        messages.success(
            request, f"Marked #{dismissal.candidate_a_id} and #{dismissal.candidate_b_id} as not the same person."
        )
        target = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
            target = reverse("duplicate_list", args=[self.org.slug])
        return HttpResponseRedirect(target)


def _display(candidate: Candidate, name: str) -> str:
    if name == "owner":
        return (candidate.owner.get_full_name() or candidate.owner.email) if candidate.owner else ""
    if name == "linkedin_url":
        return candidate.linkedin_href
    field = Candidate._meta.get_field(name)
    assert isinstance(field, models.Field)  # a profile field, not a relation's reverse side
    if field.choices:
        return getattr(candidate, f"get_{name}_display")() if getattr(candidate, name) else ""
    return str(getattr(candidate, name))


class DuplicateMergeView(OrgMemberRequiredMixin, TemplateView):
    """GET compares the two records; POST merges `pk_b` into `pk_a` with the chosen values."""

    capability = Capability.MERGE_CANDIDATES

    template_name = "candidates/duplicates_merge.html"

    def _load(self) -> tuple[Candidate, Candidate]:
        pk_a, pk_b = self.kwargs["pk_a"], self.kwargs["pk_b"]
        if pk_a == pk_b:
            raise Http404
        try:
            return candidate_detail(org=self.org, pk=pk_a), candidate_detail(org=self.org, pk=pk_b)
        except Candidate.DoesNotExist:
            raise Http404 from None

    def get(self, request, *args, **kwargs):
        keep, other = self._load()
        return self.render_to_response(self.get_context_data(keep=keep, other=other))

    def post(self, request, *args, **kwargs):
        keep, other = self._load()
        choices = {name: request.POST.get(name, default) for name, default in default_choices(keep, other).items()}
        try:
            kept = candidate_merge(org=self.org, keep=keep, other=other, choices=choices, actor=request.user)
        except Candidate.DoesNotExist:  # merged or deleted by someone else meanwhile
            raise Http404 from None
        except ValidationError as exc:
            errors = field_messages(exc)
            context = self.get_context_data(keep=keep, other=other, choices=choices, errors=errors)
            return self.render_to_response(context, status=400)
        messages.success(request, f"Merged {other.full_name} (#{other.pk}) into {kept.full_name}.")
        return redirect(reverse("candidate_detail", args=[self.org.slug, kept.pk]))

    def get_context_data(self, *, keep, other, choices=None, errors=None, **kwargs):
        choices = choices or default_choices(keep, other)
        errors = errors or {}
        rows = [
            {
                "name": name,
                "label": capfirst(Candidate._meta.get_field(name).verbose_name),
                "keep": _display(keep, name),
                "other": _display(other, name),
                "chosen": choices.get(name, KEEP),
                "errors": errors.get(name, []),
            }
            for name in differing_fields(keep, other)
        ]
        row_names = {row["name"] for row in rows}
        # An error on a field the form does not show (e.g. a clash found on save) goes on top.
        general_errors = [msg for name, msgs in errors.items() if name not in row_names for msg in msgs]
        keep_skills, other_skills = {s.pk for s in keep.skills.all()}, {s.pk for s in other.skills.all()}
        keep_tags, other_tags = {t.pk for t in keep.tags.all()}, {t.pk for t in other.tags.all()}
        union = {
            "skills": len(keep_skills | other_skills),
            "tags": len(keep_tags | other_tags),
            "resumes": len(keep.resumes.all()) + len(other.resumes.all()),
            "links": len(set(keep.links) | set(other.links)),
        }
        return super().get_context_data(
            keep=keep,
            other=other,
            rows=rows,
            union=union,
            general_errors=general_errors,
            merge_failed=bool(errors),
            do_not_contact=keep.do_not_contact or other.do_not_contact,
            KEEP=KEEP,
            OTHER=OTHER,
            **kwargs,
        )


urlpatterns = [
    path("duplicates/", DuplicateListView.as_view(), name="duplicate_list"),
    path("duplicates/dismiss/<int:pk_a>/<int:pk_b>/", DuplicateDismissView.as_view(), name="duplicate_dismiss"),
    path("duplicates/merge/<int:pk_a>/<int:pk_b>/", DuplicateMergeView.as_view(), name="duplicate_merge"),
]
