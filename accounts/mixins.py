"""Who may open a page: the role checks of every app's HTML views, in one place.

* ``SignedInRequiredMixin``: any signed-in account (the buyer pages: cart, checkout, my orders,
  the wallet, the account pages; every role may buy). Visitors go to the sign-in page.
* ``SellerRequiredMixin``: seller accounts only (the seller center).
* ``CourierRequiredMixin``: courier accounts only (the courier's page).

A visitor is sent to sign in (``next`` brings them back); a signed-in account of another role gets
a 403 page saying whom the page is for. The API has its own permission classes.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from .enums import UserRole


class SignedInRequiredMixin(LoginRequiredMixin):
    """Any signed-in account."""


class RoleRequiredMixin(SignedInRequiredMixin):
    """Signed-in accounts of ``required_role`` only; other roles get a 403 with ``role_denied_message``."""

    required_role = None
    role_denied_message = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.role != self.required_role:
            raise PermissionDenied(self.role_denied_message)
        return super().dispatch(request, *args, **kwargs)


class SellerRequiredMixin(RoleRequiredMixin):
    required_role = UserRole.SELLER
    role_denied_message = _("The seller center is for seller accounts.")


class CourierRequiredMixin(RoleRequiredMixin):
    required_role = UserRole.COURIER
    role_denied_message = _("This page is for couriers.")
