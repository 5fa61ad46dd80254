"""Reads of candidates shared by the recruiter pages, the API, exports and tasks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet

from candidates import countries, search
from candidates.listed_labels import LabelledCandidates
from candidates.models import Candidate, Resume, Skill, Tag
from talentcircles.audiences import audience_member_ids
from talentcircles.models import Organization

ORDERINGS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "created": ("created_at", "id"),
    "-created": ("-created_at", "-id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
    "last_contacted": (F("last_contacted_at").asc(nulls_first=True), "id"),
    "-last_contacted": (F("last_contacted_at").desc(nulls_last=True), "-id"),
    "relevance": ("-rank", "last_name", "id"),
}
DEFAULT_ORDERING = "name"


@dataclass(frozen=True)
class CandidateFilters:
    """What the list page and `GET /api/v1/candidates/` can filter by. Empty means "any"."""

    search: str = ""
    skill: str = ""
    tag: str = ""
    industry: str = ""
    location: str = ""
    stage: str = ""
    owner_id: int | None = None
    unowned: bool = False
    source: str = ""
    contactable: bool | None = None
    last_contacted_before: datetime | None = None
    last_contacted_after: datetime | None = None
    ids: tuple[int, ...] = ()
    include_archived: bool = False
    circle_id: int | None = None  # members of this talent circle (see talentcircles/audiences.py)


def candidate_filter(*, org: Organization, filters: CandidateFilters) -> QuerySet[Candidate]:
    """The organisation's candidates matching `filters`, search included."""
    return search.matches(_filtered(org, filters), filters.search)


def _filtered(org: Organization, filters: CandidateFilters) -> QuerySet[Candidate]:
    """Every filter but the search words. Erased candidates are never listed."""
    qs = Candidate.objects.for_org(org).not_erased()
    f = filters
    if not f.include_archived and f.stage != Candidate.Stage.ARCHIVED:
        qs = qs.active()
    if f.ids:
        qs = qs.filter(pk__in=f.ids)
    if f.circle_id:
        qs = qs.filter(pk__in=audience_member_ids(org, f.circle_id))
    if f.skill:
        qs = qs.filter(skills__organization=org, skills__key=f.skill.strip().casefold())
    if f.tag:
        qs = qs.filter(tags__organization=org, tags__key=f.tag.strip().casefold())
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.location:
        where = f.location.strip()
        country = countries.lookup(where)  # a code, or a country's name ("Germany", "UK")
        qs = qs.filter(Q(city__iexact=where) | Q(region__iexact=where) | Q(country_code=country or where.upper()))
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.unowned:
        qs = qs.filter(owner__isnull=True)
    elif f.owner_id:
        qs = qs.filter(owner_id=f.owner_id)
    if f.source:
        qs = qs.filter(source=f.source)
    if f.contactable is True:
        qs = qs.contactable()
    elif f.contactable is False:
        qs = qs.exclude(pk__in=Candidate.objects.for_org(org).contactable().values("pk"))
    if f.last_contacted_before:
        qs = qs.filter(last_contacted_at__lt=f.last_contacted_before)
    if f.last_contacted_after:
        qs = qs.filter(last_contacted_at__gte=f.last_contacted_after)
    return qs


# Ranking reads every matching row from the table; a broad query ("james" matches 31,000
# of 1,000,000) would take half a second. Relevance therefore ranks the first RANK_WINDOW
# matches the indexes yield; a narrower query is ranked exactly. The window is found and
# ranked in one statement, with one more match than it holds, so the page (its rows read
# by id in that order) and its count ("500+" when that one exists) come from it without
# running the search or the ranking again.
RANK_WINDOW = 500

# A page shows these and never the stored search columns (a tsvector is the widest field).
_UNLISTED = ("search_name", "search_vector", "search_text")


