"""Shapes of the accounts API. Input serializers only parse and check the format of what a client
sends; the rules (unique email, password strength, one default address per type ...) live in
``accounts.services`` and come back as 400s with field messages. Output serializers only read."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.enums import AddressType
from accounts.models import User, UserAddress, UserSession
from accounts.phones import phone_normalize
from accounts.services import SELF_SIGNUP_ROLES


# --- fields ---------------------------------------------------------------------------------
@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class MediaURLField(serializers.CharField):
    """A stored media path (``/media/avatars/...``) as an absolute URL: apps cannot resolve
    site-relative paths. null when there is none."""

    def to_representation(self, value):
        if not value:
            return None
        request = self.context.get("request")
        if request is not None and value.startswith("/"):
            return request.build_absolute_uri(value)
        return value


class PhoneField(serializers.CharField):
    """A phone number in any usual spelling (``90 123 45 67``, ``+998 (90) 123-45-67``), cleaned
    to the stored form ``+998901234567`` like the pages' PhoneField."""

    default_error_messages = {"invalid_phone": _("Enter a phone number like +998 90 123 45 67.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not value:
            return ""
        phone = phone_normalize(value)
        if phone is None:
            self.fail("invalid_phone")
        return phone


class CoordinateField(serializers.DecimalField):
    """A latitude or longitude. Phones report more decimals than we keep (8, about a millimetre):
    they are rounded instead of refused. Out-of-range values are refused by ``min_value`` /
    ``max_value``."""

    def validate_precision(self, value):
        whole_digits = self.max_digits - self.decimal_places
        if abs(value) < 10**whole_digits:
            value = value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP)
        return super().validate_precision(value)


# --- auth: input ----------------------------------------------------------------------------
class RegisterInputSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=255)
    password = serializers.CharField(max_length=128, write_only=True, style={"input_type": "password"})
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    phone = PhoneField(required=False, allow_blank=True, allow_null=True, default=None)
    role = serializers.ChoiceField(
        choices=[(r.value, r.label) for r in SELF_SIGNUP_ROLES], default=SELF_SIGNUP_ROLES[0]
    )


class LoginInputSerializer(serializers.Serializer):
    login = serializers.CharField(max_length=255, help_text="Email address or phone number (+998...).")
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class RefreshInputSerializer(serializers.Serializer):
    refresh = serializers.CharField(max_length=255, help_text="The refresh token of the last login or refresh.")


# --- profile --------------------------------------------------------------------------------
class ProfileSerializer(serializers.ModelSerializer):
    avatar_url = MediaURLField(read_only=True)
    avatar_thumbnail_url = MediaURLField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "uuid",
            "email",
            "phone",
            "first_name",
            "last_name",
            "role",
            "status",
            "email_verified",
            "phone_verified",
            "avatar_url",
            "avatar_thumbnail_url",
            "created_at",
        ]
        read_only_fields = fields


class ProfileUpdateInputSerializer(serializers.Serializer):
    """PATCH: only the fields sent change. A new phone number is unverified until confirmed."""

    first_name = serializers.CharField(max_length=100, required=False)
    last_name = serializers.CharField(max_length=100, required=False)
    phone = PhoneField(required=False, allow_blank=True, allow_null=True, help_text="Empty or null removes it.")

    def validate_phone(self, value):
        return value or ""  # the service reads "" as "remove the phone"


class AvatarInputSerializer(serializers.Serializer):
    # A plain file: the service decides what a readable picture is (format, size, decoding).
    avatar = serializers.FileField(help_text=f"JPEG, PNG or WebP, at most {settings.AVATAR_MAX_BYTES // 2**20} MB.")


class PhoneVerifyInputSerializer(serializers.Serializer):
    code = serializers.RegexField(
        r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("The code has 6 digits.")},
        help_text="The 6-digit code from the text message.",
    )


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(help_text="Send as `Authorization: Bearer <access>`.")
    refresh = serializers.CharField(help_text="Works once, at POST /api/v1/auth/refresh/.")
    access_expires_in = serializers.IntegerField(help_text="Seconds until the access token expires.")
    user = ProfileSerializer()


# --- addresses ------------------------------------------------------------------------------
class AddressInputSerializer(serializers.Serializer):
    """Create and PUT send the required fields; PATCH sends any of them. Whether latitude and
    longitude come together is the service's rule: it checks them against the saved address."""

    type = serializers.ChoiceField(choices=AddressType.choices, default=AddressType.DELIVERY)
    is_default = serializers.BooleanField(
        required=False, help_text="true makes this the default address of its type; the previous default stays."
    )
    label = serializers.CharField(max_length=50, required=False, allow_blank=True, allow_null=True)
    full_name = serializers.CharField(max_length=200)
    phone = PhoneField()
    country = serializers.CharField(max_length=100)
    city = serializers.CharField(max_length=100)
    district = serializers.CharField(max_length=100, required=False, allow_blank=True, allow_null=True)
    street = serializers.CharField(max_length=255)
    building = serializers.CharField(max_length=50, required=False, allow_blank=True, allow_null=True)
    apartment = serializers.CharField(max_length=50, required=False, allow_blank=True, allow_null=True)
    postal_code = serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True)
    latitude = CoordinateField(
        max_digits=10, decimal_places=8, min_value=Decimal(-90), max_value=Decimal(90), required=False, allow_null=True
    )
    longitude = CoordinateField(
        max_digits=11,
        decimal_places=8,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        required=False,
        allow_null=True,
    )
    delivery_instructions = serializers.CharField(max_length=2000, required=False, allow_blank=True, allow_null=True)


class AddressSerializer(serializers.ModelSerializer):
    one_line = serializers.CharField(read_only=True, help_text="The address as a courier reads it.")

    class Meta:
        model = UserAddress
        fields = [
            "id",
            "type",
            "is_default",
            "label",
            "full_name",
            "phone",
            "country",
            "city",
            "district",
            "street",
            "building",
            "apartment",
            "postal_code",
            "latitude",
            "longitude",
            "delivery_instructions",
            "one_line",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- sessions -------------------------------------------------------------------------------
class SessionSerializer(serializers.ModelSerializer):
    device = serializers.CharField(read_only=True)
    is_api = serializers.BooleanField(read_only=True, help_text="An app's token session (else a browser).")
    is_current = serializers.SerializerMethodField(help_text="The session this request was made with.")

    class Meta:
        model = UserSession
        fields = [
            "id",
            "device",
            "ip_address",
            "user_agent",
            "created_at",
            "last_activity_at",
            "expires_at",
            "is_api",
            "is_current",
        ]
        read_only_fields = fields

    def get_is_current(self, session) -> bool:
        return session.pk == self.context.get("current_session_id")
