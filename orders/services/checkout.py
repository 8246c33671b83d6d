"""Checkout: a cart becomes one order per seller, all or none.

``checkout_place`` guarantees, in one transaction:

* the stock is taken by catalog's ``stock_take``: rows locked in a fixed order (products by id,
  then variants by id), so concurrent checkouts of the same items in any order cannot deadlock;
  checked under the lock and decremented in the same transaction (a variant's stock and its
  product's total together), never below zero unless backorders; a line that cannot be served
  refuses the whole checkout with a message naming the item, and nothing is written;
* each order line is a snapshot (name, variant, SKU, attributes, unit price, tax, discount);
* delivery is priced per seller (``delivery.services``); an address no zone covers is refused;
* the payment method's handler starts payment for all the orders (``orders.payments``);
* a repeated request with the same idempotency key returns the first orders and places nothing.

Prices include VAT: ``tax_amount`` is the VAT contained in a line (rate / (100 + rate)), and
``total_amount = subtotal - discount_amount + shipping_cost``. The platform commission
(``commission_rate_percent``, or its category override: ``finance.services.earnings``, reached
through ``orders.commission``) is recorded on the order from the items' subtotal. After commit,
``orders.hooks.order_placed`` announces the new orders.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import UserAddress
from catalog.models import Product
from catalog.services import stock_lock, stock_take
from delivery.services import DeliveryUnavailable, quote_for, zone_for_address
from gogomarket.core.money import format_uzs, money
from gogomarket.core.services import audit_log_write, idempotent, setting_get

from .. import hooks, texts
from ..commission import commission_quote
from ..enums import OrderStatus, PaymentStatus
from ..models import Cart, CartItem, Order, OrderItem, OrderStatusHistory
from ..payments import handler_for
from .cart import cart_view, quantity_problem, unit_price

ZERO = Decimal("0")


def order_number_next():
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('order_number_seq')")
        (number,) = cursor.fetchone()
    return f"GM{timezone.localdate():%y%m%d}-{number}"


def _vat_inside(amount, rate):
    rate = rate or ZERO
    if rate <= 0:
        return ZERO
    return money(amount * rate / (Decimal("100") + rate))


# --- what checkout will do (no writes) ----------------------------------------------------------
@dataclass
class SellerPlan:
    seller: object
    lines: list
    subtotal: Decimal
    weight: Decimal
    quote: object = None
    offered: list = field(default_factory=list)
    problem: str | None = None

    @property
    def shipping(self):
        return self.quote.cost if self.quote else ZERO

    @property
    def total(self):
        return self.subtotal + self.shipping


@dataclass
class CheckoutPlan:
    address: UserAddress | None
    zone: object
    sellers: list
    problems: list
    # The address itself needs fixing (also listed in problems): the API names the field "address".
    address_problem: str | None = None

    @property
    def needs_pin(self):
        """The address has no map pin: its edit page (the map) fixes that."""
        return self.address is not None and not self.address.has_pin

    @property
    def subtotal(self):
        return sum((plan.subtotal for plan in self.sellers), ZERO)

    @property
    def shipping(self):
        return sum((plan.shipping for plan in self.sellers), ZERO)

    @property
    def total(self):
        return self.subtotal + self.shipping

    @property
    def ok(self):
        return not self.problems and all(plan.problem is None for plan in self.sellers)


def buyer_address(buyer, address_id):
    """One of the buyer's live addresses, or ValidationError (someone else's address is not one;
    neither is an id that is not a number, as a form or API client may send)."""
    address_id = str(address_id).strip() if address_id is not None else ""
    address = (
        UserAddress.objects.filter(pk=int(address_id), user=buyer, deleted_at__isnull=True).first()
        if address_id.isascii() and address_id.isdigit()
        else None
    )
    if address is None:
        raise ValidationError({"address": _("Choose one of your delivery addresses.")})
    return address


def checkout_plan(*, buyer, cart, address, tariffs=None):
    """Orders, delivery options and costs the cart would give, with every problem found; writes
    nothing. ``tariffs``: {seller_id: tariff_id} the buyer chose (default: the cheapest)."""
    tariffs = tariffs or {}
    view = cart_view(cart)
    problems = list(view.problems)
    if view.empty:
        problems.append(_("Your cart is empty."))
    zone = None
    address_problem = None
    if address is not None:
        if not address.has_pin:
            address_problem = _("Mark the address on the map so that we can find it.")
            problems.append(address_problem)
        else:
            zone = zone_for_address(address)
            if zone is None:
                problems.append(_("We do not deliver there yet."))
    minimum = Decimal(str(setting_get("min_order_amount", ZERO)))
    if not view.empty and view.subtotal < minimum:
        problems.append(_("The smallest order is %(amount)s.") % {"amount": format_uzs(minimum)})
    sellers = []
    for group in view.groups:
        plan = SellerPlan(seller=group.seller, lines=group.lines, subtotal=group.subtotal, weight=group.weight)
        if zone is not None and group.needs_delivery:
            try:
                plan.quote, plan.offered = quote_for(
                    address=address,
                    zone=zone,
                    seller_id=group.seller.pk,
                    subtotal=group.subtotal,
                    weight=group.weight,
                    tariff_id=tariffs.get(group.seller.pk) or tariffs.get(str(group.seller.pk)),
                )
            except DeliveryUnavailable as error:
                plan.problem = error.message
        sellers.append(plan)
    return CheckoutPlan(address=address, zone=zone, sellers=sellers, problems=problems, address_problem=address_problem)


# --- placing ------------------------------------------------------------------------------------
def checkout_place(*, buyer, address_id, payment_method, tariffs=None, notes="", idempotency_key="", request=None):
    """Place the buyer's cart: one order per seller, all or none. Returns (orders, replayed,
    payment start). See the module docstring for what is guaranteed."""
    tariffs = {str(k): str(v) for k, v in (tariffs or {}).items() if v}
    payload = {"address": str(address_id), "payment_method": payment_method, "tariffs": tariffs, "notes": notes or ""}
    state = {}

    def run():
        orders, start = _place(
            buyer=buyer, address_id=address_id, payment_method=payment_method, tariffs=tariffs, notes=notes,
            request=request,
        )  # fmt: skip
        state["start"] = start
        return {"orders": [order.pk for order in orders], "redirect_url": start.redirect_url}

    answer, replayed = idempotent(user=buyer, scope="checkout", key=idempotency_key, payload=payload, run=run)
    orders = list(Order.objects.filter(pk__in=answer["orders"]).order_by("pk"))
    return orders, replayed, answer.get("redirect_url")


def _place(*, buyer, address_id, payment_method, tariffs, notes, request):
    handler = handler_for(payment_method)
    address = buyer_address(buyer, address_id)
    cart = Cart.objects.select_for_update().filter(user=buyer).first()
    if cart is None or not CartItem.objects.filter(cart=cart).exists():
        raise ValidationError({"cart": _("Your cart is empty.")})
    items = list(CartItem.objects.filter(cart=cart).order_by("pk"))

    # The plan (prices, zone, delivery quotes, and a first look at the stock) is read before the
    # stock rows are locked, so that the locks are held only for the short check-and-write below,
    # and a cart that cannot be served (sold out, no zone...) is refused without queueing for them.
    # A choice for a seller id that is not a number cannot be any seller's: ignored, not a crash.
    chosen = {int(k): v for k, v in tariffs.items() if k.isascii() and k.isdigit()}
    plan = checkout_plan(buyer=buyer, cart=cart, address=address, tariffs=chosen)
    problems = [p for p in plan.problems if p != plan.address_problem] + [p.problem for p in plan.sellers if p.problem]
    errors = {"address": [plan.address_problem]} if plan.address_problem else {}
    if problems:
        errors["cart"] = list(dict.fromkeys(problems))
    if errors:
        raise ValidationError(errors)

    # Lock what the orders take (catalog's lock order: products by id, then variants by id); the
    # stock itself is taken by catalog's stock_take once the orders are written.
    lines = [(item.product_id, item.variant_id, item.quantity) for item in items]
    products, variants = stock_lock(lines)
    product_ids = sorted({item.product_id for item in items})
    variant_ids = sorted({item.variant_id for item in items if item.variant_id})
    if len(products) != len(product_ids) or len(variants) != len(variant_ids):  # deleted since the plan
        raise ValidationError({"cart": _("Something in your cart is no longer on sale. Review your cart.")})

    # A price that changed between the plan and the lock (rare) is planned again on the locked
    # rows, so that totals, free delivery and the payment check all use the prices charged.
    if any(
        unit_price(products[line.product.pk], variants.get(line.variant.pk) if line.variant else None) != line.price
        for seller_plan in plan.sellers
        for line in seller_plan.lines
    ):
        plan = checkout_plan(buyer=buyer, cart=cart, address=address, tariffs=chosen)
        problems = list(plan.problems) + [p.problem for p in plan.sellers if p.problem]

    # The lines are judged again on the locked rows (the plan read them before the lock was ours):
    # still visible (Product.objects.visible(), the seller included), within the limits per order
    # and the stock (catalog.stock's rule, which stock_take applies again below).
    wanted = {}
    for item in items:
        key = (item.product_id, item.variant_id)
        wanted[key] = wanted.get(key, 0) + item.quantity
    visible = set(Product.objects.visible().filter(pk__in=product_ids).values_list("pk", flat=True))
    for (product_id, variant_id), quantity in wanted.items():
        product, variant = products[product_id], variants.get(variant_id)
        if product_id not in visible:
            problems.append(_("“%(name)s” is no longer on sale.") % {"name": product.name})
            continue
        problem = quantity_problem(product, variant, quantity)
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationError({"cart": list(dict.fromkeys(problems))})
    handler.check(buyer=buyer, total=plan.total)

    orders = []
    for seller_plan in sorted(plan.sellers, key=lambda p: p.seller.pk):
        order = _order_create(buyer, seller_plan, plan, address, handler, notes, products, variants)
        orders.append(order)

    # Stock: checked again under the same locks and taken, variants and their products together
    # (below 0 only with backorders: the units owed, given back exactly on cancellation); what
    # counts no stock is left alone. The check above makes a shortage here impossible.
    taking = stock_take(lines)
    if not taking.taken:
        problems = [quantity_problem(s.product, s.variant, s.wanted) for s in taking.shortages]
        raise ValidationError({"cart": list(dict.fromkeys(problems))})
    CartItem.objects.filter(cart=cart).delete()
    start = handler.start(orders=orders, buyer=buyer, request=request)
    audit_log_write(
        actor=buyer,
        action="order.checkout",
        entity_type="order",
        entity_id=orders[0].pk,
        new_values={"orders": [o.order_number for o in orders], "payment_method": payment_method},
        request=request,
    )
    hooks.order_placed.fire(order_ids=[order.pk for order in orders])
    return orders, start


def _order_create(buyer, seller_plan, plan, address, handler, notes, products, variants):
    subtotal = ZERO
    lines = []
    for line in seller_plan.lines:
        product = products[line.product.pk]
        variant = variants.get(line.variant.pk) if line.variant else None
        price = unit_price(product, variant)
        line_subtotal = money(price * line.item.quantity)
        subtotal += line_subtotal
        attributes = dict(variant.attributes or {}) if variant else {}
        lines.append(
            OrderItem(
                product=product,
                variant=variant,
                product_name=product.name[:255],
                variant_name=variant.name[:255] if variant else None,
                sku=(variant.sku if variant and variant.sku else product.sku),
                quantity=line.item.quantity,
                unit_price=price,
                discount_amount=ZERO,
                tax_amount=_vat_inside(line_subtotal, product.tax_rate),
                subtotal=line_subtotal,
                attributes=attributes or None,
            )
        )
    shipping = seller_plan.quote.cost if seller_plan.quote else ZERO
    # The commission delivery will record (the first item's category decides), known already.
    _rate, commission = commission_quote(category=products[seller_plan.lines[0].product.pk].category, subtotal=subtotal)
    order = Order.objects.create(
        order_number=order_number_next(),
        buyer=buyer,
        seller=seller_plan.seller,
        status=OrderStatus.PENDING,
        payment_status=PaymentStatus.PENDING,
        payment_method=handler.method,
        subtotal=subtotal,
        discount_amount=ZERO,
        tax_amount=sum((line.tax_amount for line in lines), ZERO),
        shipping_cost=shipping,
        commission_amount=commission,
        total_amount=subtotal + shipping,
        currency="UZS",
        delivery_address=address,
        delivery_zone=plan.zone,
        estimated_delivery_date=seller_plan.quote.estimated_date if seller_plan.quote else None,
        notes=(notes or "").strip()[:2000] or None,
    )
    for line in lines:
        line.order = order
    OrderItem.objects.bulk_create(lines)
    OrderStatusHistory.objects.create(order=order, status=OrderStatus.PENDING, changed_by=buyer, kind=texts.PLACED.kind)
    return order
