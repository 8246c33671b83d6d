"""The cart, checkout and orders API (/api/v1/cart/, /checkout/, /orders/) with bearer tokens:
wiring, permissions and error shapes. Refusals are 4xx with ``{field: [messages]}`` and write
nothing; an order that is not the caller's is a 404. The rules are tested on the services."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, StaffFactory, UserAddressFactory
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory, tashkent_polygon
from gogomarket.core.models import AuditLog, IdempotencyKey
from orders.enums import OrderStatus, PaymentStatus
from orders.models import Cart, CartItem, Order, OrderItem, OrderStatusHistory, OrderTracking
from orders.tests.factories import CartFactory, CartItemFactory, OrderFactory, OrderStatusHistoryFactory
from tests.helpers import api_client_for as client_for

pytestmark = pytest.mark.django_db

CART = "/api/v1/cart/"
CHECKOUT = "/api/v1/checkout/"
ORDERS = "/api/v1/orders/"


def item_url(item_id):
    return f"/api/v1/cart/items/{item_id}/"


def order_url(order):
    return f"/api/v1/orders/{order.pk}/"


def transition_url(order):
    return f"/api/v1/orders/{order.pk}/transition/"


def snapshot():
    """Everything an API request here could change."""
    return {
        "orders": list(Order.objects.order_by("pk").values()),
        "items": list(OrderItem.objects.order_by("pk").values()),
        "history": list(OrderStatusHistory.objects.order_by("pk").values()),
        "tracking": list(OrderTracking.objects.order_by("pk").values()),
        "carts": list(Cart.objects.order_by("pk").values()),
        "cart_items": list(CartItem.objects.order_by("pk").values()),
        "products": list(Product.objects.order_by("pk").values("pk", "stock_quantity", "status", "updated_at")),
        "variants": list(ProductVariant.objects.order_by("pk").values("pk", "stock_quantity")),
        "audit": list(AuditLog.objects.filter(action__startswith="order").values_list("pk", flat=True)),
        "keys": list(IdempotencyKey.objects.order_by("pk").values()),
    }


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def zone():
    zone = DeliveryZoneFactory(name="Tashkent centre")
    DeliveryTariffFactory(zone=zone, name="Standard", base_cost=Decimal("15000"), estimated_hours=24)
    DeliveryTariffFactory(zone=zone, name="Express", base_cost=Decimal("30000"), estimated_hours=3)
    return zone


@pytest.fixture
def far_zone():
    return DeliveryZoneFactory(name="Samarkand", city="Samarkand", polygon=tashkent_polygon((66.9, 39.6, 67.0, 39.7)))


@pytest.fixture
def buyer():
    return BuyerFactory()


@pytest.fixture
def home(buyer, zone):
    return UserAddressFactory(user=buyer, latitude=Decimal("41.35"), longitude=Decimal("69.29"))


@pytest.fixture
def seller():
    return SellerFactory()


@pytest.fixture
def kettle(seller):
    return ProductFactory(seller=seller, name="Artel choynak", base_price=Decimal("100000"), stock_quantity=5,
                          weight=Decimal("1.000"))  # fmt: skip


@pytest.fixture
def carpet():
    return ProductFactory(name="Gilam", base_price=Decimal("200000"), stock_quantity=3, weight=Decimal("2.000"))


@pytest.fixture
def courier(zone):
    courier = CourierFactory()
    UserAddressFactory(user=courier, latitude=Decimal("41.34"), longitude=Decimal("69.28"))
    return courier


@pytest.fixture
def api(buyer):
    return client_for(buyer)


def fill_cart(user, *lines):
    cart = Cart.objects.filter(user=user).first() or CartFactory(user=user)
    for product, quantity in lines:
        CartItemFactory(cart=cart, product=product, quantity=quantity)
    return cart


def order_for(seller, buyer, zone, **kwargs):
    order = OrderFactory(seller=seller, buyer=buyer, delivery_zone=zone, **kwargs)
    OrderStatusHistoryFactory(order=order, status=OrderStatus.PENDING, changed_by=buyer, notes="Order placed.")
    return order


# --- who may call ---------------------------------------------------------------------------------
def test_every_endpoint_needs_a_signed_in_caller(buyer, kettle, zone):
    cart = fill_cart(buyer, (kettle, 1))
    order = order_for(kettle.seller, buyer, zone)
    anonymous = client_for()
    before = snapshot()

    for method, url, body in (
        ("get", CART, None),
        ("post", CART, {"product": kettle.pk}),
        ("delete", CART, None),
        ("patch", item_url(cart.items.get().pk), {"quantity": 2}),
        ("delete", item_url(cart.items.get().pk), None),
        ("get", CHECKOUT + "?address=1", None),
        ("post", CHECKOUT, {"address": 1, "payment_method": "cash"}),
        ("get", ORDERS, None),
        ("get", order_url(order), None),
        ("post", transition_url(order), {"action": "cancel"}),
    ):
        response = getattr(anonymous, method)(url, body, format="json")
        assert response.status_code == 401, (method, url)
        assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


# --- cart -----------------------------------------------------------------------------------------
def test_an_empty_cart_is_read_without_making_one(api):
    response = api.get(CART)

    assert response.status_code == 200
    assert response.json() == {"count": 0, "subtotal": "0.00", "problems": [], "groups": []}
    assert not Cart.objects.exists()


def test_adding_answers_with_the_cart_grouped_by_seller(api, buyer, kettle, carpet):
    response = api.post(CART, {"product": kettle.pk, "quantity": 2}, format="json")
    assert response.status_code == 201, response.content
    response = api.post(CART, {"product": carpet.pk}, format="json")
    assert response.status_code == 201

    body = api.get(CART).json()
    assert body["count"] == 3 and body["subtotal"] == "400000.00"
    assert [g["seller_id"] for g in body["groups"]] == sorted([kettle.seller_id, carpet.seller_id])
    lines = {line["product"]: line for group in body["groups"] for line in group["lines"]}
    assert lines[kettle.pk]["quantity"] == 2 and lines[kettle.pk]["available"] == 5
    assert lines[kettle.pk]["price"] == lines[kettle.pk]["added_price"] == "100000.00"
    assert lines[kettle.pk]["price_changed"] is False
    assert Cart.objects.get().user == buyer


def test_a_price_change_since_adding_is_shown(api, buyer, kettle):
    fill_cart(buyer, (kettle, 1))
    Product.objects.filter(pk=kettle.pk).update(sale_price=Decimal("90000"))

    line = api.get(CART).json()["groups"][0]["lines"][0]

    assert (line["price"], line["added_price"], line["price_changed"]) == ("90000.00", "100000.00", True)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"product": "abc"}, "product"),
        ({}, "product"),
        ({"product": 999999}, "product"),
        ("kettle:0", "quantity"),
        ("kettle:6", "quantity"),
        ("kettle:x", "quantity"),
        ("kettle:variant", "variant"),
    ],
)
def test_a_refused_add_is_a_400_with_the_field_and_writes_nothing(body, field, api, kettle):
    if isinstance(body, str):
        value = body.split(":")[1]
        body = {"product": kettle.pk}
        if value == "variant":
            body["variant"] = 424242
        else:
            body["quantity"] = value
    before = snapshot()

    response = api.post(CART, body, format="json")

    assert response.status_code == 400, response.content
    assert isinstance(response.json()[field], list) and response.json()[field]
    assert snapshot() == before


def test_clearing_the_cart(api, buyer, kettle, carpet):
    cart = fill_cart(buyer, (kettle, 1), (carpet, 1))
    other = fill_cart(BuyerFactory(), (kettle, 1))

    assert api.delete(CART).status_code == 204
    assert not cart.items.exists()
    assert other.items.count() == 1
    assert client_for(BuyerFactory()).delete(CART).status_code == 204  # no cart: nothing to clear
    assert Cart.objects.count() == 2


def test_a_line_quantity_is_changed_or_removed(api, buyer, kettle, carpet):
    cart = fill_cart(buyer, (kettle, 1), (carpet, 1))
    kettle_line, carpet_line = cart.items.order_by("pk")

    response = api.patch(item_url(kettle_line.pk), {"quantity": 4}, format="json")
    assert response.status_code == 200
    lines = {line["id"]: line for group in response.json()["groups"] for line in group["lines"]}
    assert lines[kettle_line.pk]["quantity"] == 4

    response = api.patch(item_url(carpet_line.pk), {"quantity": 0}, format="json")
    assert response.status_code == 200
    assert list(cart.items.values_list("pk", flat=True)) == [kettle_line.pk]

    response = api.delete(item_url(kettle_line.pk))
    assert response.status_code == 200 and response.json()["count"] == 0
    assert not cart.items.exists()


def test_a_refused_quantity_is_a_400_and_nothing_changes(api, buyer, kettle):
    line = fill_cart(buyer, (kettle, 1)).items.get()
    before = snapshot()

    for quantity in (6, -1, "many", None):
        response = api.patch(item_url(line.pk), {"quantity": quantity}, format="json")
        assert response.status_code == 400, quantity
        assert response.json()["quantity"]
    assert snapshot() == before


def test_another_persons_cart_line_is_a_404_and_unchanged(api, buyer, kettle):
    fill_cart(buyer, (kettle, 1))
    theirs = fill_cart(BuyerFactory(), (kettle, 2)).items.get()
    before = snapshot()

    assert api.patch(item_url(theirs.pk), {"quantity": 1}, format="json").status_code == 404
    assert api.delete(item_url(theirs.pk)).status_code == 404
    assert api.patch(item_url(999999), {"quantity": 1}, format="json").status_code == 404
    cartless = client_for(BuyerFactory())
    assert cartless.patch(item_url(theirs.pk), {"quantity": 1}, format="json").status_code == 404
    assert cartless.delete(item_url(theirs.pk)).status_code == 404
    assert snapshot() == before


# --- checkout -------------------------------------------------------------------------------------
def test_the_plan_lists_each_sellers_options_and_totals(api, buyer, home, kettle, carpet):
    fill_cart(buyer, (kettle, 1), (carpet, 2))

    response = api.get(CHECKOUT, {"address": home.pk})

    assert response.status_code == 200, response.content
    plan = response.json()
    assert plan["zone"] == "Tashkent centre" and plan["ok"] is True and plan["problems"] == []
    assert [s["seller_id"] for s in plan["sellers"]] == sorted([kettle.seller_id, carpet.seller_id])
    by_seller = {s["seller_id"]: s for s in plan["sellers"]}
    assert by_seller[kettle.seller_id]["shipping"] == "16000.00"  # 15 000 + 1 kg x 1 000
    assert by_seller[carpet.seller_id]["shipping"] == "19000.00"  # 15 000 + 4 kg x 1 000
    assert [o["tariff_name"] for o in by_seller[kettle.seller_id]["options"]] == ["Standard", "Express"]
    assert by_seller[kettle.seller_id]["delivery"]["tariff_name"] == "Standard"
    assert (plan["subtotal"], plan["shipping"], plan["total"]) == ("500000.00", "35000.00", "535000.00")
    assert not Order.objects.exists()


def test_the_plan_for_an_address_outside_every_zone_says_so(api, buyer, zone, kettle):
    far = UserAddressFactory(user=buyer, latitude=Decimal("39.65"), longitude=Decimal("66.95"))
    fill_cart(buyer, (kettle, 1))

    plan = api.get(CHECKOUT, {"address": far.pk}).json()

    assert plan["ok"] is False and plan["zone"] is None
    assert "We do not deliver there yet." in plan["problems"]


@pytest.mark.parametrize("address", [None, "", "abc", "12abc", "other", "9" * 25])
def test_the_plan_needs_one_of_my_addresses(address, api, buyer, home, kettle):
    fill_cart(buyer, (kettle, 1))
    params = {} if address is None else {"address": UserAddressFactory().pk if address == "other" else address}

    response = api.get(CHECKOUT, params)

    assert response.status_code == 400, response.content
    assert response.json() == {"address": ["Choose one of your delivery addresses."]}


def checkout_body(home, **overrides):
    return {"address": home.pk, "payment_method": "cash", **overrides}


def test_placing_answers_201_with_one_order_per_seller(api, buyer, home, kettle, carpet):
    fill_cart(buyer, (kettle, 2), (carpet, 1))

    response = api.post(CHECKOUT, checkout_body(home, notes="Call first"), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    orders = list(Order.objects.order_by("pk"))
    assert [o["id"] for o in body] == [o.pk for o in orders] and len(orders) == 2
    assert {o["seller"] for o in body} == {kettle.seller_id, carpet.seller_id}
    assert all(o["role"] == "buyer" and o["status"] == "pending" and o["notes"] == "Call first" for o in body)
    assert all(o["next_steps"] == [{"action": "cancel", "label": "Cancel the order", "needs_note": False}]
               for o in body)  # fmt: skip
    assert sorted(len(o["items"]) for o in body) == [1, 1]
    assert not CartItem.objects.exists()
    kettle.refresh_from_db()
    assert kettle.stock_quantity == 3


def test_the_same_idempotency_key_replays_the_first_answer(api, buyer, home, kettle, carpet):
    fill_cart(buyer, (kettle, 1), (carpet, 1))
    key = {"HTTP_IDEMPOTENCY_KEY": "c0ffee-2026-checkout"}

    first = api.post(CHECKOUT, checkout_body(home), format="json", **key)
    placed = snapshot()
    fill_cart(buyer, (kettle, 1))  # even with a new cart, the replay places nothing
    with_cart = snapshot()
    second = api.post(CHECKOUT, checkout_body(home), format="json", **key)

    assert first.status_code == 201 and second.status_code == 200
    assert [o["id"] for o in second.json()] == [o["id"] for o in first.json()]
    assert Order.objects.count() == len(placed["orders"]) == 2
    assert snapshot() == with_cart

    conflict = api.post(CHECKOUT, checkout_body(home, notes="other"), format="json", **key)
    assert conflict.status_code == 409
    assert conflict.json() == {"idempotency_key": ["This key was already used for a different request."]}
    assert snapshot() == with_cart

    # The key is the caller's own: another buyer with the same key places their own orders.
    other = BuyerFactory()
    other_home = UserAddressFactory(user=other, latitude=Decimal("41.35"), longitude=Decimal("69.29"))
    fill_cart(other, (kettle, 1))
    response = client_for(other).post(CHECKOUT, checkout_body(other_home), format="json", **key)
    assert response.status_code == 201 and response.json()[0]["id"] not in [o["id"] for o in first.json()]


@pytest.mark.parametrize(
    "case, field",
    [
        ("no_address", "address"),
        ("text_address", "address"),
        ("other_address", "address"),
        ("no_method", "payment_method"),
        ("bad_method", "payment_method"),
        ("bad_tariff", "cart"),
        ("junk_tariff_seller", "tariffs"),
        ("out_of_stock", "cart"),
        ("empty", "cart"),
        ("outside", "cart"),
        ("unpinned", "address"),
    ],
)
def test_checkout_refusals_are_400_with_field_messages_and_write_nothing(case, field, api, buyer, home, kettle):
    fill_cart(buyer, (kettle, 2))
    body = checkout_body(home)
    if case == "no_address":
        del body["address"]
    elif case == "text_address":
        body["address"] = "home"
    elif case == "other_address":
        body["address"] = UserAddressFactory().pk
    elif case == "no_method":
        del body["payment_method"]
    elif case == "bad_method":
        body["payment_method"] = "barter"
    elif case == "bad_tariff":
        body["tariffs"] = {str(kettle.seller_id): 999999}
    elif case == "junk_tariff_seller":
        body["tariffs"] = {"the seller": 1}
    elif case == "out_of_stock":
        Product.objects.filter(pk=kettle.pk).update(stock_quantity=1)
    elif case == "empty":
        CartItem.objects.all().delete()
    elif case == "outside":
        body["address"] = UserAddressFactory(user=buyer, is_default=False, latitude=Decimal("39.65"),
                                             longitude=Decimal("66.95")).pk  # fmt: skip
    elif case == "unpinned":
        body["address"] = UserAddressFactory(user=buyer, is_default=False, latitude=None, longitude=None).pk
    before = snapshot()

    response = api.post(CHECKOUT, body, format="json", HTTP_IDEMPOTENCY_KEY=f"key-{case}")

    assert response.status_code == 400, response.content
    messages = response.json()[field]
    assert messages and all(isinstance(m, str) and m for m in messages)
    if case == "out_of_stock":
        assert messages == ["Only 1 of “Artel choynak” left."]
    if case == "outside":
        assert "We do not deliver there yet." in messages
    if case == "unpinned":
        assert messages == ["Mark the address on the map so that we can find it."]
        assert "cart" not in response.json()
    assert snapshot() == before


def test_a_refused_checkout_can_be_retried_with_the_same_key(api, buyer, home, kettle):
    fill_cart(buyer, (kettle, 2))
    Product.objects.filter(pk=kettle.pk).update(stock_quantity=1)
    key = {"HTTP_IDEMPOTENCY_KEY": "retry-me"}
    assert api.post(CHECKOUT, checkout_body(home), format="json", **key).status_code == 400

    Product.objects.filter(pk=kettle.pk).update(stock_quantity=5)
    response = api.post(CHECKOUT, checkout_body(home), format="json", **key)

    assert response.status_code == 201
    assert Order.objects.count() == 1


# --- orders ---------------------------------------------------------------------------------------
@pytest.fixture
def world(zone, far_zone, courier):
    """Orders of one buyer from one seller; the seller also bought something; a courier's."""
    buyer, seller = BuyerFactory(), SellerFactory()
    bought = order_for(seller, buyer, zone)
    confirmed = order_for(seller, buyer, zone, status=OrderStatus.CONFIRMED)
    sellers_purchase = order_for(SellerFactory(), seller, zone)
    carried = order_for(seller, buyer, zone, status=OrderStatus.IN_TRANSIT, courier=courier)
    claimable = order_for(SellerFactory(), BuyerFactory(), zone, status=OrderStatus.READY_FOR_PICKUP)
    elsewhere = order_for(SellerFactory(), BuyerFactory(), far_zone, status=OrderStatus.READY_FOR_PICKUP)
    unrelated = order_for(SellerFactory(), BuyerFactory(), zone)
    return {
        "buyer": buyer, "seller": seller, "courier": courier, "bought": bought, "confirmed": confirmed,
        "sellers_purchase": sellers_purchase, "carried": carried, "claimable": claimable,
        "elsewhere": elsewhere, "unrelated": unrelated,
    }  # fmt: skip


