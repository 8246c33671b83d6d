"""The accounts API for the mobile apps: sign-up, sign-in with rotating tokens, the caller's
profile, address book and sessions. Each view parses input, calls a service or a selector from
``accounts`` and serializes the result; a service's ValidationError becomes a 400 with field
messages (``gogomarket.core.api.exceptions``)."""

from contextlib import contextmanager

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import UserAddress, UserSession
from accounts.selectors import address_list_for_user, session_list_for_user
from accounts.services import (
    LoginRefused,
    address_create,
    address_delete,
    address_make_default,
    address_update,
    api_session_create,
    api_session_end,
    api_session_refresh,
    auth_check_credentials,
    avatar_set,
    browser_session_current,
    email_verification_send,
    phone_verification_send,
    phone_verify,
    profile_update,
    session_revoke,
    user_register,
)
from accounts.tokens import TokenInvalid, TokenReused
from gogomarket.core.api.schema import INVALID, RATE_LIMITED, DetailSerializer, error
from gogomarket.core.api.validation import validated

from .authentication import BearerTokenAuthentication
from .serializers import (
    AddressInputSerializer,
    AddressSerializer,
    AvatarInputSerializer,
    LoginInputSerializer,
    PhoneVerifyInputSerializer,
    ProfileSerializer,
    ProfileUpdateInputSerializer,
    RefreshInputSerializer,
    RegisterInputSerializer,
    SessionSerializer,
    TokenPairSerializer,
)


@contextmanager
def _gone_is_404(model):
    """A row deleted between the lookup and the service (by a concurrent request) is a 404, like
    one that was never there."""
    try:
        yield
    except model.DoesNotExist as exc:
        raise exceptions.NotFound() from exc


def me_schema(*, summary, responses, **kwargs):
    """extend_schema for a signed-in endpoint under /me/ (401 and 404 are documented for all:
    gogomarket.core.api.schema)."""
    return extend_schema(tags=["me"], summary=summary, responses=responses, **kwargs)


class ApiView(APIView):
    pass


class ApiViewSet(viewsets.GenericViewSet):
    pass


