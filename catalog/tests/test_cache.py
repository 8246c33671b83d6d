"""What the catalog keeps in Redis (catalog.cache) and when it is dropped: the category tree,
product cards, page generations and the batched view counts. Real Redis, under this run's own
key prefix (conftest)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from accounts.tests.factories import StaffFactory
from catalog import cache as catalog_cache
from catalog import selectors, services
from catalog.enums import ProductStatus
from catalog.models import Category, Product
from catalog.tests.factories import CategoryFactory, ProductFactory

pytestmark = pytest.mark.django_db


# --- category tree ------------------------------------------------------------------------------
def test_the_category_tree_is_cached_until_a_category_is_saved(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    root = CategoryFactory(name="Elektronika")
    child = CategoryFactory(name="Telefonlar", parent=root)
    tree = selectors.category_tree()
    assert [node.name for node in tree.roots] == ["Elektronika"]
    assert tree.get(root.pk).children[0].id == child.pk
    with django_assert_num_queries(0):
        selectors.category_tree()

    # A write that bypasses the service is not seen: the tree really comes from the cache...
    Category.objects.filter(pk=child.pk).update(name="Changed behind the cache")
    assert selectors.category_tree().get(child.pk).name == "Telefonlar"
    # ...and the service drops it once its transaction commits.
    catalog_generation = catalog_cache.generations(["catalog"])[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.category_save(actor=staff, category=Category.objects.get(pk=child.pk), name="Smartfonlar",
                               parent_id=root.pk)  # fmt: skip
    assert selectors.category_tree().get(child.pk).name == "Smartfonlar"
    assert catalog_cache.generations(["catalog"])[0] == catalog_generation + 1

    with django_capture_on_commit_callbacks(execute=True):
        new = services.category_save(actor=staff, name="Planshetlar", parent_id=root.pk)
    assert {node.id for node in selectors.category_tree().get(root.pk).children} == {child.pk, new.pk}
    with django_capture_on_commit_callbacks(execute=True):
        services.category_delete(actor=staff, category=new)
    assert selectors.category_tree().get(new.pk) is None


def test_a_refused_or_uncommitted_category_change_leaves_the_tree_alone(django_capture_on_commit_callbacks):
    staff = StaffFactory()
    root = CategoryFactory(name="Kitoblar")
    selectors.category_tree()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.category_save(actor=staff, category=root, name="Adabiyot")
    assert callbacks  # the invalidation waits for the commit
    assert selectors.category_tree().get(root.pk).name == "Kitoblar"
    for callback in callbacks:
        callback()
    assert selectors.category_tree().get(root.pk).name == "Adabiyot"


# --- product cards ------------------------------------------------------------------------------
def test_cards_come_from_redis_in_the_order_asked(django_assert_max_num_queries, django_assert_num_queries):
    products = [ProductFactory() for _ in range(5)]
    ids = [p.pk for p in reversed(products)]
    with django_assert_max_num_queries(2):
        cards = selectors.product_cards(ids)
    assert [card.id for card in cards] == ids
    with django_assert_num_queries(0):
        assert [card.id for card in selectors.product_cards(ids)] == ids
    assert selectors.product_cards([]) == []


SERVICE_CHANGES = {
    "update": lambda p: services.product_update(product=p, actor=p.seller, name="Yangi nom"),
    "stock": lambda p: services.product_stock_set(product=p, actor=p.seller, quantity=0),
    "unpublish": lambda p: services.product_unpublish(product=p, actor=p.seller),
    "variant": lambda p: services.variant_create(product=p, actor=p.seller, name="Qora", stock_quantity=0),
    "attribute": lambda p: services.attribute_create(product=p, actor=p.seller, name="Rang", value="Qora"),
    "delete": lambda p: services.product_delete(product=p, actor=p.seller),
    "feature": lambda p: services.product_set_featured(product=p, actor=StaffFactory(), featured=True),
}


@pytest.mark.parametrize("change", sorted(SERVICE_CHANGES))
def test_a_service_change_drops_the_card_and_bumps_the_pages_showing_it(change, django_capture_on_commit_callbacks):
    root = CategoryFactory()
    middle = CategoryFactory(parent=root)
    leaf = CategoryFactory(parent=middle)
    unrelated = CategoryFactory()
    product = ProductFactory(category=leaf, name="Eski nom", stock_quantity=3)
    other = ProductFactory(category=unrelated)
    selectors.product_cards([product.pk, other.pk])
    Product.objects.filter(pk=product.pk).update(base_price=Decimal("12345"))  # not through a service
    assert selectors.product_cards([product.pk])[0].base_price != Decimal("12345")  # still the cached card

    scopes = [
        f"product:{product.pk}",
        f"category:{leaf.pk}",
        f"category:{middle.pk}",
        f"category:{root.pk}",
        f"seller:{product.seller_id}",
        "home",
    ]
    untouched = [f"product:{other.pk}", f"category:{unrelated.pk}", f"seller:{other.seller_id}"]
    before, before_untouched = catalog_cache.generations(scopes), catalog_cache.generations(untouched)
    with django_capture_on_commit_callbacks(execute=True):
        SERVICE_CHANGES[change](Product.objects.get(pk=product.pk))
    assert catalog_cache.generations(scopes) == [n + 1 for n in before]
    assert catalog_cache.generations(untouched) == before_untouched

    card = selectors.product_cards([product.pk])[0]
    assert card.base_price == Decimal("12345")  # reloaded from the database
    if change == "update":
        assert card.name == "Yangi nom"
    if change in ("stock", "variant"):
        assert card.in_stock is False


def test_moving_a_product_bumps_the_old_and_the_new_categories(django_capture_on_commit_callbacks):
    old_root, new_root = CategoryFactory(), CategoryFactory()
    old_leaf, new_leaf = CategoryFactory(parent=old_root), CategoryFactory(parent=new_root)
    product = ProductFactory(category=old_leaf)
    scopes = [f"category:{c.pk}" for c in (old_leaf, old_root, new_leaf, new_root)]
    before = catalog_cache.generations(scopes)
    with django_capture_on_commit_callbacks(execute=True):
        services.product_update(product=product, actor=product.seller, category=new_leaf.pk)
    assert catalog_cache.generations(scopes) == [n + 1 for n in before]


def test_a_refused_change_keeps_the_card_and_the_generations(django_capture_on_commit_callbacks):
    product = ProductFactory(name="Asl nom")
    selectors.product_cards([product.pk])
    scopes = [f"product:{product.pk}", f"category:{product.category_id}", f"seller:{product.seller_id}", "home"]
    before = catalog_cache.generations(scopes)
    Product.objects.filter(pk=product.pk).update(name="Changed behind the cache")
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ValidationError):
        services.product_update(product=product, actor=product.seller, name="", base_price="-1")
    assert callbacks == []
    assert catalog_cache.generations(scopes) == before
    assert selectors.product_cards([product.pk])[0].name == "Asl nom"


def test_stock_status_refresh_drops_cards_and_bumps_pages_including_home_for_featured(
    django_capture_on_commit_callbacks,
):
    featured = ProductFactory(stock_quantity=1, is_featured=True)
    plain = ProductFactory(stock_quantity=1)
    selectors.product_cards([featured.pk, plain.pk])
    assert [card.id for card in selectors.featured_products()] == [featured.pk]

    Product.objects.filter(pk=plain.pk).update(stock_quantity=0)
    home = catalog_cache.generations(["home"])[0]
    scopes = [f"product:{plain.pk}", f"category:{plain.category_id}", f"seller:{plain.seller_id}"]
    before = catalog_cache.generations(scopes)
    with django_capture_on_commit_callbacks(execute=True):
        services.products_stock_status_refresh([plain.pk])
    assert catalog_cache.generations(scopes) == [n + 1 for n in before]
    assert selectors.product_cards([plain.pk])[0].in_stock is False
    assert catalog_cache.generations(["home"])[0] == home  # not on the home page: not bumped

    # A featured product selling out leaves the home page, so the home page is bumped.
    Product.objects.filter(pk=featured.pk).update(stock_quantity=0)
    with django_capture_on_commit_callbacks(execute=True):
        services.products_stock_status_refresh([featured.pk])
    assert catalog_cache.generations(["home"])[0] > home
    assert Product.objects.get(pk=featured.pk).status == ProductStatus.OUT_OF_STOCK
    assert selectors.featured_products() == []


# --- view counts --------------------------------------------------------------------------------
def test_views_are_counted_in_redis_and_flushed_once():
    first, second = ProductFactory(view_count=10), ProductFactory(view_count=0)
    for _ in range(7):
        services.product_view_record(first.pk)
    for _ in range(3):
        services.product_view_record(second.pk)
    first.refresh_from_db()
    assert first.view_count == 10  # nothing is written per view

    assert services.view_counts_flush() == 10
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.view_count, second.view_count) == (17, 3)

    assert services.view_counts_flush() == 0  # a second flush adds nothing
    first.refresh_from_db()
    assert first.view_count == 17

    services.product_view_record(second.pk)
    assert services.view_counts_flush() == 1
    second.refresh_from_db()
    assert second.view_count == 4


def test_flush_with_no_views_and_views_of_a_vanished_product():
    assert services.view_counts_flush() == 0
    product = ProductFactory(view_count=None)
    services.product_view_record(product.pk)
    services.product_view_record(987654321)  # no such product: counted, written nowhere
    services.view_counts_flush()
    product.refresh_from_db()
    assert product.view_count == 1
    assert services.view_counts_flush() == 0


def test_flush_in_small_batches(monkeypatch):
    products = [ProductFactory(view_count=0) for _ in range(5)]
    for n, product in enumerate(products, start=1):
        for _ in range(n):
            services.product_view_record(product.pk)
    assert catalog_cache.views_flush(batch_size=2) == 15
    assert list(Product.objects.order_by("pk").values_list("view_count", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db(transaction=True)
def test_concurrent_flushes_count_every_view_exactly_once():
    products = [ProductFactory(view_count=0) for _ in range(20)]
    for product in products:
        for _ in range(5):
            services.product_view_record(product.pk)
    barrier = threading.Barrier(8)

    def flush(_n):
        barrier.wait()
        try:
            return services.view_counts_flush()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        written = sum(pool.map(flush, range(8)))
    assert written == 100
    assert list(Product.objects.values_list("view_count", flat=True).distinct()) == [5]


def test_suspending_a_seller_rebuilds_every_cached_list(client, django_capture_on_commit_callbacks):
    from accounts.services import user_staff_update
    from accounts.tests.factories import StaffFactory
    from catalog.tests.factories import CategoryFactory, ProductFactory

    category = CategoryFactory(slug="suspend-me")
    product = ProductFactory(category=category, name="Soon hidden")
    url = "/catalog/suspend-me/"
    assert "Soon hidden" in client.get(url).content.decode()
    assert client.get(url)["X-Page-Cache"] == "hit"

    with django_capture_on_commit_callbacks(execute=True):
        user_staff_update(user=product.seller, changed_by=StaffFactory(), status="suspended")

    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Soon hidden" not in response.content.decode()


def test_a_list_count_is_shared_and_recounted_by_one_request_at_a_time(
    settings, django_assert_num_queries, monkeypatch
):
    from django.core.cache import cache

    from catalog import selectors
    from catalog.tests.factories import ProductFactory

    settings.LISTING_COUNT_TTL = 30
    ProductFactory.create_batch(3)
    filters = selectors.ListingFilters()
    queryset = selectors.listing_queryset(filters)
    with django_assert_num_queries(1):
        assert selectors.listing_count(filters, queryset) == 3
    ProductFactory()  # not through a service: nothing bumps a generation
    with django_assert_num_queries(0):
        assert selectors.listing_count(filters, queryset) == 3  # fresh: shared
    later = selectors.time.time() + 60
    monkeypatch.setattr(selectors.time, "time", lambda: later)
    mine = f"{settings.CACHES['default']['KEY_PREFIX']}:*catalog:count:*"  # this run's keys, not another run's
    key = next(k for k in cache._cache.get_client().scan_iter(match=mine) if not k.endswith(b":lock"))
    lock = key.decode().split(":1:", 1)[1] + ":lock"
    cache.add(lock, 1)  # another request is recounting
    with django_assert_num_queries(0):
        assert selectors.listing_count(filters, queryset) == 3  # the last count meanwhile
    cache.delete(lock)
    with django_assert_num_queries(1):
        assert selectors.listing_count(filters, queryset) == 4  # stale: this request recounts
