"""The catalog back office: the product and category forms save through the catalog services
(the same rules and audit rows as the seller center), pictures, variants and attributes are shown
read-only and never written from the product page, and the list actions run the services row by
row, saying which rows they refused and why."""

from decimal import Decimal

import pytest
from django.contrib.messages import constants
from django.urls import reverse

from accounts.enums import AdminRoleType
from accounts.tests.factories import SellerFactory, StaffFactory
from catalog.enums import ProductStatus
from catalog.models import Category, Product, ProductAttribute, ProductImage, ProductVariant
from catalog.tests.factories import (
    CategoryFactory,
    ProductAttributeFactory,
    ProductFactory,
    ProductImageFactory,
    ProductVariantFactory,
)
from gogomarket.core.models import AuditLog
from tests.helpers import admin_form_data, page_client_for

pytestmark = pytest.mark.django_db

PRODUCTS = reverse("admin:catalog_product_changelist")
CATEGORIES = reverse("admin:catalog_category_changelist")


def change_url(product):
    return reverse("admin:catalog_product_change", args=[product.pk])


@pytest.fixture
def staff():
    return StaffFactory(role_type=AdminRoleType.SUPER_ADMIN)


@pytest.fixture
def admin_client(staff):
    return page_client_for(staff)


def catalog_snapshot():
    return {
        "products": list(Product.objects.order_by("pk").values()),
        "images": list(ProductImage.objects.order_by("pk").values()),
        "variants": list(ProductVariant.objects.order_by("pk").values()),
        "attributes": list(ProductAttribute.objects.order_by("pk").values()),
        "categories": list(Category.objects.order_by("pk").values()),
        "audit": list(AuditLog.objects.order_by("pk").values_list("pk", flat=True)),
    }


def form_errors(response):
    return response.context["adminform"].form.errors if response.context else response.status_code


@pytest.fixture
def product():
    """A product with a picture, a variant and an attribute, so that every inline has a row."""
    product = ProductFactory(name="Artel fridge", stock_quantity=5)
    ProductImageFactory(product=product)
    ProductVariantFactory(product=product)
    ProductAttributeFactory(product=product)
    return product


# --- the product form -------------------------------------------------------------------------------
def test_the_product_change_page_opens_with_the_inlines_read_only(admin_client, product):
    response = admin_client.get(change_url(product))

    assert response.status_code == 200
    inlines = {inline.formset.model: inline for inline in response.context["inline_admin_formsets"]}
    assert set(inlines) == {ProductImage, ProductVariant, ProductAttribute}
    for inline in inlines.values():
        assert len(inline.formset.forms) == 1
        assert not inline.has_add_permission and not inline.has_change_permission
        assert not inline.has_delete_permission


def test_saving_a_product_in_the_admin_goes_through_the_catalog_service(admin_client, staff, product):
    images = list(ProductImage.objects.order_by("pk").values())
    variants = list(ProductVariant.objects.order_by("pk").values())
    attributes = list(ProductAttribute.objects.order_by("pk").values())
    data = admin_form_data(admin_client, change_url(product), name="  Artel fridge XL  ", base_price="2500000")

    response = admin_client.post(change_url(product), data)

    assert response.status_code == 302, form_errors(response)
    product.refresh_from_db()
    assert (product.name, product.base_price) == ("Artel fridge XL", Decimal("2500000"))
    entry = AuditLog.objects.get(action="product.update", entity_id=product.pk)
    assert (entry.user_id, entry.entity_type, entry.ip_address) == (staff.pk, "product", "127.0.0.1")
    assert entry.old_values["name"] == "Artel fridge" and entry.new_values["name"] == "Artel fridge XL"
    assert entry.new_values["base_price"] == "2500000"
    # The read-only inlines wrote nothing.
    assert list(ProductImage.objects.order_by("pk").values()) == images
    assert list(ProductVariant.objects.order_by("pk").values()) == variants
    assert list(ProductAttribute.objects.order_by("pk").values()) == attributes


def test_a_product_saved_unchanged_in_the_admin_writes_no_audit_row(admin_client, product):
    before = catalog_snapshot()

    response = admin_client.post(change_url(product), admin_form_data(admin_client, change_url(product)))

    assert response.status_code == 302, form_errors(response)
    after = catalog_snapshot()
    assert after["audit"] == before["audit"]
    assert after["images"] == before["images"] and after["variants"] == before["variants"]


def test_the_product_form_cannot_change_status_seller_or_the_inline_rows(admin_client, product):
    image, variant, attribute = product.images.get(), product.variants.get(), product.attributes.get()
    before = catalog_snapshot()
    data = admin_form_data(admin_client, change_url(product))
    forged = {
        "status": ProductStatus.DISCONTINUED,
        "is_featured": "on",
        "seller": SellerFactory().pk,
        "view_count": "999999",
        # What an editable inline would post: new values for the existing rows, a new row, deletions.
        "images-0-alt_text": "forged",
        "images-0-DELETE": "on",
        "variants-0-stock_quantity": "999",
        "variants-0-price_adjustment": "-40000",
        "attributes-0-value": "forged",
        "attributes-TOTAL_FORMS": "2",
        "attributes-1-name": "Forged",
        "attributes-1-value": "yes",
        "attributes-1-product": product.pk,
    }

    response = admin_client.post(change_url(product), data | forged)

    assert response.status_code == 302, form_errors(response)
    after = catalog_snapshot()
    assert after["images"] == before["images"]
    assert after["variants"] == before["variants"]
    assert after["attributes"] == before["attributes"]
    # Saved through product_update with no field changed: only the row's updated_at moved.
    assert [row | {"updated_at": None} for row in after["products"]] == [
        row | {"updated_at": None} for row in before["products"]
    ]
    assert after["audit"] == before["audit"]
    assert (image.pk, variant.pk, attribute.pk) == (
        product.images.get().pk, product.variants.get().pk, product.attributes.get().pk
    )  # fmt: skip


