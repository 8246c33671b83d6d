"""What every catalog write shares: who may change a product, audit rows, cache drops, parsing."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.enums import UserRole
from accounts.permissions import can_manage_catalog, can_manage_categories
from gogomarket.core.services import audit_log_write

from .. import cache as catalog_cache
from .. import hooks
from ..enums import STOREFRONT_STATUSES
from ..models import Category

PRICE_MAX = Decimal("9999999999.99")  # DECIMAL(12, 2)
SELLING = STOREFRONT_STATUSES  # on the storefront; stock moves a product between them


# --- who may change what ------------------------------------------------------------------------
def check_owner(actor, product):
    if actor is None:
        return  # the platform itself (commands, tasks)
    if can_manage_catalog(actor):
        return
    if actor.pk != product.seller_id:
        raise PermissionDenied(_("This is not your product."))


def check_category_staff(actor):
    if actor is None:
        return  # the platform itself (commands, seed data)
    if not can_manage_categories(actor):
        raise PermissionDenied(_("Only catalog staff change categories."))


def check_seller(seller):
    if seller.role != UserRole.SELLER:
        raise ValidationError(_("Only seller accounts can sell products."))


def audit(actor, action, product_id, old=None, new=None, request=None):
    audit_log_write(
        actor=actor,
        action=action,
        entity_type="product",
        entity_id=product_id,
        old_values=old or None,
        new_values=new or None,
        request=request,
    )


def caches_drop(product, *, old_category_id=None, slugs=()):
    """``slugs``: web addresses a product took or gave up (a page cached under one of them now
    shows another product, or none)."""
    catalog_cache.product_changed(
        product_ids=[product.pk],
        category_ids=[product.category_id, old_category_id],
        seller_ids=[product.seller_id],
        featured=True,
        slugs=slugs,
    )
    hooks.product_changed.fire(product_ids=[product.pk])


def jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Category):
        return value.pk
    return value


# --- parsing what forms, the API and CSV send ---------------------------------------------------
def parse_decimal(value, name):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({name: _("Enter a number.")})
    return number


def parse_integer(value, name):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            raise ValueError
        return int(number)
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("Enter a whole number.")}) from None


def parse_boolean(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "ha", "да")
    return bool(value)
