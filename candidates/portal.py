"""The candidate's own portal pages under `/c/<org_slug>/`: profile, preferences, “my data” and erasure.

Every page acts on the signed-in user's own record in that organisation (PortalCandidateMixin);
no URL carries a candidate id. Writes go through `candidates.privacy`.
"""

from __future__ import annotations

import ipaddress
import json
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.text import capfirst
from django.views import View
from django.views.generic import TemplateView

from candidates import privacy
from candidates.consent import consent_state
from candidates.countries import CountryField, flag_unmapped
from candidates.forms import ResumeUploadForm
from candidates.models import Candidate, ConsentRecord, DigestFrequency
from candidates.portal_access import PortalCandidateMixin, portal_org
from candidates.upload_rate import UploadRateLimited, upload_rate_check
from talentcircles import audit
from talentcircles.forms import ServiceErrorsMixin

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ERASED_SESSION_KEY = "portal_erased_org"
ERASE_WORD = "ERASE"


def client_ip(request) -> str | None:
    """The address a consent was given from, as the server saw it (None when it is not an IP)."""
    value = request.META.get("REMOTE_ADDR", "")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _as_json(value) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False)


def _profile_row(name: str, value: object) -> tuple[StrOrPromise, object]:
    """(label, value as a person reads it) for the “what we hold” table."""
    field = Candidate._meta.get_field(name)
    assert isinstance(field, models.Field)  # a profile field, not a relation's reverse side
    if field.choices and value:
        value = dict(field.flatchoices).get(value, value)
    return capfirst(field.verbose_name), value


# --- Forms: shape only; `candidates.privacy` enforces the rules -------------------------------------


