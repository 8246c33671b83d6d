"""Product attributes (name/value rows shown on the product page)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..models import Product, ProductAttribute
from .common import audit, caches_drop, check_owner


def _attribute_clean(name, value):
    name, value = (name or "").strip(), (value or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give the attribute a name, e.g. “Material”.")]
    elif len(name) > 100:
        errors["name"] = [_("At most %(n)d characters.") % {"n": 100}]
    if not value:
        errors["value"] = [_("Give the attribute a value.")]
    elif len(value) > 1000:
        errors["value"] = [_("At most %(n)d characters.") % {"n": 1000}]
    if errors:
        raise ValidationError(errors)
    return name, value


@transaction.atomic
def attribute_create(*, product, actor, name, value, request=None):
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, locked)
    name, value = _attribute_clean(name, value)
    if ProductAttribute.objects.filter(product=locked).count() >= settings.PRODUCT_ATTRIBUTES_MAX:
        raise ValidationError(_("A product has at most %(n)d attributes.") % {"n": settings.PRODUCT_ATTRIBUTES_MAX})
    last = ProductAttribute.objects.filter(product=locked).aggregate(m=Max("sort_order"))["m"]
    attribute = ProductAttribute.objects.create(
        product=locked, name=name, value=value, sort_order=0 if last is None else last + 1
    )
    audit(actor, "product.attribute_create", locked.pk, new={"name": name, "value": value}, request=request)
    caches_drop(locked)
    return attribute


@transaction.atomic
def attribute_update(*, attribute, actor, name, value, request=None):
    locked = Product.objects.select_for_update().get(pk=attribute.product_id, deleted_at__isnull=True)
    check_owner(actor, locked)
    attribute = ProductAttribute.objects.get(pk=attribute.pk, product=locked)
    name, value = _attribute_clean(name, value)
    old = {"name": attribute.name, "value": attribute.value}
    attribute.name, attribute.value = name, value
    attribute.save(update_fields=["name", "value"])
    audit(actor, "product.attribute_update", locked.pk, old=old, new={"name": name, "value": value}, request=request)
    caches_drop(locked)
    return attribute


@transaction.atomic
def attribute_delete(*, attribute, actor, request=None):
    locked = Product.objects.select_for_update().get(pk=attribute.product_id, deleted_at__isnull=True)
    check_owner(actor, locked)
    attribute = ProductAttribute.objects.get(pk=attribute.pk, product=locked)
    old = {"name": attribute.name, "value": attribute.value}
    attribute.delete()
    audit(actor, "product.attribute_delete", locked.pk, old=old, request=request)
    caches_drop(locked)


@transaction.atomic
def attribute_move(*, attribute, actor, offset, request=None):
    """Move an attribute ``offset`` places in the product's list."""
    locked = Product.objects.select_for_update().get(pk=attribute.product_id, deleted_at__isnull=True)
    check_owner(actor, locked)
    order = list(
        ProductAttribute.objects.filter(product=locked).order_by("sort_order", "id").values_list("pk", flat=True)
    )
    i = order.index(attribute.pk)
    j = max(0, min(len(order) - 1, i + offset))
    if i == j:
        return  # already first or last: nothing changes, nothing to record
    old_order = list(order)
    order.insert(j, order.pop(i))
    for position, pk in enumerate(order):
        ProductAttribute.objects.filter(pk=pk).exclude(sort_order=position).update(sort_order=position)
    audit(actor, "product.attribute_move", locked.pk, old={"order": old_order}, new={"order": order}, request=request)
    caches_drop(locked)
