"""Rules of the catalog writes (catalog.services): products, their lifecycle and stock, variants,
attributes, bulk actions and categories. Every refusal is checked to have changed nothing."""

import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction

from accounts.enums import AdminRoleType
from accounts.tests.factories import BuyerFactory, SellerFactory, StaffFactory
from catalog import services
from catalog.enums import ProductStatus
from catalog.models import Category, Product, ProductAttribute, ProductVariant
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db


# --- helpers ------------------------------------------------------------------------------------
def _product_data(category, **overrides):
    return {
        "category": category.pk if category is not None else None,
        "name": "Smartfon Honor X8b",
        "description": "6.7 dyuymli ekran, 128 GB xotira.",
        "base_price": "2500000",
        "stock_quantity": 5,
        **overrides,
    }


def _draft(seller=None, category=None, **overrides):
    seller = seller or SellerFactory()
    category = category or CategoryFactory()
    return services.product_create(seller=seller, **_product_data(category, **overrides))


def _row(product):
    """Everything stored about a product (to prove a refused call changed nothing)."""
    return Product.objects.filter(pk=product.pk).values().get()


def _audits(product=None, action=None):
    rows = AuditLog.objects.filter(entity_type="product")
    if product is not None:
        rows = rows.filter(entity_id=product.pk)
    if action is not None:
        rows = rows.filter(action=action)
    return rows


def _children(product):
    return (
        list(ProductVariant.objects.filter(product=product).values()),
        list(ProductAttribute.objects.filter(product=product).values()),
    )


# --- create -------------------------------------------------------------------------------------
def test_create_makes_a_draft_with_a_slug_and_an_audit_row():
    seller = SellerFactory()
    category = CategoryFactory()
    product = services.product_create(seller=seller, **_product_data(category, sku="HON-X8B"))
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT
    assert product.published_at is None
    assert product.seller == seller and product.category == category
    assert product.base_price == Decimal("2500000.00") and product.currency == "UZS"
    assert product.slug == "smartfon-honor-x8b"
    audit = _audits(product).get()
    assert audit.action == "product.create" and audit.user == seller
    assert audit.new_values == {"name": "Smartfon Honor X8b", "sku": "HON-X8B"}

    second = services.product_create(seller=seller, **_product_data(category))
    assert second.slug == "smartfon-honor-x8b-2"


def test_create_refuses_an_account_that_is_not_a_seller():
    buyer = BuyerFactory()
    with pytest.raises(ValidationError):
        services.product_create(seller=buyer, **_product_data(CategoryFactory()))
    assert not Product.objects.exists()
    assert not _audits().exists()


def test_a_seller_cannot_create_a_product_in_another_sellers_shop():
    owner, intruder = SellerFactory(), SellerFactory()
    with pytest.raises(PermissionDenied):
        services.product_create(seller=owner, actor=intruder, **_product_data(CategoryFactory()))
    assert not Product.objects.exists()
    assert not _audits().exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"sale_price": "2500000"}, "sale_price"),  # equal to the price
        ({"sale_price": "2600000"}, "sale_price"),  # above the price
        ({"sale_price": "0"}, "sale_price"),
        ({"base_price": "0"}, "base_price"),
        ({"base_price": "-5"}, "base_price"),
        ({"base_price": ""}, "base_price"),
        ({"base_price": "abc"}, "base_price"),
        ({"base_price": "10.001"}, "base_price"),
        ({"base_price": "99999999999"}, "base_price"),  # more than DECIMAL(12, 2) holds
        ({"cost_price": "-1"}, "cost_price"),
        ({"tax_rate": "101"}, "tax_rate"),
        ({"stock_quantity": -1}, "stock_quantity"),
        ({"stock_quantity": "2.5"}, "stock_quantity"),
        ({"min_order_quantity": 0}, "min_order_quantity"),
        ({"min_order_quantity": 5, "max_order_quantity": 2}, "max_order_quantity"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 256}, "name"),
        ({"description": ""}, "description"),
        ({"sku": "HAS SPACE"}, "sku"),
        ({"slug": "Not A Slug"}, "slug"),
        ({"category": None}, "category"),
        ({"category": 999999}, "category"),
        ({"weight": "-1"}, "weight"),
        ({"weight": "1.0005"}, "weight"),
        ({"length": "20.505"}, "length"),  # DECIMAL(10, 2) would round it silently
    ],
)
def test_create_refuses_invalid_fields_and_stores_nothing(overrides, field):
    data = {**_product_data(CategoryFactory()), **overrides}
    with pytest.raises(ValidationError) as caught:
        services.product_create(seller=SellerFactory(), **data)
    assert field in caught.value.message_dict
    assert not Product.objects.exists()
    assert not _audits().exists()


