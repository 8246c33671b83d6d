"""Every API operation, fuzzed from the OpenAPI schema the app serves (schemathesis): no answer is
a server error, and every answer is one the schema documents (status code, content type,
headers, body).

The schema is loaded from the app itself (``/api/schema/``), and requests go through Django's
WSGI handler in this test's thread, so they see this test's database. For each operation
schemathesis generates valid and invalid requests (``max_examples`` of them, derandomized: the
same requests on every run), sent by the people who use it (a buyer, a seller, staff, and
nobody), with path ids that are real rows of theirs half of the time (the rest are not).
"""

import json
import os
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_session_create
from accounts.tests.factories import DEFAULT_PASSWORD, StaffFactory, UserAddressFactory, UserSessionFactory
from catalog.tests.factories import (
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from finance.tests.factories import BankAccountFactory, PayoutFactory, WalletFactory, WalletTransactionFactory
from orders.models import Cart
from orders.tests.factories import (
    CartFactory,
    CartItemFactory,
    OrderFactory,
    buyer_with_address,
    seller_with_pickup,
)

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = int(os.environ.get("CONFORMANCE_EXAMPLES", 25))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def people():
    seller = seller_with_pickup()
    buyer, address = buyer_with_address()
    DeliveryTariffFactory(zone=DeliveryZoneFactory())
    product = ProductFactory(seller=seller)
    ProductImageFactory(product=product)
    ProductVariantFactory(product=product)
    CartItemFactory(cart=CartFactory(user=buyer), product=product)
    OrderFactory(buyer=buyer, seller=seller)
    WalletTransactionFactory(wallet=WalletFactory(user=seller))
    bank_account = BankAccountFactory(user=seller)
    return {"buyer": buyer, "seller": seller, "staff": StaffFactory(), "address": address, "product": product,
            "bank_account": bank_account}  # fmt: skip


def _real_path_parameters(path, people):
    """Fresh rows of the caller's for the ids in ``path`` (each operation gets its own: a DELETE
    of one does not leave the next operation without)."""
    buyer, seller = people["buyer"], people["seller"]
    if path.startswith("/api/v1/me/addresses/{id}"):
        return {"id": UserAddressFactory(user=buyer, is_default=False).pk}
    if path.startswith("/api/v1/me/sessions/{id}"):
        return {"id": UserSessionFactory(user=buyer).pk}
    if path.startswith("/api/v1/products/{product_id}"):
        return {"product_id": people["product"].pk}
    if path.startswith("/api/v1/cart/items/{item_id}"):
        return {"item_id": CartItemFactory(cart=buyer.cart, product=ProductFactory(seller=seller)).pk}
    if path.startswith("/api/v1/orders/{order_id}"):
        return {"order_id": OrderFactory(buyer=buyer, seller=seller).pk}
    if path.startswith("/api/v1/seller/payouts/{id}"):
        return {"id": PayoutFactory(seller=seller, bank_account=seller.bank_accounts.first()).pk}
    if path.startswith("/api/v1/seller/bank-accounts/{id}"):
        return {"id": BankAccountFactory(user=seller, is_default=False).pk}
    if path.startswith("/api/v1/seller/products/{id}"):
        product = ProductFactory(seller=seller)
        return {
            "id": product.pk,
            "image_id": ProductImageFactory(product=product).pk,
            "variant_id": ProductVariantFactory(product=product).pk,
            "attribute_id": ProductAttributeFactory(product=product).pk,
        }
    return {}


ADDRESS = {"full_name": "Lola Karimova", "phone": "+998901234567", "country": "Uzbekistan", "city": "Tashkent",
           "street": "Amir Temur 1"}  # fmt: skip


def _real_request(label, people):
    """A valid body or query for operations that random input rarely gets through, so that their
    successful answers are checked too."""
    buyer, seller, product = people["buyer"], people["seller"], people["product"]
    if label in ("POST /api/v1/checkout/", "GET /api/v1/checkout/"):
        cart, _created = Cart.objects.get_or_create(user=buyer)
        CartItemFactory(cart=cart, product=ProductFactory(seller=seller, category=product.category))
    requests = {
        "POST /api/v1/auth/login/": {"body": {"login": buyer.email, "password": DEFAULT_PASSWORD}},
        "POST /api/v1/auth/refresh/": {"body": {"refresh": api_session_create(user=buyer)[2]}},
        "POST /api/v1/cart/": {"body": {"product": ProductFactory(seller=seller).pk, "quantity": 1}},
        "PATCH /api/v1/cart/items/{item_id}/": {"body": {"quantity": 2}},
        "GET /api/v1/checkout/": {"query": {"address": people["address"].pk}},
        "POST /api/v1/checkout/": {"body": {"address": people["address"].pk, "payment_method": "cash"}},
        "POST /api/v1/me/addresses/": {"body": ADDRESS},
        "PUT /api/v1/me/addresses/{id}/": {"body": ADDRESS},
        "POST /api/v1/orders/{order_id}/transition/": {"body": {"action": "confirm"}},
        "POST /api/v1/seller/payouts/": {
            "body": {"amount": "10000", "method": "bank_transfer", "bank_account": people["bank_account"].pk}
        },
        "POST /api/v1/seller/products/": {
            "body": {
                "category": product.category_id,
                "name": "Chinni choynak",
                "description": "Oq chinni, 1 l.",
                "base_price": "120000",
            }  # fmt: skip
        },
        "POST /api/v1/seller/products/{id}/variants/": {"body": {"name": "Qora", "stock_quantity": 3}},
        "POST /api/v1/wallet/topup/": {"body": {"amount": "5000"}},
    }
    return requests.get(label, {})


def _callers(path):
    """Who calls an operation: its users, and nobody (the answer then is 401, or the public one)."""
    if path.startswith("/api/v1/seller/"):
        return ["seller", "buyer", None]
    if path.startswith("/api/v1/orders/"):
        return ["buyer", "seller", "staff", None]
    return ["buyer", None]


def _check_operation(operation, people, tokens, answered):
    path = operation.path
    real = _real_path_parameters(path, people)
    path_names = {p.name for p in operation.path_parameters}
    cases = [operation.as_strategy(), operation.as_strategy(GenerationMode.NEGATIVE)]
    real = {"path_parameters": {k: v for k, v in real.items() if k in path_names}} if real else {}
    real.update(_real_request(operation.label, people))
    if "body" in real:
        real["media_type"] = "application/json"
    if real:
        cases.append(operation.as_strategy(**real))

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(cases), caller=st.sampled_from(_callers(path)))
    def check(case, caller):
        headers = {key: value for key, value in (case.headers or {}).items() if key.lower() != "authorization"}
        case.headers = headers
        if caller is not None:
            headers = {**headers, "Authorization": f"Bearer {tokens[caller]}"}
        # In a savepoint: a request that breaks the transaction (a database error) is reported,
        # and the next request still runs.
        with transaction.atomic():
            response = case.call(headers=headers)
        answered[response.status_code] += 1
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