def test_a_product_rule_broken_in_the_admin_is_a_form_error_with_nothing_saved(admin_client, product):
    before = catalog_snapshot()
    data = admin_form_data(admin_client, change_url(product), base_price="100000", sale_price="150000")

    response = admin_client.post(change_url(product), data)

    assert response.status_code == 200
    assert "sale_price" in response.context["adminform"].form.errors
    assert catalog_snapshot() == before


def test_adding_a_product_in_the_admin_creates_it_through_the_catalog_service(admin_client, staff):
    seller, category = SellerFactory(), CategoryFactory()
    add = reverse("admin:catalog_product_add")
    fields = {
        "seller": seller.pk,
        "category": category.pk,
        "name": "Samsa oven",
        "slug": "samsa-oven",
        "description": "A tandoor for samsa.",
        "base_price": "1200000",
        "stock_quantity": "3",
        "min_order_quantity": "1",
        "tax_rate": "0",
    }
    data = admin_form_data(admin_client, add, **fields)

    response = admin_client.post(add, data)

    assert response.status_code == 302, form_errors(response)
    product = Product.objects.get(name="Samsa oven")
    assert (product.seller, product.category, product.status) == (seller, category, ProductStatus.DRAFT)
    assert product.slug == "samsa-oven"
    entry = AuditLog.objects.get(action="product.create", entity_id=product.pk)
    assert (entry.user_id, entry.ip_address) == (staff.pk, "127.0.0.1")
    assert not product.images.exists() and not product.variants.exists() and not product.attributes.exists()


def test_a_product_added_in_the_admin_for_a_buyer_is_refused(admin_client):
    from accounts.tests.factories import BuyerFactory

    add = reverse("admin:catalog_product_add")
    before = catalog_snapshot()
    data = admin_form_data(
        admin_client, add, seller=BuyerFactory().pk, category=CategoryFactory().pk, name="Nope", description="x",
        base_price="1000",
    )  # fmt: skip

    response = admin_client.post(add, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    after = catalog_snapshot()
    assert after["products"] == before["products"] and after["audit"] == before["audit"]


# --- the product actions ------------------------------------------------------------------------------
def run_action(client, changelist, action, rows):
    data = {"action": action, "_selected_action": [row.pk for row in rows], "index": 0}
    return client.post(changelist, data, follow=True)


def messages_after(response):
    return [(m.level, str(m)) for m in response.context["messages"]]


def test_publish_runs_the_service_per_product_and_names_the_refused_ones(admin_client, staff):
    drafts = [ProductFactory(status=ProductStatus.DRAFT), ProductFactory(status=ProductStatus.INACTIVE)]
    active = ProductFactory(name="Already on sale", status=ProductStatus.ACTIVE)
    active_before = Product.objects.filter(pk=active.pk).values().get()

    response = run_action(admin_client, PRODUCTS, "publish", [*drafts, active])

    for product in drafts:
        product.refresh_from_db()
        assert product.status == ProductStatus.ACTIVE
        assert AuditLog.objects.filter(action="product.publish", entity_id=product.pk, user=staff).exists()
    assert Product.objects.filter(pk=active.pk).values().get() == active_before
    shown = messages_after(response)
    assert (constants.SUCCESS, "2 published.") in shown
    assert (constants.WARNING, "Already on sale: A product that is active cannot be published.") in shown
    assert len(shown) == 2


def test_feature_and_soft_delete_actions_go_through_the_services(admin_client, staff):
    product = ProductFactory()

    response = run_action(admin_client, PRODUCTS, "feature", [product])
    product.refresh_from_db()
    assert product.is_featured
    assert messages_after(response) == [(constants.SUCCESS, "1 featured.")]

    response = run_action(admin_client, PRODUCTS, "soft_delete", [product])
    product.refresh_from_db()
    assert product.deleted_at is not None and product.sku is None
    assert AuditLog.objects.filter(action="product.delete", entity_id=product.pk, user=staff).exists()
    assert messages_after(response) == [(constants.SUCCESS, "1 deleted.")]


# --- categories ---------------------------------------------------------------------------------------
def test_deleting_categories_refuses_one_with_products_and_deletes_the_empty_one(admin_client, staff):
    empty = CategoryFactory(name="Empty shelf")
    full = ProductFactory().category
    full.name = "Full shelf"
    full.save(update_fields=["name"])
    full_before = Category.objects.filter(pk=full.pk).values().get()

    response = run_action(admin_client, CATEGORIES, "soft_delete", [empty, full])

    empty.refresh_from_db()
    assert empty.deleted_at is not None and not empty.is_active
    assert AuditLog.objects.filter(action="category.delete", entity_id=empty.pk, user=staff).exists()
    assert Category.objects.filter(pk=full.pk).values().get() == full_before
    assert not AuditLog.objects.filter(action="category.delete", entity_id=full.pk).exists()
    shown = messages_after(response)
    assert (constants.SUCCESS, "1 deleted.") in shown
    assert (constants.WARNING, "Full shelf: Move its products to another category first.") in shown


def test_a_category_saved_in_the_admin_goes_through_the_service(admin_client, staff):
    category = CategoryFactory(name="Kitchen")
    path = reverse("admin:catalog_category_change", args=[category.pk])

    response = admin_client.post(path, admin_form_data(admin_client, path, name="Kitchen and dining"))

    assert response.status_code == 302, form_errors(response)
    category.refresh_from_db()
    assert category.name == "Kitchen and dining"
    entry = AuditLog.objects.get(action="category.update", entity_id=category.pk)
    assert entry.user_id == staff.pk
