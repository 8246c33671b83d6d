"""Product variants (options such as size or colour) with their own price adjustment and stock."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Product, ProductImage, ProductVariant
from ..pricing import current_price
from .common import PRICE_MAX, audit, caches_drop, check_owner, jsonable, parse_boolean, parse_decimal, parse_integer
from .stock import product_has_variants, stock_from_variants

VARIANT_FIELDS = ("name", "sku", "attributes", "price_adjustment", "stock_quantity", "image_url", "is_active")


def _variant_clean(variant, product, data):
    errors = {}

    def fail(name, message):
        errors.setdefault(name, []).append(message)

    for name in VARIANT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        try:
            if name == "price_adjustment":
                value = parse_decimal(value, name) or Decimal("0")
            elif name == "stock_quantity":
                value = parse_integer(value, name)
            elif name == "is_active":
                value = parse_boolean(value)
            elif name == "attributes":
                value = _variant_attributes(value)
            elif isinstance(value, str):
                value = value.strip() or (None if name in ("sku", "image_url") else value)
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    fail(field_name, message)
            continue
        setattr(variant, name, value)
    if not (variant.name or "").strip():
        fail("name", _("Give the variant a name, e.g. “Black, 128 GB”."))
    elif len(variant.name) > 255:
        fail("name", _("At most %(n)d characters.") % {"n": 255})
    if variant.stock_quantity is None:
        variant.stock_quantity = 0
    if variant.stock_quantity < 0:
        fail("stock_quantity", _("Stock cannot be negative."))
    elif variant.stock_quantity > 2_147_483_647:
        fail("stock_quantity", _("That number is too large."))
    adjustment = variant.price_adjustment or Decimal("0")
    if abs(adjustment) > PRICE_MAX:
        fail("price_adjustment", _("That number is too large."))
    elif adjustment.as_tuple().exponent < -2:
        fail("price_adjustment", _("At most %(n)d decimal places.") % {"n": 2})
    elif product.base_price is not None:
        if current_price(product) + adjustment <= 0:
            fail("price_adjustment", _("With this adjustment the variant would cost nothing or less."))
    if variant.sku:
        if len(variant.sku) > 100 or " " in variant.sku:
            fail("sku", _("A SKU has at most 100 characters and no spaces."))
        elif ProductVariant.objects.filter(sku=variant.sku).exclude(pk=variant.pk).exists():
            fail("sku", _("This SKU is already used by another variant."))
    if variant.image_url and not ProductImage.objects.filter(product=product, url=variant.image_url).exists():
        fail("image_url", _("Choose one of the product's pictures."))
    if errors:
        raise ValidationError(errors)


def _variant_attributes(value):
    """``{"color": "black", "size": "M"}``: names and values are short texts."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        pairs = {}
        for part in value.replace(";", ",").split(","):
            if not part.strip():
                continue
            if ":" not in part and "=" not in part:
                raise ValidationError({"attributes": _("Write attributes as name: value, separated by commas.")})
            name, _sep, val = part.replace("=", ":", 1).partition(":")
            pairs[name.strip()] = val.strip()
        value = pairs
    if not isinstance(value, dict):
        raise ValidationError({"attributes": _("Attributes are pairs of name and value.")})
    clean = {}
    for name, val in value.items():
        name, val = str(name).strip(), str(val).strip() if val is not None else ""
        if not name or not val:
            raise ValidationError({"attributes": _("Every attribute needs a name and a value.")})
        if len(name) > 50 or len(val) > 100:
            raise ValidationError({"attributes": _("Attribute names and values are short (50/100 characters).")})
        clean[name] = val
    if len(clean) > 10:
        raise ValidationError({"attributes": _("At most 10 attributes per variant.")})
    return clean


def _save_variant(variant):
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError as error:
        if "idx_variants_sku" in str(error):
            raise ValidationError({"sku": _("This SKU is already used by another variant.")}) from error
        raise


@transaction.atomic
def variant_create(*, product, actor, request=None, **data):
    """A new variant; the product's stock becomes the sum of its active variants' stock."""
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, locked)
    if ProductVariant.objects.filter(product=locked, deleted_at__isnull=True).count() >= settings.PRODUCT_VARIANTS_MAX:
        raise ValidationError(_("A product has at most %(n)d variants.") % {"n": settings.PRODUCT_VARIANTS_MAX})
    variant = ProductVariant(product=locked, attributes={}, is_active=True)
    _variant_clean(variant, locked, {k: v for k, v in data.items() if k in VARIANT_FIELDS})
    _save_variant(variant)
    stock_from_variants(locked.pk)
    audit(
        actor, "product.variant_create", locked.pk, new={"variant": variant.pk, "name": variant.name}, request=request
    )
    caches_drop(locked)
    return variant


@transaction.atomic
def variant_update(*, variant, actor, request=None, **data):
    locked = Product.objects.select_for_update().get(pk=variant.product_id, deleted_at__isnull=True)
    check_owner(actor, locked)
    variant = ProductVariant.objects.get(pk=variant.pk, product=locked, deleted_at__isnull=True)
    before = {name: jsonable(getattr(variant, name)) for name in VARIANT_FIELDS}
    _variant_clean(variant, locked, {k: v for k, v in data.items() if k in VARIANT_FIELDS})
    _save_variant(variant)
    stock_from_variants(locked.pk)
    after = {name: jsonable(getattr(variant, name)) for name in VARIANT_FIELDS}
    changed = sorted(name for name in VARIANT_FIELDS if before[name] != after[name])
    if changed:
        audit(
            actor,
            "product.variant_update",
            locked.pk,
            old={"variant": variant.pk, **{n: before[n] for n in changed}},
            new={"variant": variant.pk, **{n: after[n] for n in changed}},
            request=request,
        )
    caches_drop(locked)
    return variant


@transaction.atomic
def variant_delete(*, variant, actor, request=None):
    """Soft delete; its SKU is freed. Without variants left the product keeps the last total."""
    locked = Product.objects.select_for_update().get(pk=variant.product_id, deleted_at__isnull=True)
    check_owner(actor, locked)
    variant = ProductVariant.objects.get(pk=variant.pk, product=locked, deleted_at__isnull=True)
    old = {"variant": variant.pk, "name": variant.name, "sku": variant.sku}
    variant.deleted_at = timezone.now()
    variant.sku = None
    variant.save(update_fields=["deleted_at", "sku", "updated_at"])
    if product_has_variants(locked):
        stock_from_variants(locked.pk)
    audit(actor, "product.variant_delete", locked.pk, old=old, request=request)
    caches_drop(locked)
