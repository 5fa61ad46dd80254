from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        # `next` (e.g. an invitation link) wins; otherwise home decides where to go.
        return super().get_login_redirect_url(request) or reverse("home")
