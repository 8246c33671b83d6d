"""The order lifecycle (orders.services.lifecycle): the table of steps and who may take each.

Every (status, step, who) combination is tried: the allowed ones change the status, write
order_status_history (who, note) and, for courier steps, order_tracking (with GPS when given);
every other one is refused (ValidationError or PermissionDenied) and writes nothing. Then the
side effects: stock given back on cancellation, cash paid on delivery, couriers claiming only in
their own zone, staff assigning couriers."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from accounts.enums import AddressType, AdminRoleType, UserStatus
from accounts.models import UserAddress
from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, StaffFactory, UserAddressFactory
from catalog.enums import ProductStatus
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory, ProductVariantFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory, tashkent_polygon
from gogomarket.core.models import AuditLog
from orders import services
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus, TrackingStatus
from orders.models import Order, OrderStatusHistory, OrderTracking
from orders.services.lifecycle import STEPS, courier_zone
from orders.tests.factories import OrderFactory, OrderItemFactory, buyer_with_address, seller_with_pickup

pytestmark = pytest.mark.django_db

S = OrderStatus
STATUSES = list(OrderStatus.values)
OPEN = {S.PENDING, S.CONFIRMED, S.PROCESSING, S.READY_FOR_PICKUP, S.PICKED_UP, S.IN_TRANSIT}
ACTIONS = [*STEPS, "teleport"]
ACTORS = ["buyer", "seller", "courier", "other_courier", "staff", "stranger"]

# The lifecycle as the issue states it, written out independently of STEPS: action -> (the
# statuses it starts from, who may take it, the status it leads to or None when it stays).
# The matrix below runs on orders that already have a courier, so nobody may claim them.
EXPECTED = {
    "confirm": ({S.PENDING}, {"seller", "staff"}, S.CONFIRMED),
    "reject": ({S.PENDING}, {"seller"}, S.CANCELLED),
    "cancel": ({S.PENDING, S.CONFIRMED}, {"buyer"}, S.CANCELLED),
    "process": ({S.CONFIRMED}, {"seller", "staff"}, S.PROCESSING),
    "ready": ({S.PROCESSING}, {"seller", "staff"}, S.READY_FOR_PICKUP),
    "claim": (set(), set(), None),
    "pick_up": ({S.READY_FOR_PICKUP}, {"courier"}, S.PICKED_UP),
    "start_delivery": ({S.PICKED_UP}, {"courier"}, S.IN_TRANSIT),
    "deliver": ({S.IN_TRANSIT}, {"courier"}, S.DELIVERED),
    "fail_attempt": ({S.IN_TRANSIT}, {"courier"}, None),
    "staff_cancel": (OPEN, {"staff"}, S.CANCELLED),
    "payment_timeout": ({S.PENDING}, set(), S.CANCELLED),  # the platform's own step (actor None)
    "refund": ({S.DELIVERED}, {"staff"}, S.REFUNDED),  # staff give a delivered order's money back
}
TRACKED = {
    "claim": TrackingStatus.ASSIGNED,
    "pick_up": TrackingStatus.PICKED_UP,
    "start_delivery": TrackingStatus.IN_TRANSIT,
    "deliver": TrackingStatus.DELIVERED,
    "fail_attempt": TrackingStatus.FAILED,
}
GPS = {"latitude": "41.31123456", "longitude": "69.27987654"}


def test_the_table_in_code_is_the_table_of_the_issue():
    assert set(STEPS) == set(EXPECTED)
    for name, step in STEPS.items():
        assert set(step.sources) == EXPECTED[name][0] or name == "claim", name
        assert step.tracking == TRACKED.get(name), name


# --- who is who -----------------------------------------------------------------------------
@pytest.fixture
def cast():
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone)
    courier = CourierFactory()
    UserAddressFactory(user=courier)  # in the zone
    other_courier = CourierFactory()
    UserAddressFactory(user=other_courier)  # in the zone too, but not this order's courier
    return SimpleNamespace(
        zone=zone,
        buyer=BuyerFactory(),
        seller=SellerFactory(),
        courier=courier,
        other_courier=other_courier,
        staff=StaffFactory(),
        stranger=BuyerFactory(),
    )


def _order(cast, status, *, courier="assigned", **kwargs):
    kwargs.setdefault("items", 1)
    return OrderFactory(
        buyer=cast.buyer,
        seller=cast.seller,
        courier=cast.courier if courier == "assigned" else None,
        status=status,
        delivery_zone=cast.zone,
        **kwargs,
    )


def _state(order):
    """Everything a step may write (to prove a refusal wrote nothing)."""
    return {
        "order": Order.objects.filter(pk=order.pk).values().get(),
        "history": list(OrderStatusHistory.objects.order_by("pk").values_list("pk", flat=True)),
        "tracking": list(OrderTracking.objects.order_by("pk").values_list("pk", flat=True)),
        "audit": AuditLog.objects.filter(action__startswith="order.").count(),
        "products": list(Product.objects.order_by("pk").values_list("pk", "stock_quantity", "status")),
        "variants": list(ProductVariant.objects.order_by("pk").values_list("pk", "stock_quantity")),
    }


def _check_step_written(order, action, actor, *, note, before, target):
    order.refresh_from_db()
    assert order.status == (target or before["order"]["status"])
    history = OrderStatusHistory.objects.exclude(pk__in=before["history"])
    (row,) = history
    assert (row.status, row.changed_by_id, row.notes) == (order.status, actor.pk, note)
    tracking = list(OrderTracking.objects.exclude(pk__in=before["tracking"]))
    if action in TRACKED:
        (track,) = tracking
        assert (track.status, track.courier_id, track.notes) == (TRACKED[action], actor.pk, note)
        assert (track.latitude, track.longitude) == (Decimal(GPS["latitude"]), Decimal(GPS["longitude"]))
    else:
        assert tracking == []
    audit = AuditLog.objects.filter(action=f"order.{action}", entity_id=order.pk).get()
    assert audit.user_id == actor.pk
    assert audit.old_values == {"status": before["order"]["status"]}


# --- the whole matrix ------------------------------------------------------------------------
@pytest.mark.parametrize("actor_kind", ACTORS)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_combination_of_status_step_and_actor(cast, status, action, actor_kind):
    order = _order(cast, status)
    actor = getattr(cast, actor_kind)
    sources, actors, target = EXPECTED.get(action, (set(), set(), None))
    before = _state(order)
    note = f"{action} by {actor_kind}"

    if status in sources and actor_kind in actors:
        services.order_transition(order=order, action=action, actor=actor, note=note, **GPS)
        _check_step_written(order, action, actor, note=note, before=before, target=target)
    else:
        with pytest.raises((ValidationError, PermissionDenied)):
            services.order_transition(order=order, action=action, actor=actor, note=note, **GPS)
        assert _state(order) == before


@pytest.mark.parametrize("actor_kind", ["zone_courier", "far_courier", "courier_without_address"])
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", STATUSES)
def test_every_step_of_a_courier_on_an_order_nobody_took(cast, status, action, actor_kind):
    """Only claiming a ready order in their own zone is open to a courier who is not its courier."""
    order = _order(cast, status, courier=None)
    actor = CourierFactory()
    if actor_kind == "zone_courier":
        UserAddressFactory(user=actor)
    elif actor_kind == "far_courier":
        UserAddressFactory(user=actor, latitude=Decimal("39.654"), longitude=Decimal("66.975"))  # Samarkand
    before = _state(order)

    if (status, action, actor_kind) == (S.READY_FOR_PICKUP, "claim", "zone_courier"):
        services.order_transition(order=order, action=action, actor=actor, note="mine", **GPS)
        _check_step_written(order, action, actor, note="mine", before=before, target=None)
        assert order.courier_id == actor.pk
    else:
        with pytest.raises((ValidationError, PermissionDenied)):
            services.order_transition(order=order, action=action, actor=actor, note="mine", **GPS)
        assert _state(order) == before


def test_next_steps_offers_exactly_the_allowed_steps(cast):
    for status in STATUSES:
        order = _order(cast, status)
        for actor_kind in ACTORS:
            actor = getattr(cast, actor_kind)
            offered = {name for name, _step in services.next_steps(order, actor)}
            expected = {
                a for a, (sources, actors, _t) in EXPECTED.items() if status in sources and actor_kind in actors
            }
            assert offered == expected, (status, actor_kind)


def test_a_claim_is_offered_only_in_the_couriers_zone(cast):
    order = _order(cast, S.READY_FOR_PICKUP, courier=None)
    far = CourierFactory()
    UserAddressFactory(user=far, latitude=Decimal("39.654"), longitude=Decimal("66.975"))

    assert [name for name, _s in services.next_steps(order, cast.courier)] == ["claim"]
    assert services.next_steps(order, far) == []


# --- notes, GPS -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "status, action, actor_kind",
    [
        (S.PENDING, "reject", "seller"),
        (S.IN_TRANSIT, "fail_attempt", "courier"),
        (S.CONFIRMED, "staff_cancel", "staff"),
    ],
)
def test_steps_that_need_a_reason_refuse_without_one(cast, status, action, actor_kind):
    order = _order(cast, status)
    before = _state(order)

    for note in ("", "   "):
        with pytest.raises(ValidationError) as error:
            services.order_transition(order=order, action=action, actor=getattr(cast, actor_kind), note=note)
        assert "note" in error.value.message_dict

    assert _state(order) == before


def test_a_note_longer_than_1000_characters_is_refused(cast):
    order = _order(cast, S.PENDING)
    before = _state(order)

    with pytest.raises(ValidationError):
        services.order_transition(order=order, action="confirm", actor=cast.seller, note="x" * 1001)

    assert _state(order) == before


def test_without_a_note_the_history_says_what_happened(cast):
    order = _order(cast, S.PENDING)

    services.order_transition(order=order, action="confirm", actor=cast.seller)

    entry = order.status_history.get()
    assert (entry.kind, entry.notes) == ("orders.step.confirm", None)
    assert entry.text == str(STEPS["confirm"].label)
    with translation.override("ru"):
        assert entry.text == "Подтвердить" == str(STEPS["confirm"].label)  # in the reader's language


def test_tracking_without_gps_or_with_half_of_it_has_no_position(cast):
    order = _order(cast, S.READY_FOR_PICKUP)
    services.order_transition(order=order, action="pick_up", actor=cast.courier)
    services.order_transition(order=order, action="start_delivery", actor=cast.courier, latitude="41.3")

    for track in order.tracking.all():
        assert (track.latitude, track.longitude) == (None, None)


@pytest.mark.parametrize("gps", [{"latitude": "91", "longitude": "69"}, {"latitude": "41", "longitude": "-181"},
                                 {"latitude": "north", "longitude": "69"}])  # fmt: skip
def test_a_position_out_of_range_is_refused(cast, gps):
    order = _order(cast, S.READY_FOR_PICKUP)
    before = _state(order)

    with pytest.raises(ValidationError):
        services.order_transition(order=order, action="pick_up", actor=cast.courier, **gps)

    assert _state(order) == before


def test_a_deleted_order_has_no_steps(cast):
    order = _order(cast, S.PENDING, deleted_at=timezone.now())

    with pytest.raises(Order.DoesNotExist):
        services.order_transition(order=order, action="confirm", actor=cast.seller)


# --- cancellation gives the stock back --------------------------------------------------------
@pytest.mark.parametrize(
    "status, action, actor_kind",
    [
        (S.PENDING, "cancel", "buyer"),
        (S.CONFIRMED, "cancel", "buyer"),
        (S.PENDING, "reject", "seller"),
        (S.IN_TRANSIT, "staff_cancel", "staff"),
    ],
)
def test_cancelling_restores_the_stock_of_variants_and_products(cast, status, action, actor_kind):
    plain = ProductFactory(seller=cast.seller, stock_quantity=0, status=ProductStatus.OUT_OF_STOCK)
    shirt = ProductFactory(seller=cast.seller, stock_quantity=1)
    red = ProductVariantFactory(product=shirt, stock_quantity=1)
    order = _order(cast, status, items=0)
    OrderItemFactory(order=order, product=plain, quantity=3)
    OrderItemFactory(order=order, product=shirt, variant=red, variant_name=red.name, quantity=2)
    actor = getattr(cast, actor_kind)

    services.order_transition(order=order, action=action, actor=actor, note="Changed plans")

    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert (order.cancelled_by_id, order.cancellation_reason) == (actor.pk, "Changed plans")
    assert order.cancelled_at is not None
    assert Product.objects.get(pk=plain.pk).stock_quantity == 3
    assert Product.objects.get(pk=plain.pk).status == ProductStatus.ACTIVE  # back on sale
    assert Product.objects.get(pk=shirt.pk).stock_quantity == 3
    assert ProductVariant.objects.get(pk=red.pk).stock_quantity == 3


def test_a_checkout_cancelled_leaves_the_stock_as_it_was():
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone)
    seller = seller_with_pickup()
    buyer, address = buyer_with_address()
    product = ProductFactory(seller=seller, stock_quantity=10)
    variant = ProductVariantFactory(product=product, stock_quantity=4)
    last = ProductFactory(seller=seller, stock_quantity=2)
    cart = services.cart_for_user(buyer)
    services.cart_add(cart=cart, product_id=product.pk, variant_id=variant.pk, quantity=4)
    services.cart_add(cart=cart, product_id=last.pk, quantity=2)
    (order,), _replayed, _url = services.checkout_place(buyer=buyer, address_id=address.pk, payment_method="cash")
    assert Product.objects.get(pk=last.pk).status == ProductStatus.OUT_OF_STOCK

    services.order_transition(order=order, action="cancel", actor=buyer)

    assert ProductVariant.objects.get(pk=variant.pk).stock_quantity == 4
    assert Product.objects.get(pk=product.pk).stock_quantity == 10
    assert Product.objects.values_list("stock_quantity", "status").get(pk=last.pk) == (2, ProductStatus.ACTIVE)


def test_a_cancelled_order_cannot_be_cancelled_again_so_stock_is_given_back_once(cast):
    product = ProductFactory(seller=cast.seller, stock_quantity=5)
    order = _order(cast, S.PENDING, items=0)
    OrderItemFactory(order=order, product=product, quantity=2)
    services.order_transition(order=order, action="cancel", actor=cast.buyer)

    for action, actor in (("cancel", cast.buyer), ("staff_cancel", cast.staff), ("reject", cast.seller)):
        with pytest.raises(ValidationError):
            services.order_transition(order=order, action=action, actor=actor, note="again")

    assert Product.objects.get(pk=product.pk).stock_quantity == 7


# --- payment ----------------------------------------------------------------------------------
def test_a_cash_order_is_paid_on_delivery(cast):
    order = _order(cast, S.IN_TRANSIT, payment_method=PaymentMethod.CASH, payment_status=PaymentStatus.PENDING)

    services.order_transition(order=order, action="deliver", actor=cast.courier, **GPS)

    order.refresh_from_db()
    assert (order.status, order.payment_status) == (S.DELIVERED, PaymentStatus.PAID)
    assert order.actual_delivery_date is not None


def test_a_failed_attempt_leaves_a_cash_order_unpaid_and_on_the_road(cast):
    order = _order(cast, S.IN_TRANSIT)

    services.order_transition(order=order, action="fail_attempt", actor=cast.courier, note="Nobody home")

    order.refresh_from_db()
    assert (order.status, order.payment_status) == (S.IN_TRANSIT, PaymentStatus.PENDING)
    services.order_transition(order=order, action="deliver", actor=cast.courier)
    assert Order.objects.get(pk=order.pk).status == S.DELIVERED


def test_orders_paid_another_way_still_move_through_the_lifecycle(cast):
    """Orders paid by a method whose handler arrives later (card, wallet) are delivered and
    cancelled like the others; their payment status is the handler's business, not a crash."""
    on_the_road = OrderFactory(in_transit=True, delivery_zone=cast.zone)  # paid by card
    services.order_transition(order=on_the_road, action="deliver", actor=on_the_road.courier)
    on_the_road.refresh_from_db()
    assert (on_the_road.status, on_the_road.payment_status) == (S.DELIVERED, PaymentStatus.PAID)

    pending = OrderFactory(payment_method=PaymentMethod.CARD)
    services.order_transition(order=pending, action="cancel", actor=pending.buyer)
    assert Order.objects.get(pk=pending.pk).status == S.CANCELLED


