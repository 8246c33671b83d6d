"""CSV export and import of a seller's products.

The same columns go both ways, so an exported file can be edited in a spreadsheet and imported
back. A row is matched to an existing product of the seller by ``id``, else by ``sku``; other
rows create products. A column missing from the header leaves that field unchanged; an empty
cell empties it. ``status`` may be draft, active, inactive or discontinued (publish / unpublish /
discontinue; what an export writes, so an exported file imports back unchanged).

Import is all or nothing: every row goes through the same services as the seller center, inside
one transaction; if any row fails, the whole file is rolled back and every failing row is
reported with its line number, column and message.
"""

import csv
import io
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from gogomarket.core.services import audit_log_write

from . import services
from .enums import ProductStatus
from .models import Category, Product

COLUMNS = (
    "id",
    "sku",
    "name",
    "category",
    "status",
    "base_price",
    "sale_price",
    "cost_price",
    "tax_rate",
    "stock_quantity",
    "low_stock_threshold",
    "allow_backorder",
    "min_order_quantity",
    "max_order_quantity",
    "brand",
    "barcode",
    "short_description",
    "description",
    "weight",
    "length",
    "width",
    "height",
    "is_digital",
    "requires_shipping",
    "slug",
    "meta_title",
    "meta_description",
    "meta_keywords",
)
REQUIRED_FOR_NEW = ("name", "category", "description", "base_price")
IMPORT_STATUSES = (ProductStatus.DRAFT, ProductStatus.ACTIVE, ProductStatus.INACTIVE, ProductStatus.DISCONTINUED)
BOOLEAN_COLUMNS = ("allow_backorder", "is_digital", "requires_shipping")


# A cell starting with one of these is a formula to a spreadsheet program (CSV injection): text
# cells that do are written with a leading apostrophe, which spreadsheets hide and import drops.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _uncell(text):
    """What an exported text cell said, without the formula guard."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def products_csv_rows(*, seller):
    """The header and one row per live product of ``seller`` (a generator: big shops stream)."""
    yield list(COLUMNS)
    products = (
        Product.objects.filter(seller=seller, deleted_at__isnull=True)
        .select_related("category")
        .order_by("id")
        .iterator(chunk_size=500)
    )
    for product in products:
        row = []
        for column in COLUMNS:
            if column == "category":
                row.append(product.category.slug)
            elif column == "status":
                status = product.status
                row.append(ProductStatus.ACTIVE if status == ProductStatus.OUT_OF_STOCK else status)
            else:
                row.append(_cell(getattr(product, column)))
        yield row


class _Echo:
    def write(self, value):
        return value


def products_csv_stream(*, seller):
    """Lines of the CSV file (UTF-8 with a BOM, which spreadsheet programs need to read it)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in products_csv_rows(seller=seller):
        yield writer.writerow(row)


@dataclass
class RowError:
    line: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class _Rollback(Exception):
    pass


def _read(uploaded):
    if uploaded.size > settings.PRODUCT_CSV_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is too large (at most %(mb)d MB).") % {"mb": settings.PRODUCT_CSV_MAX_BYTES // 2**20}}
        )
    raw = uploaded.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError({"file": _("Save the file as UTF-8 CSV and try again.")}) from None
    if not text.strip():
        raise ValidationError({"file": _("The file is empty.")})
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = [name.strip().lower() for name in next(reader)]
    except (StopIteration, csv.Error):
        raise ValidationError({"file": _("The file has no header row.")}) from None
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        raise ValidationError(
            {
                "file": _("Unknown columns: %(names)s. Use the columns of an exported file.")
                % {"names": ", ".join(unknown)}
            }
        )
    if "name" not in header and "id" not in header and "sku" not in header:
        raise ValidationError({"file": _("The header needs at least the columns name, or id or sku.")})
    rows = []
    try:
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(values) > len(header):
                rows.append((line, None))
                continue
            rows.append((line, {name: values[i] if i < len(values) else "" for i, name in enumerate(header) if name}))
            if len(rows) > settings.PRODUCT_CSV_MAX_ROWS:
                raise ValidationError(
                    {"file": _("At most %(n)d products per file.") % {"n": settings.PRODUCT_CSV_MAX_ROWS}}
                )
    except csv.Error as error:
        raise ValidationError({"file": _("The file is not valid CSV: %(error)s") % {"error": error}}) from None
    if not rows:
        raise ValidationError({"file": _("The file has no product rows.")})
    return rows


