"""Stock of products and variants: set by sellers, moved by orders, and the active <-> out_of_stock
status that follows it. Catalog owns these rows: checkout takes stock with ``stock_take`` and a
cancellation gives it back with ``stock_return`` (the shape of Saleor's
``warehouse/management.py``); orders never write them. What counts stock at all is
``catalog.stock``."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import cache as catalog_cache
from .. import hooks
from .. import stock as stock_rules
from ..enums import ProductStatus
from ..models import Product, ProductVariant
from .common import SELLING, audit, caches_drop, check_owner, parse_integer


def stock_status_for(product):
    """The status the stock implies for a selling product (active <-> out_of_stock)."""
    if product.status not in SELLING:
        return product.status
    return ProductStatus.ACTIVE if stock_rules.in_stock(product) else ProductStatus.OUT_OF_STOCK


def product_has_variants(product):
    return ProductVariant.objects.filter(product_id=product.pk, deleted_at__isnull=True).exists()


def stock_from_variants(product_id):
    """With live variants, the product's stock is the sum of its active variants' stock."""
    total = ProductVariant.objects.live().filter(product_id=product_id).aggregate(total=Sum("stock_quantity"))
    total = total["total"] or 0
    product = Product.objects.get(pk=product_id)
    if product.stock_quantity != total or product.status != stock_status_for(product):
        product.stock_quantity = total
        product.status = stock_status_for(product)
        product.save(update_fields=["stock_quantity", "status", "updated_at"])
    return product


@transaction.atomic
def product_stock_set(*, product, actor, quantity, request=None):
    """Set a product's stock (products without variants; a variant's stock is set on it)."""
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, product)
    if product_has_variants(product):
        raise ValidationError({"stock_quantity": _("This product has variants: set the stock of each variant.")})
    quantity = parse_integer(quantity, "stock_quantity")
    if quantity is None or quantity < 0:
        raise ValidationError({"stock_quantity": _("Stock cannot be negative.")})
    old = product.stock_quantity
    product.stock_quantity = quantity
    product.status = stock_status_for(product)
    product.save(update_fields=["stock_quantity", "status", "updated_at"])
    audit(actor, "product.stock", product.pk, old={"stock_quantity": old}, new={"stock_quantity": quantity})
    caches_drop(product)
    if _went_low(product, old, quantity):
        hooks.stock_low.fire(product_ids=[product.pk])
    return product


def _went_low(product, before, after):
    """Did this move take the product's stock to or below its alert level (from above it)? Once
    per move down, not on every sale below the line."""
    if not stock_rules.counts_stock(product):
        return False
    threshold = (
        product.low_stock_threshold if product.low_stock_threshold is not None else stock_rules.LOW_STOCK_DEFAULT
    )
    return (before or 0) > threshold >= (after or 0)


def products_stock_status_refresh(product_ids):
    """After stock moved (``stock_take``, ``stock_return``, SQL elsewhere): put selling products
    into out_of_stock or back to active to match. Call inside the transaction that moved it."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    in_stock = stock_rules.in_stock_q()
    Product.objects.filter(pk__in=ids, status=ProductStatus.ACTIVE).exclude(in_stock).update(
        status=ProductStatus.OUT_OF_STOCK, updated_at=timezone.now()
    )
    Product.objects.filter(pk__in=ids, status=ProductStatus.OUT_OF_STOCK).filter(in_stock).update(
        status=ProductStatus.ACTIVE, updated_at=timezone.now()
    )
    rows = list(Product.objects.filter(pk__in=ids).values_list("pk", "category_id", "seller_id", "is_featured"))
    catalog_cache.product_changed(
        product_ids=[row[0] for row in rows],
        category_ids=[row[1] for row in rows],
        seller_ids=[row[2] for row in rows],
        featured=any(row[3] for row in rows),  # the home page shows featured products' stock
    )
    hooks.product_changed.fire(product_ids=[row[0] for row in rows])


# --- moved by orders ------------------------------------------------------------------------------
@dataclass
class Shortage:
    """A line ``stock_take`` cannot serve: ``wanted`` units, ``available`` left."""

    product: Product
    variant: ProductVariant | None
    wanted: int
    available: int


@dataclass
class StockTake:
    """What ``stock_take`` locked (``products``/``variants`` by id, for the caller to read under
    the same locks), and the lines it could not serve (then nothing was taken)."""

    products: dict
    variants: dict
    shortages: list = field(default_factory=list)

    @property
    def taken(self):
        return not self.shortages


