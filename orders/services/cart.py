"""The cart: what a buyer is about to order, before checkout.

A signed-in person has one cart (``carts.user_id``); a visitor's cart belongs to their browser
session (a random token kept in the session, ``carts.session_key``) and is merged into their own
cart when they sign in. Every change locks the cart row, so two tabs cannot race each other.

Each line remembers the unit price when it was added (``unit_price``), so the cart can tell the
buyer that a price changed since (the price is ``catalog.pricing``'s). Quantities follow the
product's min/max per order and, unless it sells without stock (``catalog.stock``), the stock.
"""

import secrets
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from catalog import pricing
from catalog import stock as stock_rules
from catalog.models import Product, ProductVariant

from ..models import Cart, CartItem

SESSION_KEY = "cart_token"
MAX_LINES = 100
MAX_QUANTITY = 10_000


# --- which cart -----------------------------------------------------------------------------------
def cart_for_user(user, *, create=True):
    cart = Cart.objects.filter(user=user).first()
    if cart is None and create:
        cart, _created = Cart.objects.get_or_create(user=user)
    return cart


def cart_for_request(request, *, create=False):
    """The cart of whoever makes the request. A visitor's cart found in the session is merged
    into the user's own cart once they are signed in (the session keeps its data at sign-in)."""
    token = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if request.user.is_authenticated:
        cart = cart_for_user(request.user, create=create or bool(token))
        if token:
            guest = Cart.objects.filter(session_key=token, user__isnull=True).first()
            if guest is not None and cart is not None:
                cart_merge(source=guest, target=cart)
            request.session.pop(SESSION_KEY, None)
        return cart
    cart = Cart.objects.filter(session_key=token, user__isnull=True).first() if token else None
    if cart is None and create:
        token = secrets.token_urlsafe(32)
        cart = Cart.objects.create(session_key=token)
        request.session[SESSION_KEY] = token
    return cart


# --- rules --------------------------------------------------------------------------------------
def unit_price(product, variant=None):
    """What one unit costs now (``catalog.pricing.current_price``)."""
    return pricing.current_price(product, variant)


def available_stock(product, variant=None):
    """Units that can be ordered now; None when unlimited (``catalog.stock.available``)."""
    return stock_rules.available(product, variant)


def quantity_problem(product, variant, quantity):
    """Why ``quantity`` of this product cannot be ordered now, or None."""
    name = product.name + (f" ({variant.name})" if variant else "")
    minimum = product.min_order_quantity or 1
    if quantity < minimum:
        return _("“%(name)s” is sold by at least %(n)d.") % {"name": name, "n": minimum}
    if product.max_order_quantity and quantity > product.max_order_quantity:
        return _("At most %(n)d of “%(name)s” per order.") % {"name": name, "n": product.max_order_quantity}
    stock = available_stock(product, variant)
    if stock is not None and quantity > stock:
        if stock == 0:
            return _("“%(name)s” is out of stock.") % {"name": name}
        return _("Only %(n)d of “%(name)s” left.") % {"name": name, "n": stock}
    return None


def _id(value):
    """A row id from the request, or None when it is not one."""
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _product_and_variant(product_id, variant_id):
    asked_variant = variant_id not in (None, "")
    product_id, variant_id = _id(product_id), _id(variant_id) if asked_variant else None
    if asked_variant and variant_id is None:
        raise ValidationError({"variant": _("This option is not available.")})
    product = Product.objects.visible().select_related("seller").filter(pk=product_id).first() if product_id else None
    if product is None:
        raise ValidationError({"product": _("This product is not on sale.")})
    live_variants = ProductVariant.objects.live().filter(product=product)
    if variant_id:
        variant = live_variants.filter(pk=variant_id).first()
        if variant is None:
            raise ValidationError({"variant": _("This option is not available.")})
        return product, variant
    if live_variants.exists():
        raise ValidationError({"variant": _("Choose an option first.")})
    return product, None


def _quantity(value):
    try:
        quantity = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"quantity": _("Enter a whole number.")}) from None
    if quantity < 0 or quantity > MAX_QUANTITY:
        raise ValidationError({"quantity": _("Enter a quantity from 1 to %(n)d.") % {"n": MAX_QUANTITY}})
    return quantity


def _locked(cart):
    return Cart.objects.select_for_update().get(pk=cart.pk)


# --- writes -------------------------------------------------------------------------------------
@transaction.atomic
def cart_add(*, cart, product_id, variant_id=None, quantity=1):
    """Put ``quantity`` more of a product (or one of its variants) in the cart; the line's price
    is the price now, kept for telling the buyer about later changes."""
    cart = _locked(cart)
    quantity = _quantity(quantity)
    if quantity < 1:
        raise ValidationError({"quantity": _("Enter a quantity from 1 to %(n)d.") % {"n": MAX_QUANTITY}})
    product, variant = _product_and_variant(product_id, variant_id)
    item = CartItem.objects.filter(cart=cart, product=product, variant=variant).first()
    total = quantity + (item.quantity if item else 0)
    if item is None:
        total = max(total, product.min_order_quantity or 1)
        if CartItem.objects.filter(cart=cart).count() >= MAX_LINES:
            raise ValidationError({"product": _("Your cart is full (%(n)d lines).") % {"n": MAX_LINES}})
    problem = quantity_problem(product, variant, total)
    if problem:
        raise ValidationError({"quantity": problem})
    if item is None:
        item = CartItem.objects.create(
            cart=cart, product=product, variant=variant, quantity=total, unit_price=unit_price(product, variant)
        )
    else:
        item.quantity = total
        item.save(update_fields=["quantity", "updated_at"])
    Cart.objects.filter(pk=cart.pk).update(updated_at=item.updated_at)
    return item


