"""Who may open which page (accounts.mixins), the same check in every app: visitors are sent to
sign in, a signed-in account of another role gets a 403."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import BuyerFactory, CourierFactory, SellerFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "seller": ["/seller/products/", "/seller/products/low-stock/", "/seller/orders/", "/seller/finance/"],
    "courier": ["/courier/"],
    "anyone": ["/orders/", "/wallet/", "/account/", "/account/addresses/"],
}
FACTORIES = {"buyer": BuyerFactory, "seller": SellerFactory, "courier": CourierFactory}


@pytest.mark.parametrize("page", [page for pages in PAGES.values() for page in pages])
def test_visitors_are_sent_to_sign_in_and_brought_back(page):
    response = Client().get(page)
    assert response.status_code == 302
    assert response.url.startswith(reverse(settings.LOGIN_URL))
    assert f"next={page}" in response.url


@pytest.mark.parametrize("role", ["buyer", "seller", "courier"])
def test_each_role_opens_its_pages_and_gets_403_elsewhere(role):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(FACTORIES[role]())
    for owner, pages in PAGES.items():
        for page in pages:
            expected = 200 if owner in (role, "anyone") else 403
            assert client.get(page).status_code == expected, (role, page)