def _summed(lines):
    """{(product_id, variant_id): quantity}, lines of the same item added up."""
    wanted = {}
    for product_id, variant_id, quantity in lines:
        wanted[(product_id, variant_id or None)] = wanted.get((product_id, variant_id or None), 0) + quantity
    return wanted


def stock_lock(lines):
    """Lock the rows of ``lines`` ((product_id, variant_id or None, quantity), ...) for the rest of
    the caller's transaction, always in the same order: products by id, then variants by id, so
    that two orders of the same items in any order cannot deadlock. Returns ({id: product},
    {id: variant}) as read under the locks (rows that are gone are missing). Checkout locks
    first, judges the lines on these rows, then takes with ``stock_take``."""
    product_ids = sorted({product_id for product_id, _variant_id, _quantity in lines})
    variant_ids = sorted({variant_id for _product_id, variant_id, _quantity in lines if variant_id})
    products = {p.pk: p for p in Product.objects.select_for_update().filter(pk__in=product_ids).order_by("pk")}
    variants = {v.pk: v for v in ProductVariant.objects.select_for_update().filter(pk__in=variant_ids).order_by("pk")}
    return products, variants


def _in_order(wanted):
    return sorted(wanted.items(), key=lambda kv: (kv[0][0], kv[0][1] or 0))


@transaction.atomic
def stock_take(lines):
    """Take ``lines`` ((product_id, variant_id or None, quantity), ...) out of stock, for an order.

    Guarantees: the rows are locked as ``stock_lock`` locks them; every line is checked
    under the lock against ``catalog.stock.available``; when one cannot be served nothing is
    written and it is listed in ``shortages``; otherwise a variant's stock and its product's total
    go down together, never below 0 unless the product takes backorders (then below 0 are the
    units owed), and what counts no stock (digital, not delivered) is not touched. The statuses
    follow (``products_stock_status_refresh``). Lines whose product or variant row is gone are
    left out of both (the caller finds them missing in ``products`` / ``variants``). Called inside
    the caller's transaction (checkout's), whose locks are then held until it ends."""
    lines = list(lines)
    wanted = _summed(lines)
    products, variants = stock_lock(lines)
    taking, shortages = [], []
    for (product_id, variant_id), quantity in _in_order(wanted):
        product, variant = products.get(product_id), variants.get(variant_id)
        if product is None or (variant_id and variant is None):
            continue
        limit = stock_rules.available(product, variant)
        if limit is not None and quantity > limit:
            shortages.append(Shortage(product=product, variant=variant, wanted=quantity, available=limit))
        elif stock_rules.counts_stock(product):
            taking.append((product, variant_id, quantity))
    if shortages:
        return StockTake(products=products, variants=variants, shortages=shortages)
    now = timezone.now()
    taken = {}
    for product, _variant_id, quantity in taking:
        taken[product.pk] = taken.get(product.pk, 0) + quantity
    for product, variant_id, quantity in taking:
        left = F("stock_quantity") - quantity
        left = left if product.allow_backorder else Greatest(left, Value(0))
        if variant_id:
            ProductVariant.objects.filter(pk=variant_id).update(stock_quantity=left, updated_at=now)
        Product.objects.filter(pk=product.pk).update(stock_quantity=left, updated_at=now)
    products_stock_status_refresh(list(products))
    low = [pk for pk, quantity in taken.items() if _went_low(products[pk], products[pk].stock_quantity,
                                                              products[pk].stock_quantity - quantity)]  # fmt: skip
    if low:
        hooks.stock_low.fire(product_ids=sorted(low))
    return StockTake(products=products, variants=variants)


@transaction.atomic
def stock_return(lines):
    """Give ``lines`` ((product_id, variant_id or None, quantity), ...) back to stock, for a
    cancelled order: exactly the units, to the variant and its product together (a backorder's
    units owed are paid back first), rows locked in the same order as ``stock_take``. What counts
    no stock gets nothing back (it had nothing taken). Statuses follow. Called inside the
    caller's transaction (the cancellation's)."""
    lines = list(lines)
    wanted = _summed(lines)
    products, _variants = stock_lock(lines)
    now = timezone.now()
    for (product_id, variant_id), quantity in _in_order(wanted):
        product = products.get(product_id)
        if product is None or not stock_rules.counts_stock(product):
            continue
        if variant_id:
            ProductVariant.objects.filter(pk=variant_id).update(
                stock_quantity=F("stock_quantity") + quantity, updated_at=now
            )
        Product.objects.filter(pk=product_id).update(stock_quantity=F("stock_quantity") + quantity, updated_at=now)
    products_stock_status_refresh(list(products))