def test_my_orders_as_buyer_seller_and_courier(world):
    w = world
    buyer, seller, courier = client_for(w["buyer"]), client_for(w["seller"]), client_for(w["courier"])
    newest_first = lambda *orders: sorted((o.pk for o in orders), reverse=True)  # noqa: E731

    assert ids(buyer.get(ORDERS)) == newest_first(w["bought"], w["confirmed"], w["carried"])
    assert ids(seller.get(ORDERS)) == newest_first(w["bought"], w["confirmed"], w["sellers_purchase"], w["carried"])
    assert ids(seller.get(ORDERS, {"role": "seller"})) == newest_first(w["bought"], w["confirmed"], w["carried"])
    assert ids(seller.get(ORDERS, {"role": "buyer"})) == [w["sellers_purchase"].pk]
    assert ids(seller.get(ORDERS, {"role": "courier"})) == []
    assert ids(buyer.get(ORDERS, {"status": "confirmed"})) == [w["confirmed"].pk]
    assert ids(courier.get(ORDERS, {"role": "courier"})) == [w["carried"].pk]
    assert ids(courier.get(ORDERS, {"claimable": "true"})) == [w["claimable"].pk]
    assert ids(courier.get(ORDERS, {"claimable": "1", "status": "in_transit"})) == []

    rows = {row["id"]: row for row in seller.get(ORDERS).json()["results"]}
    assert rows[w["bought"].pk]["role"] == "seller"
    assert rows[w["sellers_purchase"].pk]["role"] == "buyer"
    assert [s["action"] for s in rows[w["bought"].pk]["next_steps"]] == ["confirm", "reject"]
    body = courier.get(ORDERS, {"claimable": "true"}).json()["results"][0]
    assert body["role"] == "courier" and [s["action"] for s in body["next_steps"]] == ["claim"]