def test_sale_price_below_price_is_kept_and_a_price_cut_under_it_is_refused():
    product = _draft(sale_price="2000000")
    assert product.sale_price == Decimal("2000000")
    before = _row(product)
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=product, actor=product.seller, base_price="1900000")
    assert "sale_price" in caught.value.message_dict
    assert _row(product) == before
    assert not _audits(product, "product.update").exists()
    services.product_update(product=product, actor=product.seller, base_price="1900000", sale_price="")
    product.refresh_from_db()
    assert product.base_price == Decimal("1900000") and product.sale_price is None


def test_products_go_only_into_live_leaf_categories():
    parent = CategoryFactory()
    leaf = CategoryFactory(parent=parent)
    hidden = CategoryFactory(is_active=False)
    for category in (parent, hidden):
        with pytest.raises(ValidationError) as caught:
            _draft(category=category)
        assert "category" in caught.value.message_dict
    assert not Product.objects.exists()

    product = _draft(category=leaf)
    before = _row(product)
    with pytest.raises(ValidationError):
        services.product_update(product=product, actor=product.seller, category=parent.pk)
    assert _row(product) == before
    # A parent whose only child is deleted is a leaf again.
    other_parent = CategoryFactory()
    CategoryFactory(parent=other_parent, deleted_at="2026-01-01T00:00:00Z")
    services.product_update(product=product, actor=product.seller, category=other_parent.pk)
    product.refresh_from_db()
    assert product.category == other_parent


def test_sku_is_unique_across_sellers_on_create_and_update():
    first = _draft(sku="SKU-1")
    with pytest.raises(ValidationError) as caught:
        _draft(sku="SKU-1")
    assert "sku" in caught.value.message_dict
    assert Product.objects.count() == 1

    second = _draft(sku="SKU-2")
    before = _row(second)
    audits = _audits().count()
    with pytest.raises(ValidationError) as caught:
        services.product_update(product=second, actor=second.seller, sku="SKU-1")
    assert "sku" in caught.value.message_dict
    assert _row(second) == before and _row(first)["sku"] == "SKU-1"
    assert _audits().count() == audits


@pytest.mark.django_db(transaction=True)
def test_sku_taken_by_a_concurrent_writer_is_a_field_error_not_a_crash():
    """The check-then-insert race: another transaction inserts the SKU after our check but before
    our insert. The unique index decides, and the service turns that into a ValidationError."""
    seller, category = SellerFactory(), CategoryFactory()
    other_seller = SellerFactory()
    first_inserted, release_first = threading.Event(), threading.Event()
    outcome = {}

    def first_writer():
        try:
            with transaction.atomic():
                services.product_create(seller=seller, **_product_data(category, sku="RACE-1", name="First"))
                first_inserted.set()
                release_first.wait(10)
        finally:
            connection.close()

    def second_writer():
        try:
            services.product_create(seller=other_seller, **_product_data(category, sku="RACE-1", name="Second"))
            outcome["result"] = "created"
        except ValidationError as error:
            outcome["result"] = error.message_dict
        finally:
            connection.close()

    first = threading.Thread(target=first_writer)
    first.start()
    assert first_inserted.wait(10)
    second = threading.Thread(target=second_writer)
    second.start()
    # Wait until the second writer has passed its check and waits on the unique index.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query ILIKE 'INSERT INTO \"products\"%%'"
            )
            if cursor.fetchone()[0]:
                break
        time.sleep(0.02)
    else:
        release_first.set()
        first.join()
        second.join()
        pytest.fail("the second insert never waited on the first one's SKU")
    release_first.set()
    first.join(10)
    second.join(10)
    assert "sku" in outcome["result"]
    assert list(Product.objects.values_list("name", flat=True)) == ["First"]
    assert AuditLog.objects.filter(action="product.create").count() == 1


# --- lifecycle ----------------------------------------------------------------------------------
def test_published_at_is_set_on_the_first_publish_only():
    product = _draft()
    seller = product.seller
    services.product_publish(product=product, actor=seller)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE
    first_published = product.published_at
    assert first_published is not None

    services.product_unpublish(product=product, actor=seller)
    product.refresh_from_db()
    assert product.status == ProductStatus.INACTIVE and product.published_at == first_published
    services.product_publish(product=product, actor=seller)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE and product.published_at == first_published
    assert list(_audits(product).order_by("id").values_list("action", flat=True)) == [
        "product.create",
        "product.publish",
        "product.unpublish",
        "product.publish",
    ]
    assert _audits(product, "product.unpublish").get().new_values == {"status": "inactive"}


