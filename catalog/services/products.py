"""Products: create, change, the seller-driven lifecycle, featured, bulk actions, view counts."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import can_manage_catalog
from gogomarket.core.text import slug_of

from .. import cache as catalog_cache
from ..enums import ProductStatus
from ..models import Category, Product, ProductVariant
from .common import (
    PRICE_MAX,
    audit,
    caches_drop,
    check_owner,
    check_seller,
    jsonable,
    parse_boolean,
    parse_decimal,
    parse_integer,
)
from .stock import product_has_variants, stock_status_for

PRODUCT_FIELDS = (
    "category",
    "name",
    "slug",
    "description",
    "short_description",
    "sku",
    "barcode",
    "brand",
    "base_price",
    "sale_price",
    "cost_price",
    "tax_rate",
    "weight",
    "length",
    "width",
    "height",
    "is_digital",
    "requires_shipping",
    "stock_quantity",
    "low_stock_threshold",
    "allow_backorder",
    "min_order_quantity",
    "max_order_quantity",
    "meta_title",
    "meta_description",
    "meta_keywords",
)
OPTIONAL_TEXT = ("short_description", "sku", "barcode", "brand", "meta_title", "meta_description", "meta_keywords")

# The lifecycle a seller drives: the statuses each action starts from. out_of_stock <-> active
# follows the stock by itself; a product is deleted from any status.
TRANSITIONS = {
    "publish": {ProductStatus.DRAFT, ProductStatus.INACTIVE, ProductStatus.DISCONTINUED},
    "unpublish": {ProductStatus.ACTIVE, ProductStatus.OUT_OF_STOCK},
    "discontinue": {ProductStatus.DRAFT, ProductStatus.ACTIVE, ProductStatus.INACTIVE, ProductStatus.OUT_OF_STOCK},
    "delete": set(ProductStatus),
}


@dataclass(frozen=True)
class ProductAction:
    """How the seller center offers an action of ``TRANSITIONS``: the button and what is said
    once it is done (``confirm``: asked first)."""

    label: object
    done: object
    style: str = "outline-secondary"
    confirm: object = None


ACTIONS = {
    "publish": ProductAction(gettext_lazy("Publish"), gettext_lazy("The product is on sale."), "success"),
    "unpublish": ProductAction(gettext_lazy("Unpublish"), gettext_lazy("The product is off sale.")),
    "discontinue": ProductAction(
        gettext_lazy("Discontinue"), gettext_lazy("The product is discontinued."), "outline-dark"
    ),
    "delete": ProductAction(
        gettext_lazy("Delete"),
        gettext_lazy("The product is deleted."),
        "outline-danger",
        confirm=gettext_lazy("Delete this product?"),
    ),
}


def product_next_actions(product):
    """The actions ``product``'s seller may take now, as (name, ProductAction), in table order
    (like an order's ``next_steps``): the seller center shows these and no others."""
    if product.deleted_at is not None:
        return []
    return [(name, ACTIONS[name]) for name, sources in TRANSITIONS.items() if product.status in sources]


def category_for_products(category):
    """``category`` (an id or a Category) if products may go there: live and a leaf."""
    category_id = category.pk if isinstance(category, Category) else category
    if category_id in (None, ""):
        raise ValidationError({"category": _("Choose a category.")})
    found = Category.objects.filter(pk=category_id, is_active=True, deleted_at__isnull=True).first()
    if found is None:
        raise ValidationError({"category": _("Choose a category from the list.")})
    if Category.objects.filter(parent=found, is_active=True, deleted_at__isnull=True).exists():
        raise ValidationError({"category": _("Choose the most specific category (one without subcategories).")})
    return found


def _product_clean(product, data):
    """Copy ``data`` onto ``product`` and check every field rule; raises one ValidationError
    with all field messages."""
    errors = {}

    def fail(name, message):
        errors.setdefault(name, []).append(message)

    for name in PRODUCT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        try:
            if name == "category":
                product.category = category_for_products(value)
                continue
            if name in ("base_price", "sale_price", "cost_price", "tax_rate", "weight", "length", "width", "height"):
                value = parse_decimal(value, name)
            elif name in ("stock_quantity", "low_stock_threshold", "min_order_quantity", "max_order_quantity"):
                value = parse_integer(value, name)
            elif name in ("is_digital", "requires_shipping", "allow_backorder"):
                value = parse_boolean(value)
            elif isinstance(value, str):
                value = value.strip()
                if name in OPTIONAL_TEXT or name == "slug":
                    value = value or None
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    fail(field_name, message)
            continue
        setattr(product, name, value)

    if not (product.name or "").strip():
        fail("name", _("Give the product a name."))
    elif len(product.name) > 255:
        fail("name", _("At most %(n)d characters.") % {"n": 255})
    if not (product.description or "").strip():
        fail("description", _("Describe the product."))
    if product.short_description and len(product.short_description) > 500:
        fail("short_description", _("At most %(n)d characters.") % {"n": 500})
    for name, limit in (("sku", 100), ("barcode", 100), ("brand", 100), ("meta_title", 255), ("slug", 255)):
        value = getattr(product, name)
        if value and len(value) > limit:
            fail(name, _("At most %(n)d characters.") % {"n": limit})
    if product.sku and (not product.sku.isprintable() or " " in product.sku):
        fail("sku", _("A SKU has no spaces."))
    if product.slug is not None and product.slug != slug_of(product.slug):
        fail("slug", _("Use lowercase Latin letters, digits and hyphens only."))
    if product.category_id is None and "category" not in errors:
        fail("category", _("Choose a category."))

    if "base_price" in errors:
        pass  # not a number: one message is enough
    elif product.base_price is None:
        fail("base_price", _("Set a price."))
    elif not Decimal("0") < product.base_price <= PRICE_MAX:
        fail("base_price", _("The price must be more than 0."))
    if product.sale_price is not None:
        if product.sale_price <= 0:
            fail("sale_price", _("The sale price must be more than 0."))
        elif product.base_price is not None and product.sale_price >= product.base_price:
            fail("sale_price", _("The sale price must be lower than the price."))
    if product.cost_price is not None and not Decimal("0") <= product.cost_price <= PRICE_MAX:
        fail("cost_price", _("The cost must be 0 or more."))
    if product.tax_rate is None:
        product.tax_rate = Decimal("0")
    if not Decimal("0") <= product.tax_rate <= Decimal("100"):
        fail("tax_rate", _("The tax rate is a percentage from 0 to 100."))
    for name in ("weight", "length", "width", "height"):
        value = getattr(product, name)
        if value is not None and not Decimal("0") <= value < Decimal("10000000"):
            fail(name, _("Must be 0 or more."))
    for name, places in (("base_price", 2), ("sale_price", 2), ("cost_price", 2), ("tax_rate", 2), ("weight", 3),
                         ("length", 2), ("width", 2), ("height", 2)):  # fmt: skip
        value = getattr(product, name)
        if isinstance(value, Decimal) and value.as_tuple().exponent < -places:
            fail(name, _("At most %(n)d decimal places.") % {"n": places})

    if product.stock_quantity is None:
        product.stock_quantity = 0
    if product.stock_quantity < 0:
        fail("stock_quantity", _("Stock cannot be negative."))
    if product.low_stock_threshold is not None and product.low_stock_threshold < 0:
        fail("low_stock_threshold", _("Must be 0 or more."))
    if product.min_order_quantity is None:
        product.min_order_quantity = 1
    if product.min_order_quantity < 1:
        fail("min_order_quantity", _("At least 1."))
    if product.max_order_quantity is not None and product.max_order_quantity < (product.min_order_quantity or 1):
        fail("max_order_quantity", _("Must not be less than the minimum order quantity."))
    if product.is_digital:
        product.requires_shipping = False
    for name in ("stock_quantity", "low_stock_threshold", "min_order_quantity", "max_order_quantity"):
        value = getattr(product, name)
        if value is not None and value > 2_147_483_647:
            fail(name, _("That number is too large."))

    if product.sku and "sku" not in errors:
        taken = Product.objects.filter(sku=product.sku).exclude(pk=product.pk)
        if taken.exists():
            fail("sku", _("This SKU is already used by another product."))
    if errors:
        raise ValidationError(errors)


def product_validate(*, product, data):
    """Check ``data`` against the product rules without saving (the admin form shows the
    messages on its fields before ``product_update`` / ``product_create`` run)."""
    _product_clean(product, {name: value for name, value in data.items() if name in PRODUCT_FIELDS})


def _unique_slug(base, exclude_id=None):
    base = (base or "product")[:240].strip("-") or "product"
    slug, n = base, 1
    while Product.objects.filter(slug=slug).exclude(pk=exclude_id).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _save(product, **kwargs):
    try:
        with transaction.atomic():
            product.save(**kwargs)
    except IntegrityError as error:  # a concurrent writer took the SKU or slug in between
        text = str(error)
        if "idx_products_sku" in text:
            raise ValidationError({"sku": _("This SKU is already used by another product.")}) from error
        if "idx_products_slug" in text:
            raise ValidationError({"slug": _("This web address is already taken.")}) from error
        raise


@transaction.atomic
def product_create(*, seller, actor=None, request=None, **data):
    """A new product of ``seller``, as a draft (``publish`` puts it on sale)."""
    actor = actor or seller
    check_seller(seller)
    if actor.pk != seller.pk and not can_manage_catalog(actor):
        raise PermissionDenied(_("You can only add products to your own shop."))
    product = Product(seller=seller, status=ProductStatus.DRAFT, currency=settings.CURRENCY)
    _product_clean(product, {name: value for name, value in data.items() if name in PRODUCT_FIELDS})
    product.slug = _unique_slug(product.slug or slug_of(product.name)) if not product.slug else product.slug
    if Product.objects.filter(slug=product.slug).exists():
        raise ValidationError({"slug": _("This web address is already taken.")})
    _save(product)
    audit(actor, "product.create", product.pk, new={"name": product.name, "sku": product.sku}, request=request)
    caches_drop(product, slugs=[product.slug])
    return product


@transaction.atomic
def product_update(*, product, actor, request=None, **data):
    """Change a product's fields. Stock reaching 0 without backorder makes a selling product
    out_of_stock, and back."""
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, product)
    before = {
        name: jsonable(getattr(product, "category_id" if name == "category" else name)) for name in PRODUCT_FIELDS
    }
    old_category_id, old_slug = product.category_id, product.slug
    data = {name: value for name, value in data.items() if name in PRODUCT_FIELDS}
    if product_has_variants(product) and "stock_quantity" in data:
        data.pop("stock_quantity")  # the variants' stock adds up to the product's
    _product_clean(product, data)
    if not product.slug:
        product.slug = _unique_slug(slug_of(product.name), exclude_id=product.pk)
    product.status = stock_status_for(product)
    after = {name: jsonable(getattr(product, "category_id" if name == "category" else name)) for name in PRODUCT_FIELDS}
    changes = {name for name in PRODUCT_FIELDS if before[name] != after[name]}
    _save(product)
    if changes:
        audit(
            actor,
            "product.update",
            product.pk,
            old={name: before[name] for name in sorted(changes)},
            new={name: after[name] for name in sorted(changes)},
            request=request,
        )
    caches_drop(
        product, old_category_id=old_category_id, slugs=[old_slug, product.slug] if old_slug != product.slug else ()
    )
    return product


