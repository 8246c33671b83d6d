"""Forms of the account pages: they check the shape of the input; the rules live in services.

A service's ValidationError is shown on the form with ``add_service_error``
(``gogomarket.core.forms``), on the field it names (or at the top), so a rule is written once for
the pages and the API.
"""

from decimal import Decimal

from django import forms
from django.contrib.auth import forms as auth_forms
from django.template import loader
from django.utils.translation import gettext_lazy as _

from gogomarket.core.forms import BootstrapFormMixin
from gogomarket.core.services import email_send_after_commit

from .enums import AddressType, UserRole
from .phones import phone_normalize
from .selectors import users_for_password_reset
from .services import (
    LoginRefused,
    auth_check_credentials,
    browser_session_current,
    password_change,
    password_reset_complete,
    password_reset_request_check,
)

COORDINATE_STEP = Decimal("0.00000001")  # user_addresses keeps 8 decimal places
# Django's own help texts of the password validators are not translated into Uzbek.
PASSWORD_HELP = _("At least 8 characters, not only digits, not a common password and not like your name or email.")
PASSWORD_AGAIN_HELP = _("Type the same password again.")


class PhoneField(forms.CharField):
    """A phone number in any usual spelling, cleaned to ``+998901234567``."""

    default_error_messages = {"invalid": _("Enter a phone number like +998 90 123 45 67.")}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"type": "tel", "inputmode": "tel", "autocomplete": "tel", "placeholder": "+998 90 123 45 67"})
        return attrs

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        phone = phone_normalize(value)
        if phone is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return phone


