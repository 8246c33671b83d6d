"""The product page's delivery box: visitors read a line in the (cached) page; a signed-in buyer's
estimate comes from its own uncached request, /delivery/estimate/<product id>/."""

import html
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.tests.factories import BuyerFactory, SellerFactory, UserAddressFactory
from catalog.enums import ProductStatus
from catalog.tests.factories import ProductFactory
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from gogomarket.core.money import format_uzs

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
HTMX = {"HTTP_HX_REQUEST": "true"}
VISITOR_LINE = "Delivery is priced at checkout for your address, per seller."


def text_of(response):
    return html.unescape(response.content.decode())


def estimate_url(product):
    return reverse("delivery:estimate", args=[product.pk])


def product_url(product):
    return reverse("catalog:product_detail", args=[product.slug])


@pytest.fixture
def zone():
    zone = DeliveryZoneFactory(name="Yunusobod tumani")
    DeliveryTariffFactory(zone=zone, name="Ekspress", base_cost=Decimal("35000"), estimated_hours=3)
    DeliveryTariffFactory(
        zone=zone, name="Standart", base_cost=Decimal("15000"), cost_per_km=Decimal("2000"),
        cost_per_kg=Decimal("1000"), free_delivery_threshold=Decimal("500000"), estimated_hours=24,
    )  # fmt: skip
    return zone


@pytest.fixture
def product(zone):
    seller = SellerFactory()
    UserAddressFactory(user=seller, latitude=Decimal("41.30"), longitude=Decimal("69.28"))
    return ProductFactory(seller=seller, base_price=Decimal("120000"), sale_price=None, weight=Decimal("2"))


@pytest.fixture
def buyer(client):
    buyer = BuyerFactory()
    UserAddressFactory(
        user=buyer, street="Amir Temur ko'chasi", building="7", latitude=Decimal("41.34"), longitude=Decimal("69.28")
    )
    client.force_login(buyer)
    return buyer


# --- the product page ---------------------------------------------------------------------------
def test_visitor_page_says_delivery_is_priced_at_checkout_and_stays_cached(product):
    first = Client().get(product_url(product), **EN)
    second = Client().get(product_url(product), **EN)

    assert first["X-Page-Cache"] == "miss" and second["X-Page-Cache"] == "hit"
    for response in (first, second):
        text = text_of(response)
        assert 'data-testid="delivery-estimate" data-state="visitor"' in text
        assert VISITOR_LINE in text
        assert estimate_url(product) not in text  # no second request for visitors


def test_buyer_page_loads_the_estimate_with_htmx_and_holds_no_address(client, buyer, product):
    response = client.get(product_url(product), **EN)

    assert response.status_code == 200
    assert "X-Page-Cache" not in response  # signed-in pages are never cached
    text = text_of(response)
    assert f'hx-get="{estimate_url(product)}" hx-trigger="load" hx-swap="outerHTML"' in text
    assert "Amir Temur" not in text and "Yunusobod tumani" not in text
    assert VISITOR_LINE not in text


def test_buyer_visit_leaves_nothing_personal_in_the_visitor_cache(client, buyer, product):
    client.get(product_url(product), **EN)
    client.get(estimate_url(product), **EN, **HTMX)

    visitor = Client().get(product_url(product), **EN)

    assert visitor["X-Page-Cache"] == "miss"  # the buyer's page was not stored
    text = text_of(visitor)
    assert VISITOR_LINE in text and "Amir Temur" not in text


# --- the estimate -------------------------------------------------------------------------------
def test_estimate_shows_zone_cheapest_tariff_cost_and_date(client, buyer, zone, product, django_assert_max_num_queries):
    client.get(estimate_url(product), **EN, **HTMX)  # the session's first request writes it
    DeliveryTariffFactory.create_batch(3, zone=zone, base_cost=Decimal("90000"))  # more tariffs, same queries
    DeliveryZoneFactory.create_batch(2)
    # The user and their session (read, activity stamp), then product, address, zone, tariffs and
    # the seller's pickup point.
    with django_assert_max_num_queries(8):
        response = client.get(estimate_url(product), **EN, **HTMX)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    text = text_of(response)
    assert 'data-state="quote"' in text
    assert "Delivery to your address" in text
    # Standart: 15 000 + 2 000 x 4.45 km (pickup 41.30 -> 41.34 N) + 1 000 x 2 kg, one unit.
    assert format_uzs(Decimal("25900")) in text
    assert "Standart" in text and "Ekspress" not in text
    assert "Yunusobod tumani" in text and "Amir Temur ko'chasi, 7" in text
    with translation.override("en"):
        eta = formats.date_format(timezone.localtime(timezone.now() + timedelta(hours=24)).date(), "j E")
    assert f"arrives by {eta}" in text


def test_estimate_is_free_above_the_threshold(client, buyer, product):
    product.base_price = Decimal("600000")
    product.save()

    text = text_of(client.get(estimate_url(product), **EN, **HTMX))

    assert 'data-testid="delivery-cost"><span class="text-success">Free</span>' in text


def test_estimate_outside_every_zone_says_we_do_not_deliver_there(client, product):
    buyer = BuyerFactory()
    UserAddressFactory(user=buyer, latitude=Decimal("39.6542"), longitude=Decimal("66.9597"))  # Samarkand
    client.force_login(buyer)

    text = text_of(client.get(estimate_url(product), **EN, **HTMX))

    assert 'data-state="unavailable"' in text
    assert "We do not deliver there yet." in text
    assert reverse("accounts:addresses") in text


def test_estimate_without_a_default_address_asks_for_one(client, product):
    client.force_login(BuyerFactory())

    text = text_of(client.get(estimate_url(product), **EN, **HTMX))

    assert 'data-state="no-address"' in text
    assert reverse("accounts:address_add") in text


def test_estimate_for_a_visitor_is_the_checkout_line(product):
    response = Client().get(estimate_url(product), **EN, **HTMX)

    assert response.status_code == 200
    assert 'data-state="visitor"' in text_of(response) and VISITOR_LINE in text_of(response)


def test_estimate_of_a_digital_product(client, buyer):
    product = ProductFactory(is_digital=True)

    assert 'data-state="digital"' in text_of(client.get(estimate_url(product), **EN, **HTMX))


@pytest.mark.parametrize("status", [ProductStatus.DRAFT, ProductStatus.INACTIVE])
def test_estimate_of_a_product_not_on_sale_is_404(client, buyer, status):
    product = ProductFactory(status=status)

    assert client.get(estimate_url(product), **EN).status_code == 404
    assert client.get(reverse("delivery:estimate", args=[10**9]), **EN).status_code == 404
