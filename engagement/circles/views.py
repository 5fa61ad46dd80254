"""Recruiter pages for talent circles, under /o/<org_slug>/circles/: circles, members, posts, invitations.

Every query starts from the request's organisation, so another organisation's circle, post or
candidate is a 404. Dates are shown and typed in the organisation's time zone.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from candidates.forms import CandidateFilterForm, org_members
from candidates.models import Candidate
from candidates.selectors import candidate_filter
from engagement.circles import selectors as circle_selectors
from engagement.circles import services as circles
from engagement.circles.community import community_invite
from engagement.circles.forms import CircleBulkAddForm, CircleForm, InviteSelectionForm, MemberAddForm, PostForm
from engagement.circles.models import Circle, Post
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.permissions import Capability

MEMBERS_PER_PAGE = 25
CIRCLES_PER_PAGE = 50
POSTS_PER_PAGE = 10


def _people(count: int) -> str:
    return f"{count} candidate{'' if count == 1 else 's'}"


class OrgTimeZoneMixin:
    """Render in the organisation's time zone, and read typed dates in it (after the org is known)."""

    def dispatch(self, request, *args, **kwargs):
        with timezone.override(self.org.time_zone or "UTC"):
            response = super().dispatch(request, *args, **kwargs)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()  # inside the override: TemplateResponse renders lazily otherwise
            return response


