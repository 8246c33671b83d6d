"""The order lifecycle: one table of allowed steps and who may take each.

``order_transition(order=..., action=..., actor=...)`` is the only way an order's status
changes. It locks the order, checks the table (status and who is asking), writes
``order_status_history`` (who, note) and, for courier steps, ``order_tracking`` (with GPS when
the device gives it), restores stock on cancellation, lets the payment handler react (cash is
paid on delivery; a cancelled or refunded order gets its money back) and records the payment
state it returns (``order_payment_record``), and refuses anything else with a message, writing
nothing. After commit it announces the step (``orders.hooks``: confirmed, shipped, delivered,
cancelled, refunded); finance records or cancels the commission from there.

Who is who for an order: its buyer, its seller, its courier (once assigned or claimed), and
staff (a live admin role that may change orders in the back office).
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.enums import UserRole
from accounts.models import User
from accounts.permissions import can_manage_orders
from accounts.selectors import default_delivery_address
from catalog.services import stock_return
from delivery.services import zone_for_address
from gogomarket.core.services import audit_log_write
from gogomarket.core.texts import define, render_english

from .. import hooks, texts
from ..enums import OrderStatus as S
from ..enums import TrackingStatus
from ..models import Order, OrderStatusHistory, OrderTracking
from ..payments import handler_of_order
from .payment_state import order_payment_record

BUYER, SELLER, COURIER, STAFF = "buyer", "seller", "courier", "staff"
SYSTEM = "system"  # the platform itself (Celery jobs): actor None
OPEN = (S.PENDING, S.CONFIRMED, S.PROCESSING, S.READY_FOR_PICKUP, S.PICKED_UP, S.IN_TRANSIT)


@dataclass(frozen=True)
class Step:
    sources: tuple
    target: str | None  # None: the status stays (a courier assignment, a failed attempt)
    actors: tuple
    label: object
    needs_note: bool = False
    needs_payment: bool = False  # a prepaid order (card, wallet, bank transfer) must be paid first
    tracking: str | None = None
    style: str = "primary"


T = TrackingStatus
STEPS = {
    "confirm": Step((S.PENDING,), S.CONFIRMED, (SELLER, STAFF), gettext_lazy("Confirm"), needs_payment=True),
    "reject": Step((S.PENDING,), S.CANCELLED, (SELLER,), gettext_lazy("Reject"), needs_note=True, style="danger"),
    "cancel": Step((S.PENDING, S.CONFIRMED), S.CANCELLED, (BUYER,), gettext_lazy("Cancel the order"), style="danger"),
    "process": Step((S.CONFIRMED,), S.PROCESSING, (SELLER, STAFF), gettext_lazy("Start preparing")),
    "ready": Step((S.PROCESSING,), S.READY_FOR_PICKUP, (SELLER, STAFF), gettext_lazy("Ready for pickup")),
    "claim": Step((S.READY_FOR_PICKUP,), None, (COURIER,), gettext_lazy("Take this order"), tracking=T.ASSIGNED),
    "pick_up": Step((S.READY_FOR_PICKUP,), S.PICKED_UP, (COURIER,), gettext_lazy("Picked up"), tracking=T.PICKED_UP),
    "start_delivery": Step((S.PICKED_UP,), S.IN_TRANSIT, (COURIER,), gettext_lazy("On my way"), tracking=T.IN_TRANSIT),
    "deliver": Step(
        (S.IN_TRANSIT,), S.DELIVERED, (COURIER,), gettext_lazy("Delivered"), tracking=T.DELIVERED, style="success"
    ),
    "fail_attempt": Step(
        (S.IN_TRANSIT,), None, (COURIER,), gettext_lazy("Could not deliver"), needs_note=True, tracking=T.FAILED,
        style="warning",
    ),
    "staff_cancel": Step(OPEN, S.CANCELLED, (STAFF,), gettext_lazy("Cancel (staff)"), needs_note=True, style="danger"),
    # A prepaid order not paid in time (orders.services.expiry).
    "payment_timeout": Step((S.PENDING,), S.CANCELLED, (SYSTEM,), gettext_lazy("Cancelled: not paid in time")),
    # Staff give the money of a delivered order back (the payment method's handler decides how).
    "refund": Step((S.DELIVERED,), S.REFUNDED, (STAFF,), gettext_lazy("Refund"), needs_note=True, style="danger"),
}  # fmt: skip
# Each step's timeline sentence is its label, shown in the reader's language.
STEP_TEXTS = {name: define(f"orders.step.{name}", step.label) for name, step in STEPS.items()}
# What each step announces once it has committed.
STEP_HOOKS = {
    "confirm": hooks.order_confirmed,
    "pick_up": hooks.order_shipped,
    "deliver": hooks.order_delivered,
    "refund": hooks.order_refunded,
}
# Assigning a courier is staff's, from confirmation until pickup.
ASSIGNABLE = (S.CONFIRMED, S.PROCESSING, S.READY_FOR_PICKUP)


def roles_of(user, order):
    roles = set()
    if user is None:
        return {SYSTEM}
    if not user.is_authenticated:
        return roles
    if order.buyer_id == user.pk:
        roles.add(BUYER)
    if order.seller_id == user.pk:
        roles.add(SELLER)
    if user.role == UserRole.COURIER and (order.courier_id == user.pk or order.courier_id is None):
        roles.add(COURIER)
    if can_manage_orders(user):
        roles.add(STAFF)
    return roles


def courier_zone(courier):
    """A courier works in the zone of their home: their default delivery address, by the one rule
    of ``accounts.selectors.default_delivery_address`` (never a billing address). None (staff
    assign their orders) without one, or while it has no map pin. Remembered on the user object
    for the rest of the request."""
    if hasattr(courier, "_courier_zone"):
        return courier._courier_zone
    courier._courier_zone = zone_for_address(default_delivery_address(courier))
    return courier._courier_zone


def _may(step_name, step, order, user, roles):
    if not set(step.actors) & roles:
        return False
    if order.status not in step.sources:
        return False
    if step.needs_payment and handler_of_order(order).awaits_payment(order):
        return False
    if COURIER in roles and COURIER in step.actors and STAFF not in step.actors:
        if step_name == "claim":
            return order.courier_id is None and order.delivery_zone_id is not None
        return order.courier_id == user.pk
    return True


def next_steps(order, user):
    """The steps ``user`` may take on ``order`` now, as (name, Step), in table order."""
    roles = roles_of(user, order)
    steps = [(name, step) for name, step in STEPS.items() if _may(name, step, order, user, roles)]
    # A claim is only offered in the courier's own zone.
    if any(name == "claim" for name, _s in steps):
        zone = courier_zone(user)
        if zone is None or zone.pk != order.delivery_zone_id:
            steps = [(n, s) for n, s in steps if n != "claim"]
    return steps


def _coordinate(value, name, low, high):
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.00000001"))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("Enter a number.")}) from None
    if not low <= number <= high:
        raise ValidationError({name: _("Out of range.")})
    return number


@transaction.atomic
def order_transition(*, order, action, actor, note="", text=None, latitude=None, longitude=None, request=None):
    """Take step ``action`` on ``order`` as ``actor``. Returns the order. PermissionDenied when the
    actor has no part in the order; ValidationError (nothing written) when the step is not allowed.
    ``note`` is what a person wrote (a reason); ``text`` (``{"kind", "params"}``) is what the
    platform says instead of the step's label (e.g. the payment timeout)."""
    order = Order.objects.select_for_update().get(pk=order.pk, deleted_at__isnull=True)
    step = STEPS.get(action)
    if step is None:
        raise ValidationError({"action": _("Unknown step.")})
    roles = roles_of(actor, order)
    if not roles:
        raise PermissionDenied(_("This is not your order."))
    if not set(step.actors) & roles:
        raise ValidationError({"action": _("You cannot do this with this order.")})
    if order.status not in step.sources:
        raise ValidationError(
            {"action": _("Not possible while the order is “%(status)s”.") % {"status": S(order.status).label}}
        )
    if step.needs_payment and handler_of_order(order).awaits_payment(order):
        raise ValidationError({"action": _("This order is not paid yet.")})
    if not _may(action, step, order, actor, roles):
        raise ValidationError({"action": _("This order is assigned to another courier.")})
    note = (note or "").strip()
    if step.needs_note and not note:
        raise ValidationError({"note": _("Say why.")})
    if len(note) > 1000:
        raise ValidationError({"note": _("At most %(n)d characters.") % {"n": 1000}})
    lat = _coordinate(latitude, "latitude", -90, 90)
    lon = _coordinate(longitude, "longitude", -180, 180)
    if (lat is None) != (lon is None):
        lat = lon = None
    if action == "claim":
        zone = courier_zone(actor)
        if zone is None or zone.pk != order.delivery_zone_id:
            raise ValidationError({"action": _("This order is outside your delivery zone.")})

    old_status = order.status
    now = timezone.now()
    fields = ["updated_at"]
    if action == "claim":
        order.courier = actor
        fields.append("courier")
    if step.target:
        order.status = step.target
        fields.append("status")
    payment_status = None
    if step.target == S.CANCELLED:
        # A person's reason, or the platform's in English (the timeline shows it in the reader's language).
        reason = note or (render_english(text) if text else None)
        order.cancelled_at, order.cancelled_by, order.cancellation_reason = now, actor, reason
        fields += ["cancelled_at", "cancelled_by", "cancellation_reason"]
        _restock(order)
        payment_status = handler_of_order(order).on_cancelled(order=order, actor=actor)
    if step.target == S.DELIVERED:
        order.actual_delivery_date = now
        fields.append("actual_delivery_date")
        payment_status = handler_of_order(order).on_delivered(order=order)
    if step.target == S.REFUNDED:
        payment_status = handler_of_order(order).on_refunded(order=order, actor=actor)
    order.save(update_fields=sorted(set(fields)))
    if payment_status is not None:
        # The step's own row below tells the story; the payment state is written by its one writer.
        order_payment_record(order=order, payment_status=payment_status, history=False)
    said = text or STEP_TEXTS[action].stored()
    OrderStatusHistory.objects.create(
        order=order, status=order.status, changed_by=actor, notes=note or None, kind=said["kind"],
        params=said.get("params") or None,
    )  # fmt: skip
    if step.tracking:
        OrderTracking.objects.create(
            order=order, courier=order.courier or actor, status=step.tracking, latitude=lat, longitude=lon,
            notes=note or None,
        )  # fmt: skip
    audit_log_write(
        actor=actor,
        action=f"order.{action}",
        entity_type="order",
        entity_id=order.pk,
        old_values={"status": old_status},
        new_values={"status": order.status, "courier": order.courier_id},
        request=request,
    )
    announce = hooks.order_cancelled if step.target == S.CANCELLED else STEP_HOOKS.get(action)
    if announce is not None:
        announce.fire(order_id=order.pk)
    return order


