"""Money in a real browser: a buyer tops up GoGoMoney by (sandbox) card and pays an order from the
wallet; once the order is delivered and its hold period is over, a real Celery worker releases
the seller's earning, the seller sees it on the finance page and asks for a payout, and a real
worker sends it."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory, StaffFactory, UserAddressFactory
from catalog.tests.factories import CategoryFactory, ProductFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from finance import crypto
from finance.enums import CommissionStatus, PayoutStatus
from finance.models import Commission, Payout
from finance.services.ledger import ledger_check, wallet_for
from finance.tasks import process_payouts, release_earnings
from finance.tests.factories import BankAccountFactory
from orders.enums import OrderStatus, PaymentMethod, PaymentStatus
from orders.models import Order
from orders.services import order_assign_courier, order_transition
from tests.e2e.test_accounts_browser import sign_in_through_the_form
from tests.helpers import celery_worker

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SO_M = r"[\s\u00a0]"  # amounts are written "300 000 so'm", with a (no-break) space


def amount(text):
    return re.compile(text.replace(" ", SO_M))


@pytest.fixture
def market(transactional_db):
    zone = DeliveryZoneFactory(name="Yunusobod")
    DeliveryTariffFactory(zone=zone, name="Standart", base_cost=Decimal("15000"), cost_per_km=0, cost_per_kg=0)
    category = CategoryFactory(name="Uy-ro'zg'or", slug="uy-rozgor")
    seller = SellerFactory(first_name="Artel", last_name="Savdo")
    kettle = ProductFactory(seller=seller, category=category, name="Elektr choynak", slug="elektr-choynak",
                            base_price=Decimal("180000"), stock_quantity=5)  # fmt: skip
    buyer = BuyerFactory(first_name="Malika")
    UserAddressFactory(user=buyer, label="Uy", latitude=Decimal("41.350000"), longitude=Decimal("69.290000"))
    courier = CourierFactory(first_name="Jasur")
    account = BankAccountFactory(user=seller, account_number=crypto.encrypt("20208000900123456001"))
    return {"seller": seller, "kettle": kettle, "buyer": buyer, "courier": courier, "account": account,
            "staff": StaffFactory()}  # fmt: skip


def _deliver(order, market):
    """The seller prepares the order and a courier brings it (their pages have their own test)."""
    for action in ("confirm", "process", "ready"):
        order = order_transition(order=order, action=action, actor=market["seller"])
    order = order_assign_courier(order=order, courier=market["courier"], actor=market["staff"])
    for action in ("pick_up", "start_delivery", "deliver"):
        order = order_transition(order=order, action=action, actor=market["courier"])
    return order


def test_top_up_by_card_pay_from_the_wallet_and_the_seller_is_paid_out(browser, live_server, market):
    # --- the buyer, on a phone: tops up 300 000 so'm by card ----------------------------------
    buyer_context = browser.new_context(viewport=PHONE, locale="uz-UZ")
    page = buyer_context.new_page()
    sign_in_through_the_form(page, live_server, market["buyer"].email, next_url="/wallet/")
    expect(page.get_by_test_id("wallet-page")).to_be_visible()
    expect(page.get_by_test_id("wallet-balance")).to_have_text(amount("0 so'm"))
    expect(page.get_by_test_id("wallet-history-empty")).to_be_visible()

    form = page.get_by_test_id("topup-form")
    form.locator("#id_amount").fill("300 000")
    form.get_by_test_id("topup-submit").click()
    # the card provider's page (the sandbox bank): the amount, approve or decline
    expect(page.get_by_test_id("sandbox-page")).to_be_visible()
    assert "/payments/sandbox/" in page.url
    expect(page.get_by_test_id("sandbox-amount")).to_contain_text(amount("300 000"))
    page.get_by_test_id("sandbox-approve").click()

    expect(page).to_have_url(live_server.url + "/wallet/")
    expect(page.get_by_test_id("wallet-balance")).to_have_text(amount("300 000 so'm"))
    expect(page.get_by_test_id("wallet-entry")).to_have_count(1)
    expect(page.get_by_test_id("wallet-entry-amount")).to_contain_text(amount("300 000"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # --- ... and pays an order from the wallet ------------------------------------------------
    page.goto(f"{live_server.url}/products/elektr-choynak/")
    page.get_by_test_id("add-to-cart-button").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    page.goto(live_server.url + "/checkout/")
    page.locator("#gm-pay-gogomoney").check()
    page.get_by_test_id("place-order").click()
    expect(page.get_by_test_id("order-page")).to_be_visible()  # one order: its own page
    order = Order.objects.get(buyer=market["buyer"])
    expect(page).to_have_url(f"{live_server.url}/orders/{order.order_number}/")
    expect(page.get_by_test_id("pay-now")).to_have_count(0)  # paid already
    assert (order.payment_method, order.payment_status) == (PaymentMethod.GOGOMONEY, PaymentStatus.PAID)
    assert order.total_amount == Decimal("195000.00")  # 180 000 + 15 000 delivery

    page.goto(live_server.url + "/wallet/")
    expect(page.get_by_test_id("wallet-balance")).to_have_text(amount("105 000 so'm"))
    expect(page.get_by_test_id("wallet-entry")).to_have_count(2)
    expect(page.get_by_test_id("wallet-entry").first).to_contain_text(order.order_number)
    expect(page.get_by_test_id("wallet-entry-amount").first).to_contain_text(amount("195 000"))

    # --- delivered; the seller's earning is on hold -------------------------------------------
    order = _deliver(order, market)
    assert order.status == OrderStatus.DELIVERED
    seller_context = browser.new_context(viewport=DESKTOP, locale="uz-UZ")
    seller_page = seller_context.new_page()
    sign_in_through_the_form(seller_page, live_server, market["seller"].email, next_url="/seller/finance/")
    expect(seller_page.get_by_test_id("seller-finance-page")).to_be_visible()
    expect(seller_page.get_by_test_id("balance-available")).to_contain_text(amount("0 so'm"))
    # 195 000 - 10 % commission of the 180 000 of items
    expect(seller_page.get_by_test_id("balance-pending")).to_contain_text(amount("177 000"))
    commission_row = seller_page.get_by_test_id("commission-row").filter(has_text=order.order_number)
    expect(commission_row.get_by_test_id("commission-amount")).to_contain_text(amount("18 000"))
    expect(commission_row.get_by_test_id("money-status")).to_have_attribute("data-status", "pending")

    # --- the return window is over: a real worker releases the earning ------------------------
    Order.objects.filter(pk=order.pk).update(actual_delivery_date=timezone.now() - timezone.timedelta(days=15))
    with celery_worker(connection.settings_dict) as queue:
        assert release_earnings.apply_async(queue=queue).get(timeout=60) == {"released": 1, "cancelled": 0}

        seller_page.reload()
        expect(seller_page.get_by_test_id("balance-available")).to_contain_text(amount("177 000"))
        expect(seller_page.get_by_test_id("balance-pending")).to_contain_text(amount("0 so'm"))
        commission_row = seller_page.get_by_test_id("commission-row").filter(has_text=order.order_number)
        expect(commission_row.get_by_test_id("money-status")).to_have_attribute("data-status", "paid")

        # --- the seller asks for 150 000 to the verified bank account -------------------------
        form = seller_page.get_by_test_id("payout-form")
        form.locator("#id_amount").fill("150000")
        expect(form.locator("input[name=method][value=bank_transfer]")).to_be_checked()
        form.locator("#id_bank_account").select_option(str(market["account"].pk))
        form.get_by_test_id("payout-submit").click()
        expect(seller_page.locator("#messages .alert-success")).to_be_visible()
        row = seller_page.get_by_test_id("payout-row")
        expect(row).to_have_count(1)
        expect(row.get_by_test_id("money-status")).to_have_attribute("data-status", "pending")
        expect(row).to_contain_text("•••• 6001")
        expect(seller_page.get_by_test_id("balance-available")).to_contain_text(amount("27 000"))

        # --- the payout job, in the worker, sends it ------------------------------------------
        process_payouts.apply_async(queue=queue).get(timeout=60)
    seller_page.reload()
    row = seller_page.get_by_test_id("payout-row")
    expect(row.get_by_test_id("money-status")).to_have_attribute("data-status", "completed")
    expect(row.get_by_test_id("payout-cancel")).to_have_count(0)
    payout = Payout.objects.get(seller=market["seller"])
    assert (payout.status, payout.amount) == (PayoutStatus.COMPLETED, Decimal("150000.00"))
    assert payout.transaction_id == f"sandbox-payout-{payout.pk}"
    assert Commission.objects.get(order=order).status == CommissionStatus.PAID
    assert wallet_for(market["seller"]).balance == Decimal("27000.00")
    assert wallet_for(market["buyer"]).balance == Decimal("105000.00")
    assert ledger_check() == []
    for context in (buyer_context, seller_context):
        context.close()


def test_a_card_order_declined_once_is_paid_with_pay_now(browser, live_server, market):
    context = browser.new_context(viewport=PHONE, locale="uz-UZ")
    page = context.new_page()
    sign_in_through_the_form(page, live_server, market["buyer"].email)
    page.goto(f"{live_server.url}/products/elektr-choynak/")
    page.get_by_test_id("add-to-cart-button").click()
    expect(page.get_by_test_id("cart-count")).to_have_text("1")
    page.goto(live_server.url + "/checkout/")
    page.locator("#gm-pay-card").check()
    page.get_by_test_id("place-order").click()

    # straight to the card provider; the card is declined
    expect(page.get_by_test_id("sandbox-page")).to_be_visible()
    expect(page.get_by_test_id("sandbox-amount")).to_contain_text(amount("195 000"))
    page.get_by_test_id("sandbox-decline").click()
    order = Order.objects.get(buyer=market["buyer"])
    expect(page).to_have_url(re.compile(rf"/orders/{order.order_number}/"))
    assert Order.objects.get(pk=order.pk).payment_status == PaymentStatus.PENDING

    # the order waits for its payment: pay now, approved this time
    page.get_by_test_id("pay-now").click()
    expect(page.get_by_test_id("sandbox-page")).to_be_visible()
    page.get_by_test_id("sandbox-approve").click()
    expect(page).to_have_url(re.compile(rf"/orders/{order.order_number}/"))
    expect(page.get_by_test_id("pay-now")).to_have_count(0)
    order.refresh_from_db()
    assert (order.status, order.payment_status) == (OrderStatus.PENDING, PaymentStatus.PAID)
    # paid, the seller may confirm it now
    order_transition(order=order, action="confirm", actor=market["seller"])
    context.close()
