"""Reads of orders. Everyone sees only their own orders: as buyer, as seller, as courier (assigned,
or ready for pickup in their zone and not yet taken); staff see all in the back office. An order
that is not yours is a 404 (``order_for_user_or_404``)."""

from django.db.models import Prefetch, Q
from django.http import Http404

from accounts.enums import UserRole
from accounts.models import UserAddress
from accounts.permissions import can_manage_orders

from .enums import OrderStatus
from .models import Order, OrderItem, OrderStatusHistory, OrderTracking
from .services.lifecycle import courier_zone

ACTIVE_FOR_COURIER = (OrderStatus.READY_FOR_PICKUP, OrderStatus.PICKED_UP, OrderStatus.IN_TRANSIT)


def _base():
    return Order.objects.filter(deleted_at__isnull=True).select_related("buyer", "seller", "courier", "delivery_zone")


def with_items(queryset):
    return queryset.prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("pk").select_related("product"))
    )


def orders_for_buyer(*, buyer, status=None):
    queryset = _base().filter(buyer=buyer)
    if status:
        queryset = queryset.filter(status=status)
    return with_items(queryset).order_by("-created_at", "-pk")


def orders_for_seller(*, seller, status=None, q=""):
    queryset = _base().filter(seller=seller)
    if status:
        queryset = queryset.filter(status=status)
    if q:
        queryset = queryset.filter(Q(order_number__icontains=q) | Q(buyer__phone__icontains=q))
    return with_items(queryset).select_related("delivery_address").order_by("-created_at", "-pk")


def orders_for_courier(*, courier):
    """The courier's own orders still on the road, oldest first."""
    return (
        with_items(_base().filter(courier=courier, status__in=ACTIVE_FOR_COURIER))
        .select_related("delivery_address")
        .order_by("created_at", "pk")
    )


def orders_claimable_by(*, courier):
    """Ready orders in the courier's zone that nobody has taken yet (nothing for non-couriers)."""
    if getattr(courier, "role", None) != UserRole.COURIER:
        return Order.objects.none()
    zone = courier_zone(courier)
    if zone is None:
        return Order.objects.none()
    return (
        with_items(_base().filter(status=OrderStatus.READY_FOR_PICKUP, courier__isnull=True, delivery_zone=zone))
        .select_related("delivery_address")
        .order_by("created_at", "pk")
    )


def orders_delivered_by(*, courier, limit=20):
    return _base().filter(courier=courier, status=OrderStatus.DELIVERED).order_by("-actual_delivery_date")[:limit]


def orders_visible_to(user):
    """Every order ``user`` has a part in (for the API list)."""
    if user is None or not user.is_authenticated:
        return Order.objects.none()
    mine = Q(buyer=user) | Q(seller=user) | Q(courier=user)
    zone = courier_zone(user) if user.role == "courier" else None
    if zone is not None:
        mine |= Q(status=OrderStatus.READY_FOR_PICKUP, courier__isnull=True, delivery_zone=zone)
    return _base().filter(mine)


def order_for_user_or_404(*, user, order_id=None, number=None):
    """The order with its items, history and tracking, if ``user`` has a part in it."""
    queryset = with_items(orders_visible_to(user) if not can_manage_orders(user) else _base()).select_related(
        "delivery_address"
    )
    queryset = queryset.prefetch_related(
        Prefetch(
            "status_history",
            queryset=OrderStatusHistory.objects.select_related("changed_by").order_by("created_at", "pk"),
        ),
        Prefetch("tracking", queryset=OrderTracking.objects.order_by("created_at", "pk")),
    )
    lookup = {"pk": order_id} if order_id is not None else {"order_number": number}
    order = queryset.filter(**lookup).first()
    if order is None:
        raise Http404("No such order")
    return order


def buyer_addresses(buyer):
    return UserAddress.objects.filter(user=buyer, deleted_at__isnull=True).order_by(
        "-is_default", "type", "-updated_at"
    )
