"""Account pages: sign-up and sign-in, profile and verification, passwords, the address book and
the active sessions page.

Each view parses the request, calls a service (``accounts.services``) or a selector
(``accounts.selectors``) and renders. Every change is a POST; someone else's address or session
is a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_htmx.http import HttpResponseClientRedirect

from gogomarket.core.redirects import safe_next

from .forms import (
    AddressForm,
    AvatarForm,
    PasswordChangeForm,
    PasswordResetForm,
    PhoneCodeForm,
    ProfileForm,
    SetPasswordForm,
    SignInForm,
    SignUpForm,
)
from .mixins import SignedInRequiredMixin
from .models import UserSession
from .selectors import (
    address_for_user_or_404,
    address_list_for_user,
    session_list_for_user,
    user_for_password_reset,
)
from .services import (
    address_create,
    address_delete,
    address_make_default,
    address_update,
    avatar_set,
    browser_session_current,
    browser_session_end,
    browser_session_start,
    email_verification_send,
    email_verify,
    phone_verification_send,
    phone_verify,
    profile_update,
    session_revoke,
    sessions_revoke_all,
    user_register,
)


def _next_url(request):
    """Where to go after signing in: ``next`` when it points at this site, else ""."""
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), "")


# --- sign-up, sign-in, sign-out --------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class SignUpView(View):
    template_name = "accounts/signup.html"

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("accounts:profile")
        return self.render_form(request, SignUpForm())

    @method_decorator(sensitive_post_parameters("password1", "password2"))
    def post(self, request):
        form = SignUpForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = user_register(
                    email=data["email"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=data["role"],
                    phone=data["phone"] or None,
                    request=request,
                )
            except ValidationError as error:
                form.add_service_error(error)
            else:
                if request.user.is_authenticated:
                    browser_session_end(request)
                browser_session_start(request, user)
                messages.success(
                    request,
                    _("Welcome to GOGOMARKET! We sent a link to %(email)s: open it to confirm your email.")
                    % {"email": user.email},
                )
                return redirect(_next_url(request) or "accounts:profile")
        return self.render_form(request, form)

    def render_form(self, request, form):
        return render(request, self.template_name, {"form": form, "next": _next_url(request)})


@method_decorator(never_cache, name="dispatch")
class SignInView(View):
    template_name = "accounts/login.html"

    def get(self, request):
        return self.render_form(request, SignInForm(request=request))

    @method_decorator(sensitive_post_parameters("password"))
    def post(self, request):
        form = SignInForm(request.POST, request=request)
        if form.is_valid():
            if request.user.is_authenticated:
                browser_session_end(request)  # switching accounts: end the old one's session row too
            browser_session_start(request, form.user)
            return redirect(_next_url(request) or settings.LOGIN_REDIRECT_URL)
        return self.render_form(request, form)

    def render_form(self, request, form):
        return render(request, self.template_name, {"form": form, "next": _next_url(request)})


class SignOutView(View):
    """POST only: a link or a prefetch must never sign anyone out (GET gets 405)."""

    http_method_names = ["post"]

    def post(self, request):
        browser_session_end(request)
        messages.info(request, _("You have signed out."))
        return redirect(settings.LOGOUT_REDIRECT_URL)


# --- profile and verification ----------------------------------------------------------------
def _profile_page(request, **forms):
    user = request.user
    context = {
        "profile_form": forms.get("profile_form") or ProfileForm.for_user(user),
        "avatar_form": forms.get("avatar_form") or AvatarForm(),
        "phone_code_form": forms.get("phone_code_form") or PhoneCodeForm(),
    }
    return render(request, "accounts/profile.html", context)


class ProfileView(SignedInRequiredMixin, View):
    def get(self, request):
        return _profile_page(request)

    def post(self, request):
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                profile_update(user=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Your profile is saved."))
                return redirect("accounts:profile")
        return _profile_page(request, profile_form=form)


class AvatarUploadView(SignedInRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = AvatarForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                avatar_set(user=request.user, uploaded=form.cleaned_data["avatar"], request=request)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Your profile picture is updated."))
                return redirect("accounts:profile")
        return _profile_page(request, avatar_form=form)


class EmailVerificationSendView(SignedInRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        try:
            email_verification_send(user=request.user, request=request)
        except ValidationError as error:
            messages.info(request, error.messages[0])
        else:
            messages.success(
                request, _("We sent a new link to %(email)s. It may take a minute.") % {"email": request.user.email}
            )
        return redirect("accounts:profile")


class EmailVerifyView(View):
    """The link in the verification email."""

    def get(self, request, token):
        try:
            email_verify(token=token, request=request)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Thank you: your email is confirmed."))
        return redirect("catalog:home")


class PhoneCodeSendView(SignedInRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        try:
            phone_verification_send(user=request.user)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("We sent a 6-digit code to %(phone)s.") % {"phone": request.user.phone})
        return redirect(reverse("accounts:profile") + "#phone")


class PhoneVerifyView(SignedInRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        form = PhoneCodeForm(request.POST)
        if form.is_valid():
            try:
                phone_verify(user=request.user, code=form.cleaned_data["code"], request=request)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("Thank you: your phone is confirmed."))
                return redirect("accounts:profile")
        return _profile_page(request, phone_code_form=form)


# --- passwords -------------------------------------------------------------------------------
@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(SignedInRequiredMixin, View):
    template_name = "accounts/password_change.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PasswordChangeForm(user=request.user, request=request)})

    @method_decorator(sensitive_post_parameters())
    def post(self, request):
        form = PasswordChangeForm(request.POST, user=request.user, request=request)
        if form.is_valid():
            try:
                user = form.save()
            except ValidationError as error:
                form.add_service_error(error)
            else:
                update_session_auth_hash(request, user)  # this browser stays signed in
                messages.success(request, _("Your password is changed. Your other sessions have ended."))
                return redirect("accounts:profile")
        return render(request, self.template_name, {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def get_user(self, uidb64):
        try:
            user_id = int(urlsafe_base64_decode(uidb64).decode())
        except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
            return None
        return user_for_password_reset(user_id)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- address book ------------------------------------------------------------------------------
class AddressListView(SignedInRequiredMixin, View):
    def get(self, request):
        return render(request, "accounts/address_list.html", {"addresses": address_list_for_user(user=request.user)})


class AddressCreateView(SignedInRequiredMixin, View):
    """A new address; ``next`` (a page of this site, e.g. checkout) is where saving leads."""

    template_name = "accounts/address_form.html"

    def get(self, request):
        user = request.user
        form = AddressForm(initial={"full_name": user.get_full_name(), "phone": user.phone})
        return render(request, self.template_name, {"form": form, "next": _next_url(request)})

    def post(self, request):
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                address_create(user=request.user, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The address is saved."))
                return redirect(_next_url(request) or "accounts:addresses")
        return render(request, self.template_name, {"form": form, "next": _next_url(request)})


class AddressUpdateView(SignedInRequiredMixin, View):
    """One of my addresses; ``next`` as for a new one (checkout sends an address without a map pin here)."""

    template_name = "accounts/address_form.html"

    def get(self, request, pk):
        address = address_for_user_or_404(user=request.user, address_id=pk)
        context = {"form": AddressForm.for_address(address), "address": address, "next": _next_url(request)}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        address = address_for_user_or_404(user=request.user, address_id=pk)
        form = AddressForm(request.POST)
        if form.is_valid():
            try:
                address_update(address=address, request=request, **form.cleaned_data)
            except ValidationError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("The address is saved."))
                return redirect(_next_url(request) or "accounts:addresses")
        return render(request, self.template_name, {"form": form, "address": address, "next": _next_url(request)})


class AddressDeleteView(SignedInRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        address_delete(address=address_for_user_or_404(user=request.user, address_id=pk), request=request)
        messages.success(request, _("The address is deleted."))
        return redirect("accounts:addresses")


class AddressMakeDefaultView(SignedInRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk):
        address_make_default(address=address_for_user_or_404(user=request.user, address_id=pk), request=request)
        messages.success(request, _("This is now your default address."))
        return redirect("accounts:addresses")


# --- active sessions ---------------------------------------------------------------------------
class SessionListView(SignedInRequiredMixin, View):
    def get(self, request):
        current = browser_session_current(request)
        context = {
            "sessions": session_list_for_user(user=request.user),
            "current_session_id": current.pk if current else None,
        }
        return render(request, "accounts/session_list.html", context)


class SessionEndView(SignedInRequiredMixin, View):
    """End one session. With HTMX the row disappears in place; ending this browser's own
    session signs it out."""

    http_method_names = ["post"]

    def post(self, request, pk):
        current = browser_session_current(request)
        try:
            session_revoke(user=request.user, session_id=pk, request=request)
        except UserSession.DoesNotExist as exc:
            raise Http404 from exc
        if current is not None and current.pk == pk:
            browser_session_end(request)
            messages.info(request, _("You have signed out of this browser."))
            login_url = reverse(settings.LOGIN_URL)
            return HttpResponseClientRedirect(login_url) if request.htmx else redirect(login_url)
        messages.success(request, _("The session has ended."))
        if request.htmx:
            # The row is swapped for nothing; the message arrives out of band.
            return TemplateResponse(request, "accounts/partials/messages_oob.html")
        return redirect("accounts:sessions")


class SessionEndOthersView(SignedInRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request):
        ended = sessions_revoke_all(user=request.user, keep=browser_session_current(request), request=request)
        messages.success(
            request,
            ngettext("%(count)d other session has ended.", "%(count)d other sessions have ended.", ended)
            % {"count": ended},
        )
        return redirect("accounts:sessions")
