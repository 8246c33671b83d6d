"""The order back office: its actions go through the lifecycle services (history rows written,
refusals shown as warnings with nothing changed), cancelling and assigning a courier ask on an
intermediate page, and the change page never edits status, courier or payment; an order's lines,
amounts and history are read-only everywhere in the back office."""

import html
import re

import pytest
from django.contrib.messages import constants
from django.test import Client
from django.urls import reverse

from accounts.enums import AdminRoleType, UserStatus
from accounts.tests.factories import BuyerFactory, CourierFactory, StaffFactory
from catalog.models import Product, ProductVariant
from catalog.tests.factories import ProductFactory, ProductVariantFactory
from finance.models import Commission, Wallet, WalletTransaction
from gogomarket.core.models import AuditLog
from orders.enums import OrderStatus, PaymentStatus, TrackingStatus
from orders.models import Order, OrderItem, OrderStatusHistory, OrderTracking
from orders.tests.factories import OrderFactory, OrderItemFactory, OrderStatusHistoryFactory, OrderTrackingFactory
from tests.helpers import admin_form_data

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:orders_order_changelist")


def change_url(order):
    return reverse("admin:orders_order_change", args=[order.pk])


def text_of(response):
    return html.unescape(response.content.decode())


def snapshot():
    return {
        "orders": list(Order.objects.order_by("pk").values()),
        "items": list(OrderItem.objects.order_by("pk").values()),
        "history": list(OrderStatusHistory.objects.order_by("pk").values()),
        "tracking": list(OrderTracking.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.filter(action__startswith="order").values_list("pk", flat=True)),
        # What the lines and totals were computed into: stock taken, commission, money moved.
        "stock": list(Product.objects.order_by("pk").values_list("pk", "stock_quantity")),
        "variant_stock": list(ProductVariant.objects.order_by("pk").values_list("pk", "stock_quantity")),
        "commissions": list(Commission.objects.order_by("pk").values()),
        "wallets": list(Wallet.objects.order_by("pk").values_list("pk", "balance")),
        "ledger": list(WalletTransaction.objects.order_by("pk").values_list("pk", flat=True)),
    }


def messages_after(response):
    """(level, text) of the messages shown after an action (the changelist it redirects to)."""
    return [(m.level, str(m)) for m in response.context["messages"]]


@pytest.fixture
def staff():
    return StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)


@pytest.fixture
def admin_client(staff):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff)
    return client


def run_action(client, action, orders, **extra):
    data = {"action": action, "_selected_action": [o.pk for o in orders], "index": 0, **extra}
    return client.post(CHANGELIST, data, follow=True)


def apply_on_page(client, action, orders, **fields):
    """Submit the intermediate page of ``action`` the way its form does."""
    data = {"action": action, "_selected_action": [o.pk for o in orders], "apply": "1", **fields}
    return client.post(CHANGELIST, data, follow=True)


# --- the steps ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "action, step, source, target",
    [
        ("confirm", "Confirm", OrderStatus.PENDING, OrderStatus.CONFIRMED),
        ("start_preparing", "Start preparing", OrderStatus.CONFIRMED, OrderStatus.PROCESSING),
        ("mark_ready", "Ready for pickup", OrderStatus.PROCESSING, OrderStatus.READY_FOR_PICKUP),
    ],
)
def test_a_step_action_calls_the_service_and_refuses_the_wrong_status(
    action, step, source, target, admin_client, staff
):
    good = [OrderFactory(status=source), OrderFactory(status=source)]
    wrong = OrderFactory(status=OrderStatus.DELIVERED, courier=CourierFactory())
    wrong_before = Order.objects.filter(pk=wrong.pk).values().get()

    response = run_action(admin_client, action, [*good, wrong])

    assert response.status_code == 200
    for order in good:
        order.refresh_from_db()
        assert order.status == target
        history = order.status_history.get()
        assert (history.status, history.changed_by, history.text, history.notes) == (target, staff, step, None)
        assert AuditLog.objects.filter(action__startswith="order.", entity_id=order.pk, user_id=staff.pk).exists()
    assert Order.objects.filter(pk=wrong.pk).values().get() == wrong_before
    assert not OrderStatusHistory.objects.filter(order=wrong).exists()
    shown = messages_after(response)
    assert (constants.WARNING, f"{wrong.order_number}: Not possible while the order is “Delivered”.") in shown
    assert (constants.SUCCESS, "2 orders changed.") in shown


