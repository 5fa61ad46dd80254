"""`Authorization: Token <key>` authentication for the API."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from talentcircles.models import ApiToken


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.active()
            .select_related("membership__user", "membership__organization")
            .filter(key_digest=ApiToken.digest(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked API token.")
        user = token.membership.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed("This token's user is deactivated.")
        now = timezone.now()
        # Writing on every request would serialise all API calls on one row.
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "talentcircles.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: create keys under Settings → API tokens.",
        }