def _transition(product, action, actor, request):
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, product)
    if product.status not in TRANSITIONS[action]:
        raise ValidationError(
            _("A product that is %(status)s cannot be %(action)s.")
            % {"status": ProductStatus(product.status).label.lower(), "action": _ACTION_WORDS[action]()}
        )
    return product


_ACTION_WORDS = {
    "publish": lambda: _("published"),
    "unpublish": lambda: _("unpublished"),
    "discontinue": lambda: _("discontinued"),
}


@transaction.atomic
def product_publish(*, product, actor, request=None):
    """Put a product on sale. ``published_at`` is set the first time only; with no stock and no
    backorder it goes straight to out_of_stock."""
    product = _transition(product, "publish", actor, request)
    problems = []
    if not Category.objects.filter(pk=product.category_id, is_active=True, deleted_at__isnull=True).exists():
        problems.append(_("its category is no longer available"))
    if not (product.description or "").strip():
        problems.append(_("it has no description"))
    if problems:
        raise ValidationError(_("This product cannot be published: %(why)s.") % {"why": "; ".join(problems)})
    old = product.status
    product.status = ProductStatus.ACTIVE
    product.status = stock_status_for(product)
    if product.published_at is None:
        product.published_at = timezone.now()
    _save(product)
    audit(actor, "product.publish", product.pk, old={"status": old}, new={"status": product.status}, request=request)
    caches_drop(product)
    return product