def test_claimable_is_for_couriers_only(world):
    """A buyer or seller living in the zone must not get the zone's ready orders (other people's
    addresses and phones)."""
    for user in (world["buyer"], world["seller"], StaffFactory()):
        UserAddressFactory(user=user, is_default=False, latitude=Decimal("41.34"), longitude=Decimal("69.28"))
        assert ids(client_for(user).get(ORDERS, {"claimable": "true"})) == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"role": "admin"}, "role"),
        ({"status": "lost"}, "status"),
        ({"status": "pending\x00"}, "status"),
        ({"claimable": "yes please"}, "claimable"),
    ],
)
def test_invalid_list_parameters_are_a_400(params, field, world):
    response = client_for(world["buyer"]).get(ORDERS, params)

    assert response.status_code == 400, response.content
    assert response.json()[field]


def test_the_order_list_pages_in_constant_queries(world, zone):
    buyer = world["buyer"]
    api = client_for(buyer)
    api.get(ORDERS)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert api.get(ORDERS).status_code == 200
        return len(queries)

    three = count()
    for _ in range(12):
        order_for(world["seller"], buyer, zone, items=2)
    assert count() == three


def test_one_order_with_its_history_and_tracking(world):
    order = world["carried"]
    OrderTracking.objects.create(order=order, courier=world["courier"], status="in_transit",
                                 latitude=Decimal("41.3"), longitude=Decimal("69.2"))  # fmt: skip

    for who, role in (("buyer", "buyer"), ("seller", "seller"), ("courier", "courier")):
        response = client_for(world[who]).get(order_url(order))
        assert response.status_code == 200, who
        body = response.json()
        assert body["role"] == role and body["order_number"] == order.order_number
        assert [h["status"] for h in body["history"]] == ["pending"]
        assert [(t["status"], t["latitude"]) for t in body["tracking"]] == [("in_transit", "41.30000000")]
        assert body["delivery_address_text"] == order.delivery_address.one_line


