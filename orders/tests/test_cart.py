"""Rules of the cart (orders.services.cart): adding and merging lines, quantity limits (min/max per
order, stock unless backorder or digital), variants, products that are not on sale, the price
remembered when added, the visitor's cart merged at sign-in, and carts kept apart. A refused
change is checked to have changed nothing."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from accounts.enums import UserStatus
from accounts.tests.factories import BuyerFactory
from catalog.enums import ProductStatus
from catalog.models import Product
from catalog.tests.factories import ProductFactory, ProductVariantFactory
from orders import services
from orders.models import Cart, CartItem
from orders.services import cart as cart_module
from orders.services.cart import SESSION_KEY
from orders.tests.factories import CartFactory, CartItemFactory

pytestmark = pytest.mark.django_db


def _lines(cart):
    """The cart's lines as (product id, variant id, quantity, unit price), to compare before/after."""
    return list(
        CartItem.objects.filter(cart=cart)
        .order_by("pk")
        .values_list("product_id", "variant_id", "quantity", "unit_price")
    )


def _messages(error):
    return " ".join(str(m) for messages in error.value.message_dict.values() for m in messages)


# --- add and merge ------------------------------------------------------------------------------
def test_add_creates_a_line_at_todays_price():
    cart = CartFactory()
    product = ProductFactory(base_price=Decimal("120000"), sale_price=Decimal("99000"))

    item = services.cart_add(cart=cart, product_id=product.pk, quantity=2)

    assert (item.product_id, item.variant_id, item.quantity) == (product.pk, None, 2)
    assert item.unit_price == Decimal("99000.00")  # the sale price, not the base price


def test_adding_the_same_product_again_adds_to_the_same_line():
    cart = CartFactory()
    product = ProductFactory()

    first = services.cart_add(cart=cart, product_id=product.pk, quantity=2)
    second = services.cart_add(cart=cart, product_id=product.pk, quantity=3)

    assert second.pk == first.pk
    assert _lines(cart) == [(product.pk, None, 5, first.unit_price)]


def test_variants_of_one_product_are_separate_lines_priced_with_their_adjustment():
    cart = CartFactory()
    product = ProductFactory(base_price=Decimal("100000"))
    small = ProductVariantFactory(product=product, price_adjustment=Decimal("0"))
    large = ProductVariantFactory(product=product, price_adjustment=Decimal("15000"))

    services.cart_add(cart=cart, product_id=product.pk, variant_id=small.pk)
    services.cart_add(cart=cart, product_id=product.pk, variant_id=large.pk, quantity=2)
    services.cart_add(cart=cart, product_id=product.pk, variant_id=large.pk)

    assert _lines(cart) == [
        (product.pk, small.pk, 1, Decimal("100000.00")),
        (product.pk, large.pk, 3, Decimal("115000.00")),
    ]


@pytest.mark.parametrize("quantity", [0, -1, "abc", None, "", 10_001])
def test_add_refuses_a_quantity_that_is_not_a_positive_whole_number(quantity):
    cart = CartFactory()
    product = ProductFactory()

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=product.pk, quantity=quantity)

    assert "quantity" in error.value.message_dict
    assert _lines(cart) == []


def test_a_full_cart_refuses_a_new_line_but_takes_more_of_an_existing_one(monkeypatch):
    monkeypatch.setattr(cart_module, "MAX_LINES", 2)
    cart = CartFactory()
    first, second, third = ProductFactory.create_batch(3)
    services.cart_add(cart=cart, product_id=first.pk)
    services.cart_add(cart=cart, product_id=second.pk)

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=third.pk)
    services.cart_add(cart=cart, product_id=first.pk)

    assert "full" in _messages(error)
    assert [(p, q) for p, _v, q, _price in _lines(cart)] == [(first.pk, 2), (second.pk, 1)]


# --- minimum and maximum per order --------------------------------------------------------------
def test_a_first_add_is_raised_to_the_minimum_per_order():
    cart = CartFactory()
    product = ProductFactory(min_order_quantity=3)

    item = services.cart_add(cart=cart, product_id=product.pk, quantity=1)

    assert item.quantity == 3


def test_setting_a_quantity_below_the_minimum_is_refused():
    cart = CartFactory()
    product = ProductFactory(min_order_quantity=3)
    item = services.cart_add(cart=cart, product_id=product.pk, quantity=4)

    with pytest.raises(ValidationError) as error:
        services.cart_item_set_quantity(cart=cart, item_id=item.pk, quantity=2)

    assert "at least 3" in _messages(error)
    assert _lines(cart) == [(product.pk, None, 4, item.unit_price)]