def test_publishing_without_stock_puts_the_product_out_of_stock_unless_backorder():
    empty = _draft(stock_quantity=0)
    services.product_publish(product=empty, actor=empty.seller)
    empty.refresh_from_db()
    assert empty.status == ProductStatus.OUT_OF_STOCK and empty.published_at is not None

    backorder = _draft(stock_quantity=0, allow_backorder=True)
    services.product_publish(product=backorder, actor=backorder.seller)
    backorder.refresh_from_db()
    assert backorder.status == ProductStatus.ACTIVE


def test_stock_reaching_zero_makes_a_selling_product_out_of_stock_and_restock_brings_it_back():
    product = ProductFactory(stock_quantity=3)
    seller = product.seller
    services.product_update(product=product, actor=seller, stock_quantity=0)
    product.refresh_from_db()
    assert product.status == ProductStatus.OUT_OF_STOCK
    services.product_update(product=product, actor=seller, stock_quantity=4)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE

    services.product_stock_set(product=product, actor=seller, quantity=0)
    product.refresh_from_db()
    assert product.status == ProductStatus.OUT_OF_STOCK and product.stock_quantity == 0
    # Allowing backorder puts a sold-out product back on sale.
    services.product_update(product=product, actor=seller, allow_backorder=True)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE
    services.product_update(product=product, actor=seller, allow_backorder=False)
    product.refresh_from_db()
    assert product.status == ProductStatus.OUT_OF_STOCK
    services.product_stock_set(product=product, actor=seller, quantity=9)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE
    assert _audits(product, "product.stock").count() == 2


def test_stock_does_not_change_the_status_of_a_product_that_is_not_selling():
    product = _draft(stock_quantity=5)
    services.product_update(product=product, actor=product.seller, stock_quantity=0)
    product.refresh_from_db()
    assert product.status == ProductStatus.DRAFT
    inactive = ProductFactory(status=ProductStatus.INACTIVE, stock_quantity=0)
    services.product_stock_set(product=inactive, actor=inactive.seller, quantity=10)
    inactive.refresh_from_db()
    assert inactive.status == ProductStatus.INACTIVE


def test_negative_stock_is_refused_and_nothing_changes():
    product = ProductFactory(stock_quantity=3)
    before = _row(product)
    for quantity in (-1, "x", None):
        with pytest.raises(ValidationError):
            services.product_stock_set(product=product, actor=product.seller, quantity=quantity)
    assert _row(product) == before
    assert not _audits(product).exists()


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (ProductStatus.ACTIVE, services.product_publish),
        (ProductStatus.OUT_OF_STOCK, services.product_publish),
        (ProductStatus.DRAFT, services.product_unpublish),
        (ProductStatus.INACTIVE, services.product_unpublish),
        (ProductStatus.DISCONTINUED, services.product_unpublish),
        (ProductStatus.DISCONTINUED, services.product_discontinue),
    ],
)
def test_transitions_not_in_the_table_are_refused(status, action):
    product = ProductFactory(status=status)
    before = _row(product)
    with pytest.raises(ValidationError):
        action(product=product, actor=product.seller)
    assert _row(product) == before
    assert not _audits(product).exists()


def test_publish_is_refused_when_the_category_is_gone():
    category = CategoryFactory()
    product = _draft(category=category)
    Category.objects.filter(pk=category.pk).update(is_active=False)
    before = _row(product)
    with pytest.raises(ValidationError):
        services.product_publish(product=product, actor=product.seller)
    assert _row(product) == before
    assert not _audits(product, "product.publish").exists()


def test_discontinued_product_leaves_sale_and_can_be_published_again():
    product = ProductFactory()
    services.product_discontinue(product=product, actor=product.seller)
    product.refresh_from_db()
    assert product.status == ProductStatus.DISCONTINUED
    assert _audits(product, "product.discontinue").get().old_values == {"status": "active"}
    services.product_publish(product=product, actor=product.seller)
    product.refresh_from_db()
    assert product.status == ProductStatus.ACTIVE


def test_update_audits_only_the_fields_that_changed():
    product = _draft(sku="OLD-1", brand="Honor")
    services.product_update(
        product=product, actor=product.seller, name="Smartfon Honor X8b", brand="Honor", sku="NEW-1"
    )
    audit = _audits(product, "product.update").get()
    assert audit.old_values == {"sku": "OLD-1"}
    assert audit.new_values == {"sku": "NEW-1"}
    services.product_update(product=product, actor=product.seller, brand="Honor")
    assert _audits(product, "product.update").count() == 1  # nothing changed, nothing recorded