@pytest.mark.parametrize("method", [PaymentMethod.CARD, PaymentMethod.GOGOMONEY, PaymentMethod.BANK_TRANSFER])
def test_a_prepaid_order_is_not_confirmed_before_it_is_paid(cast, method):
    # A seller confirming an unpaid card order would leave it where the buyer can no longer pay
    # and the expiry job no longer cancels it, its stock held for good.
    order = _order(cast, S.PENDING, courier=None, payment_method=method, payment_status=PaymentStatus.PENDING)
    before = _state(order)

    assert "confirm" not in dict(services.next_steps(order, cast.seller))
    for actor in (cast.seller, cast.staff):
        with pytest.raises(ValidationError) as error:
            services.order_transition(order=order, action="confirm", actor=actor)
        assert error.value.message_dict == {"action": ["This order is not paid yet."]}
    assert _state(order) == before
    # the buyer may still cancel it, the seller reject it
    assert {"reject"} <= set(dict(services.next_steps(order, cast.seller)))

    Order.objects.filter(pk=order.pk).update(payment_status=PaymentStatus.PAID)
    order.refresh_from_db()
    assert "confirm" in dict(services.next_steps(order, cast.seller))
    services.order_transition(order=order, action="confirm", actor=cast.seller)
    assert Order.objects.get(pk=order.pk).status == S.CONFIRMED


