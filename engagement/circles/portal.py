"""The organisation's public talent community under /c/<org_slug>/: landing page, join, invitations,
and the signed-in candidate's circles, feed and events.

Portal pages use `candidates.portal_access.PortalCandidateMixin`: the candidate is always the
signed-in user's own record in the organisation named by the URL, never an id from the URL.
Only public circles and the published posts in them are ever shown; a private circle answers 404.
Pages work without JavaScript: every action is a plain form post followed by a redirect.
"""

from __future__ import annotations

from typing import Any

from allauth.account.utils import complete_signup, setup_user_email
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.text import slugify
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView

from candidates.models import Candidate, DigestFrequency
from candidates.portal_access import PortalCandidateMixin, portal_candidate, portal_org
from engagement.circles import selectors as circle_selectors
from engagement.circles import services as circles
from engagement.circles import unsubscribe
from engagement.circles.community import community_join, own_candidate
from engagement.circles.forms import JoinForm
from engagement.circles.invitations import invitation_from_token
from engagement.circles.jobs import selectors as job_selectors
from engagement.circles.models import Circle, Post
from engagement.circles.views import OrgTimeZoneMixin
from talentcircles.models import User

FEED_PER_PAGE = 10
EVENTS_PER_PAGE = 10
LANDING_EVENTS = 5
CIRCLE_JOBS_PER_PAGE = 20


def _verified(user) -> bool:
    return user.emailaddress_set.filter(verified=True).exists()


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


# --- Public pages -----------------------------------------------------------------------------


class CommunityLandingView(TemplateView):
    """The organisation's community in its branding: what it offers, public circles, upcoming events."""

    template_name = "portal/community/landing.html"

    def get(self, request, org_slug):
        self.org = portal_org(org_slug)
        with timezone.override(self.org.time_zone or "UTC"):
            return super().get(request, org_slug).render()

    def get_context_data(self, **kwargs):
        member = portal_candidate(self.request, self.org.slug)
        return super().get_context_data(
            org=self.org,
            member=member,
            circles=circle_selectors.public_circles(org=self.org, candidate=member),
            events=circle_selectors.upcoming_events(org=self.org, now=timezone.now())[:LANDING_EVENTS],
            **kwargs,
        )


