"""Buyer pages: the cart, checkout, my orders. Seller and courier pages are in seller_views.py and
courier_views.py. Each view parses, calls a service or selector and renders; every change is a
POST; an order that is not yours is a 404."""

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from accounts.enums import UserRole
from accounts.mixins import SignedInRequiredMixin
from accounts.selectors import default_delivery_address
from finance.services.payments import card_payment_resume
from gogomarket.core.redirects import safe_next

from . import selectors, services
from .enums import OrderStatus, PaymentMethod, PaymentStatus
from .models import CartItem
from .payments import available_methods
from .services.cart import SESSION_KEY
from .services.checkout import buyer_address


def _messages_from(request, error):
    for message in error.messages:
        messages.error(request, message)


def _id(value):
    """A row id from a form or query string: None when empty, -1 (no row has it) when it is not
    a number, so that the service refuses it with its own message instead of the database
    failing on "12abc"."""
    value = (value or "").strip()
    if not value:
        return None
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else -1


def _back(request, default):
    return safe_next(request, request.POST.get("next"), default)


# --- cart ---------------------------------------------------------------------------------------
CART_PARTIAL = "orders/partials/cart_htmx.html"


def cart_context(request, cart):
    """The cart's lines, and for a signed-in buyer with a delivery address the delivery of each
    seller's order to it (cost and date, or why not) as checkout would price it."""
    view = services.cart_view(cart)
    context = {"view": view, "delivery": {}, "delivery_address": None}
    if request.user.is_authenticated and not view.empty:
        address = default_delivery_address(request.user)
        if address is not None:
            plan = services.checkout_plan(buyer=request.user, cart=cart, address=address)
            context["delivery_address"] = address
            context["delivery_zone_problem"] = next((p for p in plan.problems if p not in view.problems), None)
            context["delivery"] = {seller_plan.seller.pk: seller_plan for seller_plan in plan.sellers}
    context["cart_groups"] = [(group, context["delivery"].get(group.seller.pk)) for group in view.groups]
    return context


class CartView(View):
    def get(self, request):
        cart = services.cart_for_request(request)
        template = CART_PARTIAL if request.htmx else "orders/cart.html"
        return render(request, template, cart_context(request, cart))


class CartAddView(View):
    """POST product, variant, quantity (from the product page)."""

    def post(self, request):
        # Found (and a visitor's cart merged) outside the transaction: a refused add must not
        # undo the merge, but must not leave a new empty cart (or its session token) behind.
        cart = services.cart_for_request(request)
        try:
            with transaction.atomic():
                item = services.cart_add(
                    cart=cart or services.cart_for_request(request, create=True),
                    product_id=_id(request.POST.get("product")),
                    variant_id=_id(request.POST.get("variant")),
                    quantity=request.POST.get("quantity") or 1,
                )
        except ValidationError as error:
            if cart is None:
                request.session.pop(SESSION_KEY, None)
            _messages_from(request, error)
            return redirect(_back(request, reverse("orders:cart")))
        messages.success(request, _("“%(name)s” is in your cart.") % {"name": item.product.name})
        if request.POST.get("buy_now"):
            return redirect("orders:checkout")
        return redirect(_back(request, reverse("orders:cart")))


class CartItemView(View):
    """POST quantity (0 removes) or remove=1 for one line of the caller's cart."""

    def post(self, request, item_id):
        cart = services.cart_for_request(request)
        if cart is None:
            raise Http404
        try:
            if request.POST.get("remove"):
                services.cart_item_remove(cart=cart, item_id=item_id)
            else:
                services.cart_item_set_quantity(cart=cart, item_id=item_id, quantity=request.POST.get("quantity"))
        except CartItem.DoesNotExist:
            raise Http404 from None
        except ValidationError as error:
            _messages_from(request, error)
        if request.htmx:
            return render(request, CART_PARTIAL, cart_context(request, cart))
        return redirect("orders:cart")


# --- checkout -----------------------------------------------------------------------------------
def pin_url(address):
    """The address's edit page, scrolled to its map, coming back to checkout with it chosen."""
    back = f"{reverse('orders:checkout')}?{urlencode({'address': address.pk})}"
    return f"{reverse('accounts:address_edit', args=[address.pk])}?{urlencode({'next': back})}#location"


def _tariff_choices(data):
    return {key.split("_", 1)[1]: value for key, value in data.items() if key.startswith("tariff_") and value}