def test_a_cash_order_is_confirmed_unpaid(cast):
    order = _order(cast, S.PENDING, courier=None, payment_method=PaymentMethod.CASH)
    services.order_transition(order=order, action="confirm", actor=cast.seller)
    assert Order.objects.get(pk=order.pk).status == S.CONFIRMED


# --- couriers claim in their own zone ------------------------------------------------------
def test_a_courier_claims_a_ready_order_in_their_zone_and_then_carries_it(cast):
    order = _order(cast, S.READY_FOR_PICKUP, courier=None)

    services.order_transition(order=order, action="claim", actor=cast.courier, **GPS)
    services.order_transition(order=order, action="pick_up", actor=cast.courier)
    services.order_transition(order=order, action="start_delivery", actor=cast.courier)
    services.order_transition(order=order, action="deliver", actor=cast.courier)

    order.refresh_from_db()
    assert (order.status, order.courier_id) == (S.DELIVERED, cast.courier.pk)
    assert list(order.tracking.order_by("pk").values_list("status", flat=True)) == [
        "assigned", "picked_up", "in_transit", "delivered",
    ]  # fmt: skip
    assert order.status_history.count() == 4


def test_once_claimed_nobody_else_may_claim_or_carry_it(cast):
    order = _order(cast, S.READY_FOR_PICKUP, courier=None)
    services.order_transition(order=order, action="claim", actor=cast.courier)
    before = _state(order)

    for action in ("claim", "pick_up"):
        with pytest.raises((ValidationError, PermissionDenied)):
            services.order_transition(order=order, action=action, actor=cast.other_courier)
    with pytest.raises(ValidationError):
        services.order_transition(order=order, action="claim", actor=cast.courier)  # not twice either

    assert _state(order) == before