def test_staff_may_change_any_product():
    product = ProductFactory(name="Old name")
    staff = StaffFactory()
    services.product_update(product=product, actor=staff, name="New name")
    product.refresh_from_db()
    assert product.name == "New name"
    assert _audits(product, "product.update").get().user == staff


# --- a seller never touches another seller's product ------------------------------------------
OTHER_SELLER_CALLS = {
    "update": lambda p, a: services.product_update(product=p, actor=a, name="Hacked", base_price="1"),
    "publish": lambda p, a: services.product_publish(product=p, actor=a),
    "unpublish": lambda p, a: services.product_unpublish(product=p, actor=a),
    "discontinue": lambda p, a: services.product_discontinue(product=p, actor=a),
    "delete": lambda p, a: services.product_delete(product=p, actor=a),
    "stock_set": lambda p, a: services.product_stock_set(product=p, actor=a, quantity=0),
    "variant_create": lambda p, a: services.variant_create(product=p, actor=a, name="Red", stock_quantity=1),
    "variant_update": lambda p, a: services.variant_update(variant=p.variants.get(), actor=a, stock_quantity=0),
    "variant_delete": lambda p, a: services.variant_delete(variant=p.variants.get(), actor=a),
    "attribute_create": lambda p, a: services.attribute_create(product=p, actor=a, name="X", value="Y"),
    "attribute_update": lambda p, a: services.attribute_update(
        attribute=p.attributes.get(), actor=a, name="X", value="Y"
    ),
    "attribute_delete": lambda p, a: services.attribute_delete(attribute=p.attributes.get(), actor=a),
    "attribute_move": lambda p, a: services.attribute_move(attribute=p.attributes.get(), actor=a, offset=1),
    "image_primary": lambda p, a: services.product_image_set_primary(
        product=p, actor=a, image_id=p.images.order_by("id").last().pk
    ),
    "image_delete": lambda p, a: services.product_image_delete(product=p, actor=a, image_id=p.images.first().pk),
    "images_reorder": lambda p, a: services.product_images_reorder(
        product=p, actor=a, image_ids=list(p.images.order_by("-id").values_list("pk", flat=True))
    ),
}


@pytest.mark.parametrize("call", sorted(OTHER_SELLER_CALLS))
def test_a_seller_can_never_change_another_sellers_product(call):
    product = ProductFactory(status=ProductStatus.INACTIVE if call == "publish" else ProductStatus.ACTIVE)
    ProductVariantFactory(product=product, stock_quantity=4)
    ProductAttributeFactory(product=product)
    ProductImageFactory(product=product, is_primary=True, sort_order=0)
    ProductImageFactory(product=product, is_primary=False, sort_order=1)
    product.refresh_from_db()
    before = (_row(product), _children(product), list(product.images.order_by("id").values()))
    intruder = SellerFactory()
    with pytest.raises(PermissionDenied):
        OTHER_SELLER_CALLS[call](product, intruder)
    assert (_row(product), _children(product), list(product.images.order_by("id").values())) == before
    assert not AuditLog.objects.exists()


# Staff other than the catalog's (accounts.permissions.can_manage_catalog: super_admin) are sellers'
# strangers: being staff in another role (technical access, role manager, accounting) is not enough.
NOT_CATALOG_STAFF = (AdminRoleType.TECHNICAL_ACCESS, AdminRoleType.ROLE_MANAGER, AdminRoleType.ACCOUNTING)


@pytest.mark.parametrize("role_type", NOT_CATALOG_STAFF)
@pytest.mark.parametrize("call", sorted(OTHER_SELLER_CALLS))
def test_staff_without_the_catalog_capability_cannot_change_a_sellers_product(call, role_type):
    product = ProductFactory(status=ProductStatus.INACTIVE if call == "publish" else ProductStatus.ACTIVE)
    ProductVariantFactory(product=product, stock_quantity=4)
    ProductAttributeFactory(product=product)
    ProductImageFactory(product=product, is_primary=True, sort_order=0)
    ProductImageFactory(product=product, is_primary=False, sort_order=1)
    product.refresh_from_db()
    before = (_row(product), _children(product), list(product.images.order_by("id").values()))
    staff = StaffFactory(role_type=role_type)
    with pytest.raises(PermissionDenied):
        OTHER_SELLER_CALLS[call](product, staff)
    assert (_row(product), _children(product), list(product.images.order_by("id").values())) == before
    assert not AuditLog.objects.exists()