class CheckoutView(SignedInRequiredMixin, View):
    """GET: the plan for the chosen address and delivery options; POST: place the orders."""

    template_name = "orders/checkout.html"

    def context(self, request, data, token=None, errors=()):
        addresses = list(selectors.buyer_addresses(request.user))
        address = None
        chosen = _id(data.get("address"))
        if chosen:
            try:
                address = buyer_address(request.user, chosen)
            except ValidationError:
                address = None
        if address is None:
            address = default_delivery_address(request.user)
        cart = services.cart_for_request(request)
        tariffs = {int(k): v for k, v in _tariff_choices(data).items() if k.isdigit()}
        plan = services.checkout_plan(buyer=request.user, cart=cart, address=address, tariffs=tariffs)
        methods = available_methods()
        method = data.get("payment_method") or (methods[0].method if methods else "")
        return {
            "addresses": addresses,
            # (address, the link that pins it on the map when it has no pin)
            "address_choices": [(a, None if a.has_pin else pin_url(a)) for a in addresses],
            "address": address,
            "plan": plan,
            # An address without a map pin blocks checkout: the page links to the map that fixes it.
            "pin_url": pin_url(address) if plan.needs_pin else None,
            "methods": methods,
            "payment_method": method,
            "notes": data.get("notes", ""),
            "token": token or data.get("token") or uuid.uuid4().hex,
            "errors": list(errors),
        }

    def get(self, request):
        context = self.context(request, request.GET)
        template = "orders/partials/checkout_summary.html" if request.htmx else self.template_name
        return render(request, template, context)

    def post(self, request):
        data = request.POST
        try:
            orders, replayed, redirect_url = services.checkout_place(
                buyer=request.user,
                address_id=_id(data.get("address")),
                payment_method=data.get("payment_method"),
                tariffs=_tariff_choices(data),
                notes=data.get("notes", ""),
                idempotency_key=data.get("token", ""),
                request=request,
            )
        except ValidationError as error:
            return render(request, self.template_name, self.context(request, data, errors=error.messages), status=400)
        if redirect_url:
            return redirect(redirect_url)
        if not replayed:
            messages.success(
                request,
                ngettext(
                    "Thank you! Your order %(numbers)s is placed.",
                    "Thank you! Your orders %(numbers)s are placed.",
                    len(orders),
                )
                % {"numbers": ", ".join(o.order_number for o in orders)},
            )
        if len(orders) == 1:
            return redirect("orders:detail", number=orders[0].order_number)
        return redirect("orders:list")


# --- my orders ----------------------------------------------------------------------------------
class OrderListView(SignedInRequiredMixin, View):
    def get(self, request):
        status = request.GET.get("status") or None
        if status not in OrderStatus.values:
            status = None  # a link from elsewhere with a status we do not know: all orders
        paginator = Paginator(selectors.orders_for_buyer(buyer=request.user, status=status), 20)
        return render(
            request, "orders/order_list.html", {"page": paginator.get_page(request.GET.get("page")), "status": status}
        )


def _buyers_order_or_404(user, number):
    order = selectors.order_for_user_or_404(user=user, number=number)
    if order.buyer_id != user.pk:
        raise Http404
    return order


def _awaits_card_payment(order):
    # What card_payment_resume accepts (it decides; this only chooses whether to offer the button).
    return (
        order.payment_method == PaymentMethod.CARD
        and order.payment_status == PaymentStatus.PENDING
        and order.status == OrderStatus.PENDING
    )


class OrderDetailView(SignedInRequiredMixin, View):
    template_name = "orders/order_detail.html"

    def get(self, request, number):
        order = _buyers_order_or_404(request.user, number)
        context = order_context(order, request.user)
        context["pay_now"] = _awaits_card_payment(order)
        return render(request, self.template_name, context)


class OrderPayView(SignedInRequiredMixin, View):
    """POST: "Pay now" for the buyer's unpaid card order: off to the card provider's page, which
    brings the buyer back to the order."""

    http_method_names = ["post"]

    def post(self, request, number):
        order = _buyers_order_or_404(request.user, number)
        page = reverse("orders:detail", args=[order.order_number])
        try:
            url = card_payment_resume(order=order, buyer=request.user, return_url=page)
        except ValidationError as error:
            _messages_from(request, error)
            return redirect(page)
        return redirect(url)


def order_context(order, user):
    history = list(order.status_history.all())
    return {
        "order": order,
        "items": list(order.items.all()),
        "history": history,
        "tracking": list(order.tracking.all()),
        "steps": services.next_steps(order, user),
        "cancellation_reason": _cancellation_reason(order, history),
    }


def _cancellation_reason(order, history):
    """Why it was cancelled, in the reader's language: what a person wrote, or the platform's own
    sentence from the cancellation's timeline row (the column keeps it in English)."""
    cancelled = [entry for entry in history if entry.status == OrderStatus.CANCELLED]
    if not cancelled:
        return order.cancellation_reason or ""
    entry = cancelled[0]
    if entry.notes:
        return entry.notes
    return entry.text if not (entry.kind or "").startswith("orders.step.") else (order.cancellation_reason or "")


class OrderTransitionView(SignedInRequiredMixin, View):
    """POST action (a step of the lifecycle), note, latitude, longitude: buyers, sellers and
    couriers all post their steps here; the service decides who may do what."""

    def post(self, request, number):
        order = selectors.order_for_user_or_404(user=request.user, number=number)
        action = request.POST.get("action", "")
        try:
            services.order_transition(
                order=order,
                action=action,
                actor=request.user,
                note=request.POST.get("note", ""),
                latitude=request.POST.get("latitude"),
                longitude=request.POST.get("longitude"),
                request=request,
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            _messages_from(request, error)
        else:
            step = services.STEPS.get(action)
            messages.success(request, _("Done: %(step)s.") % {"step": step.label} if step else _("Done."))
        return redirect(_back(request, _own_page(order, request.user)))


def _own_page(order, user):
    """Where the person who took a step sees the order (the buyer's page is a 404 to the rest)."""
    if order.buyer_id == user.pk:
        return reverse("orders:detail", args=[order.order_number])
    if order.seller_id == user.pk:
        return reverse("orders:seller_detail", args=[order.order_number])
    if user.role == UserRole.COURIER:
        return reverse("orders:courier")
    return reverse("admin:orders_order_change", args=[order.pk])
