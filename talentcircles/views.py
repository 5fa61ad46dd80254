"""Recruiter shell pages: home, organisation creation and settings, invitations, API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.decorators.http import require_http_methods
from django.views.generic import FormView, TemplateView, UpdateView

from talentcircles import services
from talentcircles.checklist import setup_checklist
from talentcircles.figures import home_figures
from talentcircles.forms import (
    ApiTokenForm,
    InvitationForm,
    MemberRoleForm,
    OrganizationCreateForm,
    OrganizationSettingsForm,
    ProfileForm,
)
from talentcircles.home_cards import home_cards
from talentcircles.mixins import OrgMemberRequiredMixin
from talentcircles.models import ApiToken, Invitation, Membership, Organization
from talentcircles.permissions import Capability
from talentcircles.tenancy import signed_in_user

LAST_ORG_SESSION_KEY = "last_org_slug"


def home(request):
    """Send each visitor where they belong: sign-in, organisation creation, or their organisation."""
    if not request.user.is_authenticated:
        return redirect("account_login")
    memberships = Membership.objects.filter(user=request.user).select_related("organization")
    last = request.session.get(LAST_ORG_SESSION_KEY)
    chosen = next((m for m in memberships if m.organization.slug == last), None) or memberships.first()
    if chosen is None:
        # A community member (no recruiter membership) belongs in their portal.
        profile = request.user.candidate_profiles.filter(erased_at=None).select_related("organization").first()
        if profile:
            return redirect("portal_circles", org_slug=profile.organization.slug)
        return redirect("organization_create")
    return redirect("org_home", org_slug=chosen.organization.slug)


class OrganizationCreateView(LoginRequiredMixin, FormView):
    template_name = "talentcircles/organization_create.html"
    form_class = OrganizationCreateForm

    def form_valid(self, form):
        org = services.organization_create(owner=self.request.user, **form.cleaned_data)
        messages.success(self.request, f"{org.name} is ready. Invite your colleagues from Settings.")
        return redirect("org_home", org_slug=org.slug)


class OrgHomeView(OrgMemberRequiredMixin, TemplateView):
    template_name = "talentcircles/home.html"

    def get(self, request, *args, **kwargs):
        # Assigning marks the session modified, and a modified session is written back (an UPDATE of
        # its row) on every view: assign only when the organisation changes.
        if request.session.get(LAST_ORG_SESSION_KEY) != self.org.slug:
            request.session[LAST_ORG_SESSION_KEY] = self.org.slug
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        figures = home_figures(self.org)  # each counted up to a cap: "10,000+", whatever the size
        cards = home_cards(self.request, self.org, self.membership)  # personal cards the other apps register
        checklist = setup_checklist(self.org)  # a new organisation's first steps (talentcircles/checklist.py)
        return super().get_context_data(figures=figures, home_cards=cards, checklist=checklist, **kwargs)


class ChecklistDismissView(OrgMemberRequiredMixin, View):
    """Hide the getting-started checklist for the whole organisation."""

    capability = Capability.MANAGE_SETTINGS

    def post(self, request, org_slug):
        services.organization_dismiss_checklist(org=self.org)
        return redirect("org_home", org_slug=self.org.slug)


class OrgSettingsView(OrgMemberRequiredMixin, UpdateView):
    template_name = "talentcircles/settings.html"
    form_class = OrganizationSettingsForm
    capability = Capability.MANAGE_SETTINGS

    def get_object(self, queryset=None):
        # The form fills in a copy: values it refuses must not show in the page as if saved.
        return Organization.objects.get(pk=self.org.pk)

    def form_valid(self, form):
        try:
            services.organization_update(org=self.org, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.form_invalid(form)
        messages.success(self.request, "Settings saved.")
        return redirect("org_settings", org_slug=self.org.slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            members=Membership.objects.for_org(self.org).select_related("user").order_by("user__email"),
            invitations=Invitation.objects.for_org(self.org).filter(accepted_at__isnull=True),
            invitation_form=kwargs.pop("invitation_form", None) or InvitationForm(),
            role_choices=Membership.Role.choices,
            **kwargs,
        )


class InvitationCreateView(OrgMemberRequiredMixin, View):
    capability = Capability.MANAGE_MEMBERS

    def post(self, request, org_slug):
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_create(org=self.org, invited_by=request.user, **form.cleaned_data)
            except services.ServiceError as exc:
                form.add_error(exc.field, exc.message)
            else:
                messages.success(request, f"Invitation sent to {invitation.email}.")
                return redirect("org_settings", org_slug=org_slug)
        view = OrgSettingsView(request=request, kwargs={"org_slug": org_slug}, args=())
        view.org, view.membership, view.object = self.org, self.membership, self.org
        context = view.get_context_data(form=OrganizationSettingsForm(instance=self.org), invitation_form=form)
        return render(request, OrgSettingsView.template_name, context, status=400)


class InvitationRevokeView(OrgMemberRequiredMixin, View):
    capability = Capability.MANAGE_MEMBERS

    def post(self, request, org_slug, pk):
        try:
            services.invitation_revoke(org=self.org, invitation_id=pk)
        except Invitation.DoesNotExist:
            raise Http404 from None
        except services.ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Invitation withdrawn.")
        return redirect("org_settings", org_slug=org_slug)


class MemberRemoveView(OrgMemberRequiredMixin, View):
    capability = Capability.MANAGE_MEMBERS

    def post(self, request, org_slug, pk):
        if not Membership.objects.for_org(self.org).filter(pk=pk).exists():
            raise Http404
        try:
            services.membership_remove(org=self.org, membership_id=pk, by=self.membership)
        except services.ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Member removed.")
        return redirect("org_settings", org_slug=org_slug)


class MemberRoleView(OrgMemberRequiredMixin, View):
    """An admin changes a member's role (never leaving the organisation without an admin)."""

    capability = Capability.MANAGE_MEMBERS

    def post(self, request, org_slug, pk):
        if not Membership.objects.for_org(self.org).filter(pk=pk).exists():
            raise Http404
        form = MemberRoleForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors.get("role", ["Choose a role."])))
            return redirect("org_settings", org_slug=org_slug)
        try:
            changed = services.membership_set_role(org=self.org, membership_id=pk, role=form.cleaned_data["role"])
        except services.ServiceError as exc:
            messages.error(request, exc.message)
        else:
            who = changed.user.get_full_name() or changed.user.email
            messages.success(request, f"{who} is now {changed.get_role_display()}.")
        return redirect("org_settings", org_slug=org_slug)