@pytest.mark.parametrize("who", ["other_buyer", "other_seller", "other_courier", "staff"])
def test_another_persons_order_is_a_404_and_nothing_changes(who, world, zone):
    user = {"other_buyer": BuyerFactory, "other_seller": SellerFactory, "other_courier": CourierFactory,
            "staff": StaffFactory}[who]()  # fmt: skip
    if who == "other_courier":
        UserAddressFactory(user=user, latitude=Decimal("41.34"), longitude=Decimal("69.28"))
    api = client_for(user)
    before = snapshot()

    for order in (world["bought"], world["carried"], world["elsewhere"]):
        assert api.get(order_url(order)).status_code == 404
        for action in ("cancel", "confirm", "reject", "process", "ready", "pick_up", "deliver", "fail_attempt",
                       "claim", "staff_cancel"):  # fmt: skip
            response = api.post(transition_url(order), {"action": action, "note": "x"}, format="json")
            assert response.status_code == 404, (order, action)
    assert api.get("/api/v1/orders/999999/").status_code == 404
    assert ids(api.get(ORDERS)) == ([world["claimable"].pk] if who == "other_courier" else [])
    assert snapshot() == before


def test_transitions_answer_with_the_order_and_its_history(world):
    order, seller = world["bought"], world["seller"]
    api = client_for(seller)

    for action, status in (("confirm", "confirmed"), ("process", "processing"), ("ready", "ready_for_pickup")):
        response = api.post(transition_url(order), {"action": action}, format="json")
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == status
        assert body["history"][-1]["status"] == status and body["history"][-1]["changed_by"] == seller.pk
    assert [h["status"] for h in body["history"]] == ["pending", "confirmed", "processing", "ready_for_pickup"]
    assert body["next_steps"] == []