def _restock(order):
    """Give the order's units back to stock (catalog's ``stock_return``: exact, rows locked in
    the same order as checkout's take)."""
    stock_return(order.items.values_list("product_id", "variant_id", "quantity"))


@transaction.atomic
def order_assign_courier(*, order, courier, actor, request=None):
    """Staff give an order to a courier (from confirmation until pickup)."""
    order = Order.objects.select_for_update().get(pk=order.pk, deleted_at__isnull=True)
    if not can_manage_orders(actor):
        raise PermissionDenied(_("Only staff assign couriers."))
    if order.status not in ASSIGNABLE:
        raise ValidationError(
            {"courier": _("Not possible while the order is “%(status)s”.") % {"status": S(order.status).label}}
        )
    courier = User.objects.active().filter(pk=getattr(courier, "pk", courier), role=UserRole.COURIER).first()
    if courier is None:
        raise ValidationError({"courier": _("Choose an active courier.")})
    old = order.courier_id
    order.courier = courier
    order.save(update_fields=["courier", "updated_at"])
    said = texts.COURIER_ASSIGNED.stored(name=courier.get_full_name() or courier.email)
    OrderStatusHistory.objects.create(
        order=order, status=order.status, changed_by=actor, kind=said["kind"], params=said["params"]
    )
    OrderTracking.objects.create(order=order, courier=courier, status=TrackingStatus.ASSIGNED)
    audit_log_write(
        actor=actor,
        action="order.assign_courier",
        entity_type="order",
        entity_id=order.pk,
        old_values={"courier": old},
        new_values={"courier": courier.pk},
        request=request,
    )
    return order