@pytest.mark.parametrize("role_type", NOT_CATALOG_STAFF)
def test_staff_without_the_catalog_capability_cannot_feature_or_add_products(role_type):
    product = ProductFactory(status=ProductStatus.ACTIVE, is_featured=False)
    before = (_row(product), Product.objects.count())
    staff = StaffFactory(role_type=role_type)
    with pytest.raises(PermissionDenied):
        services.product_set_featured(product=product, actor=staff, featured=True)
    with pytest.raises(PermissionDenied):
        services.product_create(seller=product.seller, actor=staff, **_product_data(product.category))
    assert (_row(product), Product.objects.count()) == before
    assert not AuditLog.objects.exists()


def test_the_catalog_staff_feature_and_add_products_for_a_seller():
    product = ProductFactory(status=ProductStatus.ACTIVE, is_featured=False)
    staff = StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)
    services.product_set_featured(product=product, actor=staff, featured=True)
    added = services.product_create(seller=product.seller, actor=staff, **_product_data(product.category))
    product.refresh_from_db()
    assert product.is_featured and added.seller == product.seller
    assert _audits(added, "product.create").get().user == staff


@pytest.mark.parametrize("who", [*NOT_CATALOG_STAFF, "seller", "buyer"])
def test_only_the_catalog_staff_change_categories(who):
    actor = SellerFactory() if who == "seller" else BuyerFactory() if who == "buyer" else StaffFactory(role_type=who)
    category = CategoryFactory(name="Kiyim")
    before = list(Category.objects.order_by("pk").values())
    with pytest.raises(PermissionDenied):
        services.category_save(actor=actor, name="Poyabzal")
    with pytest.raises(PermissionDenied):
        services.category_save(actor=actor, category=category, name="Hacked")
    with pytest.raises(PermissionDenied):
        services.category_delete(actor=actor, category=category)
    assert list(Category.objects.order_by("pk").values()) == before
    assert not AuditLog.objects.exists()


# --- delete -------------------------------------------------------------------------------------
def test_soft_delete_hides_the_product_frees_its_sku_and_keeps_it_in_the_audit_row():
    product = _draft(sku="GONE-1")
    variant = services.variant_create(product=product, actor=product.seller, name="Black", sku="GONE-1-B")
    services.product_delete(product=product, actor=product.seller)
    product.refresh_from_db()
    variant.refresh_from_db()
    assert product.deleted_at is not None and product.sku is None
    assert variant.deleted_at is not None and variant.sku is None
    assert _audits(product, "product.delete").get().old_values == {"status": "draft", "sku": "GONE-1"}

    again = _draft(sku="GONE-1")
    services.variant_create(product=again, actor=again.seller, name="Black", sku="GONE-1-B")
    assert Product.objects.filter(sku="GONE-1").get() == again
    # A deleted product cannot be changed any more.
    with pytest.raises(Product.DoesNotExist):
        services.product_update(product=product, actor=product.seller, name="Back")


# --- variants -----------------------------------------------------------------------------------
def test_product_stock_is_the_sum_of_its_active_variants():
    product = ProductFactory(stock_quantity=50)
    seller = product.seller
    black = services.variant_create(product=product, actor=seller, name="Black", stock_quantity=3)
    white = services.variant_create(product=product, actor=seller, name="White", stock_quantity="4")
    product.refresh_from_db()
    assert product.stock_quantity == 7

    services.variant_update(variant=white, actor=seller, is_active=False)
    product.refresh_from_db()
    assert product.stock_quantity == 3
    # With variants, the product's own stock field is not the seller's to set.
    services.product_update(product=product, actor=seller, stock_quantity=100)
    product.refresh_from_db()
    assert product.stock_quantity == 3
    with pytest.raises(ValidationError):
        services.product_stock_set(product=product, actor=seller, quantity=100)

    services.variant_update(variant=black, actor=seller, stock_quantity=0)
    product.refresh_from_db()
    assert product.stock_quantity == 0 and product.status == ProductStatus.OUT_OF_STOCK
    services.variant_update(variant=white, actor=seller, is_active=True)
    product.refresh_from_db()
    assert product.stock_quantity == 4 and product.status == ProductStatus.ACTIVE
    services.variant_delete(variant=white, actor=seller)
    product.refresh_from_db()
    assert product.stock_quantity == 0 and product.status == ProductStatus.OUT_OF_STOCK
    actions = list(_audits(product).values_list("action", flat=True))
    assert actions.count("product.variant_create") == 2 and "product.variant_delete" in actions