# --- auth -----------------------------------------------------------------------------------
class PublicAuthView(ApiView):
    """Sign-up, sign-in and refresh take no credentials: no session authentication either, so a
    browser's cookie cannot bring CSRF checks (or another identity) into them."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # Without an authentication class DRF would turn every 401 into a 403.
        return BearerTokenAuthentication.keyword


def _token_pair(request, access, refresh, user):
    data = {"access": access, "refresh": refresh, "access_expires_in": settings.API_ACCESS_TOKEN_TTL, "user": user}
    return TokenPairSerializer(data, context={"request": request}).data


LOGIN_EXAMPLES = [
    OpenApiExample(
        "With an email", value={"login": "aziz@example.uz", "password": "my-secret-pass"}, request_only=True
    ),
    OpenApiExample("With a phone", value={"login": "+998901234567", "password": "my-secret-pass"}, request_only=True),
    OpenApiExample(
        "Signed in",
        status_codes=["200"],
        response_only=True,
        value={
            "access": "dGhlLWFjY2Vzcy10b2tlbg:1uBqS2:3m9...",
            "refresh": "Jx0c2S1l9...",
            "access_expires_in": 900,
            "user": {
                "id": 42,
                "uuid": "3f1e5a0c-2b7d-4c6e-9a8f-0d1e2f3a4b5c",
                "email": "aziz@example.uz",
                "phone": "+998901234567",
                "first_name": "Aziz",
                "last_name": "Karimov",
                "role": "buyer",
                "status": "active",
                "email_verified": True,
                "phone_verified": False,
                "avatar_url": None,
                "avatar_thumbnail_url": None,
                "created_at": "2026-01-15T10:30:00+05:00",
            },
        },
    ),
    OpenApiExample(
        "Wrong email, phone or password",
        status_codes=["401"],
        response_only=True,
        value={"detail": "The email or phone and password do not match.", "code": "invalid"},
    ),
    OpenApiExample(
        "Account suspended",
        status_codes=["403"],
        response_only=True,
        value={"detail": "Your account is suspended. Please contact support.", "code": "suspended"},
    ),
    OpenApiExample(
        "Too many attempts",
        status_codes=["429"],
        response_only=True,
        value={"detail": "Too many sign-in attempts. Try again in 15 minutes.", "code": "locked"},
    ),
]


class RegisterAPIView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="Sign up as a buyer or a seller",
        description="Creates the account, emails a verification link and signs in: the answer "
        "carries the first token pair. Couriers and staff are created by staff.",
        request=RegisterInputSerializer,
        responses={201: TokenPairSerializer, 429: RATE_LIMITED},
    )
    def post(self, request):
        data = validated(RegisterInputSerializer, request.data)
        with transaction.atomic():
            user = user_register(**data, request=request)
            _session, access, refresh = api_session_create(user=user, request=request)
        return Response(_token_pair(request, access, refresh, user), status=status.HTTP_201_CREATED)


class LoginAPIView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="Sign in with email or phone and password",
        description="Returns an access token (send it as `Authorization: Bearer <access>`) and a "
        "refresh token. Attempts are limited per account and per address: over the limit the "
        "answer is 429 with a `Retry-After` header (seconds).",
        request=LoginInputSerializer,
        responses={
            200: TokenPairSerializer,
            401: error("The login and password do not match."),
            403: error("The account is suspended, banned or inactive."),
            429: error("Too many attempts (`locked`); see `Retry-After`."),
        },
        examples=LOGIN_EXAMPLES,
    )
    def post(self, request):
        data = validated(LoginInputSerializer, request.data)
        try:
            user = auth_check_credentials(login=data["login"], password=data["password"], request=request)
        except LoginRefused as refused:
            raise _login_refusal(refused) from refused
        _session, access, refresh = api_session_create(user=user, request=request)
        return Response(_token_pair(request, access, refresh, user))


def _login_refusal(refused):
    if refused.code == "locked":
        error = exceptions.Throttled(detail=refused.message, code=refused.code)
        error.wait = max(1, refused.retry_after or 0)  # set after: Throttled() would append "Expected ..." text
        return error
    if refused.code == "invalid":
        return exceptions.AuthenticationFailed(refused.message, code=refused.code)
    return exceptions.PermissionDenied(refused.message, code=refused.code)


class RefreshAPIView(PublicAuthView):
    @extend_schema(
        tags=["auth"],
        summary="Exchange a refresh token for a new token pair",
        description="The refresh token works once: both tokens are replaced, the old access token stops working. "
        "A refresh token presented again after it was exchanged was copied: the session ends (its newest "
        "tokens stop working too) and the answer is 401 `token_invalid`; the app signs in again.",
        request=RefreshInputSerializer,
        responses={
            200: TokenPairSerializer,
            401: error("Unknown, used or expired refresh token (`token_invalid`): sign in again."),
        },
    )
    def post(self, request):
        data = validated(RefreshInputSerializer, request.data)
        try:
            session, access, refresh = api_session_refresh(refresh_token=data["refresh"], request=request)
        except TokenReused as exc:
            raise exceptions.AuthenticationFailed(
                _(
                    "This refresh token was already used: the session was ended to protect your account. "
                    "Please sign in again."
                ),
                code="token_invalid",
            ) from exc
        except TokenInvalid as exc:
            raise exceptions.AuthenticationFailed(
                _("The refresh token is not valid or was already used. Please sign in again."), code="token_invalid"
            ) from exc
        return Response(_token_pair(request, access, refresh, session.user))


class LogoutAPIView(ApiView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["auth"],
        summary="Sign out: end this token's session",
        request=None,
        responses={204: None},
    )
    def post(self, request):
        api_session_end(access=request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- me -------------------------------------------------------------------------------------
class MeAPIView(ApiView):
    @me_schema(summary="The caller's profile", responses={200: ProfileSerializer})
    def get(self, request):
        return Response(ProfileSerializer(request.user, context={"request": request}).data)

    @me_schema(
        summary="Change name or phone",
        description="Only the fields sent change. A new phone number is unverified until its code is confirmed.",
        request=ProfileUpdateInputSerializer,
        responses={200: ProfileSerializer},
    )
    def patch(self, request):
        data = validated(ProfileUpdateInputSerializer, request.data, partial=True)
        user = profile_update(user=request.user, **data, request=request)
        return Response(ProfileSerializer(user, context={"request": request}).data)


class AvatarAPIView(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    @me_schema(
        summary="Upload a profile picture",
        description="Stored as a 512px square with a 128px thumbnail; the previous picture is removed.",
        request={"multipart/form-data": AvatarInputSerializer},
        responses={200: ProfileSerializer},
    )
    def post(self, request):
        data = validated(AvatarInputSerializer, request.data)
        user = avatar_set(user=request.user, uploaded=data["avatar"], request=request)
        return Response(ProfileSerializer(user, context={"request": request}).data)


class EmailVerificationSendAPIView(ApiView):
    @me_schema(
        summary="Send the email verification link again",
        description="400 when the email is already confirmed (nothing is sent).",
        request=None,
        responses={202: DetailSerializer, 400: INVALID, 429: RATE_LIMITED},
    )
    def post(self, request):
        email_verification_send(user=request.user, request=request)
        detail = _("We sent a new link to %(email)s. It may take a minute.") % {"email": request.user.email}
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PhoneVerificationSendAPIView(ApiView):
    @me_schema(
        summary="Text a verification code to the profile's phone",
        description="The code is valid for 10 minutes; a new one can be asked for once a minute. "
        "400 when there is no phone, it is already confirmed, or a code was just sent.",
        request=None,
        responses={202: DetailSerializer, 400: INVALID, 429: RATE_LIMITED},
    )
    def post(self, request):
        phone_verification_send(user=request.user)
        detail = _("We sent a 6-digit code to %(phone)s.") % {"phone": request.user.phone}
        return Response({"detail": detail}, status=status.HTTP_202_ACCEPTED)


class PhoneVerificationConfirmAPIView(ApiView):
    @me_schema(
        summary="Confirm the phone with the texted code",
        request=PhoneVerifyInputSerializer,
        responses={200: ProfileSerializer, 429: RATE_LIMITED},
    )
    def post(self, request):
        data = validated(PhoneVerifyInputSerializer, request.data)
        user = phone_verify(user=request.user, code=data["code"], request=request)
        return Response(ProfileSerializer(user, context={"request": request}).data)


# --- addresses ------------------------------------------------------------------------------
@extend_schema_view(
    list=me_schema(summary="The caller's addresses", responses={200: AddressSerializer(many=True)}),
    retrieve=me_schema(summary="One address", responses={200: AddressSerializer}),
    create=me_schema(
        summary="Add an address",
        description="The first address of a type becomes its default; `is_default: true` moves the default here.",
        request=AddressInputSerializer,
        responses={201: AddressSerializer},
    ),
    update=me_schema(
        summary="Replace an address",
        request=AddressInputSerializer,
        responses={200: AddressSerializer},
    ),
    partial_update=me_schema(
        summary="Change some fields of an address",
        request=AddressInputSerializer,
        responses={200: AddressSerializer},
    ),
    destroy=me_schema(
        summary="Delete an address",
        description="If it was the default, the most recently changed other address of its type becomes the default.",
        responses={204: None},
    ),
    make_default=me_schema(
        summary="Make this the default address of its type",
        request=None,
        responses={200: AddressSerializer},
    ),
)
class AddressViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    serializer_class = AddressSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return UserAddress.objects.none()
        return address_list_for_user(user=self.request.user)

    def _answer(self, address, status_code=status.HTTP_200_OK):
        return Response(AddressSerializer(address, context=self.get_serializer_context()).data, status=status_code)

    def create(self, request):
        data = validated(AddressInputSerializer, request.data)
        return self._answer(address_create(user=request.user, request=request, **data), status.HTTP_201_CREATED)

    def update(self, request, pk=None, partial=False):
        address = self.get_object()
        data = validated(AddressInputSerializer, request.data, partial=partial)
        with _gone_is_404(UserAddress):
            return self._answer(address_update(address=address, request=request, **data))

    def partial_update(self, request, pk=None):
        return self.update(request, pk, partial=True)

    def destroy(self, request, pk=None):
        address = self.get_object()
        with _gone_is_404(UserAddress):
            address_delete(address=address, request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @action(detail=True, methods=["post"], url_path="make-default")
    def make_default(self, request, pk=None):
        address = self.get_object()
        with _gone_is_404(UserAddress):
            return self._answer(address_make_default(address=address, request=request))


# --- sessions -------------------------------------------------------------------------------
@extend_schema_view(
    list=me_schema(
        summary="The caller's sessions, browsers and apps",
        description="`is_current` marks the session this request was made with.",
        responses={200: SessionSerializer(many=True)},
    ),
    destroy=me_schema(
        summary="End a session",
        description="Its tokens (or its browser sign-in) stop working at once.",
        responses={204: None},
    ),
)
class SessionViewSet(mixins.ListModelMixin, ApiViewSet):
    serializer_class = SessionSerializer
    lookup_value_converter = "int"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return UserSession.objects.none()
        return session_list_for_user(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        current = getattr(self.request, "user_session", None)  # set by BearerTokenAuthentication
        if current is None and self.request.user.is_authenticated:
            current = browser_session_current(self.request)
        context["current_session_id"] = current.pk if current is not None else None
        return context

    def destroy(self, request, pk=None):
        with _gone_is_404(UserSession):
            session_revoke(user=request.user, session_id=int(pk), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)