class RankedPages:
    """A ranked search's candidates as a paginator reads them: a slice reads only its own rows, by id.

    Ordering the window's rows in SQL (by each id's place in the ranked list) read all 500 of them
    and computed `array_position` over the list for each: 20-25 ms at a million candidates, for a
    page of 25. Here a page of 25 reads 25 rows and puts them in the window's order in Python.
    """

    ordered = True  # the window's order (Django's Paginator warns about unordered lists)

    def __init__(self, queryset: QuerySet[Candidate], ids: list[int]) -> None:
        self.queryset, self.ids = queryset, ids

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[Candidate]:
        ids = self.ids[index]
        if not ids:
            return []
        by_id = {candidate.pk: candidate for candidate in search.in_window(self.queryset, ids)}
        return [by_id[pk] for pk in ids if pk in by_id]

    def prefetch_related(self, *lookups) -> RankedPages:
        return RankedPages(self.queryset.prefetch_related(*lookups), self.ids)


@dataclass(frozen=True)
class CandidateResults:
    """A page-ready, ordered `candidates` queryset, and for a ranked search its count already known.

    `counted` is how many matched, counted up to `count_cap` + 1 (more than the cap: "cap+");
    None when nothing was counted on the way and a paginator must count `candidates`.
    `pages` is what a paginator should page through: `candidates` itself, or for a ranked search
    the same candidates as `RankedPages`, so that a page reads only its own rows.
    """

    candidates: QuerySet[Candidate]
    counted: int | None = None
    count_cap: int | None = None
    ranked: RankedPages | None = None

    @property
    def pages(self) -> QuerySet[Candidate] | RankedPages:
        return self.ranked if self.ranked is not None else self.candidates


def candidate_results(
    *, org: Organization, filters: CandidateFilters, ordering: str = "", fields: tuple[str, ...] = ()
) -> CandidateResults:
    """A page-ready list: owner joined, skills and tags read with it (`listed_skills`, `listed_tags`).

    `fields`: only these columns of each candidate (a page that shows a few of them; any other read
    costs a query per row), else all but the search columns.
    """
    searching = bool(search.terms(filters.search))
    if not ordering or (ordering == "relevance" and not searching):
        ordering = "relevance" if searching else DEFAULT_ORDERING
    if ordering == "relevance":
        ranked, counted = search.ranked_window(_filtered(org, filters), filters.search, RANK_WINDOW)
        listed = _listed(Candidate.objects.for_org(org), fields)
        # In the window's order ("-rank", "last_name", "id"), which the statement above computed.
        return CandidateResults(
            search.in_ranked_order(listed, ranked), counted, RANK_WINDOW, ranked=RankedPages(listed, ranked)
        )
    ordered = candidate_filter(org=org, filters=filters).order_by(*ORDERINGS.get(ordering, ORDERINGS[DEFAULT_ORDERING]))
    return CandidateResults(_listed(ordered, fields))


def _listed(candidates: QuerySet, fields: tuple[str, ...] = ()) -> QuerySet[Candidate]:
    """What a list shows of each candidate. Skill and tag filters match one key each, so their joins
    never duplicate a row."""
    columns = candidates.only(*fields, "owner") if fields else candidates.defer(*_UNLISTED)
    listed = columns.select_related("owner")
    listed._iterable_class = LabelledCandidates  # skills and tags: one query a page (candidates/listed_labels.py)
    return listed


def candidate_list(*, org: Organization, filters: CandidateFilters, ordering: str = "") -> QuerySet[Candidate]:
    """`candidate_results(...).candidates`: for callers that count (or need no count) themselves."""
    return candidate_results(org=org, filters=filters, ordering=ordering).candidates


def candidate_detail(*, org: Organization, pk: int) -> Candidate:
    """One candidate of the organisation with what its page shows (why they may not be messaged too);
    DoesNotExist outside it."""
    return (
        Candidate.objects.for_org(org)
        .with_message_block()
        .select_related("owner", "user", "retention_exclusion")
        .prefetch_related(
            Prefetch("skills", queryset=Skill.objects.order_by("name")),
            Prefetch("tags", queryset=Tag.objects.order_by("name")),
            Prefetch("resumes", queryset=Resume.objects.order_by("-created_at")),
        )
        .get(pk=pk)
    )


def label_counts(*, org: Organization, model: type[Skill] | type[Tag]) -> QuerySet:
    """The organisation's skills (or tags) with how many candidates carry each."""
    return model.objects.for_org(org).annotate(candidate_count=Count("candidates")).order_by("-candidate_count", "name")