def test_variant_price_adjustment_may_not_make_it_free():
    product = ProductFactory(base_price=Decimal("100000"), sale_price=Decimal("80000"))
    seller = product.seller
    for adjustment in ("-80000", "-90000", "0.001", "abc"):
        with pytest.raises(ValidationError) as caught:
            services.variant_create(product=product, actor=seller, name="Cheap", price_adjustment=adjustment)
        assert "price_adjustment" in caught.value.message_dict
    assert not ProductVariant.objects.exists()
    assert not _audits(product).exists()
    variant = services.variant_create(product=product, actor=seller, name="Small", price_adjustment="-79999.99")
    assert variant.price_adjustment == Decimal("-79999.99")
    bigger = services.variant_create(product=product, actor=seller, name="Big", price_adjustment="25000")
    assert bigger.price_adjustment == Decimal("25000")


def test_variant_sku_is_unique_and_freed_by_delete():
    product = ProductFactory()
    seller = product.seller
    first = services.variant_create(product=product, actor=seller, name="Black", sku="V-1")
    other = ProductFactory()
    with pytest.raises(ValidationError) as caught:
        services.variant_create(product=other, actor=other.seller, name="Black", sku="V-1")
    assert "sku" in caught.value.message_dict
    second = services.variant_create(product=product, actor=seller, name="White", sku="V-2")
    before = ProductVariant.objects.filter(pk=second.pk).values().get()
    with pytest.raises(ValidationError):
        services.variant_update(variant=second, actor=seller, sku="V-1")
    assert ProductVariant.objects.filter(pk=second.pk).values().get() == before
    services.variant_delete(variant=first, actor=seller)
    services.variant_create(product=other, actor=other.seller, name="Black", sku="V-1")
    assert ProductVariant.objects.filter(sku="V-1").get().product == other


def test_variant_rules_on_name_attributes_image_and_count(settings):
    settings.PRODUCT_VARIANTS_MAX = 2
    product = ProductFactory()
    seller = product.seller
    image = ProductImageFactory(product=product)
    foreign_image = ProductImageFactory()
    bad = [
        ({"name": ""}, "name"),
        ({"name": "A", "attributes": "no pairs here"}, "attributes"),
        ({"name": "A", "attributes": {"color": ""}}, "attributes"),
        ({"name": "A", "stock_quantity": -2}, "stock_quantity"),
        ({"name": "A", "image_url": foreign_image.url}, "image_url"),
    ]
    for data, field in bad:
        with pytest.raises(ValidationError) as caught:
            services.variant_create(product=product, actor=seller, **data)
        assert field in caught.value.message_dict
    assert not ProductVariant.objects.filter(product=product).exists()
    variant = services.variant_create(
        product=product, actor=seller, name="Black M", attributes="color: black, size=M", image_url=image.url
    )
    assert variant.attributes == {"color": "black", "size": "M"}
    services.variant_create(product=product, actor=seller, name="White M")
    with pytest.raises(ValidationError):
        services.variant_create(product=product, actor=seller, name="Third")
    assert ProductVariant.objects.filter(product=product).count() == 2


# --- attributes ---------------------------------------------------------------------------------
def _attribute_order(product):
    return list(
        ProductAttribute.objects.filter(product=product).order_by("sort_order", "id").values_list("name", flat=True)
    )


def test_attributes_are_created_updated_moved_and_deleted_in_order():
    product = ProductFactory()
    seller = product.seller
    for name in ("Material", "Colour", "Size"):
        services.attribute_create(product=product, actor=seller, name=name, value=" value ")
    assert _attribute_order(product) == ["Material", "Colour", "Size"]
    assert set(ProductAttribute.objects.values_list("value", flat=True)) == {"value"}

    size = ProductAttribute.objects.get(name="Size")
    services.attribute_move(attribute=size, actor=seller, offset=-1)
    assert _attribute_order(product) == ["Material", "Size", "Colour"]
    services.attribute_move(attribute=size, actor=seller, offset=-5)  # clamped to the top
    assert _attribute_order(product) == ["Size", "Material", "Colour"]
    services.attribute_move(attribute=size, actor=seller, offset=10)
    assert _attribute_order(product) == ["Material", "Colour", "Size"]

    material = ProductAttribute.objects.get(name="Material")
    services.attribute_update(attribute=material, actor=seller, name="Fabric", value="Cotton")
    material.refresh_from_db()
    assert (material.name, material.value) == ("Fabric", "Cotton")
    services.attribute_delete(attribute=material, actor=seller)
    assert _attribute_order(product) == ["Colour", "Size"]
    actions = list(_audits(product).order_by("id").values_list("action", flat=True))
    assert actions.count("product.attribute_create") == 3
    assert "product.attribute_update" in actions and "product.attribute_delete" in actions
    assert actions.count("product.attribute_move") == 3