class JoinView(View):
    """Join the community: visitors create an account (e-mail verified by allauth), members of other
    communities and invited candidates just complete the form. Linking, consents and circles are
    one service call (`community_join`)."""

    template_name = "portal/community/join.html"
    invitation = None

    def dispatch(self, request, org_slug, *args, **kwargs):
        self.org = portal_org(org_slug)
        user = request.user
        if user.is_authenticated:
            if not _verified(user):
                return redirect("account_email_verification_sent")
            if own_candidate(self.org, user) is not None:
                messages.info(request, f"You are already a member of the {self.org.name} community.")
                return HttpResponseRedirect(self.welcome_url())
        return super().dispatch(request, org_slug, *args, **kwargs)

    # Hooks for flows that join and do one more thing (a job's "join and say I'm interested"):
    form_class = JoinForm

    def welcome_url(self) -> str:
        """Where a new member lands (after confirming their address, for a new account)."""
        return reverse("portal_circles", args=[self.org.slug])

    def joined(self, candidate: Candidate, form: JoinForm) -> None:
        """Called inside the join's transaction once the person is a member; raising ValidationError undoes it."""

    def join_context(self) -> dict[str, Any]:
        return {}

    def form(self, data=None) -> JoinForm:
        anonymous = not self.request.user.is_authenticated
        fixed = self.invitation.candidate.email if self.invitation else ""
        return self.form_class(data, org=self.org, with_account=anonymous, fixed_email=fixed, initial=self.initial())

    def initial(self) -> dict:
        if self.invitation is not None:
            return JoinForm.initial_for(self.invitation.candidate)
        user = self.request.user
        initial: dict[str, Any] = (
            {"first_name": user.first_name, "last_name": user.last_name} if user.is_authenticated else {}
        )
        wanted = self.request.GET.get("circle", "")
        if wanted.isdigit():
            initial["circles"] = [int(wanted)]
        return initial

    def render_form(self, form: JoinForm, status: int = 200) -> HttpResponse:
        context = {
            "org": self.org,
            "form": form,
            "invitation": self.invitation,
            "login_url": f"{reverse('account_login')}?{urlencode({'next': self.request.get_full_path()})}",
            **self.join_context(),
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, org_slug, *args, **kwargs):
        return self.render_form(self.form())

    def post(self, request, org_slug, *args, **kwargs):
        anonymous = not request.user.is_authenticated
        if anonymous:
            # allauth's sign-up limit (ACCOUNT_RATE_LIMITS["signup"]) covers this form too.
            limited = ratelimit.consume_or_429(request, action="signup")
            if limited:
                return limited
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_form(form, status=400)
        try:
            with transaction.atomic():
                user = self.create_user(form) if anonymous else request.user
                candidate = community_join(
                    org=self.org,
                    user=user,
                    profile=form.profile(),
                    circles=form.cleaned_data["circles"],
                    messages_consent=form.cleaned_data["consent_messages"],
                    ip_address=request.META.get("REMOTE_ADDR") or None,
                    invitation=self.invitation,
                )
                self.joined(candidate, form)
        except ValidationError as exc:
            form.add_service_errors(exc)
            return self.render_form(form, status=400)
        except IntegrityError:  # the same address signed up a moment ago in another request
            form.add_error(None, "There is already an account with this e-mail address. Sign in to join.")
            return self.render_form(form, status=400)
        welcome = self.welcome_url()
        if anonymous:
            # allauth sends the verification e-mail and shows "check your inbox"; confirming the
            # address signs the person in and brings them to their circles.
            return complete_signup(request, user, settings.ACCOUNT_EMAIL_VERIFICATION, welcome)
        messages.success(request, f"Welcome to the {self.org.name} community.")
        return HttpResponseRedirect(welcome)

    def create_user(self, form: JoinForm) -> User:
        user = User.objects.create_user(
            email=form.account_email(),
            password=form.cleaned_data["password1"],
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
        )
        setup_user_email(self.request, user, [])
        return user


class InvitationView(JoinView):
    """A recruiter's personal link: the join form pre-filled with what the organisation holds."""

    def dispatch(self, request, org_slug, token, *args, **kwargs):
        self.org = portal_org(org_slug)
        try:
            self.invitation = invitation_from_token(self.org, token)
        except ValidationError as exc:
            context = {"org": self.org, "error": " ".join(exc.messages)}
            return render(request, "portal/community/invitation_invalid.html", context, status=400)
        invited = self.invitation.candidate
        user = request.user
        if user.is_authenticated and _verified(user) and user.email.lower() != invited.email.lower():
            mine = own_candidate(self.org, user)
            if mine is None or mine.pk != invited.pk:
                context = {
                    "org": self.org,
                    "error": f"This invitation was sent to {invited.email}, but you are signed in as {user.email}. "
                    "Sign out, then open the link again.",
                }
                return render(request, "portal/community/invitation_invalid.html", context, status=400)
        return super().dispatch(request, org_slug, *args, **kwargs)


class PortalCircleView(TemplateView):
    """A public circle's page, readable by anyone: what it is about and the open jobs shared to it.
    A private circle, or another organisation's, answers 404."""

    template_name = "portal/community/circle.html"

    def get(self, request, org_slug, pk):
        self.org = portal_org(org_slug)
        public = Circle.objects.for_org(self.org).filter(visibility=Circle.Visibility.PUBLIC)
        self.circle = get_object_or_404(public, pk=pk)
        with timezone.override(self.org.time_zone or "UTC"):
            return super().get(request, org_slug).render()

    def get_context_data(self, **kwargs):
        member = portal_candidate(self.request, self.org.slug) if self.request.user.is_authenticated else None
        jobs = Paginator(job_selectors.circle_open_jobs(circle=self.circle), CIRCLE_JOBS_PER_PAGE)
        return super().get_context_data(
            org=self.org,
            circle=self.circle,
            candidate=member,
            is_member=member is not None and circle_selectors.is_circle_member(candidate=member, circle=self.circle),
            jobs=jobs.get_page(self.request.GET.get("page")),
            **kwargs,
        )