def test_more_than_the_maximum_per_order_is_refused_when_adding_and_when_setting():
    cart = CartFactory()
    product = ProductFactory(max_order_quantity=5)

    with pytest.raises(ValidationError) as too_many:
        services.cart_add(cart=cart, product_id=product.pk, quantity=6)
    assert "At most 5" in _messages(too_many)
    assert _lines(cart) == []

    item = services.cart_add(cart=cart, product_id=product.pk, quantity=4)
    with pytest.raises(ValidationError):
        services.cart_add(cart=cart, product_id=product.pk, quantity=2)  # 4 + 2 > 5
    with pytest.raises(ValidationError):
        services.cart_item_set_quantity(cart=cart, item_id=item.pk, quantity=6)
    assert _lines(cart) == [(product.pk, None, 4, item.unit_price)]

    services.cart_add(cart=cart, product_id=product.pk, quantity=1)
    assert _lines(cart)[0][2] == 5


# --- stock --------------------------------------------------------------------------------------
def test_more_than_the_stock_is_refused_with_what_is_left():
    cart = CartFactory()
    product = ProductFactory(name="Artel muzlatgich", stock_quantity=3)

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=product.pk, quantity=4)

    assert "Only 3" in _messages(error)
    assert "Artel muzlatgich" in _messages(error)
    assert _lines(cart) == []


def test_a_product_without_stock_is_out_of_stock():
    cart = CartFactory()
    product = ProductFactory(name="Samsung A15", stock_quantity=0, status=ProductStatus.OUT_OF_STOCK)

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=product.pk)

    assert "“Samsung A15” is out of stock." in _messages(error)
    assert _lines(cart) == []


def test_stock_counts_what_is_already_in_the_cart():
    cart = CartFactory()
    product = ProductFactory(stock_quantity=5)
    item = services.cart_add(cart=cart, product_id=product.pk, quantity=4)

    with pytest.raises(ValidationError):
        services.cart_add(cart=cart, product_id=product.pk, quantity=2)
    with pytest.raises(ValidationError):
        services.cart_item_set_quantity(cart=cart, item_id=item.pk, quantity=6)

    assert _lines(cart)[0][2] == 4


@pytest.mark.parametrize("kind", ["backorder", "digital"])
def test_backorder_and_digital_products_ignore_the_stock(kind):
    cart = CartFactory()
    product = ProductFactory(stock_quantity=1, allow_backorder=kind == "backorder", is_digital=kind == "digital")

    item = services.cart_add(cart=cart, product_id=product.pk, quantity=50)
    services.cart_item_set_quantity(cart=cart, item_id=item.pk, quantity=80)

    assert _lines(cart)[0][2] == 80


def test_a_product_that_needs_no_delivery_sells_without_stock_wherever_it_is_shown():
    """One rule (catalog.stock): what is not delivered (digital, or marked as needing no delivery)
    counts no stock. Such a product with 0 in stock stayed on sale in the lists while the cart
    refused it as out of stock, the card said "out of stock" and the in-stock filter left it out."""
    from catalog import selectors
    from catalog import services as catalog_services

    cart = CartFactory()
    service = ProductFactory(is_digital=False, requires_shipping=False, stock_quantity=0)
    catalog_services.products_stock_status_refresh([service.pk])

    assert Product.objects.get(pk=service.pk).status == ProductStatus.ACTIVE
    listed = selectors.listing_page(selectors.ListingFilters(seller_id=service.seller_id, in_stock=True))
    assert [(card.id, card.in_stock) for card in listed.cards] == [(service.pk, True)]
    item = services.cart_add(cart=cart, product_id=service.pk, quantity=3)
    assert (item.quantity, services.cart_view(cart).problems) == (3, [])


def test_a_variant_has_its_own_stock():
    cart = CartFactory()
    product = ProductFactory(stock_quantity=30)
    variant = ProductVariantFactory(product=product, stock_quantity=2, name="Qizil")

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=product.pk, variant_id=variant.pk, quantity=3)

    assert "Only 2" in _messages(error)
    assert "(Qizil)" in _messages(error)
    assert _lines(cart) == []