def products_csv_import(*, seller, uploaded, request=None):
    """Import products of ``seller`` from an uploaded CSV file: all rows or none.

    Raises ValidationError for a file that cannot be read at all; otherwise returns an
    ImportResult whose ``errors`` list every failing row (nothing is saved then)."""
    rows = _read(uploaded)
    categories = dict(Category.objects.filter(deleted_at__isnull=True).values_list("slug", "id"))
    result = ImportResult()
    try:
        with transaction.atomic():
            seen_skus = {}
            for line, row in rows:
                if row is None:
                    result.errors.append(RowError(line, "", _("The row has more cells than the header.")))
                    continue
                _import_row(seller, line, row, categories, seen_skus, result, request)
            if result.errors:
                raise _Rollback
            audit_log_write(
                actor=seller,
                action="product.csv_import",
                entity_type="user",
                entity_id=seller.pk,
                new_values={"created": result.created, "updated": result.updated},
                request=request,
            )
    except _Rollback:
        result.created = result.updated = 0
    return result


def _import_row(seller, line, row, categories, seen_skus, result, request):
    def error(column, message):
        result.errors.append(RowError(line, column, message))

    product = None
    pk, sku = (row.get("id") or "").strip(), (row.get("sku") or "").strip()
    if pk:
        if not pk.isdigit():
            return error("id", _("Enter a whole number."))
        product = Product.objects.filter(pk=int(pk), seller=seller, deleted_at__isnull=True).first()
        if product is None:
            return error("id", _("You have no product with this id."))
    elif sku:
        product = Product.objects.filter(sku=sku, deleted_at__isnull=True).first()
        if product is not None and product.seller_id != seller.pk:
            return error("sku", _("This SKU is already used by another seller's product."))
    if sku:
        if sku in seen_skus:
            return error("sku", _("The same SKU is on line %(line)d too.") % {"line": seen_skus[sku]})
        seen_skus[sku] = line

    data = {}
    for column, value in row.items():
        if column in ("id", "status"):
            continue
        value = _uncell(value.strip())
        if column == "category":
            if value and value not in categories:
                error("category", _("No category with the web address “%(slug)s”.") % {"slug": value})
                continue
            data["category"] = categories.get(value)
        elif column in BOOLEAN_COLUMNS:
            if value and value.lower() not in ("1", "0", "true", "false", "yes", "no", "ha", "yo'q", "да", "нет"):
                error(column, _("Write true or false."))
                continue
            data[column] = value.lower() in ("1", "true", "yes", "ha", "да")
        else:
            data[column] = value
    status = (row.get("status") or "").strip().lower()
    if status and status not in IMPORT_STATUSES:
        error("status", _("Status is draft, active, inactive or discontinued."))
    if product is None:
        missing = [c for c in REQUIRED_FOR_NEW if not (row.get(c) or "").strip()]
        for column in missing:
            error(column, _("A new product needs this column."))
    if any(e.line == line for e in result.errors):
        return
    try:
        with transaction.atomic():
            if product is None:
                product = services.product_create(seller=seller, request=request, **data)
                result.created += 1
            else:
                product = services.product_update(product=product, actor=seller, request=request, **data)
                result.updated += 1
            if status == ProductStatus.ACTIVE and product.status not in services.SELLING:
                services.product_publish(product=product, actor=seller, request=request)
            elif status == ProductStatus.INACTIVE and product.status in services.SELLING:
                services.product_unpublish(product=product, actor=seller, request=request)
            elif status == ProductStatus.DISCONTINUED and product.status != ProductStatus.DISCONTINUED:
                services.product_discontinue(product=product, actor=seller, request=request)
    except ValidationError as problem:
        if hasattr(problem, "error_dict"):
            for column, messages in problem.message_dict.items():
                for message in messages:
                    error(column, message)
        else:
            for message in problem.messages:
                error("status" if status else "", message)
    except PermissionDenied as problem:
        error("id", str(problem))