class CoordinateField(forms.DecimalField):
    """Latitude or longitude as typed or picked on the map, rounded to what the table keeps."""

    def __init__(self, *, limit, **kwargs):
        super().__init__(required=False, min_value=-limit, max_value=limit, **kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", ".")
        value = super().to_python(value)
        return None if value is None else value.quantize(COORDINATE_STEP)


# --- sign-up and sign-in ---------------------------------------------------------------------
class SignUpForm(BootstrapFormMixin, forms.Form):
    role = forms.ChoiceField(
        label=_("I want to"),
        choices=[(UserRole.BUYER, _("Buy")), (UserRole.SELLER, _("Sell"))],  # = services.SELF_SIGNUP_ROLES
        initial=UserRole.BUYER,
        widget=forms.RadioSelect,
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    email = forms.EmailField(label=_("Email"), max_length=255, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = PhoneField(label=_("Phone"), required=False, help_text=_("You can sign in with it, and confirm it later."))
    password1, password2 = auth_forms.SetPasswordMixin.create_password_fields()
    password1.help_text, password2.help_text = PASSWORD_HELP, PASSWORD_AGAIN_HELP

    service_error_fields = {"password": "password1"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password2") and cleaned["password1"] != cleaned["password2"]:
            self.add_error("password2", forms.ValidationError(_("The two passwords do not match."), code="mismatch"))
        return cleaned


class SignInForm(BootstrapFormMixin, forms.Form):
    """Email or phone and password. A valid form has passed the sign-in gate (throttling,
    password, account status): ``user`` is who may be signed in."""

    login = forms.CharField(
        label=_("Email or phone"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True, "autocapitalize": "none"}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args, request=None, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        login, password = cleaned.get("login"), cleaned.get("password")
        if not login or not password:
            return cleaned
        try:
            self.user = auth_check_credentials(login=login, password=password, request=self.request)
        except LoginRefused as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from refused
        return cleaned


# --- profile -----------------------------------------------------------------------------------
class ProfileForm(BootstrapFormMixin, forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    phone = PhoneField(
        label=_("Phone"), required=False, help_text=_("A new number has to be confirmed with a code again.")
    )

    @classmethod
    def for_user(cls, user, **kwargs):
        return cls(initial={"first_name": user.first_name, "last_name": user.last_name, "phone": user.phone}, **kwargs)


class AvatarForm(BootstrapFormMixin, forms.Form):
    # A plain file field: accounts.services.avatar_set decides which pictures it takes.
    avatar = forms.FileField(
        label=_("New picture"),
        help_text=_("JPEG, PNG or WebP, at most 5 MB. It is cut to a square."),
        widget=forms.FileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp", "data-avatar-input": "#gm-avatar-preview"}
        ),
    )


class PhoneCodeForm(BootstrapFormMixin, forms.Form):
    code = forms.RegexField(
        label=_("Code from the text message"),
        regex=r"^\d{6}$",
        max_length=6,
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": r"\d{6}"}),
    )


# --- passwords ---------------------------------------------------------------------------------
class PasswordChangeForm(BootstrapFormMixin, forms.Form):
    """The old password and a new one twice; ``save`` changes it and ends the user's other
    sessions (this browser stays signed in). Raises the service's ValidationError."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1, new_password2 = auth_forms.SetPasswordMixin.create_password_fields(
        label1=_("New password"), label2=_("New password again")
    )
    new_password1.help_text, new_password2.help_text = PASSWORD_HELP, PASSWORD_AGAIN_HELP

    service_error_fields = {"new_password": "new_password1"}

    def __init__(self, *args, user, request, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("new_password1"), cleaned.get("new_password2")
        if one and two and one != two:
            self.add_error(
                "new_password2", forms.ValidationError(_("The two passwords do not match."), code="mismatch")
            )
        return cleaned

    def save(self):
        return password_change(
            user=self.user,
            old_password=self.cleaned_data["old_password"],
            new_password=self.cleaned_data["new_password1"],
            keep_session=browser_session_current(self.request),
            request=self.request,
        )


class PasswordResetForm(BootstrapFormMixin, auth_forms.PasswordResetForm):
    """Django's reset form on our User (no ``is_active`` column) and our mail queue."""

    def clean_email(self):
        email = self.cleaned_data["email"]
        password_reset_request_check(email=email)  # RateLimited is a ValidationError: shown on the field
        return email

    def get_users(self, email):
        return users_for_password_reset(email)

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        email_send_after_commit(to=to_email, subject=subject, body=body)


class SetPasswordForm(BootstrapFormMixin, auth_forms.SetPasswordForm):
    """The new password of a reset link; every session of the account ends."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].help_text = PASSWORD_AGAIN_HELP

    def save(self, commit=True):
        return password_reset_complete(
            user=self.user, new_password=self.cleaned_data["new_password1"], request=self.request
        )


# --- addresses ---------------------------------------------------------------------------------
class AddressForm(BootstrapFormMixin, forms.Form):
    type = forms.ChoiceField(label=_("Address type"), choices=AddressType.choices, initial=AddressType.DELIVERY)
    label = forms.CharField(
        label=_("Name of the address"),
        max_length=50,
        required=False,
        help_text=_("For example: Home, Work."),
    )
    full_name = forms.CharField(
        label=_("Recipient"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = PhoneField(label=_("Recipient's phone"))
    country = forms.CharField(
        label=_("Country"),
        max_length=100,
        initial="Uzbekistan",
        widget=forms.TextInput(attrs={"autocomplete": "country-name"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=100,
        initial="Tashkent",
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    district = forms.CharField(label=_("District"), max_length=100, required=False)
    street = forms.CharField(
        label=_("Street"), max_length=255, widget=forms.TextInput(attrs={"autocomplete": "address-line1"})
    )
    building = forms.CharField(label=_("Building"), max_length=50, required=False)
    apartment = forms.CharField(label=_("Apartment"), max_length=50, required=False)
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    latitude = CoordinateField(label=_("Latitude"), limit=90)
    longitude = CoordinateField(label=_("Longitude"), limit=180)
    delivery_instructions = forms.CharField(
        label=_("Notes for the courier"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Entrance, floor, landmark, when to call."),
    )
    is_default = forms.BooleanField(label=_("Use as my default address of this type"), required=False)

    @classmethod
    def for_address(cls, address, **kwargs):
        initial = {name: getattr(address, name) for name in cls.base_fields}
        return cls(initial=initial, **kwargs)

    def clean(self):
        cleaned = super().clean()
        # Empty optional texts are stored as NULL, not as "".
        for name in ("label", "district", "building", "apartment", "postal_code", "delivery_instructions"):
            if name in cleaned and not cleaned[name]:
                cleaned[name] = None
        return cleaned
