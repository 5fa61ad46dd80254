"""`Authorization: Token <key>` authentication for the API."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from talentcircles import services
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
        services.api_token_touch(token=token)
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