# --- variants and visibility --------------------------------------------------------------------
def test_a_product_with_variants_needs_a_variant():
    cart = CartFactory()
    product = ProductFactory()
    ProductVariantFactory(product=product)

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=product.pk)

    assert "variant" in error.value.message_dict
    assert _lines(cart) == []


def test_a_product_whose_variants_are_all_gone_is_bought_as_it_is():
    cart = CartFactory()
    product = ProductFactory()
    ProductVariantFactory(product=product, is_active=False)
    ProductVariantFactory(product=product, deleted_at=timezone.now())

    item = services.cart_add(cart=cart, product_id=product.pk)

    assert item.variant_id is None


@pytest.mark.parametrize("which", ["inactive", "deleted", "of_another_product", "missing"])
def test_a_variant_that_is_not_on_sale_is_refused(which):
    cart = CartFactory()
    product = ProductFactory()
    ProductVariantFactory(product=product)
    if which == "inactive":
        variant_id = ProductVariantFactory(product=product, is_active=False).pk
    elif which == "deleted":
        variant_id = ProductVariantFactory(product=product, deleted_at=timezone.now()).pk
    elif which == "of_another_product":
        variant_id = ProductVariantFactory().pk
    else:
        variant_id = 987_654_321

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=product.pk, variant_id=variant_id)

    assert "variant" in error.value.message_dict
    assert _lines(cart) == []


@pytest.mark.parametrize(
    "change",
    [
        {"status": ProductStatus.DRAFT},
        {"status": ProductStatus.INACTIVE},
        {"status": ProductStatus.DISCONTINUED},
        {"deleted_at": "now"},
        {"seller_status": UserStatus.SUSPENDED},
        {"seller_deleted": True},
    ],
    ids=["draft", "inactive", "discontinued", "deleted", "seller_suspended", "seller_deleted"],
)
def test_a_product_that_is_not_on_sale_is_refused(change):
    cart = CartFactory()
    product = ProductFactory()
    if "status" in change:
        Product.objects.filter(pk=product.pk).update(status=change["status"])
    if "deleted_at" in change:
        Product.objects.filter(pk=product.pk).update(deleted_at=timezone.now())
    if "seller_status" in change:
        type(product.seller).objects.filter(pk=product.seller_id).update(status=change["seller_status"])
    if "seller_deleted" in change:
        type(product.seller).objects.filter(pk=product.seller_id).update(deleted_at=timezone.now())

    with pytest.raises(ValidationError) as error:
        services.cart_add(cart=cart, product_id=product.pk)

    assert "This product is not on sale." in _messages(error)
    assert _lines(cart) == []


def test_a_product_id_that_does_not_exist_is_refused():
    cart = CartFactory()

    with pytest.raises(ValidationError):
        services.cart_add(cart=cart, product_id=987_654_321)
    with pytest.raises(ValidationError):
        services.cart_add(cart=cart, product_id=None)

    assert _lines(cart) == []


# --- quantity, removal, another cart ------------------------------------------------------------
def test_setting_zero_removes_the_line():
    cart = CartFactory()
    item = services.cart_add(cart=cart, product_id=ProductFactory().pk, quantity=2)

    assert services.cart_item_set_quantity(cart=cart, item_id=item.pk, quantity=0) is None

    assert _lines(cart) == []


def test_remove_and_clear():
    cart = CartFactory()
    first = services.cart_add(cart=cart, product_id=ProductFactory().pk)
    services.cart_add(cart=cart, product_id=ProductFactory().pk)

    services.cart_item_remove(cart=cart, item_id=first.pk)
    assert len(_lines(cart)) == 1
    services.cart_clear(cart=cart)
    assert _lines(cart) == []
    assert Cart.objects.filter(pk=cart.pk).exists()  # the cart itself stays


def test_another_carts_line_does_not_exist_here():
    mine, theirs = CartFactory(), CartFactory()
    their_item = CartItemFactory(cart=theirs, quantity=2)
    before = _lines(theirs)

    with pytest.raises(CartItem.DoesNotExist):
        services.cart_item_set_quantity(cart=mine, item_id=their_item.pk, quantity=5)
    with pytest.raises(CartItem.DoesNotExist):
        services.cart_item_set_quantity(cart=mine, item_id=their_item.pk, quantity=0)
    with pytest.raises(CartItem.DoesNotExist):
        services.cart_item_remove(cart=mine, item_id=their_item.pk)
    with pytest.raises(CartItem.DoesNotExist):
        services.cart_item_remove(cart=mine, item_id=987_654_321)

    assert _lines(theirs) == before
    assert _lines(mine) == []


