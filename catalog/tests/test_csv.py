"""CSV export and import of a seller's products (catalog.csv_products): the round trip, creating
and updating by id or SKU, and all-or-nothing imports whose failing rows are reported with their
line numbers while nothing at all is written."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import SellerFactory
from catalog import csv_products
from catalog.enums import ProductStatus
from catalog.models import Product
from catalog.tests.factories import CategoryFactory, ProductFactory, ProductVariantFactory
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _file(text, encoding="utf-8", name="products.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def _csv(rows, delimiter=","):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _export(seller):
    return "".join(csv_products.products_csv_stream(seller=seller))


def _state():
    """Everything the import could write: products (all columns) and audit rows."""
    products = {row["id"]: row for row in Product.objects.values()}
    for row in products.values():
        row.pop("updated_at")
    return products, AuditLog.objects.count()


def _errors(result):
    return sorted((e.line, e.column) for e in result.errors)


# --- export and round trip ------------------------------------------------------------------------
def test_export_has_the_header_and_only_the_sellers_live_products():
    seller = SellerFactory()
    mine = ProductFactory(seller=seller, sku="MINE-1")
    ProductFactory(seller=seller, deleted_at="2026-01-01T00:00:00Z")
    ProductFactory(sku="THEIRS-1")
    text = _export(seller)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(csv_products.COLUMNS)
    assert [row[0] for row in rows[1:]] == [str(mine.pk)]
    assert dict(zip(rows[0], rows[1], strict=True))["category"] == mine.category.slug


def test_export_then_import_changes_nothing():
    seller = SellerFactory()
    leaf = CategoryFactory(parent=CategoryFactory())
    ProductFactory(
        seller=seller,
        category=leaf,
        name='Chinni choynak "Samarqand", 1,5 l',
        description='Qo\'lda bemalol; "naqshli"\nikkinchi qator, vergul bilan;\r\nuchinchi — ёлка',
        short_description="Oʻzbek naqshi; sovg'a uchun",
        sale_price=Decimal("45000.50"),
        cost_price=Decimal("30000"),
        tax_rate=Decimal("12"),
        low_stock_threshold=None,
        max_order_quantity=5,
        meta_keywords="choynak, chinni",
        barcode="4780000000017",
        length=Decimal("20.50"),
    )
    ProductFactory(seller=seller, status=ProductStatus.DRAFT, published_at=None, sku=None, brand=None)
    ProductFactory(seller=seller, status=ProductStatus.INACTIVE)
    ProductFactory(seller=seller, status=ProductStatus.OUT_OF_STOCK, stock_quantity=0)
    ProductFactory(seller=seller, status=ProductStatus.DISCONTINUED)
    ProductFactory(seller=seller, is_digital=True, requires_shipping=False, allow_backorder=True, stock_quantity=0)
    with_variants = ProductFactory(seller=seller, stock_quantity=7)
    ProductVariantFactory(product=with_variants, stock_quantity=7)
    ProductFactory()  # another seller's
    before, audits = _state()

    result = csv_products.products_csv_import(seller=seller, uploaded=_file(_export(seller)))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (0, 7)
    after, audits_after = _state()
    assert after == before
    # Nothing changed, so no product.update rows; the import itself is recorded once.
    assert audits_after == audits + 1
    assert AuditLog.objects.filter(action="product.csv_import", user=seller).count() == 1


# --- creating and updating ------------------------------------------------------------------------
def test_import_creates_and_updates_by_id_and_by_sku():
    seller = SellerFactory()
    leaf = CategoryFactory(slug="choynaklar")
    by_id = ProductFactory(seller=seller, name="Old name", sku="BY-ID")
    by_sku = ProductFactory(seller=seller, sku="BY-SKU", base_price=Decimal("100000"))
    text = _csv(
        [
            ["id", "sku", "name", "category", "description", "base_price", "stock_quantity", "status"],
            [by_id.pk, "", "New name", "choynaklar", "Yangi tavsif", "120000", "", ""],
            ["", "BY-SKU", "Same", "choynaklar", "Same", "150000", "", ""],
            ["", "NEW-1", "Termos 1 l", "choynaklar", "Issiqlikni saqlaydi", "99000", "4", "active"],
            ["", "", "Qoshiq", "choynaklar", "Kumush qoshiq", "15 000,50", "", ""],
        ]
    )
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert result.ok, result.errors
    assert (result.created, result.updated) == (2, 2)

    by_id.refresh_from_db()
    by_sku.refresh_from_db()
    # An empty cell in a column of the file empties the field (the SKU here).
    assert (by_id.name, by_id.sku, by_id.category, by_id.description) == ("New name", None, leaf, "Yangi tavsif")
    assert by_sku.base_price == Decimal("150000") and by_sku.name == "Same"
    assert by_id.stock_quantity == 0 and by_id.status == ProductStatus.OUT_OF_STOCK  # emptied stock is none
    termos = Product.objects.get(sku="NEW-1")
    assert (termos.seller, termos.category, termos.status) == (seller, leaf, ProductStatus.ACTIVE)
    assert termos.published_at is not None and termos.stock_quantity == 4
    spoon = Product.objects.get(name="Qoshiq")
    assert spoon.status == ProductStatus.DRAFT and spoon.base_price == Decimal("15000.50")
    assert AuditLog.objects.filter(action="product.create", user=seller).count() == 2
    assert AuditLog.objects.filter(action="product.publish", entity_id=termos.pk).count() == 1


def test_a_column_missing_from_the_header_is_left_unchanged():
    seller = SellerFactory()
    product = ProductFactory(seller=seller, sku="KEEP", brand="Artel", sale_price=Decimal("1000"))
    text = _csv([["sku", "stock_quantity"], ["KEEP", "0"]])
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert result.ok, result.errors
    product.refresh_from_db()
    assert (product.brand, product.sale_price, product.stock_quantity) == ("Artel", Decimal("1000"), 0)
    assert product.status == ProductStatus.OUT_OF_STOCK


def test_status_column_publishes_unpublishes_and_discontinues():
    seller = SellerFactory()
    draft = ProductFactory(seller=seller, sku="D", status=ProductStatus.DRAFT, published_at=None)
    ProductFactory(seller=seller, sku="A")
    ProductFactory(seller=seller, sku="R")
    text = _csv([["sku", "status"], ["D", "active"], ["A", "inactive"], ["R", "discontinued"]])
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert result.ok, result.errors
    statuses = dict(Product.objects.values_list("sku", "status"))
    assert statuses == {"D": ProductStatus.ACTIVE, "A": ProductStatus.INACTIVE, "R": ProductStatus.DISCONTINUED}
    draft.refresh_from_db()
    assert draft.published_at is not None
    assert AuditLog.objects.filter(action="product.discontinue").count() == 1


# --- errors: reported per row, nothing written ------------------------------------------------------
def test_row_errors_are_reported_with_line_numbers_and_nothing_is_written():
    seller = SellerFactory()
    CategoryFactory(slug="kiyim")
    mine = ProductFactory(seller=seller, sku="MINE", name="Unchanged")
    ProductFactory(sku="THEIRS")
    theirs_by_id = ProductFactory()
    header = ["id", "sku", "name", "category", "description", "base_price", "status"]
    text = _csv(
        [
            header,
            ["", "MINE", "Would be renamed", "kiyim", "Yangi", "1000", ""],  # 2: valid, but not written
            ["", "OK-1", "Ko'ylak", "kiyim", "Paxta", "abc", ""],  # 3: bad price
            ["", "OK-2", "Shim", "no-such-slug", "Jinsi", "120000", ""],  # 4: unknown category
            ["", "THEIRS", "Kurtka", "kiyim", "Qishki", "300000", ""],  # 5: another seller's SKU
            ["", "DUP", "Shapka", "kiyim", "Jun", "50000", ""],  # 6: valid alone
            ["", "DUP", "Shapka 2", "kiyim", "Jun", "50000", ""],  # 7: the same SKU again
            ["", "OK-3", "Sharf", "kiyim", "", "", ""],  # 8: a new row without description and price
            ["", "OK-4", "Paypoq", "kiyim", "Paxta", "20000", "sold"],  # 9: bad status
            [theirs_by_id.pk, "", "Mine now", "", "", "", ""],  # 10: another seller's id
            ["", "OK-5", "Kamar", "kiyim", "Charm", "-5", ""],  # 11: negative price
            ["", "OK-6", "Qo'lqop", "kiyim", "Jun", "30000", "", "extra"],  # 12: more cells than the header
            ["abc", "", "", "", "", "", ""],  # 13: id that is not a number
            ["", "OK-7", "Ro'mol", "kiyim", "Ipak", "40000", ""],  # 14: valid
        ]
    )
    before = _state()
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert not result.ok
    assert (result.created, result.updated) == (0, 0)
    assert _errors(result) == [
        (3, "base_price"),
        (4, "category"),
        (5, "sku"),
        (7, "sku"),
        (8, "base_price"),
        (8, "description"),
        (9, "status"),
        (10, "id"),
        (11, "base_price"),
        (12, ""),
        (13, "id"),
    ]
    assert all(e.message for e in result.errors)
    assert "6" in next(e.message for e in result.errors if e.line == 7)  # points at the first line
    assert _state() == before
    mine.refresh_from_db()
    assert mine.name == "Unchanged"
    assert not Product.objects.filter(sku__in=["DUP", "OK-7"]).exists()


def test_missing_required_columns_are_reported_for_every_new_row():
    seller = SellerFactory()
    existing = ProductFactory(seller=seller, sku="OLD")
    CategoryFactory(slug="kiyim")
    text = _csv(
        [
            ["sku", "name", "category"],
            ["OLD", "Renamed", "kiyim"],
            ["NEW-1", "Kepka", "kiyim"],
            ["NEW-2", "Bosh kiyim", "kiyim"],
        ]
    )
    before = _state()
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert _errors(result) == [(3, "base_price"), (3, "description"), (4, "base_price"), (4, "description")]
    assert _state() == before
    existing.refresh_from_db()
    assert existing.name != "Renamed"


def test_a_service_rule_broken_by_a_row_is_reported_on_its_column():
    seller = SellerFactory()
    ProductFactory(seller=seller, sku="SALE", base_price=Decimal("100000"))
    text = _csv([["sku", "sale_price", "min_order_quantity", "max_order_quantity"], ["SALE", "200000", "3", "1"]])
    before = _state()
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert _errors(result) == [(2, "max_order_quantity"), (2, "sale_price")]
    assert _state() == before


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("sku,name,colour\nA,B,C\n", "colour"),
        ("", "empty"),
        ("   \n", "empty"),
        ("sku,name\n", "no product rows"),
        ("brand,base_price\nArtel,1000\n", "name"),
    ],
)
def test_files_that_cannot_be_read_are_refused_with_a_message(text, words):
    seller = SellerFactory()
    ProductFactory(seller=seller, sku="A")
    before = _state()
    with pytest.raises(ValidationError) as caught:
        csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert words in " ".join(caught.value.messages).lower()
    assert _state() == before


# --- file formats ---------------------------------------------------------------------------------
@pytest.mark.parametrize("delimiter", [";", "\t", ","])
@pytest.mark.parametrize("bom", [True, False])
def test_semicolon_tab_and_comma_files_with_or_without_bom(delimiter, bom):
    seller = SellerFactory()
    CategoryFactory(slug="kitoblar")
    text = _csv(
        [
            ["sku", "name", "category", "description", "base_price"],
            ["KIT-1", "O'tkan kunlar", "kitoblar", "Abdulla Qodiriy; roman, 1926", "45000"],
            ["KIT-2", "Mehrobdan chayon", "kitoblar", 'Roman; "klassika", 1929', "50000,00"],
        ],
        delimiter=delimiter,
    )
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(("\ufeff" if bom else "") + text))
    assert result.ok, result.errors
    assert result.created == 2
    book = Product.objects.get(sku="KIT-2")
    assert book.description == 'Roman; "klassika", 1929' and book.base_price == Decimal("50000")
    assert Product.objects.get(sku="KIT-1").name == "O'tkan kunlar"


def test_a_comma_file_full_of_semicolons_is_still_read_as_commas():
    seller = SellerFactory()
    CategoryFactory(slug="kitoblar")
    rows = [["sku", "name", "category", "description", "base_price"]]
    rows += [[f"K-{n}", f"Kitob {n}", "kitoblar", "a; b; c; d; e; f", "1000"] for n in range(5)]
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(_csv(rows)))
    assert result.ok, result.errors
    assert Product.objects.filter(description="a; b; c; d; e; f").count() == 5


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message():
    seller = SellerFactory()
    CategoryFactory(slug="kitoblar")
    text = _csv(
        [["sku", "name", "category", "description", "base_price"], ["R-1", "Книга", "kitoblar", "Роман", "1000"]]
    )
    with pytest.raises(ValidationError) as caught:
        csv_products.products_csv_import(seller=seller, uploaded=_file(text, encoding="cp1251"))
    assert "UTF-8" in " ".join(caught.value.messages)
    assert not Product.objects.exists() and not AuditLog.objects.exists()


def test_row_and_size_limits(settings):
    settings.PRODUCT_CSV_MAX_ROWS = 3
    seller = SellerFactory()
    CategoryFactory(slug="kitoblar")
    header = [["sku", "name", "category", "description", "base_price"]]
    rows = [[f"L-{n}", f"Kitob {n}", "kitoblar", "Roman", "1000"] for n in range(4)]
    with pytest.raises(ValidationError) as caught:
        csv_products.products_csv_import(seller=seller, uploaded=_file(_csv(header + rows)))
    assert "3" in " ".join(caught.value.messages)
    assert not Product.objects.exists()
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(_csv(header + rows[:3] + [[""] * 5])))
    assert result.ok and result.created == 3  # an empty line is not a product

    settings.PRODUCT_CSV_MAX_BYTES = 100
    with pytest.raises(ValidationError) as caught:
        csv_products.products_csv_import(seller=seller, uploaded=_file(_csv(header + rows)))
    assert "too large" in " ".join(caught.value.messages)
    assert Product.objects.count() == 3


def test_import_goes_through_the_same_rules_as_the_seller_center():
    """A row cannot do what the service refuses: a parent category, or another seller's SKU by update."""
    seller = SellerFactory()
    parent = CategoryFactory(slug="parent")
    CategoryFactory(slug="child", parent=parent)
    ProductFactory(sku="TAKEN")
    mine = ProductFactory(seller=seller, sku="MINE")
    text = _csv(
        [
            ["id", "sku", "name", "category", "description", "base_price"],
            ["", "P-1", "Kitob", "parent", "Roman", "1000"],
            [mine.pk, "TAKEN", "Kitob", "child", "Roman", "1000"],
        ]
    )
    before = _state()
    result = csv_products.products_csv_import(seller=seller, uploaded=_file(text))
    assert _errors(result) == [(2, "category"), (3, "sku")]
    assert _state() == before


def test_export_guards_text_that_a_spreadsheet_would_run_as_a_formula_and_import_reads_it_back():
    from catalog.csv_products import products_csv_import, products_csv_rows

    seller = SellerFactory()
    product = ProductFactory(seller=seller, name='=HYPERLINK("https://evil.example","x")', brand="@brand")
    rows = list(products_csv_rows(seller=seller))
    header, row = rows[0], rows[1]
    assert row[header.index("name")] == """'=HYPERLINK("https://evil.example","x")"""
    assert row[header.index("brand")] == "'@brand"
    assert not row[header.index("base_price")].startswith("'")  # numbers are left alone

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    result = products_csv_import(seller=seller, uploaded=SimpleUploadedFile("p.csv", buffer.getvalue().encode()))
    assert result.ok, result.errors
    product.refresh_from_db()
    assert product.name == '=HYPERLINK("https://evil.example","x")' and product.brand == "@brand"
