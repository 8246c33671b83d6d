"""The public pages and the layout they share: what a visitor gets, in which language, at what cost."""

import html
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.views.defaults import server_error

from accounts.enums import UserStatus
from accounts.tests.factories import BuyerFactory, SellerFactory, StaffFactory
from catalog.enums import ProductStatus
from catalog.tests.factories import CategoryFactory, ProductFactory, ProductImageFactory
from tests.helpers import redis_clear

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
HOME = "/"
TEMPLATES_DIR = Path(settings.BASE_DIR) / "templates"


def text_of(response):
    """The page as a reader sees the characters (``so&#x27;m`` -> ``so'm``)."""
    return html.unescape(response.content.decode())


def uzs(text):
    """``"1 250 000 so'm"`` written with the no-break spaces format_uzs uses."""
    return text.replace(" ", NBSP)


def featured(**kwargs):
    product = ProductFactory(is_featured=True, **kwargs)
    ProductImageFactory(product=product)
    return product


# --- home page ------------------------------------------------------------------------------


def test_home_shows_categories_and_featured_products(client):
    phones = CategoryFactory(name="Smartfonlar")
    CategoryFactory(name="Maishiy texnika")
    product = featured(name="Artel muzlatkich HD 455", category=phones, base_price=Decimal("1250000"))

    response = client.get(HOME)

    assert response.status_code == 200
    assert "catalog/home.html" in [t.name for t in response.templates]
    page = text_of(response)
    assert "Smartfonlar" in page
    assert "Maishiy texnika" in page
    assert product.name in page
    assert uzs("1 250 000 so'm") in page
    assert page.count('data-testid="product-card"') == 1
    assert page.count('data-testid="category-tile"') == 2
    assert 'data-testid="home-empty"' not in page


def test_product_card_strikes_through_the_base_price_when_on_sale(client):
    featured(name="Discounted kettle", base_price=Decimal("300000"), sale_price=Decimal("249000"))

    page = text_of(client.get(HOME))

    card = re.search(r'<article[^>]*data-testid="product-card".*?</article>', page, re.S).group(0)
    assert uzs("249 000 so'm") in card
    struck = re.search(r"<del[^>]*>(.*?)</del>", card, re.S).group(1)
    assert uzs("300 000 so'm") in struck


def test_product_card_without_sale_shows_one_price(client):
    featured(name="Regular kettle", base_price=Decimal("300000"))

    page = text_of(client.get(HOME))

    assert uzs("300 000 so'm") in page
    assert "<del" not in page


def test_product_card_uses_the_thumbnail_and_falls_back_to_the_placeholder(client):
    with_image = ProductFactory(is_featured=True, name="With image")
    ProductImageFactory(product=with_image, thumbnail_url="/media/p/1_thumb.jpg", url="/media/p/1.jpg")
    full_only = ProductFactory(is_featured=True, name="Full image only")
    ProductImageFactory(product=full_only, thumbnail_url=None, url="/media/p/2.jpg")
    ProductFactory(is_featured=True, name="No image")

    page = text_of(client.get(HOME))

    sources = re.findall(r'<img class="card-img-top[^"]*"\s+src="([^"]+)"', page)
    assert sorted(sources) == sorted(["/media/p/1_thumb.jpg", "/media/p/2.jpg", "/static/img/placeholder-product.svg"])


def test_product_card_shows_the_rating(client):
    featured(name="Rated", rating_average=Decimal("4.50"), rating_count=12)
    featured(name="Unrated", rating_count=0)

    page = text_of(client.get(HOME, headers={"accept-language": "en"}))

    assert "12 reviews" in page
    assert "No reviews yet" in page


def test_home_lists_only_visible_featured_products(client):
    featured(name="Visible product")
    featured(name="Draft product", status=ProductStatus.DRAFT)
    featured(name="Deleted product", deleted_at=timezone.now())
    featured(name="Banned seller product", seller=SellerFactory(status=UserStatus.BANNED))
    featured(name="Deleted seller product", seller=SellerFactory(deleted_at=timezone.now()))
    ProductFactory(name="Not featured product", is_featured=False)

    page = text_of(client.get(HOME))

    assert "Visible product" in page
    for hidden in ("Draft product", "Deleted product", "Banned seller product", "Deleted seller product"):
        assert hidden not in page
    assert "Not featured product" not in page