def test_the_courier_claims_and_delivers_with_gps(world):
    order, courier = world["claimable"], world["courier"]
    api = client_for(courier)

    for action in ("claim", "pick_up", "start_delivery"):
        assert api.post(transition_url(order), {"action": action}, format="json").status_code == 200
    response = api.post(transition_url(order), {"action": "deliver", "latitude": "41.311081",
                                                "longitude": "69.279737"}, format="json")  # fmt: skip

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["payment_status"], body["courier"]) == ("delivered", PaymentStatus.PAID, courier.pk)
    assert body["tracking"][-1] == {**body["tracking"][-1], "status": "delivered", "latitude": "41.31108100",
                                    "longitude": "69.27973700"}  # fmt: skip
    assert [t["status"] for t in body["tracking"]] == ["assigned", "picked_up", "in_transit", "delivered"]


@pytest.mark.parametrize(
    "who, order, body, field, message",
    [
        ("buyer", "bought", {"action": "confirm"}, "action", "You cannot do this with this order."),
        ("buyer", "carried", {"action": "cancel"}, "action", "Not possible while the order is “In transit”."),
        ("seller", "bought", {"action": "reject"}, "note", "Say why."),
        ("seller", "bought", {"action": "fly"}, "action", "Unknown step."),
        ("seller", "bought", {}, "action", "This field is required."),
        ("seller", "confirmed", {"action": "confirm"}, "action", "Not possible while the order is “Confirmed”."),
        ("courier", "carried", {"action": "fail_attempt"}, "note", "Say why."),
        ("courier", "carried", {"action": "deliver", "latitude": "north"}, "latitude", "A valid number is required."),
        ("courier", "carried", {"action": "deliver", "latitude": "95", "longitude": "69"}, "latitude",
         "Out of range."),
        ("courier", "claimable", {"action": "pick_up"}, "action", "This order is assigned to another courier."),
    ],
)  # fmt: skip
def test_a_forbidden_step_is_a_400_with_the_message_and_writes_nothing(who, order, body, field, message, world):
    before = snapshot()

    response = client_for(world[who]).post(transition_url(world[order]), body, format="json")

    assert response.status_code == 400, response.content
    assert message in response.json()[field]
    assert snapshot() == before


# --- the schema -----------------------------------------------------------------------------------
def test_the_schema_generates_and_lists_the_order_paths():
    response = client_for().get("/api/schema/", HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    for path, methods in {
        "/api/v1/cart/": {"get", "post", "delete"},
        "/api/v1/cart/items/{item_id}/": {"patch", "delete"},
        "/api/v1/checkout/": {"get", "post"},
        "/api/v1/orders/": {"get"},
        "/api/v1/orders/{order_id}/": {"get"},
        "/api/v1/orders/{order_id}/transition/": {"post"},
    }.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    checkout = paths["/api/v1/checkout/"]["post"]
    assert {"201", "200", "400", "409"} <= set(checkout["responses"])
    assert "Idempotency-Key" in [p["name"] for p in checkout["parameters"]]
    listing = {p["name"] for p in paths["/api/v1/orders/"]["get"]["parameters"]}
    assert {"role", "status", "claimable", "page"} <= listing