# --- what the cart page shows -------------------------------------------------------------------
def test_a_price_change_since_adding_is_flagged():
    cart = CartFactory()
    cheaper = ProductFactory(base_price=Decimal("200000"))
    steady = ProductFactory(base_price=Decimal("50000"))
    services.cart_add(cart=cart, product_id=cheaper.pk, quantity=2)
    services.cart_add(cart=cart, product_id=steady.pk)
    Product.objects.filter(pk=cheaper.pk).update(sale_price=Decimal("180000"))

    view = services.cart_view(cart)
    lines = {line.product.pk: line for line in view.lines}

    assert lines[cheaper.pk].price_changed
    assert (lines[cheaper.pk].added_price, lines[cheaper.pk].price) == (Decimal("200000.00"), Decimal("180000.00"))
    assert lines[cheaper.pk].total == Decimal("360000.00")  # today's price is what checkout charges
    assert not lines[steady.pk].price_changed
    assert view.subtotal == Decimal("410000.00")
    assert view.count == 3


def test_a_variant_price_adjustment_change_is_flagged():
    cart = CartFactory()
    variant = ProductVariantFactory(price_adjustment=Decimal("10000"))
    services.cart_add(cart=cart, product_id=variant.product_id, variant_id=variant.pk)
    type(variant).objects.filter(pk=variant.pk).update(price_adjustment=Decimal("20000"))

    (line,) = services.cart_view(cart).lines

    assert line.price_changed
    assert line.price - line.added_price == Decimal("10000.00")


def test_the_cart_groups_lines_by_seller_and_names_the_problems():
    cart = CartFactory()
    a, b = ProductFactory(), ProductFactory()
    a2 = ProductFactory(seller=a.seller, stock_quantity=5)
    for product in (a, b, a2):
        services.cart_add(cart=cart, product_id=product.pk, quantity=2)
    Product.objects.filter(pk=b.pk).update(status=ProductStatus.INACTIVE)
    Product.objects.filter(pk=a2.pk).update(stock_quantity=1)

    view = services.cart_view(cart)

    assert [group.seller.pk for group in view.groups] == sorted([a.seller_id, b.seller_id])
    by_seller = {group.seller.pk: group for group in view.groups}
    assert {line.product.pk for line in by_seller[a.seller_id].lines} == {a.pk, a2.pk}
    assert len(view.problems) == 2
    assert any("no longer on sale" in p and b.name in p for p in view.problems)
    assert any("Only 1" in p and a2.name in p for p in view.problems)


def test_the_cart_view_is_three_queries_whatever_its_size(django_assert_max_num_queries):
    cart = CartFactory()
    for _ in range(8):
        product = ProductFactory()
        services.cart_add(cart=cart, product_id=ProductVariantFactory(product=product).product_id,
                          variant_id=product.variants.get().pk)  # fmt: skip

    with django_assert_max_num_queries(3):
        view = services.cart_view(cart)
        assert len(view.lines) == 8
        [line.problem for line in view.lines]


def test_no_cart_is_an_empty_view():
    view = services.cart_view(None)

    assert view.empty and view.subtotal == 0 and view.count == 0


# --- which cart: the visitor's, then the user's -------------------------------------------------
def _request(user=None, session=None):
    request = RequestFactory().get("/cart/")
    if session is None:
        SessionMiddleware(lambda r: None).process_request(request)
    else:
        request.session = session
    request.user = user or AnonymousUser()
    return request


def test_a_visitor_gets_a_cart_in_their_session_only_when_asked_to_create_one():
    request = _request()

    assert services.cart_for_request(request) is None
    assert SESSION_KEY not in request.session

    cart = services.cart_for_request(request, create=True)
    assert cart.user_id is None
    assert cart.session_key == request.session[SESSION_KEY]
    # The next request of the same browser finds the same cart.
    assert services.cart_for_request(_request(session=request.session)).pk == cart.pk
    # Another browser does not.
    assert services.cart_for_request(_request()) is None