def test_a_refused_step_alone_says_only_why(admin_client):
    order = OrderFactory(status=OrderStatus.CANCELLED)
    before = snapshot()

    response = run_action(admin_client, "confirm", [order])

    assert messages_after(response) == [
        (constants.WARNING, f"{order.order_number}: Not possible while the order is “Cancelled”.")
    ]
    assert snapshot() == before


# --- cancel with a reason -------------------------------------------------------------------------
def test_cancel_asks_for_a_reason_on_an_intermediate_page(admin_client):
    orders = [OrderFactory(), OrderFactory(status=OrderStatus.CONFIRMED)]
    before = snapshot()

    response = admin_client.post(
        CHANGELIST, {"action": "cancel_with_reason", "_selected_action": [o.pk for o in orders], "index": 0}
    )

    assert response.status_code == 200
    assert response.templates[0].name == "admin/orders/order_action.html"
    page = text_of(response)
    for order in orders:
        assert order.order_number in page
        assert f'name="_selected_action" value="{order.pk}"' in page
    assert 'name="reason"' in page and 'name="apply"' in page
    assert 'name="action" value="cancel_with_reason"' in page
    assert snapshot() == before

    response = apply_on_page(admin_client, "cancel_with_reason", orders, reason="  ")
    assert response.status_code == 200
    assert "This field is required." in text_of(response)
    assert snapshot() == before


def test_cancel_with_a_reason_cancels_through_the_service(admin_client, staff):
    product = ProductFactory(stock_quantity=10)
    order = OrderFactory(seller=product.seller, items=0)
    OrderItemFactory(order=order, product=product, quantity=3)
    delivered = OrderFactory(delivered=True)
    delivered_before = Order.objects.filter(pk=delivered.pk).values().get()

    response = apply_on_page(admin_client, "cancel_with_reason", [order, delivered], reason="Buyer called")

    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert (order.cancellation_reason, order.cancelled_by) == ("Buyer called", staff)
    history = order.status_history.get()
    assert (history.status, history.notes, history.changed_by) == ("cancelled", "Buyer called", staff)
    product.refresh_from_db()
    assert product.stock_quantity == 13
    assert Order.objects.filter(pk=delivered.pk).values().get() == delivered_before
    shown = messages_after(response)
    assert (constants.WARNING, f"{delivered.order_number}: Not possible while the order is “Delivered”.") in shown
    assert (constants.SUCCESS, "1 orders changed.") in shown


# --- assign a courier -----------------------------------------------------------------------------
def test_assign_offers_active_couriers_on_an_intermediate_page(admin_client):
    order = OrderFactory(status=OrderStatus.CONFIRMED)
    active = CourierFactory(first_name="Jasur")
    blocked = CourierFactory(first_name="Blocked", status=UserStatus.SUSPENDED)
    buyer = BuyerFactory()
    before = snapshot()

    response = admin_client.post(CHANGELIST, {"action": "assign_courier", "_selected_action": [order.pk], "index": 0})

    assert response.status_code == 200
    page = text_of(response)
    options = re.findall(r'<option value="(\d+)"', page)
    assert str(active.pk) in options
    assert str(blocked.pk) not in options and str(buyer.pk) not in options
    assert snapshot() == before

    response = apply_on_page(admin_client, "assign_courier", [order], courier=buyer.pk)
    assert response.status_code == 200
    assert "Select a valid choice." in text_of(response)
    assert snapshot() == before


def test_assign_sets_the_courier_with_history_and_tracking(admin_client, staff):
    ready = OrderFactory(status=OrderStatus.READY_FOR_PICKUP)
    pending = OrderFactory()
    pending_before = Order.objects.filter(pk=pending.pk).values().get()
    courier = CourierFactory(first_name="Jasur", last_name="Tez")

    response = apply_on_page(admin_client, "assign_courier", [ready, pending], courier=courier.pk)

    ready.refresh_from_db()
    assert (ready.courier, ready.status) == (courier, OrderStatus.READY_FOR_PICKUP)
    history = ready.status_history.get()
    assert (history.changed_by, history.text, history.notes) == (staff, "Courier assigned: Jasur Tez.", None)
    tracking = ready.tracking.get()
    assert (tracking.courier, tracking.status) == (courier, TrackingStatus.ASSIGNED)
    assert Order.objects.filter(pk=pending.pk).values().get() == pending_before
    assert not pending.status_history.exists() and not pending.tracking.exists()
    shown = messages_after(response)
    assert (constants.WARNING, f"{pending.order_number}: Not possible while the order is “Pending”.") in shown
    assert (constants.SUCCESS, "1 orders assigned.") in shown


