"""Reads about people that pages and the API share."""

from django.db.models import F
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .enums import AddressType
from .models import User, UserAddress, UserManager, UserSession


def address_list_for_user(*, user):
    """``user``'s live (not deleted) addresses: defaults first, then the most recently changed."""
    return UserAddress.objects.filter(user=user, deleted_at__isnull=True).order_by(
        "type", "-is_default", "-updated_at", "-id"
    )


def address_for_user_or_404(*, user, address_id):
    """One live address of ``user``; someone else's address, or a deleted one, is a 404."""
    return get_object_or_404(address_list_for_user(user=user), pk=address_id)


def default_delivery_address(user):
    """Where ``user``'s deliveries go unless they choose otherwise (checkout's preselected
    address, the cart's and the product page's delivery estimates, a courier's home zone): their
    live default delivery address, else their most recently changed live delivery address (the
    one the address book would make default next). Never a billing address. None without one."""
    if user is None or user.pk is None:
        return None
    return (
        UserAddress.objects.filter(user_id=user.pk, type=AddressType.DELIVERY, deleted_at__isnull=True)
        .order_by(F("is_default").desc(nulls_last=True), "-updated_at", "-id")
        .first()
    )


def session_list_for_user(*, user):
    """``user``'s sessions that have not expired, browser and API, most recently active first."""
    return UserSession.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-last_activity_at", "-id")


def users_for_password_reset(email):
    """Accounts that may get a password reset link for ``email``: active, not deleted, with a
    password to reset."""
    users = User.objects.active().filter(email=UserManager.normalize_email(email))
    return [user for user in users if user.has_usable_password()]


def user_for_password_reset(user_id):
    """The account a reset link points at, while it may still sign in; otherwise None."""
    return User.objects.active().filter(pk=user_id).first()
