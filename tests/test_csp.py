"""The Content-Security-Policy: every page sends it, and no page needs more than it allows (no
inline script without the response's nonce, no inline event handler, no htmx attribute that
evaluates JavaScript, no inline style where the policy allows none). Every page of the site is
requested as the person who would see it, the whole back office as a super admin, and the API docs.
Browsers reporting violations on the real pages: tests/e2e/test_csp_browser.py."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import get_resolver, resolve, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.enums import AdminRoleType
from accounts.tests.factories import CourierFactory, SellerFactory, StaffFactory, UserAddressFactory
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)
from delivery.tests.factories import DeliveryTariffFactory, DeliveryZoneFactory
from finance.tests.factories import BankAccountFactory, PaymentFactory, PayoutFactory
from orders.tests.factories import CartFactory, CartItemFactory, OrderFactory, buyer_with_address
from tests.factory_map import MODEL_FACTORIES

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda m: m._meta.label)
NO_ADD_PAGE_STATUS = (200, 403)

# URL names that answer no HTML page of their own: POST-only actions (each redirects to a page
# listed below), machine endpoints, files.
NOT_PAGES = {
    "healthz",
    "readyz",
    "set_language",
    "javascript-catalog",
    "api-schema",
    "accounts:logout",
    "accounts:avatar",
    "accounts:email_verification_send",
    "accounts:phone_code_send",
    "accounts:phone_verify",
    "accounts:address_delete",
    "accounts:address_make_default",
    "accounts:session_end",
    "accounts:sessions_end_others",
    "seller:bulk",
    "seller:export",
    "seller:product_status",
    "seller:image_upload",
    "seller:image_action",
    "seller:variant_create",
    "seller:variant_update",
    "seller:attribute_create",
    "seller:attribute_action",
    "orders:cart_add",
    "orders:cart_item",
    "orders:transition",
    "orders:pay",
    "finance:callback",
    "money:topup",
    "money:payout_request",
    "money:payout_cancel",
    "money:bank_account_add",
    "money:bank_account_make_default",
    "money:bank_account_delete",
}

# Non-executable data blocks (json_script) are not scripts to the browser.
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}
# htmx attributes whose value htmx may run as JavaScript.
HTMX_EVAL_VALUES = ("hx-vals", "hx-vars", "hx-headers", "data-hx-vals", "data-hx-vars", "data-hx-headers")


def policy_of(response):
    header = response.get("Content-Security-Policy")
    assert header, f"{response.request['PATH_INFO']}: no Content-Security-Policy header"
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class InlineCode(HTMLParser):
    """What a page holds that the policy would have to allow: inline scripts, handlers, styles."""

    def __init__(self, script_nonce, style_nonce, inline_styles_allowed):
        super().__init__(convert_charrefs=True)
        self.script_nonce = script_nonce
        self.style_nonce = style_nonce
        self.inline_styles_allowed = inline_styles_allowed
        self.problems = []

    def handle_starttag(self, tag, attrs):
        self.handle_element(tag, attrs)

    def handle_startendtag(self, tag, attrs):
        self.handle_element(tag, attrs)

    def handle_element(self, tag, attrs):
        where = f"<{tag} {' '.join(f'{k}={v!r}' for k, v in attrs)[:160]}>"
        values = dict(attrs)
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.problems.append(f"inline handler {name}: {where}")
            elif name.startswith(("hx-on", "data-hx-on")):
                self.problems.append(f"htmx handler {name}: {where}")
            elif name in HTMX_EVAL_VALUES and value.lower().startswith(("js:", "javascript:")):
                self.problems.append(f"htmx evaluates {name}: {where}")
            elif name in ("hx-trigger", "data-hx-trigger") and "[" in value:
                self.problems.append(f"htmx trigger filter (eval): {where}")
            elif name in ("href", "src", "action", "formaction") and value.lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL: {where}")
            elif name == "style" and not self.inline_styles_allowed:
                self.problems.append(f"style attribute: {where}")
        if tag == "script":
            kind = (values.get("type") or "").lower()
            if "src" in values:
                if not values["src"].startswith("/") or values["src"].startswith("//"):
                    self.problems.append(f"script from another site: {where}")
            elif kind not in DATA_SCRIPT_TYPES and not (self.script_nonce and values.get("nonce") == self.script_nonce):
                self.problems.append(f"inline script without the nonce: {where}")
        if tag == "style" and not self.inline_styles_allowed:
            if not (self.style_nonce and values.get("nonce") == self.style_nonce):
                self.problems.append(f"inline <style> without the nonce: {where}")


def nonce_in(sources):
    for source in sources:
        match = re.fullmatch(r"'nonce-([^']+)'", source)
        if match:
            return match.group(1)
    return None


def page_problems(response, url):
    """The policy is there and strict, and the HTML keeps to it: what is wrong, as a list."""
    policy = policy_of(response)
    assert policy["default-src"] == ["'self'"], url
    script_src = policy.get("script-src", policy["default-src"])
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, (url, script_src)
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["form-action"][0] == "'self'"
    if not response.get("Content-Type", "").startswith("text/html"):
        return []
    style_src = policy.get("style-src", policy["default-src"])
    style_nonce = nonce_in(style_src)
    # A nonce in the list makes browsers ignore 'unsafe-inline'.
    inline_styles_allowed = "'unsafe-inline'" in style_src and style_nonce is None
    parser = InlineCode(nonce_in(script_src), style_nonce, inline_styles_allowed)
    parser.feed(response.content.decode())
    return [f"{url}: {problem}" for problem in parser.problems]


def check_page(response, url):
    problems = page_problems(response, url)
    assert problems == [], "\n".join(problems)


@pytest.fixture
def world():
    """One of everything a page shows: a category tree with a product that has pictures,
    variants and attributes, a seller, a buyer with an address, a cart, an order, a courier,
    a zone with a tariff, a card payment on the sandbox page, and a super admin."""
    zone = DeliveryZoneFactory()
    DeliveryTariffFactory(zone=zone)
    root = CategoryFactory(name="Elektronika", slug="elektronika")
    leaf = CategoryFactory(name="Smartfonlar", slug="smartfonlar", parent=root)
    seller = SellerFactory()
    UserAddressFactory(user=seller, label="Warehouse")
    product = ProductFactory(seller=seller, category=leaf, name="Redmi Note 13", slug="redmi-note-13")
    ProductImageFactory(product=product, is_primary=True)
    ProductImageFactory(product=product)
    ProductVariantFactory(product=product, name="8/128", stock_quantity=0)
    ProductVariantFactory(product=product, name="8/256", stock_quantity=4)
    ProductAttributeFactory(product=product)
    ProductFactory(seller=seller, category=leaf, stock_quantity=2)  # on the low-stock page
    PayoutFactory(seller=seller, bank_account=BankAccountFactory(user=seller))  # pending: can be cancelled
    buyer, address = buyer_with_address()
    unpinned = UserAddressFactory(user=buyer, is_default=False, latitude=None, longitude=None, label="Dacha")
    cart = CartFactory(user=buyer)
    CartItemFactory(cart=cart, product=product)
    order = OrderFactory(buyer=buyer, seller=seller, delivery_address=address)
    courier = CourierFactory()
    payment = PaymentFactory(user=buyer)
    staff = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    return {
        "seller": seller,
        "product": product,
        "category": leaf,
        "buyer": buyer,
        "address": address,
        "unpinned": unpinned,
        "order": order,
        "courier": courier,
        "payment": payment,
        "staff": staff,
    }


def site_pages(world):
    """(who, url) for every page of the site; who is None for a visitor who is not signed in."""
    product, order, buyer, seller = world["product"], world["order"], world["buyer"], world["seller"]
    uid = urlsafe_base64_encode(force_bytes(buyer.pk))
    reset_token = default_token_generator.make_token(buyer)
    return [
        (None, "/"),
        (None, reverse("catalog:category_list")),
        (None, reverse("catalog:category_detail", args=[world["category"].slug])),
        (None, reverse("catalog:product_detail", args=[product.slug])),
        (None, reverse("catalog:search") + "?q=redmi"),
        (None, reverse("catalog:search_suggest") + "?q=redmi"),
        (None, reverse("catalog:seller_storefront", args=[seller.pk])),
        (None, reverse("orders:cart")),
        (None, reverse("accounts:login")),
        (None, reverse("accounts:signup")),
        (None, reverse("accounts:password_reset")),
        (None, reverse("accounts:password_reset_done")),
        (None, reverse("accounts:password_reset_confirm", args=[uid, reset_token])),
        (None, reverse("accounts:password_reset_complete")),
        (None, reverse("accounts:verify_email", args=["not-a-token"])),
        (None, "/no-such-page/"),
        (None, reverse("api-docs")),
        (None, reverse("api-redoc")),
        (None, reverse("admin:login")),
        (buyer, reverse("catalog:product_detail", args=[product.slug])),
        (buyer, reverse("delivery:estimate", args=[product.pk])),
        (buyer, reverse("accounts:profile")),
        (buyer, reverse("accounts:password_change")),
        (buyer, reverse("accounts:addresses")),
        (buyer, reverse("accounts:address_add")),
        (buyer, reverse("accounts:address_edit", args=[world["unpinned"].pk])),
        (buyer, reverse("accounts:sessions")),
        (buyer, reverse("orders:cart")),
        (buyer, reverse("orders:checkout")),
        (buyer, reverse("orders:checkout") + f"?address={world['unpinned'].pk}"),
        (buyer, reverse("orders:list")),
        (buyer, reverse("orders:detail", args=[order.order_number])),
        (buyer, reverse("money:wallet")),
        (buyer, reverse("finance:sandbox_page", args=[world["payment"].token])),
        (seller, reverse("seller:dashboard")),
        (seller, reverse("seller:products")),
        (seller, reverse("seller:product_create")),
        (seller, reverse("seller:product_edit", args=[product.pk])),
        (seller, reverse("seller:low_stock")),
        (seller, reverse("seller:import")),
        (seller, reverse("orders:seller_list")),
        (seller, reverse("orders:seller_detail", args=[order.order_number])),
        (seller, reverse("money:seller_finance")),
        (world["courier"], reverse("orders:courier")),
        (world["staff"], reverse("admin:index")),
        (world["staff"], reverse("admin:finance_money_totals")),
    ]


def get(clients, who, url):
    key = who.pk if who else None
    if key not in clients:
        clients[key] = Client()
        if who:
            clients[key].force_login(who)
    response = clients[key].get(url, follow=True)
    assert response.status_code in (200, 404), (url, response.status_code)
    return response


def test_every_page_of_the_site_sends_the_policy_and_keeps_to_it(world):
    clients = {}
    problems = []
    for who, url in site_pages(world):
        problems += page_problems(get(clients, who, url), url)
    assert problems == [], "\n".join(problems)


def test_the_list_of_pages_covers_every_page_url(world):
    """A new page must be added to site_pages (or to NOT_PAGES when it answers no HTML)."""

    def names(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace in ("admin", "api"):
                    continue
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from names(pattern.url_patterns, inner)
            elif pattern.name:
                yield namespace + pattern.name

    every = set(names(get_resolver().url_patterns))
    covered = {resolve(url.split("?")[0]).view_name for _, url in site_pages(world) if url != "/no-such-page/"}
    assert sorted(every - covered - NOT_PAGES) == []


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label_lower)
def test_every_back_office_page_sends_the_policy_and_keeps_to_it(client, model):
    client.force_login(StaffFactory(role_type=AdminRoleType.SUPER_ADMIN))
    obj = MODEL_FACTORIES[model]()
    info = model._meta.app_label, model._meta.model_name
    for view, args in (("changelist", []), ("add", []), ("change", [obj.pk]), ("history", [obj.pk])):
        url = reverse("admin:{}_{}_{}".format(*info, view), args=args)
        response = client.get(url)
        assert response.status_code in ((200,) if view != "add" else NO_ADD_PAGE_STATUS), url
        check_page(response, url)


def test_api_answers_carry_the_policy_too(client):
    response = client.get(reverse("api:settings-public"))
    assert response.status_code == 200
    policy_of(response)


def test_the_policy_names_the_map_tiles_the_websocket_and_nothing_else(client, settings):
    response = client.get("/")
    policy = policy_of(response)

    assert policy["img-src"] == ["'self'", "data:", "https://tile.openstreetmap.org"]
    assert policy["connect-src"] == ["'self'", "ws://testserver"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["form-action"] == ["'self'"]
    # behind HTTPS the websocket is wss:
    secure = client.get("/", secure=True)
    assert policy_of(secure)["connect-src"] == ["'self'", "wss://testserver"]


def test_the_browsable_api_keeps_to_its_policy(world):
    """DRF's HTML pages carry an inline <style> and style attributes: inline styles are allowed
    there (our own JSON, shown to developers); scripts stay our own files."""
    client = Client()
    client.force_login(world["buyer"])
    problems = []
    for url in (reverse("api:product-list"), "/api/v1/categories/", "/api/v1/orders/"):
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
        problems += page_problems(response, url)
        assert policy_of(response)["script-src"] == ["'self'"]
    assert problems == [], "\n".join(problems)


def test_a_page_from_the_page_cache_carries_the_policy_too(world):
    client = Client()
    url = reverse("catalog:product_detail", args=[world["product"].slug])
    assert client.get(url)["X-Page-Cache"] == "miss"

    cached = client.get(url)

    assert cached["X-Page-Cache"] == "hit"
    assert page_problems(cached, url) == []