# --- who may run them -----------------------------------------------------------------------------
def test_staff_without_order_rights_cannot_run_the_actions():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(StaffFactory(role_type=AdminRoleType.TECHNICAL_ACCESS))
    order = OrderFactory()
    before = snapshot()

    for action in ("confirm", "cancel_with_reason", "assign_courier"):
        response = client.post(
            CHANGELIST,
            {
                "action": action,
                "_selected_action": [order.pk],
                "index": 0,
                "apply": "1",
                "reason": "x",
                "courier": CourierFactory().pk,
            },  # fmt: skip
        )
        assert response.status_code == 403
    assert snapshot() == before


# --- the change page ------------------------------------------------------------------------------
def test_the_change_page_shows_status_courier_and_payment_read_only(admin_client):
    courier = CourierFactory()
    order = OrderFactory(status=OrderStatus.PICKED_UP, courier=courier, items=2)

    response = admin_client.get(change_url(order))

    assert response.status_code == 200
    form = response.context["adminform"].form
    for name in ("status", "courier", "payment_status", "payment_method", "order_number", "buyer", "seller",
                 "subtotal", "total_amount", "currency", "cancellation_reason"):  # fmt: skip
        assert name not in form.fields, name
    page = text_of(response)
    assert not re.search(r'name="(status|courier|payment_status|payment_method)"', page)
    assert "Picked up" in page


def test_posting_the_change_page_does_not_change_status_courier_or_payment(admin_client):
    order = OrderFactory(status=OrderStatus.CONFIRMED)
    page = admin_client.get(change_url(order))
    data = {"notes": "Ring twice", "estimated_delivery_date": "", "_save": "Save"}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update({
            f"{formset.prefix}-TOTAL_FORMS": formset.total_form_count(),
            f"{formset.prefix}-INITIAL_FORMS": formset.initial_form_count(),
            f"{formset.prefix}-MIN_NUM_FORMS": 0,
            f"{formset.prefix}-MAX_NUM_FORMS": 1000,
        })  # fmt: skip
    data.update({"status": "delivered", "courier": CourierFactory().pk, "payment_status": "paid",
                 "total_amount": "1", "subtotal": "1", "currency": "USD"})  # fmt: skip
    before = Order.objects.filter(pk=order.pk).values().get()

    response = admin_client.post(change_url(order), data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    after = Order.objects.filter(pk=order.pk).values().get()
    assert after["notes"] == "Ring twice"
    for name in ("status", "courier_id", "payment_status", "payment_method", "subtotal", "total_amount", "currency"):
        assert after[name] == before[name], name
    assert after["payment_status"] == PaymentStatus.PENDING


def test_no_add_and_no_delete(admin_client):
    order = OrderFactory(items=1)
    before = snapshot()

    assert admin_client.get(reverse("admin:orders_order_add")).status_code == 403
    assert admin_client.get(reverse("admin:orders_order_delete", args=[order.pk])).status_code == 403
    assert admin_client.post(reverse("admin:orders_order_delete", args=[order.pk]), {"post": "yes"}).status_code == 403
    response = admin_client.get(CHANGELIST)
    actions = [value for value, _label in response.context["action_form"].fields["action"].choices]
    assert "delete_selected" not in actions
    assert {"confirm", "start_preparing", "mark_ready", "cancel_with_reason", "assign_courier"} <= set(actions)
    response = admin_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [order.pk],
                                              "index": 0, "post": "yes"})  # fmt: skip
    assert snapshot() == before
    assert 'href="/admin/orders/order/add/"' not in text_of(response)


# --- lines, amounts and history are read-only -------------------------------------------------------
def item_url(view, *args):
    return reverse(f"admin:orders_orderitem_{view}", args=args)


@pytest.fixture
def order_with_lines():
    """A delivered card order (commission recorded) with a line of a product with a variant."""
    order = OrderFactory(delivered=True, items=1)
    variant = ProductVariantFactory(product=ProductFactory(seller=order.seller, stock_quantity=7), stock_quantity=7)
    OrderItemFactory(order=order, product=variant.product, variant=variant, quantity=2)
    Commission.objects.create(
        order=order, seller=order.seller, commission_rate=10, order_amount=order.subtotal,
        commission_amount=order.commission_amount,
    )  # fmt: skip
    return order