def test_a_signed_in_user_gets_their_own_cart():
    buyer = BuyerFactory()

    assert services.cart_for_request(_request(buyer)) is None
    cart = services.cart_for_request(_request(buyer), create=True)

    assert cart.user_id == buyer.pk
    assert services.cart_for_request(_request(buyer)).pk == cart.pk
    assert services.cart_for_user(buyer).pk == cart.pk


def test_the_visitors_cart_is_merged_into_the_users_cart_at_sign_in():
    buyer = BuyerFactory()
    both = ProductFactory(stock_quantity=100)
    only_visitor = ProductFactory(base_price=Decimal("70000"))
    only_user = ProductFactory()
    own = services.cart_for_user(buyer)
    services.cart_add(cart=own, product_id=both.pk, quantity=2)
    services.cart_add(cart=own, product_id=only_user.pk)

    request = _request()
    guest = services.cart_for_request(request, create=True)
    services.cart_add(cart=guest, product_id=both.pk, quantity=3)
    services.cart_add(cart=guest, product_id=only_visitor.pk, quantity=4)
    Product.objects.filter(pk=only_visitor.pk).update(base_price=Decimal("75000"))

    # Signing in keeps the session's data; the next page the user opens merges the carts.
    request.user = buyer
    cart = services.cart_for_request(request)

    assert cart.pk == own.pk
    assert {(p, q) for p, _v, q, _price in _lines(cart)} == {(both.pk, 5), (only_visitor.pk, 4), (only_user.pk, 1)}
    # The visitor's line keeps the price it was added at, so the change is shown.
    merged = {line.product.pk: line for line in services.cart_view(cart).lines}
    assert merged[only_visitor.pk].added_price == Decimal("70000.00")
    assert merged[only_visitor.pk].price_changed
    assert not Cart.objects.filter(pk=guest.pk).exists()
    assert SESSION_KEY not in request.session
    # Merging happens once.
    assert services.cart_for_request(request).pk == own.pk
    assert _lines(cart)[0][2] == 5


def test_a_merge_is_capped_by_stock_and_the_maximum_per_order():
    buyer = BuyerFactory()
    scarce = ProductFactory(stock_quantity=4)
    limited = ProductFactory(max_order_quantity=3)
    gone = ProductFactory(stock_quantity=5)
    own = services.cart_for_user(buyer)
    services.cart_add(cart=own, product_id=scarce.pk, quantity=3)
    services.cart_add(cart=own, product_id=limited.pk, quantity=2)
    request = _request()
    guest = services.cart_for_request(request, create=True)
    services.cart_add(cart=guest, product_id=scarce.pk, quantity=3)
    services.cart_add(cart=guest, product_id=limited.pk, quantity=3)
    services.cart_add(cart=guest, product_id=gone.pk, quantity=2)
    Product.objects.filter(pk=gone.pk).update(stock_quantity=0)

    request.user = buyer
    cart = services.cart_for_request(request)

    assert {(p, q) for p, _v, q, _price in _lines(cart)} == {(scarce.pk, 4), (limited.pk, 3)}


def test_a_visitor_cart_becomes_the_cart_of_a_user_who_had_none():
    buyer = BuyerFactory()
    product = ProductFactory()
    request = _request()
    guest = services.cart_for_request(request, create=True)
    services.cart_add(cart=guest, product_id=product.pk, quantity=2)

    request.user = buyer
    cart = services.cart_for_request(request)

    assert cart.user_id == buyer.pk
    assert [(p, q) for p, _v, q, _price in _lines(cart)] == [(product.pk, 2)]
    assert Cart.objects.filter(user__isnull=True).count() == 0


def test_a_stale_session_token_merges_nothing_and_is_dropped():
    buyer = BuyerFactory()
    request = _request(buyer)
    request.session[SESSION_KEY] = "no-such-cart"

    services.cart_for_request(request)

    assert SESSION_KEY not in request.session
    assert CartItem.objects.count() == 0


def test_someone_elses_user_cart_is_never_merged_through_a_token():
    """A session token only finds visitor carts: a signed-in person's cart is never taken over."""
    victim = BuyerFactory()
    victim_cart = CartFactory(user=victim, session_key="leaked-token")
    CartItemFactory(cart=victim_cart, quantity=2)
    attacker = BuyerFactory()
    request = _request(attacker)
    request.session[SESSION_KEY] = "leaked-token"

    cart = services.cart_for_request(request)

    assert cart.user_id == attacker.pk
    assert _lines(cart) == []
    assert len(_lines(victim_cart)) == 1