def test_invalid_attributes_are_refused_and_nothing_is_stored(settings):
    settings.PRODUCT_ATTRIBUTES_MAX = 1
    product = ProductFactory()
    seller = product.seller
    for name, value in (("", "x"), ("Material", " "), ("x" * 101, "y")):
        with pytest.raises(ValidationError):
            services.attribute_create(product=product, actor=seller, name=name, value=value)
    assert not ProductAttribute.objects.exists()
    attribute = services.attribute_create(product=product, actor=seller, name="Material", value="Cotton")
    with pytest.raises(ValidationError):
        services.attribute_create(product=product, actor=seller, name="Colour", value="Red")
    with pytest.raises(ValidationError):
        services.attribute_update(attribute=attribute, actor=seller, name="Material", value="")
    attribute.refresh_from_db()
    assert attribute.value == "Cotton" and ProductAttribute.objects.count() == 1
    assert _audits(product).count() == 1


# --- bulk actions -------------------------------------------------------------------------------
def test_bulk_action_refusal_of_one_product_does_not_undo_the_others():
    seller = SellerFactory()
    first, second = _draft(seller=seller), _draft(seller=seller)
    already_active = ProductFactory(seller=seller)
    foreign = _draft()
    done, refused = services.products_bulk_action(
        seller=seller, product_ids=[first.pk, already_active.pk, second.pk, foreign.pk], action="publish"
    )
    assert {p.pk for p in done} == {first.pk, second.pk}
    assert [p.pk for p, _message in refused] == [already_active.pk]
    assert refused[0][1]
    statuses = dict(Product.objects.values_list("pk", "status"))
    assert statuses[first.pk] == statuses[second.pk] == ProductStatus.ACTIVE
    assert statuses[foreign.pk] == ProductStatus.DRAFT  # another seller's id is ignored
    assert not _audits(foreign, "product.publish").exists()
    assert _audits(action="product.publish").count() == 2


def test_bulk_delete_and_unknown_action():
    seller = SellerFactory()
    products = [ProductFactory(seller=seller) for _ in range(3)]
    with pytest.raises(ValidationError):
        services.products_bulk_action(seller=seller, product_ids=[p.pk for p in products], action="explode")
    assert not Product.objects.filter(deleted_at__isnull=False).exists()
    done, refused = services.products_bulk_action(
        seller=seller, product_ids=[str(p.pk) for p in products[:2]], action="delete"
    )
    assert len(done) == 2 and refused == []
    assert Product.objects.filter(deleted_at__isnull=True).get() == products[2]


# --- products_stock_status_refresh ----------------------------------------------------------------
def test_stock_status_refresh_follows_stock_moved_by_sql():
    sold_out = ProductFactory(stock_quantity=1)
    backorder = ProductFactory(stock_quantity=1, allow_backorder=True)
    inactive = ProductFactory(stock_quantity=1, status=ProductStatus.INACTIVE)
    untouched = ProductFactory(stock_quantity=0)  # not in the ids: left as it is
    ids = [sold_out.pk, backorder.pk, inactive.pk]
    Product.objects.filter(pk__in=ids).update(stock_quantity=0)
    services.products_stock_status_refresh(ids)
    statuses = dict(Product.objects.values_list("pk", "status"))
    assert statuses[sold_out.pk] == ProductStatus.OUT_OF_STOCK
    assert statuses[backorder.pk] == ProductStatus.ACTIVE
    assert statuses[inactive.pk] == ProductStatus.INACTIVE
    assert statuses[untouched.pk] == ProductStatus.ACTIVE

    Product.objects.filter(pk__in=ids).update(stock_quantity=2)
    services.products_stock_status_refresh(ids + ids)
    statuses = dict(Product.objects.values_list("pk", "status"))
    assert statuses[sold_out.pk] == ProductStatus.ACTIVE
    assert statuses[inactive.pk] == ProductStatus.INACTIVE
    services.products_stock_status_refresh([])  # nothing to do is fine


# --- categories ---------------------------------------------------------------------------------
def _category_audits():
    return AuditLog.objects.filter(entity_type="category")