def test_home_hides_inactive_and_child_categories(client):
    parent = CategoryFactory(name="Top level")
    CategoryFactory(name="Child level", parent=parent)
    CategoryFactory(name="Switched off", is_active=False)

    page = text_of(client.get(HOME))

    assert "Top level" in page
    assert "Child level" not in page
    assert "Switched off" not in page


def test_home_shows_an_empty_state_when_there_is_nothing_yet(client):
    response = client.get(HOME, headers={"accept-language": "en"})

    assert response.status_code == 200
    page = text_of(response)
    assert 'data-testid="home-empty"' in page
    assert "The marketplace is getting ready" in page
    assert 'data-testid="product-card"' not in page


def test_home_with_categories_but_no_featured_products_says_so(client):
    CategoryFactory(name="Kiyim")

    page = text_of(client.get(HOME, headers={"accept-language": "en"}))

    assert "Kiyim" in page
    assert 'data-testid="featured-empty"' in page


def test_home_query_count_does_not_grow_with_the_number_of_products(client):
    CategoryFactory.create_batch(4)
    for _ in range(3):
        featured()
    client.get(HOME)  # warm up once-per-process lookups (content types, translations)

    redis_clear()  # nothing cached: the page, the cards and the category tree are all built
    with CaptureQueriesContext(connection) as with_three:
        assert client.get(HOME).content.decode().count('data-testid="product-card"') == 3
    for _ in range(9):
        featured()
    redis_clear()
    with CaptureQueriesContext(connection) as with_twelve:
        assert client.get(HOME).content.decode().count('data-testid="product-card"') == 12

    assert len(with_three) == len(with_twelve)
    # the category tree, the featured ids, then the cards: products and their pictures
    assert len(with_twelve) <= 4, [q["sql"] for q in with_twelve.captured_queries]


# --- layout, language ---------------------------------------------------------------------


def test_default_language_is_uzbek(client):
    featured(name="Uzbek page product", base_price=Decimal("125000"))

    page = text_of(client.get(HOME))

    assert '<html lang="uz">' in page
    assert "Tavsiya etilgan mahsulotlar" in page
    assert uzs("125 000 so'm") in page


def test_switching_language_to_russian(client):
    featured(name="Russian page product", base_price=Decimal("125000"))

    response = client.post("/i18n/setlang/", {"language": "ru", "next": HOME})

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ru"
    page = text_of(client.get(HOME))
    assert '<html lang="ru">' in page
    assert "Рекомендуемые товары" in page
    assert "Популярные категории" in page
    assert uzs("125 000 сум") in page
    assert "Tavsiya etilgan mahsulotlar" not in page

    client.post("/i18n/setlang/", {"language": "en", "next": HOME})
    page = text_of(client.get(HOME))
    assert '<html lang="en">' in page
    assert "Featured products" in page


def test_language_switcher_posts_to_set_language_and_marks_the_current_language(client):
    page = text_of(client.get(HOME, headers={"accept-language": "ru"}))

    form = re.search(r'<form[^>]*data-testid="language-switcher".*?</form>', page, re.S).group(0)
    assert 'action="/i18n/setlang/"' in form
    assert 'method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert 'name="next" value="/"' in form
    buttons = re.findall(r'<button type="submit" name="language" value="(\w+)".*?>\s*(.*?)\s*<', form, re.S)
    assert buttons == [("uz", "O'zbekcha"), ("ru", "Русский"), ("en", "English")]
    current = re.findall(r'value="(\w+)"[^>]*aria-current="true"', form, re.S)
    assert current == ["ru"]


def test_layout_has_the_blocks_a_page_needs(client):
    response = client.get(HOME)
    page = text_of(response)

    assert "base.html" in [t.name for t in response.templates]
    # the page may come from the anonymous page cache: the visitor's own token is put in
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert token != "__gogomarket_csrf_token__"
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in page
    assert re.search(r'<form class="gm-search[^"]*" role="search" method="get" action="/search/">', page)
    assert 'name="q"' in page
    assert 'class="navbar-toggler"' in page
    assert 'id="messages"' in page
    assert "<footer" in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    # no CDN: every script and stylesheet comes from our own static files
    for url in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
        assert url.startswith(settings.STATIC_URL), url


def test_anonymous_visitor_gets_no_admin_link(client):
    page = text_of(client.get(HOME))

    assert 'href="/admin/"' not in page