def test_an_order_without_a_zone_cannot_be_claimed(cast):
    order = OrderFactory(status=S.READY_FOR_PICKUP, delivery_zone=None)
    before = _state(order)

    with pytest.raises(ValidationError):
        services.order_transition(order=order, action="claim", actor=cast.courier)

    assert _state(order) == before


def test_the_courier_zone_is_their_default_address(cast):
    """Another zone's order is not claimable even when one of the courier's other addresses is in it."""
    east = DeliveryZoneFactory(polygon=tashkent_polygon((69.40, 41.26, 69.50, 41.38)))
    order = OrderFactory(status=S.READY_FOR_PICKUP, delivery_zone=east)
    courier = CourierFactory()
    UserAddressFactory(user=courier, is_default=True)  # central zone
    UserAddressFactory(user=courier, is_default=False, latitude=Decimal("41.30"), longitude=Decimal("69.45"))
    before = _state(order)

    with pytest.raises(ValidationError) as error:
        services.order_transition(order=order, action="claim", actor=courier)

    assert "outside your delivery zone" in " ".join(error.value.messages)
    assert _state(order) == before


def test_the_courier_zone_is_their_default_delivery_address_never_a_billing_one(cast):
    """A courier's home is their delivery address (accounts.selectors.default_delivery_address): a
    billing address, default and changed more recently, is not where they work."""
    east = DeliveryZoneFactory(polygon=tashkent_polygon((69.40, 41.26, 69.50, 41.38)))
    courier = CourierFactory()
    home = UserAddressFactory(user=courier, is_default=True)  # central zone
    billing = UserAddressFactory(
        user=courier, type=AddressType.BILLING, is_default=True, latitude=Decimal("41.30"), longitude=Decimal("69.45")
    )
    UserAddress.objects.filter(pk=billing.pk).update(updated_at=home.updated_at + timedelta(days=1))

    assert courier_zone(UserAddress.objects.get(pk=home.pk).user) == cast.zone != east
    order = OrderFactory(status=S.READY_FOR_PICKUP, delivery_zone=cast.zone)
    services.order_transition(order=order, action="claim", actor=courier)
    order.refresh_from_db()
    assert order.courier == courier