# --- The signed-in candidate's pages ----------------------------------------------------------


class PortalPage(PortalCandidateMixin, OrgTimeZoneMixin):
    """A signed-in member's page, rendered in the organisation's time zone."""

    kwargs: dict[str, Any]  # set by View.setup() on the view this is mixed into


class PublicCircleMixin(PortalPage):
    @cached_property
    def circle(self) -> Circle:
        # Private and other organisations' circles are not found, whatever id is typed.
        return get_object_or_404(
            Circle.objects.for_org(self.org).filter(visibility=Circle.Visibility.PUBLIC), pk=self.kwargs["pk"]
        )


class PortalCirclesView(PortalPage, TemplateView):
    template_name = "portal/community/circles.html"

    def get_context_data(self, **kwargs):
        found = list(circle_selectors.public_circles(org=self.org, candidate=self.candidate))
        return super().get_context_data(
            my_circles=[c for c in found if c.is_member], other_circles=[c for c in found if not c.is_member], **kwargs
        )


class CircleJoinView(PublicCircleMixin, View):
    def post(self, request, org_slug, pk):
        circles.circle_join(candidate=self.candidate, circle=self.circle)
        messages.success(request, f"You joined “{self.circle.name}”.")
        return HttpResponseRedirect(_back(request, reverse("portal_circles", args=[org_slug])))


class CircleLeaveView(PublicCircleMixin, View):
    def post(self, request, org_slug, pk):
        if circles.circle_leave(candidate=self.candidate, circle=self.circle):
            messages.success(request, f"You left “{self.circle.name}”.")
        return HttpResponseRedirect(_back(request, reverse("portal_circles", args=[org_slug])))


class CircleEmailView(PublicCircleMixin, View):
    """Turn this circle's posts in the candidate's e-mails on or off."""

    def post(self, request, org_slug, pk):
        enabled = request.POST.get("email_posts") == "on"
        try:
            circles.circle_set_email_posts(candidate=self.candidate, circle=self.circle, enabled=enabled)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            state = "now come" if enabled else "no longer come"
            messages.success(request, f"Posts from “{self.circle.name}” {state} by e-mail.")
        return HttpResponseRedirect(_back(request, reverse("portal_circles", args=[org_slug])))


class PortalFeedView(PortalPage, TemplateView):
    template_name = "portal/community/feed.html"

    def get_context_data(self, **kwargs):
        paginator = Paginator(circle_selectors.portal_feed(candidate=self.candidate), FEED_PER_PAGE)
        return super().get_context_data(page=paginator.get_page(self.request.GET.get("page")), **kwargs)


class PortalEventsView(PortalPage, TemplateView):
    template_name = "portal/community/events.html"

    def get_context_data(self, **kwargs):
        events = circle_selectors.upcoming_events(org=self.org, now=timezone.now(), candidate=self.candidate)
        paginator = Paginator(events, EVENTS_PER_PAGE)
        return super().get_context_data(page=paginator.get_page(self.request.GET.get("page")), **kwargs)


class EventMixin(PortalPage):
    @cached_property
    def event(self) -> Post:
        try:
            return circle_selectors.portal_event(candidate=self.candidate, pk=self.kwargs["pk"])
        except Post.DoesNotExist:
            raise Http404("No such event.") from None


class EventRsvpView(EventMixin, View):
    def post(self, request, org_slug, pk):
        response = request.POST.get("response", "")
        try:
            circles.rsvp(candidate=self.candidate, post=self.event, response=response)
        except ValidationError as exc:
            messages.error(request, f"“{self.event.title}”: {' '.join(exc.messages)}")
        else:
            title = self.event.title
            going = response == "yes"
            messages.success(request, f"You are going to “{title}”." if going else f"Noted: not going to “{title}”.")
        fallback = reverse("portal_events", args=[org_slug]) + f"#event-{self.event.pk}"
        return HttpResponseRedirect(_back(request, fallback))


