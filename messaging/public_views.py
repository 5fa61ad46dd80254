"""Pages reached from links in an e-mail, without signing in: one-click unsubscribe and responses.

A GET only shows a page with one button: mail scanners and link previewers fetch every link, so
only a POST changes anything. The POSTs are exempt from CSRF: RFC 8058 mail clients POST
`List-Unsubscribe=One-Click` with no cookies, and the signed token in the URL is the credential.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from candidates.models import Candidate, ConsentRecord
from candidates.portal import client_ip
from candidates.privacy import candidate_unsubscribe
from messaging import links
from messaging.models import Message


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class UnsubscribeView(View):
    confirm_template = "messaging/public/unsubscribe_confirm.html"
    done_template = "messaging/public/unsubscribe_done.html"

    def _candidate(self, token: str) -> Candidate:
        candidate = links.candidate_for_unsubscribe_token(token)
        if candidate is None:
            raise Http404("This unsubscribe link is not valid.")
        return candidate

    def _done(self, request: HttpRequest, candidate: Candidate) -> HttpResponse:
        return render(request, self.done_template, {"org": candidate.organization, "erased": bool(candidate.erased_at)})

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        candidate = self._candidate(token)
        if candidate.erased_at or candidate.unsubscribed_at:
            return self._done(request, candidate)
        return render(request, self.confirm_template, {"org": candidate.organization, "token": token})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        candidate = self._candidate(token)
        if not candidate.erased_at:  # an erased person is never messaged anyway, and holds no address
            candidate_unsubscribe(
                candidate=candidate, source=ConsentRecord.Source.UNSUBSCRIBE_LINK, ip_address=client_ip(request)
            )
        return self._done(request, candidate)


@method_decorator([csrf_exempt, never_cache], name="dispatch")
class MessageResponseView(View):
    confirm_template = "messaging/public/response_confirm.html"
    done_template = "messaging/public/response_done.html"

    def _resolve(self, token: str) -> tuple[Message, str]:
        found = links.message_for_response_token(token)
        if found is None:
            raise Http404("This link is not valid.")
        return found

    def _context(self, message: Message, classification: str) -> dict:
        recruiter = message.sender
        return {
            "org": message.organization,
            "message": message,
            "classification": classification,
            "is_interested": classification == Message.Classification.INTERESTED,
            "label": Message.Classification(classification).label,
            "recruiter_name": (recruiter.get_full_name() if recruiter else "") or message.organization.name,
            "has_account": bool(message.candidate.user_id),
            "erased": bool(message.candidate.erased_at),
        }

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        message, classification = self._resolve(token)
        context = self._context(message, classification)
        if context["erased"]:
            return render(request, self.done_template, context)
        return render(request, self.confirm_template, context | {"token": token})

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        message, classification = self._resolve(token)
        context = self._context(message, classification)
        if not context["erased"]:
            links.response_record(message=message, classification=classification)
        return render(request, self.done_template, context)