@transaction.atomic
def product_unpublish(*, product, actor, request=None):
    """Take a product off sale (inactive); it can be published again."""
    product = _transition(product, "unpublish", actor, request)
    old = product.status
    product.status = ProductStatus.INACTIVE
    _save(product)
    audit(actor, "product.unpublish", product.pk, old={"status": old}, new={"status": product.status}, request=request)
    caches_drop(product)
    return product


@transaction.atomic
def product_discontinue(*, product, actor, request=None):
    """The seller will not sell it any more; it leaves the storefront."""
    product = _transition(product, "discontinue", actor, request)
    old = product.status
    product.status = ProductStatus.DISCONTINUED
    _save(product)
    audit(
        actor, "product.discontinue", product.pk, old={"status": old}, new={"status": product.status}, request=request
    )
    caches_drop(product)
    return product


@transaction.atomic
def product_delete(*, product, actor, request=None):
    """Soft delete: the product is gone from every page (the seller's included). Its SKU is
    freed for reuse (kept in the audit row); orders keep their own snapshot of it."""
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, product)
    old = {"status": product.status, "sku": product.sku}
    product.deleted_at = timezone.now()
    product.sku = None
    _save(product)
    ProductVariant.objects.filter(product=product, deleted_at__isnull=True).update(
        deleted_at=product.deleted_at, sku=None, updated_at=product.deleted_at
    )
    audit(actor, "product.delete", product.pk, old=old, request=request)
    caches_drop(product)
    return product