def test_a_user_who_is_not_a_courier_cannot_claim(cast):
    order = _order(cast, S.READY_FOR_PICKUP, courier=None)
    buyer_nearby = BuyerFactory()
    UserAddressFactory(user=buyer_nearby)
    before = _state(order)

    with pytest.raises(PermissionDenied):
        services.order_transition(order=order, action="claim", actor=buyer_nearby)

    assert _state(order) == before


# --- staff ------------------------------------------------------------------------------------
@pytest.mark.parametrize("role_type", [AdminRoleType.SUPER_ADMIN, AdminRoleType.ACCOUNTING])
def test_staff_who_may_change_orders_assign_a_courier(cast, role_type):
    staff = StaffFactory(role_type=role_type)
    order = _order(cast, S.CONFIRMED, courier=None)

    services.order_assign_courier(order=order, courier=cast.courier, actor=staff)

    order.refresh_from_db()
    assert order.courier_id == cast.courier.pk
    history = order.status_history.get()
    assert (history.status, history.changed_by_id) == (S.CONFIRMED, staff.pk)
    assert cast.courier.email in history.text or cast.courier.get_full_name() in history.text
    track = order.tracking.get()
    assert (track.status, track.courier_id) == (TrackingStatus.ASSIGNED, cast.courier.pk)
    assert AuditLog.objects.filter(action="order.assign_courier", user=staff, entity_id=order.pk).exists()
    # The assigned courier now carries it; the other one cannot.
    services.order_transition(order=order, action="process", actor=staff)
    services.order_transition(order=order, action="ready", actor=staff)
    with pytest.raises(PermissionDenied):
        services.order_transition(order=order, action="pick_up", actor=cast.other_courier)
    services.order_transition(order=order, action="pick_up", actor=cast.courier)