class EventIcsView(EventMixin, View):
    def get(self, request, org_slug, pk):
        response = HttpResponse(circles.ics_for(self.event), content_type="text/calendar; charset=utf-8")
        filename = f"{slugify(self.event.title) or 'event'}.ics"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


# --- One-click unsubscribe from community e-mail (engagement/circles/unsubscribe.py) ------------
# No sign-in: the signed token in the URL is the credential. A GET only asks (mail scanners and link
# previewers fetch every link); a POST stops. The POSTs are exempt from CSRF because RFC 8058 mail
# clients POST `List-Unsubscribe=One-Click` with no cookies.

UNSUBSCRIBE_CONFIRM = "portal/community/unsubscribe_confirm.html"
UNSUBSCRIBE_DONE = "portal/community/unsubscribe_done.html"


def _unsubscribe_invalid(request, org) -> HttpResponse:
    return render(request, "portal/community/unsubscribe_invalid.html", {"org": org}, status=404)


def _unsubscribe_page(request, template: str, candidate: Candidate, **context) -> HttpResponse:
    # Never `candidate` in the context: the portal layout would show a signed-in member's navigation.
    org = candidate.organization
    return render(request, template, {"org": org, "erased": bool(candidate.erased_at), **context})


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class CommunityUnsubscribeView(View):
    """unsubscribe/<token>/: stop all community e-mail (the digest's List-Unsubscribe link)."""

    def _candidate(self, org_slug: str, token: str) -> Candidate | None:
        self.org = portal_org(org_slug)
        return unsubscribe.candidate_for_community_token(self.org, token)

    def get(self, request, org_slug, token):
        candidate = self._candidate(org_slug, token)
        if candidate is None:
            return _unsubscribe_invalid(request, self.org)
        if candidate.erased_at or candidate.digest_frequency == DigestFrequency.NEVER:
            return _unsubscribe_page(request, UNSUBSCRIBE_DONE, candidate)
        return _unsubscribe_page(request, UNSUBSCRIBE_CONFIRM, candidate, confirm_url=request.path)

    def post(self, request, org_slug, token):
        candidate = self._candidate(org_slug, token)
        if candidate is None:
            return _unsubscribe_invalid(request, self.org)
        if not candidate.erased_at:  # an erased person holds no address and is never e-mailed anyway
            unsubscribe.community_email_stop(candidate=candidate)
        return _unsubscribe_page(request, UNSUBSCRIBE_DONE, candidate)


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class CircleUnsubscribeView(View):
    """unsubscribe/circle/<token>/: stop one circle's posts; the page also offers to stop all community e-mail."""

    def _link(self, org_slug: str, token: str) -> unsubscribe.CircleLink | None:
        self.org = portal_org(org_slug)
        return unsubscribe.target_of_circle_token(self.org, token)

    def get(self, request, org_slug, token):
        link = self._link(org_slug, token)
        if link is None:
            return _unsubscribe_invalid(request, self.org)
        candidate, circle = link.candidate, link.circle
        if candidate.erased_at or circle is None or not unsubscribe.circle_emails_posts(candidate, circle):
            return _unsubscribe_page(request, UNSUBSCRIBE_DONE, candidate, circle=circle, circle_link=True)
        everything = (
            reverse("community_unsubscribe", args=[self.org.slug, unsubscribe.community_unsubscribe_token(candidate)])
            if candidate.digest_frequency != DigestFrequency.NEVER
            else ""
        )
        return _unsubscribe_page(
            request, UNSUBSCRIBE_CONFIRM, candidate, circle=circle, confirm_url=request.path, everything_url=everything
        )

    def post(self, request, org_slug, token):
        link = self._link(org_slug, token)
        if link is None:
            return _unsubscribe_invalid(request, self.org)
        if link.circle is not None and not link.candidate.erased_at:
            unsubscribe.circle_email_stop(candidate=link.candidate, circle=link.circle)
        return _unsubscribe_page(request, UNSUBSCRIBE_DONE, link.candidate, circle=link.circle, circle_link=True)