def test_categories_go_three_levels_deep_at_most():
    staff = StaffFactory()
    root = services.category_save(actor=staff, name="Elektronika")
    child = services.category_save(actor=staff, name="Telefonlar", parent_id=root.pk)
    leaf = services.category_save(actor=staff, name="Smartfonlar", parent_id=child.pk)
    assert (root.level, child.level, leaf.level) == (0, 1, 2)
    assert root.slug == "elektronika"
    assert _category_audits().filter(action="category.create").count() == 3
    with pytest.raises(ValidationError) as caught:
        services.category_save(actor=staff, name="Too deep", parent_id=leaf.pk)
    assert "parent" in caught.value.message_dict
    assert Category.objects.count() == 3 and _category_audits().count() == 3

    # Moving a two-level branch under a level-1 category would make a fourth level.
    other_root = services.category_save(actor=staff, name="Maishiy texnika")
    other_child = services.category_save(actor=staff, name="Oshxona", parent_id=other_root.pk)
    audits = _category_audits().count()
    with pytest.raises(ValidationError) as caught:
        services.category_save(actor=staff, category=child, name=child.name, parent_id=other_child.pk)
    assert "parent" in caught.value.message_dict
    child.refresh_from_db()
    assert (child.parent_id, child.level) == (root.pk, 1) and _category_audits().count() == audits
    # ...but the branch may move under another root, or become a root, and its levels follow.
    services.category_save(actor=staff, category=child, name=child.name, parent_id=other_root.pk)
    leaf.refresh_from_db()
    child.refresh_from_db()
    assert (child.parent_id, child.level, leaf.level) == (other_root.pk, 1, 2)
    services.category_save(actor=staff, category=child, name=child.name, parent_id=None)
    leaf.refresh_from_db()
    child.refresh_from_db()
    assert (child.parent_id, child.level, leaf.level) == (None, 0, 1)
    assert _category_audits().filter(action="category.update").count() == 2


def test_a_category_cannot_sit_inside_itself():
    staff = StaffFactory()
    root = services.category_save(actor=staff, name="Root")
    child = services.category_save(actor=staff, name="Child", parent_id=root.pk)
    before = list(Category.objects.order_by("id").values())
    audits = _category_audits().count()
    for parent in (root, child):
        with pytest.raises(ValidationError) as caught:
            services.category_save(
                actor=staff, category=Category.objects.get(pk=root.pk), name="Root", parent_id=parent.pk
            )
        assert "parent" in caught.value.message_dict
    assert list(Category.objects.order_by("id").values()) == before
    assert _category_audits().count() == audits


def test_a_category_holding_products_cannot_get_subcategories():
    """Products sit in leaf categories only: a subcategory under a category with live products
    would leave them in a parent, where no product may be put."""
    staff = StaffFactory()
    phones = services.category_save(actor=staff, name="Telefonlar")
    product = ProductFactory(category=phones)
    audits = _category_audits().count()
    with pytest.raises(ValidationError) as caught:
        services.category_save(actor=staff, name="Smartfonlar", parent_id=phones.pk)
    assert "parent" in caught.value.message_dict
    other = services.category_save(actor=staff, name="Planshetlar")
    with pytest.raises(ValidationError):
        services.category_save(actor=staff, category=other, name=other.name, parent_id=phones.pk)
    other.refresh_from_db()
    assert other.parent_id is None
    assert Category.objects.count() == 2 and _category_audits().count() == audits + 1
    services.product_delete(product=product, actor=product.seller)
    child = services.category_save(actor=staff, name="Smartfonlar", parent_id=phones.pk)
    assert child.level == 1
    # A child that is already there (older data) can still be edited where it is.
    ProductFactory(category=phones)
    services.category_save(actor=staff, category=child, name="Smartfonlar va aksessuarlar", parent_id=phones.pk)
    child.refresh_from_db()
    assert child.name == "Smartfonlar va aksessuarlar"


def test_category_slug_is_unique():
    staff = StaffFactory()
    services.category_save(actor=staff, name="Kiyim", slug="kiyim")
    with pytest.raises(ValidationError) as caught:
        services.category_save(actor=staff, name="Kiyim-kechak", slug="kiyim")
    assert "slug" in caught.value.message_dict
    assert Category.objects.count() == 1


def test_category_delete_is_refused_while_products_or_children_are_in_it():
    staff = StaffFactory()
    parent = CategoryFactory()
    child = CategoryFactory(parent=parent)
    product = ProductFactory(category=child)
    for category in (parent, child):
        with pytest.raises(ValidationError):
            services.category_delete(actor=staff, category=category)
    assert not Category.objects.filter(deleted_at__isnull=False).exists()
    assert not _category_audits().exists()

    services.product_delete(product=product, actor=product.seller)  # a deleted product does not count
    services.category_delete(actor=staff, category=child)
    services.category_delete(actor=staff, category=parent)
    assert Category.objects.filter(deleted_at__isnull=False, is_active=False).count() == 2
    assert _category_audits().filter(action="category.delete").count() == 2
