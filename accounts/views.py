from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View

from .services import email_verify


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