@transaction.atomic
def cart_item_set_quantity(*, cart, item_id, quantity):
    """Change a line's quantity; 0 removes it. Another cart's line does not exist here."""
    cart = _locked(cart)
    quantity = _quantity(quantity)
    item = CartItem.objects.select_related("product", "variant").filter(cart=cart, pk=item_id).first()
    if item is None:
        raise CartItem.DoesNotExist
    if quantity == 0:
        item.delete()
        return None
    problem = quantity_problem(item.product, item.variant, quantity)
    if problem:
        raise ValidationError({"quantity": problem})
    item.quantity = quantity
    item.save(update_fields=["quantity", "updated_at"])
    return item


@transaction.atomic
def cart_item_remove(*, cart, item_id):
    cart = _locked(cart)
    deleted, _rows = CartItem.objects.filter(cart=cart, pk=item_id).delete()
    if not deleted:
        raise CartItem.DoesNotExist


@transaction.atomic
def cart_clear(*, cart):
    cart = _locked(cart)
    CartItem.objects.filter(cart=cart).delete()


@transaction.atomic
def cart_merge(*, source, target):
    """Move a visitor's lines into a signed-in person's cart (quantities add up, capped by the
    product's limits and stock); the visitor's cart is then deleted. Carts are locked in id order."""
    first, second = sorted([source.pk, target.pk])
    locked = {c.pk: c for c in Cart.objects.select_for_update().filter(pk__in=[first, second]).order_by("pk")}
    if source.pk not in locked or target.pk not in locked:
        return target
    for line in CartItem.objects.filter(cart_id=source.pk).select_related("product", "variant").order_by("pk"):
        existing = CartItem.objects.filter(
            cart_id=target.pk, product_id=line.product_id, variant_id=line.variant_id
        ).first()
        total = line.quantity + (existing.quantity if existing else 0)
        stock = available_stock(line.product, line.variant)
        caps = [c for c in (stock, line.product.max_order_quantity) if c is not None]
        if caps:
            total = min(total, *caps)
        if total < 1:
            continue
        if existing:
            existing.quantity = total
            existing.save(update_fields=["quantity", "updated_at"])
        else:
            CartItem.objects.create(
                cart_id=target.pk,
                product_id=line.product_id,
                variant_id=line.variant_id,
                quantity=total,
                unit_price=line.unit_price,
            )
    Cart.objects.filter(pk=source.pk).delete()
    return target


# --- what the cart page shows -------------------------------------------------------------------
@dataclass
class CartLine:
    item: CartItem
    product: Product
    variant: ProductVariant | None
    price: Decimal  # now
    added_price: Decimal
    available: int | None
    problem: str | None

    @property
    def price_changed(self):
        return self.price != self.added_price

    @property
    def total(self):
        return self.price * self.item.quantity

    @property
    def weight(self):
        if not stock_rules.needs_delivery(self.product):
            return Decimal("0")
        return (self.product.weight or Decimal("0")) * self.item.quantity


@dataclass
class SellerGroup:
    seller: object
    lines: list = field(default_factory=list)

    @property
    def subtotal(self):
        return sum((line.total for line in self.lines), Decimal("0"))

    @property
    def weight(self):
        return sum((line.weight for line in self.lines), Decimal("0"))

    @property
    def needs_delivery(self):
        return any(stock_rules.needs_delivery(line.product) for line in self.lines)


@dataclass
class CartView:
    cart: Cart | None
    groups: list

    @property
    def lines(self):
        return [line for group in self.groups for line in group.lines]

    @property
    def count(self):
        return sum(line.item.quantity for line in self.lines)

    @property
    def subtotal(self):
        return sum((group.subtotal for group in self.groups), Decimal("0"))

    @property
    def problems(self):
        return [line.problem for line in self.lines if line.problem]

    @property
    def empty(self):
        return not self.lines


def cart_view(cart):
    """The cart's lines with today's prices and stock, grouped by seller (one order each);
    three queries whatever its size."""
    if cart is None:
        return CartView(cart=None, groups=[])
    items = list(
        CartItem.objects.filter(cart=cart)
        .select_related("product__seller", "product__category", "variant")
        .order_by("product__seller_id", "created_at", "pk")
    )
    visible = set(Product.objects.visible().filter(pk__in=[i.product_id for i in items]).values_list("pk", flat=True))
    groups = {}
    for item in items:
        product, variant = item.product, item.variant
        problem = None
        if product.pk not in visible or (variant is not None and not variant.is_live):
            problem = _("“%(name)s” is no longer on sale.") % {"name": product.name}
        else:
            problem = quantity_problem(product, variant, item.quantity)
        line = CartLine(
            item=item,
            product=product,
            variant=variant,
            price=unit_price(product, variant),
            added_price=item.unit_price,
            available=available_stock(product, variant),
            problem=problem,
        )
        groups.setdefault(product.seller_id, SellerGroup(seller=product.seller)).lines.append(line)
    return CartView(cart=cart, groups=list(groups.values()))
