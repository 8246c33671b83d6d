"""Stock of products and variants: set by sellers, moved by orders (checkout takes, cancellation
gives back), and the active <-> out_of_stock status that follows it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import cache as catalog_cache
from ..enums import ProductStatus
from ..models import Product, ProductVariant
from .common import SELLING, audit, caches_drop, check_owner, parse_integer


def stock_status_for(product):
    """The status the stock implies for a selling product (active <-> out_of_stock)."""
    if product.status not in SELLING:
        return product.status
    if (product.stock_quantity or 0) <= 0 and not product.allow_backorder and product.requires_shipping is not False:
        return ProductStatus.OUT_OF_STOCK
    return ProductStatus.ACTIVE


def product_has_variants(product):
    return ProductVariant.objects.filter(product_id=product.pk, deleted_at__isnull=True).exists()


def stock_from_variants(product_id):
    """With live variants, the product's stock is the sum of its active variants' stock."""
    total = (
        ProductVariant.objects.filter(product_id=product_id, deleted_at__isnull=True, is_active=True).aggregate(
            total=Sum("stock_quantity")
        )["total"]
        or 0
    )
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
    return product


def products_stock_status_refresh(product_ids):
    """After stock moved by SQL elsewhere (checkout, cancellation): put selling products into
    out_of_stock or back to active to match. Call inside the transaction that moved the stock."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    sold_out = Q(stock_quantity__lte=0, allow_backorder=False) & ~Q(requires_shipping=False)
    Product.objects.filter(pk__in=ids, status=ProductStatus.ACTIVE).filter(sold_out).update(
        status=ProductStatus.OUT_OF_STOCK, updated_at=timezone.now()
    )
    Product.objects.filter(pk__in=ids, status=ProductStatus.OUT_OF_STOCK).exclude(sold_out).update(
        status=ProductStatus.ACTIVE, updated_at=timezone.now()
    )
    rows = list(Product.objects.filter(pk__in=ids).values_list("pk", "category_id", "seller_id", "is_featured"))
    catalog_cache.product_changed(
        product_ids=[row[0] for row in rows],
        category_ids=[row[1] for row in rows],
        seller_ids=[row[2] for row in rows],
        featured=any(row[3] for row in rows),  # the home page shows featured products' stock
    )