class ApiTokenListView(OrgMemberRequiredMixin, FormView):
    template_name = "talentcircles/api_tokens.html"
    form_class = ApiTokenForm
    capability = Capability.MANAGE_TOKENS

    def form_valid(self, form):
        issued = services.api_token_create(
            membership=self.membership, name=form.cleaned_data["name"], read_only=form.cleaned_data["read_only"]
        )
        # Shown once on the next page; only the digest is stored.
        self.request.session["new_api_key"] = issued.key
        return redirect("api_tokens", org_slug=self.org.slug)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            tokens=ApiToken.objects.filter(membership=self.membership),
            new_key=self.request.session.pop("new_api_key", None),
            **kwargs,
        )


class ApiTokenRevokeView(OrgMemberRequiredMixin, View):
    capability = Capability.MANAGE_TOKENS

    def post(self, request, org_slug, pk):
        try:
            token = services.api_token_revoke(membership=self.membership, token_id=pk)
        except ApiToken.DoesNotExist:
            raise Http404 from None
        messages.success(request, f"Token “{token.name}” revoked; it no longer works.")
        return redirect("api_tokens", org_slug=org_slug)


class ProfileView(LoginRequiredMixin, UpdateView):
    template_name = "talentcircles/profile.html"
    form_class = ProfileForm

    def get_object(self, queryset=None):
        return self.request.user

    def form_valid(self, form):
        try:
            services.user_profile_update(user=signed_in_user(self.request), **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, "Profile saved.")
        return redirect("profile")


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_from_token(token)
    except services.ServiceError as exc:
        return render(request, "talentcircles/invitation.html", {"error": exc.message}, status=400)
    context = {"invitation": invitation, "next": request.get_full_path()}
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except services.ServiceError as exc:
            return render(request, "talentcircles/invitation.html", context | {"error": exc.message}, status=400)
        messages.success(request, f"Welcome to {membership.organization.name}.")
        return HttpResponseRedirect(reverse("org_home", args=[membership.organization.slug]))
    return render(request, "talentcircles/invitation.html", context)


@login_required
def org_switch(request):
    slug = request.GET.get("org", "")
    if not Membership.objects.filter(user=request.user, organization__slug=slug).exists():
        raise Http404
    return redirect("org_home", org_slug=slug)