def test_staff_member_gets_the_admin_link(client):
    client.force_login(StaffFactory(first_name="Dilnoza"))

    page = text_of(client.get(HOME))

    assert 'href="/admin/"' in page
    assert "Dilnoza" in page


def test_signed_in_buyer_gets_no_admin_link(client):
    client.force_login(BuyerFactory(first_name="Jasur"))

    response = client.get(HOME)

    assert response.status_code == 200
    page = text_of(response)
    assert "Jasur" in page
    assert 'href="/admin/"' not in page


def test_messages_are_shown_in_the_layout(rf, client):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    # A message stored by one request, shown on the next page: put it in the messages cookie.
    storage = CookieStorage(rf.get(HOME))
    storage.add(constants.ERROR, "Stock changed while you were away")
    response = client.get(HOME)  # a response object to write the cookie into
    storage.update(response)
    client.cookies[CookieStorage.cookie_name] = response.cookies[CookieStorage.cookie_name].value

    page = text_of(client.get(HOME))

    assert "Stock changed while you were away" in page
    assert "alert-danger" in page


# --- error pages ----------------------------------------------------------------------------


def test_404_page_uses_the_layout(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert [t.name for t in response.templates][:2] == ["404.html", "base.html"]
    page = text_of(response)
    assert "Sahifa topilmadi" in page
    assert 'class="navbar-brand gm-brand"' in page
    assert '<html lang="uz">' in page


def test_404_page_in_english(client):
    page = text_of(client.get("/no-such-page/", headers={"accept-language": "en"}))

    assert "Page not found" in page


def test_500_page_needs_no_database_and_no_context_processors(django_assert_num_queries):
    request = RequestFactory().get("/broken/")

    with translation.override("ru"), django_assert_num_queries(0):
        response = server_error(request)

    assert response.status_code == 500
    page = html.unescape(response.content.decode())
    assert "GOGO<span>MARKET</span>" in page
    assert '<html lang="ru">' in page
    assert "Ошибка сервера" in page
    assert "{% extends" not in (TEMPLATES_DIR / "500.html").read_text()


# --- static files ---------------------------------------------------------------------------


def static_paths_in(template_path):
    return re.findall(r"""{%\s*static\s+['"]([^'"]+)['"]""", template_path.read_text())


def test_static_files_referenced_by_the_templates_exist():
    referenced = set()
    for name in ("base.html", "includes/product_card.html"):
        referenced.update(static_paths_in(TEMPLATES_DIR / name))

    assert {
        "vendor/bootstrap/css/bootstrap.min.css",
        "vendor/bootstrap/js/bootstrap.bundle.min.js",
        "vendor/htmx/htmx.min.js",
        "vendor/bootstrap-icons/bootstrap-icons.min.css",
        "css/gogomarket.css",
        "img/placeholder-product.svg",
    } <= referenced
    missing = [path for path in sorted(referenced) if not finders.find(path)]
    assert missing == []


def test_icon_font_files_referenced_by_the_icon_css_exist():
    css = Path(finders.find("vendor/bootstrap-icons/bootstrap-icons.min.css")).read_text()
    fonts = {url.split("?")[0] for url in re.findall(r'url\("([^")]+)"\)', css)}

    assert fonts == {"fonts/bootstrap-icons.woff2", "fonts/bootstrap-icons.woff"}
    for font in fonts:
        assert finders.find(f"vendor/bootstrap-icons/{font}"), font


def test_vendored_files_carry_no_source_map_references():
    # ManifestStaticFilesStorage (DEBUG off) fails collectstatic on a reference to a missing .map
    for path in ("vendor/bootstrap/css/bootstrap.min.css", "vendor/bootstrap/js/bootstrap.bundle.min.js"):
        assert "sourceMappingURL" not in Path(finders.find(path)).read_text(), path


def test_vendored_packages_are_documented_with_their_licenses():
    readme = Path(finders.find("vendor/README.md")).read_text()

    for package in ("bootstrap", "htmx.org", "bootstrap-icons"):
        assert f"npm pack {package}@" in readme or f" {package}@" in readme, package
    assert "npm pack" in readme
    for folder in ("bootstrap", "htmx", "bootstrap-icons"):
        assert finders.find(f"vendor/{folder}/LICENSE"), folder
