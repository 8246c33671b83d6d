"""The order back office: its actions go through the lifecycle services (history rows written,
refusals shown as warnings with nothing changed), cancelling and assigning a courier ask on an
intermediate page, and the change page never edits status, courier or payment."""

import html
import re

import pytest
from django.contrib.messages import constants
from django.test import Client
from django.urls import reverse

from accounts.enums import AdminRoleType, UserStatus
from accounts.tests.factories import BuyerFactory, CourierFactory, StaffFactory
from catalog.tests.factories import ProductFactory
from gogomarket.core.models import AuditLog
from orders.enums import OrderStatus, PaymentStatus, TrackingStatus
from orders.models import Order, OrderItem, OrderStatusHistory, OrderTracking
from orders.tests.factories import OrderFactory, OrderItemFactory

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