def test_staff_may_give_an_order_to_another_courier_before_pickup(cast):
    order = _order(cast, S.READY_FOR_PICKUP)

    services.order_assign_courier(order=order, courier=cast.other_courier.pk, actor=cast.staff)

    assert Order.objects.get(pk=order.pk).courier_id == cast.other_courier.pk


@pytest.mark.parametrize(
    "who",
    ["role_manager", "technical_access", "expired_super_admin", "buyer", "seller", "courier"],
)
def test_only_staff_with_order_rights_assign_couriers(cast, who):
    if who in ("role_manager", "technical_access"):
        actor = StaffFactory(role_type=who)
    elif who == "expired_super_admin":
        actor = StaffFactory()
        actor.admin_roles.update(expires_at=timezone.now() - timezone.timedelta(days=1))
    else:
        actor = getattr(cast, who)
    order = _order(cast, S.CONFIRMED, courier=None)
    before = _state(order)

    with pytest.raises(PermissionDenied):
        services.order_assign_courier(order=order, courier=cast.courier, actor=actor)
    with pytest.raises((PermissionDenied, ValidationError)):
        services.order_transition(order=order, action="staff_cancel", actor=actor, note="no")

    assert _state(order) == before


@pytest.mark.parametrize("status", [S.PENDING, S.PICKED_UP, S.IN_TRANSIT, S.DELIVERED, S.CANCELLED, S.REFUNDED])
def test_a_courier_is_assigned_only_from_confirmation_until_pickup(cast, status):
    order = _order(cast, status, courier=None)
    before = _state(order)

    with pytest.raises(ValidationError):
        services.order_assign_courier(order=order, courier=cast.courier, actor=cast.staff)

    assert _state(order) == before


