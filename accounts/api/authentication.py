from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.services import api_session_for_access_token, session_touch
from accounts.tokens import TokenExpired, TokenInvalid


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer <access token>`` from ``POST /api/v1/auth/login/``; the token's
    session lives in user_sessions and can be ended from any device."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Bearer <access token>."))
        try:
            token = header[1].decode()
            session = api_session_for_access_token(token)
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("The access token is not valid.")) from exc
        except TokenExpired as exc:
            raise exceptions.AuthenticationFailed(
                _("The access token has expired: get a new one from /api/v1/auth/refresh/."), code="token_expired"
            ) from exc
        except TokenInvalid as exc:
            raise exceptions.AuthenticationFailed(_("The access token is not valid."), code="token_invalid") from exc
        session_touch(session)
        request.user_session = session
        return session.user, token

    def authenticate_header(self, request):
        return self.keyword


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Access token from POST /api/v1/auth/login/ (expires after 15 minutes; "
            "renew it with POST /api/v1/auth/refresh/).",
        }