@pytest.fixture
def app():
    """Django's WSGI application, minus what would break the test's transaction: after each
    request it closes "old" database connections (the test's own, inside its transaction), as
    Django's test client also prevents."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_every_operation_answers_as_its_schema_says(app, people, settings):
    # The limits for visitors are tested in test_rate_limits.py; here they would only turn most
    # anonymous reads into (documented) 429s.
    settings.ANONYMOUS_READS_PER_MINUTE = settings.ANONYMOUS_SEARCHES_PER_MINUTE = 0
    schema = schemathesis.openapi.from_wsgi("/api/schema/", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 60
    failures = defaultdict(list)
    for operation in operations:
        started = time.monotonic()
        # A fresh session per operation: one that signs out or ends sessions only ends its own.
        tokens = {who: api_session_create(user=people[who])[1] for who in ("buyer", "seller", "staff")}
        answered = Counter()
        try:
            _check_operation(operation, people, tokens, answered)
        except (Exception, BaseExceptionGroup) as error:  # noqa: BLE001 - every finding is reported together
            failures[operation.label].append(str(error)[:3000])
        if os.environ.get("CONFORMANCE_TIMES"):
            print(f"{time.monotonic() - started:6.1f}s {operation.label} {dict(answered)}", file=sys.stderr)
    if os.environ.get("CONFORMANCE_REPORT"):
        Path(os.environ["CONFORMANCE_REPORT"]).write_text(json.dumps(failures, indent=1))
    assert not failures, json.dumps(failures, indent=1)