@pytest.mark.parametrize("who", ["buyer", "suspended_courier", "deleted_courier", "missing"])
def test_only_an_active_courier_can_be_assigned(cast, who):
    if who == "buyer":
        target = cast.buyer
    elif who == "suspended_courier":
        target = CourierFactory(status=UserStatus.SUSPENDED)
    elif who == "deleted_courier":
        target = CourierFactory(deleted_at=timezone.now())
    else:
        target = 987_654_321
    order = _order(cast, S.CONFIRMED, courier=None)
    before = _state(order)

    with pytest.raises(ValidationError):
        services.order_assign_courier(order=order, courier=target, actor=cast.staff)

    assert _state(order) == before


# --- who sees an order (orders.selectors) ---------------------------------------------------------
@pytest.mark.parametrize(
    "actor_kind, sees",
    [("buyer", True), ("seller", True), ("courier", True), ("other_courier", False), ("staff", True),
     ("stranger", False)],
)  # fmt: skip
def test_only_the_people_of_an_order_see_it(cast, actor_kind, sees):
    from django.http import Http404

    from orders import selectors

    order = _order(cast, S.PICKED_UP)
    actor = getattr(cast, actor_kind)

    if sees:
        assert selectors.order_for_user_or_404(user=actor, order_id=order.pk).pk == order.pk
    else:
        with pytest.raises(Http404):
            selectors.order_for_user_or_404(user=actor, order_id=order.pk)
        with pytest.raises(Http404):
            selectors.order_for_user_or_404(user=actor, number=order.order_number)
    listed = set(selectors.orders_visible_to(actor).values_list("pk", flat=True))
    assert (order.pk in listed) == (sees and actor_kind != "staff")  # staff use the back office


def test_a_ready_order_nobody_took_is_seen_by_the_couriers_of_its_zone_until_claimed(cast):
    from orders import selectors

    order = _order(cast, S.READY_FOR_PICKUP, courier=None)
    far = CourierFactory()
    UserAddressFactory(user=far, latitude=Decimal("39.654"), longitude=Decimal("66.975"))

    assert [o.pk for o in selectors.orders_claimable_by(courier=cast.courier)] == [order.pk]
    assert list(selectors.orders_claimable_by(courier=far)) == []
    assert selectors.order_for_user_or_404(user=cast.other_courier, order_id=order.pk).pk == order.pk

    services.order_transition(order=order, action="claim", actor=cast.courier)

    assert list(selectors.orders_claimable_by(courier=CourierFactory())) == []
    other = CourierFactory()
    UserAddressFactory(user=other)
    assert list(selectors.orders_claimable_by(courier=other)) == []
    assert [o.pk for o in selectors.orders_for_courier(courier=cast.courier)] == [order.pk]


def test_a_deleted_order_is_seen_by_nobody(cast):
    from django.http import Http404

    from orders import selectors

    order = _order(cast, S.PENDING, deleted_at=timezone.now())

    for actor in (cast.buyer, cast.seller, cast.staff):
        with pytest.raises(Http404):
            selectors.order_for_user_or_404(user=actor, order_id=order.pk)