def test_order_lines_cannot_be_added_changed_or_deleted_on_their_own_pages(admin_client, order_with_lines):
    item = order_with_lines.items.order_by("pk").first()
    other = ProductFactory(seller=order_with_lines.seller)
    before = snapshot()

    line = {"order": order_with_lines.pk, "product": other.pk, "product_name": "Forged", "quantity": "5",
            "unit_price": "1", "subtotal": "5", "discount_amount": "0", "tax_amount": "0"}  # fmt: skip
    assert admin_client.get(item_url("add")).status_code == 403
    assert admin_client.post(item_url("add"), line).status_code == 403
    page = admin_client.get(item_url("change", item.pk))
    assert page.status_code == 200  # shown read-only
    assert not page.context["adminform"].form.fields
    changed = line | {"order": item.order_id, "product": item.product_id, "quantity": "50", "unit_price": "0.01"}
    assert admin_client.post(item_url("change", item.pk), changed).status_code == 403
    assert admin_client.get(item_url("delete", item.pk)).status_code == 403
    assert admin_client.post(item_url("delete", item.pk), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [item.pk], "index": 0, "post": "yes"}
    admin_client.post(item_url("changelist"), bulk)

    assert snapshot() == before


def test_the_order_page_adds_changes_and_deletes_no_line_and_no_amount(admin_client, order_with_lines):
    first, second = order_with_lines.items.order_by("pk")
    path = change_url(order_with_lines)
    page = admin_client.get(path)
    (lines,) = [i for i in page.context["inline_admin_formsets"] if i.formset.model is OrderItem]
    assert len(lines.formset.forms) == 2
    assert not (lines.has_add_permission or lines.has_change_permission or lines.has_delete_permission)
    assert not re.search(r'name="items-\d+-(quantity|unit_price|subtotal|product)"', text_of(page))
    before = snapshot()
    data = admin_form_data(admin_client, path, notes="Call before coming")
    forged = {
        # The first line changed, the second deleted, a third added: what an editable inline posts.
        "items-0-id": first.pk, "items-0-order": order_with_lines.pk, "items-0-quantity": "40",
        "items-0-unit_price": "1", "items-0-subtotal": "40", "items-0-product": first.product_id,
        "items-1-id": second.pk, "items-1-order": order_with_lines.pk, "items-1-DELETE": "on",
        "items-TOTAL_FORMS": "3",
        "items-2-order": order_with_lines.pk, "items-2-product": first.product_id, "items-2-product_name": "Free",
        "items-2-quantity": "9", "items-2-unit_price": "1", "items-2-subtotal": "9",
        # And the amounts, status and payment of the order itself.
        "subtotal": "1", "total_amount": "1", "commission_amount": "0", "discount_amount": "999999",
        "shipping_cost": "0", "tax_amount": "0", "status": "pending", "payment_status": "refunded",
    }  # fmt: skip

    response = admin_client.post(path, data | forged)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    after = snapshot()
    assert Order.objects.get(pk=order_with_lines.pk).notes == "Call before coming"
    strip = ("notes", "updated_at")
    assert [{k: v for k, v in row.items() if k not in strip} for row in after.pop("orders")] == [
        {k: v for k, v in row.items() if k not in strip} for row in before.pop("orders")
    ]
    assert after == before


def test_the_order_page_shows_every_field_but_the_note_and_delivery_date_read_only(admin_client, order_with_lines):
    form = admin_client.get(change_url(order_with_lines)).context["adminform"].form

    assert set(form.fields) == {"notes", "estimated_delivery_date"}


@pytest.mark.parametrize(
    "model, factory",
    [(OrderStatusHistory, OrderStatusHistoryFactory), (OrderTracking, OrderTrackingFactory)],
    ids=["history", "tracking"],
)
def test_order_history_and_tracking_are_never_written_by_hand(admin_client, model, factory):
    row = factory()
    base = f"admin:orders_{model._meta.model_name}"
    before = snapshot()

    assert admin_client.get(reverse(f"{base}_add")).status_code == 403
    forged = {"order": row.order_id, "status": "delivered", "notes": "forged", "courier": row.order.courier_id or ""}
    assert admin_client.post(reverse(f"{base}_add"), forged).status_code == 403
    assert admin_client.get(reverse(f"{base}_change", args=[row.pk])).status_code == 200
    assert admin_client.post(reverse(f"{base}_change", args=[row.pk]), forged).status_code == 403
    assert admin_client.post(reverse(f"{base}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [row.pk], "index": 0, "post": "yes"}
    admin_client.post(reverse(f"{base}_changelist"), bulk)

    assert snapshot() == before