class CirclePageMixin(OrgMemberRequiredMixin, OrgTimeZoneMixin):
    """The circle (and post) named by the URL, scoped to the organisation: 404 outside it."""

    @cached_property
    def circle(self) -> Circle:
        return get_object_or_404(Circle.objects.for_org(self.org), pk=self.kwargs["pk"])

    @cached_property
    def circle_post(self) -> Post:
        return get_object_or_404(Post.objects.for_org(self.org).filter(circle=self.circle), pk=self.kwargs["post_pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if "pk" in self.kwargs:
            context["circle"] = self.circle
        return context


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


# --- Circles ----------------------------------------------------------------------------------


class CircleListView(CirclePageMixin, TemplateView):
    template_name = "engagement/circles/list.html"

    def get_context_data(self, **kwargs):
        paginator = Paginator(circle_selectors.circle_list(org=self.org), CIRCLES_PER_PAGE)
        page = paginator.get_page(self.request.GET.get("page"))
        return super().get_context_data(page=page, total=paginator.count, **kwargs)


class CircleFormMixin(CirclePageMixin):
    # Typed as FormView types them, which the views mix this into.
    template_name: str | None = "engagement/circles/form.html"
    form_class: type[CircleForm] | None = CircleForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response


class CircleCreateView(CircleFormMixin, FormView):
    capability = Capability.MANAGE_CIRCLES

    def form_valid(self, form):
        try:
            circle = circles.circle_create(org=self.org, actor=self.request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Circle “{circle.name}” created. Add candidates or write its first post.")
        return redirect("circle_detail", self.org.slug, circle.pk)


class CircleEditView(CircleFormMixin, FormView):
    capability = Capability.MANAGE_CIRCLES

    def get_initial(self):
        return {"name": self.circle.name, "description": self.circle.description, "visibility": self.circle.visibility}

    def form_valid(self, form):
        try:
            circle = circles.circle_update(circle=self.circle, **form.cleaned_data)
        except ValidationError as exc:
            self.circle.refresh_from_db()
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, f"Circle “{circle.name}” saved.")
        return redirect("circle_detail", self.org.slug, circle.pk)


class CircleDeleteView(CirclePageMixin, TemplateView):
    capability = Capability.MANAGE_CIRCLES
    template_name = "engagement/circles/delete.html"

    def get_context_data(self, **kwargs):
        counted = circle_selectors.circle_list(org=self.org).get(pk=self.circle.pk)
        return super().get_context_data(counted=counted, **kwargs)

    def post(self, request, org_slug, pk):
        name = self.circle.name
        circles.circle_delete(circle=self.circle)
        messages.success(request, f"Circle “{name}” deleted, with its posts. Its members stay in your candidates.")
        return redirect("circle_list", org_slug)


class CircleDetailView(CirclePageMixin, TemplateView):
    """The circle with its members (stage, last contact) and posts, both paginated."""

    template_name = "engagement/circles/detail.html"

    def get_context_data(self, **kwargs):
        counted = circle_selectors.circle_list(org=self.org).get(pk=self.circle.pk)
        members = Paginator(circle_selectors.circle_members(circle=self.circle), MEMBERS_PER_PAGE)
        posts = Paginator(circle_selectors.circle_posts(circle=self.circle), POSTS_PER_PAGE)
        kwargs.setdefault("add_form", MemberAddForm())
        return super().get_context_data(
            counted=counted,
            members=members.get_page(self.request.GET.get("page")),
            posts=posts.get_page(self.request.GET.get("posts_page")),
            candidate_list_url=reverse("candidate_list", args=[self.org.slug]) + f"?circle={self.circle.pk}",
            **kwargs,
        )


# --- Members ----------------------------------------------------------------------------------


class MemberAddView(CirclePageMixin, View):
    """Add candidates by e-mail address, one or many."""

    capability = Capability.MANAGE_CIRCLES

    def post(self, request, org_slug, pk):
        form = MemberAddForm(request.POST)
        if not form.is_valid():
            detail = CircleDetailView(request=request, args=(), kwargs=self.kwargs)
            detail.org, detail.membership = self.org, self.membership
            return detail.render_to_response(detail.get_context_data(add_form=form), status=400)
        emails = form.cleaned_data["emails"]
        found = Candidate.objects.for_org(self.org).filter(email__in=emails, erased_at=None)
        result = circles.circle_add_members(org=self.org, circle=self.circle, candidates=found)
        missing = sorted(set(emails) - set(found.values_list("email", flat=True)))
        text = f"Added {_people(result.added)} to “{self.circle.name}”."
        if result.already:
            text += f" {_people(result.already)} already in it."
        messages.success(request, text)
        if missing:
            messages.warning(
                request, f"No candidate with {'this address' if len(missing) == 1 else 'these addresses'}: "
                f"{', '.join(missing)}. Add them as candidates first."
            )  # fmt: skip
        return redirect("circle_detail", org_slug, pk)


class MemberRemoveView(CirclePageMixin, View):
    capability = Capability.MANAGE_CIRCLES

    def post(self, request, org_slug, pk, candidate_pk):
        candidate = get_object_or_404(Candidate.objects.for_org(self.org), pk=candidate_pk)
        if not circles.circle_remove_member(org=self.org, circle=self.circle, candidate=candidate):
            raise Http404("Not a member of this circle.")
        messages.success(request, f"{candidate.full_name} removed from “{self.circle.name}”.")
        return HttpResponseRedirect(_safe_next(request, reverse("circle_detail", args=[org_slug, pk])))


def _selection(org, form, back_query: QueryDict) -> QuerySet[Candidate] | None:
    """The candidates a list selection names: ticked ids, or every match of the list's filters."""
    if not form.cleaned_data["all_matching"]:
        return Candidate.objects.for_org(org).filter(pk__in=form.cleaned_data["selected"])
    filters = CandidateFilterForm(back_query, org=org, members=org_members(org))
    if not filters.is_valid():
        return None  # an invalid filter would be left out and widen "all matching": refuse
    return candidate_filter(org=org, filters=filters.to_filters())


def _list_back(org_slug: str, query: QueryDict) -> str:
    query = query.copy()
    query.pop("page", None)
    url = reverse("candidate_list", args=[org_slug])
    return f"{url}?{query.urlencode()}" if query else url


class CircleBulkAddView(OrgMemberRequiredMixin, View):
    """The candidate list's "Add to circle": a selection or all matching, like the other bulk actions."""

    capability = Capability.MANAGE_CIRCLES

    def post(self, request, org_slug):
        form = CircleBulkAddForm(request.POST, org=self.org)
        query = QueryDict(request.POST.get("query", ""))
        back = _list_back(org_slug, query)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        targets = _selection(self.org, form, query)
        if targets is None:
            messages.error(request, "The filters are not valid any more, so nothing was changed. Try again.")
            return HttpResponseRedirect(back)
        circle = form.cleaned_data["circle"]
        result = circles.circle_add_members(org=self.org, circle=circle, candidates=targets)
        text = f"Added {_people(result.added)} to “{circle.name}”."
        if result.already:
            text += f" {_people(result.already)} already in it."
        messages.success(request, text)
        return HttpResponseRedirect(back)


class CommunityInviteView(OrgMemberRequiredMixin, View):
    """Invite a selection (or one candidate) to join the community portal by e-mail."""

    capability = Capability.MANAGE_CIRCLES

    def post(self, request, org_slug):
        form = InviteSelectionForm(request.POST)
        query = QueryDict(request.POST.get("query", ""))
        back = _safe_next(request, _list_back(org_slug, query))
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return HttpResponseRedirect(back)
        targets = _selection(self.org, form, query)
        if targets is None:
            messages.error(request, "The filters are not valid any more, so nobody was invited. Try again.")
            return HttpResponseRedirect(back)
        result = community_invite(org=self.org, candidates=targets, invited_by=request.user)
        if result.invited:
            messages.success(request, f"Invited {_people(result.invited)} to join the community.")
        if result.skipped:
            messages.info(
                request,
                f"{_people(result.skipped)} not invited: already in the portal, invited in the last week, "
                "without an e-mail address, or not to be contacted.",
            )
        return HttpResponseRedirect(back)


# --- Posts ------------------------------------------------------------------------------------


class PostFormMixin(CirclePageMixin):
    # Typed as FormView types them, which the views mix this into.
    template_name: str | None = "engagement/circles/post_form.html"
    form_class: type[PostForm] | None = PostForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400
        return response

    def publish_requested(self) -> bool:
        return "publish" in self.request.POST

    def saved(self, post: Post, verb: str):
        if self.publish_requested() and post.status != Post.Status.PUBLISHED:
            try:
                circles.post_publish(post=post)
            except ValidationError as exc:
                messages.error(self.request, " ".join(exc.messages))
                return redirect("circle_post_edit", self.org.slug, self.circle.pk, post.pk)
            verb = "published"
        messages.success(self.request, f"Post “{post.title}” {verb}.")
        return redirect("circle_post_detail", self.org.slug, self.circle.pk, post.pk)


class PostCreateView(PostFormMixin, FormView):
    capability = Capability.MANAGE_CIRCLES

    def get_initial(self):
        kind = self.request.GET.get("kind")
        return {"kind": kind} if kind in Post.Kind.values else {}

    def form_valid(self, form):
        try:
            post = circles.post_create(
                org=self.org, circle=self.circle, author=self.request.user, data=form.service_data()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        return self.saved(post, "saved as a draft")


class PostEditView(PostFormMixin, FormView):
    capability = Capability.MANAGE_CIRCLES

    def get_initial(self):
        return PostForm.initial_for(self.circle_post)

    def get_context_data(self, **kwargs):
        return super().get_context_data(post=self.circle_post, **kwargs)

    def form_valid(self, form):
        try:
            post = circles.post_update(post=self.circle_post, data=form.service_data())
        except ValidationError as exc:
            self.circle_post.refresh_from_db()
            form.add_service_errors(exc)
            return self.form_invalid(form)
        return self.saved(post, "saved")


class PostDetailView(CirclePageMixin, TemplateView):
    template_name = "engagement/circles/post_detail.html"

    def get_context_data(self, **kwargs):
        post = circle_selectors.circle_posts(circle=self.circle).get(pk=self.circle_post.pk)
        attendees = list(circle_selectors.event_attendees(post=post)) if post.kind == Post.Kind.EVENT else []
        return super().get_context_data(
            post=post,
            attendees=attendees,
            seats_left=circles.seats_left(post) if post.kind == Post.Kind.EVENT else None,
            **kwargs,
        )


class PostPublishView(CirclePageMixin, View):
    capability = Capability.MANAGE_CIRCLES

    def post(self, request, org_slug, pk, post_pk):
        try:
            post = circles.post_publish(post=self.circle_post)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if self.circle.visibility == Circle.Visibility.PUBLIC:
                messages.success(request, f"“{post.title}” is published: members see it and get it by e-mail.")
            else:
                messages.success(
                    request, f"“{post.title}” is published. The circle is private, so only recruiters see it."
                )
        return redirect("circle_post_detail", org_slug, pk, post_pk)


class PostUnpublishView(CirclePageMixin, View):
    capability = Capability.MANAGE_CIRCLES

    def post(self, request, org_slug, pk, post_pk):
        post = circles.post_unpublish(post=self.circle_post)
        messages.success(request, f"“{post.title}” is a draft again and hidden from the community.")
        return redirect("circle_post_detail", org_slug, pk, post_pk)


class PostDeleteView(CirclePageMixin, View):
    capability = Capability.MANAGE_CIRCLES

    def post(self, request, org_slug, pk, post_pk):
        title = self.circle_post.title
        circles.post_delete(post=self.circle_post)
        messages.success(request, f"Post “{title}” deleted.")
        return redirect("circle_detail", org_slug, pk)