@transaction.atomic
def product_set_featured(*, product, actor, featured, request=None):
    """The catalog staff (``can_manage_catalog``) choose what the home page features."""
    if not can_manage_catalog(actor):
        raise PermissionDenied(_("Only staff choose featured products."))
    product = Product.objects.select_for_update().get(pk=product.pk)
    if bool(product.is_featured) == bool(featured):
        return product
    product.is_featured = bool(featured)
    product.save(update_fields=["is_featured", "updated_at"])
    audit(actor, "product.feature" if featured else "product.unfeature", product.pk, request=request)
    caches_drop(product)
    return product


BULK_ACTIONS = {
    "publish": product_publish,
    "unpublish": product_unpublish,
    "discontinue": product_discontinue,
    "delete": product_delete,
}


def products_bulk_action(*, seller, product_ids, action, request=None):
    """Apply ``action`` to several of ``seller``'s products. Each product is its own change
    (one refused product does not undo the others); returns (done, [(product, message)])."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose an action.")})
    products = list(
        Product.objects.filter(seller=seller, deleted_at__isnull=True, pk__in=list(product_ids)).order_by("pk")
    )
    done, refused = [], []
    for product in products:
        try:
            BULK_ACTIONS[action](product=product, actor=seller, request=request)
        except ValidationError as error:
            refused.append((product, " ".join(error.messages)))
        else:
            done.append(product)
    return done, refused


def product_view_record(product_id):
    """Count one view of a product page (in Redis; written to the row once a minute)."""
    catalog_cache.view_record(product_id)


def view_counts_flush():
    return catalog_cache.views_flush()