class ProfileForm(ServiceErrorsMixin, forms.Form):
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Other profiles or your portfolio, one web address per line.",
    )

    country_code = CountryField()

    LABELS = {"country_code": "Country", "linkedin_url": "LinkedIn profile"}
    HELP = {
        "headline": "One line about you, e.g. “Backend engineer who loves observability”.",
        "country_code": "Start typing its name, e.g. United Kingdom.",
        "linkedin_url": "e.g. https://www.linkedin.com/in/your-name",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        names = [name for name in privacy.SELF_EDITABLE_FIELDS if name not in ("links", "country_code")]
        model_fields = forms.fields_for_model(Candidate, fields=names)
        declared = dict(self.fields)
        self.fields = {}
        for name in privacy.SELF_EDITABLE_FIELDS:
            field = declared[name] if name in declared else model_fields[name]
            field.label = self.LABELS.get(name, field.label)
            field.help_text = self.HELP.get(name, field.help_text)
            self.fields[name] = field

    @classmethod
    def initial_for(cls, candidate: Candidate) -> dict:
        initial = {name: getattr(candidate, name) for name in privacy.SELF_EDITABLE_FIELDS}
        initial["links"] = "\n".join(candidate.links or [])
        return initial

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class PreferencesForm(ServiceErrorsMixin, forms.Form):
    digest_frequency = forms.ChoiceField(
        label="How often should we e-mail you new posts from your circles?",
        choices=DigestFrequency.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    messages_consent = forms.BooleanField(required=False, label="I agree to receive messages")

    @classmethod
    def initial_for(cls, candidate: Candidate) -> dict:
        consents = consent_state(candidate, ConsentRecord.Purpose.MESSAGES) is True
        return {
            "digest_frequency": candidate.digest_frequency,
            "messages_consent": consents and not candidate.unsubscribed_at,
        }


class EraseForm(forms.Form):
    confirm = forms.CharField(label=f"Type {ERASE_WORD} to confirm", max_length=20)

    def clean_confirm(self) -> str:
        value = self.cleaned_data["confirm"].strip()
        if value.upper() != ERASE_WORD:
            raise ValidationError(f"Type {ERASE_WORD} to confirm that your account should be erased.")
        return value


# --- Pages ----------------------------------------------------------------------------------------


class ProfileView(PortalCandidateMixin, TemplateView):
    """me/: edit my profile and upload a résumé; changes land on the recruiter's timeline."""

    template_name = "portal/profile.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", ProfileForm(initial=ProfileForm.initial_for(self.candidate)))
        flag_unmapped(kwargs["form"], self.candidate.country_unmapped)
        kwargs.setdefault("upload_form", ResumeUploadForm())
        return super().get_context_data(resumes=self.candidate.resumes.all(), **kwargs)

    def post(self, request, org_slug):
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                privacy.candidate_update_by_self(candidate=self.candidate, data=form.cleaned_data)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("portal_profile", org_slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ResumeUploadView(PortalCandidateMixin, View):
    """me/resume/: add a résumé (PDF or DOCX) to my profile."""

    def post(self, request, org_slug):
        form = ResumeUploadForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            try:
                upload_rate_check(user_id=request.user.pk)
                resume = privacy.resume_upload_by_self(candidate=self.candidate, upload=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_service_errors(exc)
                status = 429 if isinstance(exc, UploadRateLimited) else 400
            else:
                messages.success(request, f"Résumé “{resume.original_name}” added; its text is being read.")
                return redirect("portal_profile", org_slug)
        page = ProfileView(request=request, args=(), kwargs=self.kwargs)
        page.org, page.candidate = self.org, self.candidate
        return page.render_to_response(page.get_context_data(upload_form=form), status=status)


class ResumeStatusView(PortalCandidateMixin, View):
    """me/resume/<id>/: one of my résumés' rows, polled by htmx while its text is being read."""

    def get(self, request, org_slug, resume_pk):
        resume = get_object_or_404(self.candidate.resumes.all(), pk=resume_pk)
        return render(request, "portal/_resume_item.html", {"org": self.org, "resume": resume})


class PreferencesView(PortalCandidateMixin, TemplateView):
    """preferences/: digest frequency, the messages consent, “stop all messages” and its reverse."""

    template_name = "portal/preferences.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", PreferencesForm(initial=PreferencesForm.initial_for(self.candidate)))
        return super().get_context_data(**kwargs)

    def post(self, request, org_slug):
        action = request.POST.get("action", "save")
        common = {"candidate": self.candidate, "source": ConsentRecord.Source.PORTAL, "actor": request.user}
        if action == "stop":
            privacy.candidate_unsubscribe(**common, ip_address=client_ip(request))
            messages.success(request, f"Done: {self.org.name} will not send you any more messages.")
            return redirect("portal_preferences", org_slug)
        if action == "resume":
            privacy.candidate_resubscribe(**common, ip_address=client_ip(request))
            messages.success(request, f"Welcome back: {self.org.name} may send you messages again.")
            return redirect("portal_preferences", org_slug)
        form = PreferencesForm(request.POST)
        if form.is_valid():
            try:
                privacy.candidate_set_preferences(
                    **common,
                    digest_frequency=form.cleaned_data["digest_frequency"],
                    messages_consent=form.cleaned_data["messages_consent"],
                    ip_address=client_ip(request),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Your preferences are saved.")
                return redirect("portal_preferences", org_slug)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MyDataView(PortalCandidateMixin, TemplateView):
    """my-data/: what is held about me, the download, and the way to erase it all."""

    template_name = "portal/my_data.html"

    def get_context_data(self, **kwargs):
        data = privacy.export_my_data(self.candidate)
        other_sections = [
            (name.replace("_", " ").capitalize(), _as_json(value))
            for name, value in data.items()
            if name not in privacy.CORE_SECTIONS
        ]
        shown = {*privacy.SELF_EDITABLE_FIELDS, "email", "phone", "referrer", "source", "stage"}
        profile_rows = [_profile_row(name, value) for name, value in data["profile"].items() if name in shown]
        return super().get_context_data(
            data=data,
            profile_rows=profile_rows,
            consents=self.candidate.consents.order_by("-recorded_at", "-id"),
            other_sections=other_sections,
            **kwargs,
        )


class MyDataDownloadView(PortalCandidateMixin, View):
    """my-data/download/: everything held about me as one JSON file."""

    def get(self, request, org_slug):
        data = privacy.export_my_data(self.candidate)
        audit.record(request, self.org, audit.Action.DATA_EXPORTED, target=self.candidate,
                     details={"format": "my_data"}, actor_kind=audit.ActorKind.CANDIDATE)  # fmt: skip
        response = HttpResponse(_as_json(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.org.slug}-my-data.json"'
        add_never_cache_headers(response)  # personal data: never kept by a shared cache
        return response


class EraseView(PortalCandidateMixin, TemplateView):
    """my-data/erase/: confirm, erase, sign out, say goodbye."""

    template_name = "portal/erase_confirm.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", EraseForm())
        return super().get_context_data(**kwargs)

    def post(self, request, org_slug):
        form = EraseForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        privacy.candidate_erase(candidate=self.candidate, source=ConsentRecord.Source.PORTAL, actor=request.user)
        logout(request)
        # Set after logout (which empties the session) so only this browser sees the goodbye page.
        request.session[ERASED_SESSION_KEY] = self.org.slug
        return redirect("portal_erased", org_slug)


class ErasedView(TemplateView):
    """The goodbye page after an erasure; elsewhere it sends the visitor to sign in."""

    template_name = "portal/erased.html"

    def get(self, request, org_slug):
        org = portal_org(org_slug)
        if request.session.pop(ERASED_SESSION_KEY, None) != org.slug:
            return redirect("account_login")
        return self.render_to_response(self.get_context_data(org=org))
