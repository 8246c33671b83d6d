"""Writes of the catalog: products and their images, variants and attributes, categories, bulk
actions and CSV import. Seller center pages, the API, the admin and commands call these.

Every function runs in one transaction, checks its rules (raising ``ValidationError`` with
field messages, so nothing is half written), writes an ``audit_logs`` row, and drops the cached
cards and pages it affects after commit (``catalog.cache``).

Who may change a product: its seller, or staff (the admin). Callers pass ``actor``; a seller who
is not the product's owner is refused here as well as by the 404 of the selectors.
"""

import io
import uuid
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.enums import UserRole
from gogomarket.core.services import audit_log_write
from gogomarket.core.text import slug_of

from . import cache as catalog_cache
from .enums import ProductStatus
from .models import Category, Product, ProductAttribute, ProductImage, ProductVariant

MAX_CATEGORY_LEVEL = 2  # three levels: 0, 1, 2
IMAGE_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
IMAGE_MAX_SIDE = 1600
IMAGE_THUMB_SIDE = 400
IMAGE_MAX_PIXELS = 40_000_000  # a decompression bomb is refused before it is decoded
PRICE_MAX = Decimal("9999999999.99")  # DECIMAL(12, 2)

# Fields a seller sets on a product (everything else is kept by the platform).
PRODUCT_FIELDS = (
    "category",
    "name",
    "slug",
    "description",
    "short_description",
    "sku",
    "barcode",
    "brand",
    "base_price",
    "sale_price",
    "cost_price",
    "tax_rate",
    "weight",
    "length",
    "width",
    "height",
    "is_digital",
    "requires_shipping",
    "stock_quantity",
    "low_stock_threshold",
    "allow_backorder",
    "min_order_quantity",
    "max_order_quantity",
    "meta_title",
    "meta_description",
    "meta_keywords",
)
OPTIONAL_TEXT = ("short_description", "sku", "barcode", "brand", "meta_title", "meta_description", "meta_keywords")

# The lifecycle a seller drives. out_of_stock <-> active follows the stock by itself.
TRANSITIONS = {
    "publish": {ProductStatus.DRAFT, ProductStatus.INACTIVE, ProductStatus.DISCONTINUED},
    "unpublish": {ProductStatus.ACTIVE, ProductStatus.OUT_OF_STOCK},
    "discontinue": {ProductStatus.DRAFT, ProductStatus.ACTIVE, ProductStatus.INACTIVE, ProductStatus.OUT_OF_STOCK},
}
SELLING = (ProductStatus.ACTIVE, ProductStatus.OUT_OF_STOCK)


# --- who may change what ------------------------------------------------------------------------
def _check_owner(actor, product):
    if actor is None:
        return  # the platform itself (commands, tasks)
    if getattr(actor, "is_staff", False):
        return
    if actor.pk != product.seller_id:
        raise PermissionDenied(_("This is not your product."))


def _check_seller(seller):
    if seller.role != UserRole.SELLER:
        raise ValidationError(_("Only seller accounts can sell products."))


def _audit(actor, action, product_id, old=None, new=None, request=None):
    audit_log_write(
        actor=actor,
        action=action,
        entity_type="product",
        entity_id=product_id,
        old_values=old or None,
        new_values=new or None,
        request=request,
    )


def _changed(product, *, old_category_id=None, slugs=()):
    """``slugs``: web addresses a product took or gave up (a page cached under one of them now
    shows another product, or none)."""
    catalog_cache.product_changed(
        product_ids=[product.pk],
        category_ids=[product.category_id, old_category_id],
        seller_ids=[product.seller_id],
        featured=True,
        slugs=slugs,
    )


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Category):
        return value.pk
    return value


# --- products -----------------------------------------------------------------------------------
def _decimal(value, name):
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(str(value).strip().replace(" ", "").replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({name: _("Enter a number.")})
    return number


def _integer(value, name):
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value).strip())
        if number != number.to_integral_value():
            raise ValueError
        return int(number)
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("Enter a whole number.")}) from None


def _boolean(value):
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on", "ha", "да")
    return bool(value)


def category_for_products(category):
    """``category`` (an id or a Category) if products may go there: live and a leaf."""
    category_id = category.pk if isinstance(category, Category) else category
    if category_id in (None, ""):
        raise ValidationError({"category": _("Choose a category.")})
    found = Category.objects.filter(pk=category_id, is_active=True, deleted_at__isnull=True).first()
    if found is None:
        raise ValidationError({"category": _("Choose a category from the list.")})
    if Category.objects.filter(parent=found, is_active=True, deleted_at__isnull=True).exists():
        raise ValidationError({"category": _("Choose the most specific category (one without subcategories).")})
    return found


def _product_clean(product, data):
    """Copy ``data`` onto ``product`` and check every field rule; raises one ValidationError
    with all field messages."""
    errors = {}

    def fail(name, message):
        errors.setdefault(name, []).append(message)

    for name in PRODUCT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        try:
            if name == "category":
                product.category = category_for_products(value)
                continue
            if name in ("base_price", "sale_price", "cost_price", "tax_rate", "weight", "length", "width", "height"):
                value = _decimal(value, name)
            elif name in ("stock_quantity", "low_stock_threshold", "min_order_quantity", "max_order_quantity"):
                value = _integer(value, name)
            elif name in ("is_digital", "requires_shipping", "allow_backorder"):
                value = _boolean(value)
            elif isinstance(value, str):
                value = value.strip()
                if name in OPTIONAL_TEXT or name == "slug":
                    value = value or None
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    fail(field_name, message)
            continue
        setattr(product, name, value)

    if not (product.name or "").strip():
        fail("name", _("Give the product a name."))
    elif len(product.name) > 255:
        fail("name", _("At most %(n)d characters.") % {"n": 255})
    if not (product.description or "").strip():
        fail("description", _("Describe the product."))
    if product.short_description and len(product.short_description) > 500:
        fail("short_description", _("At most %(n)d characters.") % {"n": 500})
    for name, limit in (("sku", 100), ("barcode", 100), ("brand", 100), ("meta_title", 255), ("slug", 255)):
        value = getattr(product, name)
        if value and len(value) > limit:
            fail(name, _("At most %(n)d characters.") % {"n": limit})
    if product.sku and (not product.sku.isprintable() or " " in product.sku):
        fail("sku", _("A SKU has no spaces."))
    if product.slug is not None and product.slug != slug_of(product.slug):
        fail("slug", _("Use lowercase Latin letters, digits and hyphens only."))
    if product.category_id is None and "category" not in errors:
        fail("category", _("Choose a category."))

    if "base_price" in errors:
        pass  # not a number: one message is enough
    elif product.base_price is None:
        fail("base_price", _("Set a price."))
    elif not Decimal("0") < product.base_price <= PRICE_MAX:
        fail("base_price", _("The price must be more than 0."))
    if product.sale_price is not None:
        if product.sale_price <= 0:
            fail("sale_price", _("The sale price must be more than 0."))
        elif product.base_price is not None and product.sale_price >= product.base_price:
            fail("sale_price", _("The sale price must be lower than the price."))
    if product.cost_price is not None and not Decimal("0") <= product.cost_price <= PRICE_MAX:
        fail("cost_price", _("The cost must be 0 or more."))
    if product.tax_rate is None:
        product.tax_rate = Decimal("0")
    if not Decimal("0") <= product.tax_rate <= Decimal("100"):
        fail("tax_rate", _("The tax rate is a percentage from 0 to 100."))
    for name in ("weight", "length", "width", "height"):
        value = getattr(product, name)
        if value is not None and not Decimal("0") <= value < Decimal("10000000"):
            fail(name, _("Must be 0 or more."))
    for name, places in (("base_price", 2), ("sale_price", 2), ("cost_price", 2), ("tax_rate", 2), ("weight", 3),
                         ("length", 2), ("width", 2), ("height", 2)):  # fmt: skip
        value = getattr(product, name)
        if isinstance(value, Decimal) and value.as_tuple().exponent < -places:
            fail(name, _("At most %(n)d decimal places.") % {"n": places})

    if product.stock_quantity is None:
        product.stock_quantity = 0
    if product.stock_quantity < 0:
        fail("stock_quantity", _("Stock cannot be negative."))
    if product.low_stock_threshold is not None and product.low_stock_threshold < 0:
        fail("low_stock_threshold", _("Must be 0 or more."))
    if product.min_order_quantity is None:
        product.min_order_quantity = 1
    if product.min_order_quantity < 1:
        fail("min_order_quantity", _("At least 1."))
    if product.max_order_quantity is not None and product.max_order_quantity < (product.min_order_quantity or 1):
        fail("max_order_quantity", _("Must not be less than the minimum order quantity."))
    if product.is_digital:
        product.requires_shipping = False
    for name in ("stock_quantity", "low_stock_threshold", "min_order_quantity", "max_order_quantity"):
        value = getattr(product, name)
        if value is not None and value > 2_147_483_647:
            fail(name, _("That number is too large."))

    if product.sku and "sku" not in errors:
        taken = Product.objects.filter(sku=product.sku).exclude(pk=product.pk)
        if taken.exists():
            fail("sku", _("This SKU is already used by another product."))
    if errors:
        raise ValidationError(errors)


def product_validate(*, product, data):
    """Check ``data`` against the product rules without saving (the admin form shows the
    messages on its fields before ``product_update`` / ``product_create`` run)."""
    _product_clean(product, {name: value for name, value in data.items() if name in PRODUCT_FIELDS})


def _unique_slug(base, exclude_id=None):
    base = (base or "product")[:240].strip("-") or "product"
    slug, n = base, 1
    while Product.objects.filter(slug=slug).exclude(pk=exclude_id).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _stock_status(product):
    """The status the stock implies for a selling product (active <-> out_of_stock)."""
    if product.status not in SELLING:
        return product.status
    if (product.stock_quantity or 0) <= 0 and not product.allow_backorder and product.requires_shipping is not False:
        return ProductStatus.OUT_OF_STOCK
    return ProductStatus.ACTIVE


def _save(product, **kwargs):
    try:
        with transaction.atomic():
            product.save(**kwargs)
    except IntegrityError as error:  # a concurrent writer took the SKU or slug in between
        text = str(error)
        if "idx_products_sku" in text:
            raise ValidationError({"sku": _("This SKU is already used by another product.")}) from error
        if "idx_products_slug" in text:
            raise ValidationError({"slug": _("This web address is already taken.")}) from error
        raise


@transaction.atomic
def product_create(*, seller, actor=None, request=None, **data):
    """A new product of ``seller``, as a draft (``publish`` puts it on sale)."""
    actor = actor or seller
    _check_seller(seller)
    if actor.pk != seller.pk and not actor.is_staff:
        raise PermissionDenied(_("You can only add products to your own shop."))
    product = Product(seller=seller, status=ProductStatus.DRAFT, currency=settings.CURRENCY)
    _product_clean(product, {name: value for name, value in data.items() if name in PRODUCT_FIELDS})
    product.slug = _unique_slug(product.slug or slug_of(product.name)) if not product.slug else product.slug
    if Product.objects.filter(slug=product.slug).exists():
        raise ValidationError({"slug": _("This web address is already taken.")})
    _save(product)
    _audit(actor, "product.create", product.pk, new={"name": product.name, "sku": product.sku}, request=request)
    _changed(product, slugs=[product.slug])
    return product


@transaction.atomic
def product_update(*, product, actor, request=None, **data):
    """Change a product's fields. Stock reaching 0 without backorder makes a selling product
    out_of_stock, and back."""
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, product)
    before = {
        name: _jsonable(getattr(product, "category_id" if name == "category" else name)) for name in PRODUCT_FIELDS
    }
    old_category_id, old_slug = product.category_id, product.slug
    data = {name: value for name, value in data.items() if name in PRODUCT_FIELDS}
    if product_has_variants(product) and "stock_quantity" in data:
        data.pop("stock_quantity")  # the variants' stock adds up to the product's
    _product_clean(product, data)
    if not product.slug:
        product.slug = _unique_slug(slug_of(product.name), exclude_id=product.pk)
    product.status = _stock_status(product)
    after = {
        name: _jsonable(getattr(product, "category_id" if name == "category" else name)) for name in PRODUCT_FIELDS
    }
    changes = {name for name in PRODUCT_FIELDS if before[name] != after[name]}
    _save(product)
    if changes:
        _audit(
            actor,
            "product.update",
            product.pk,
            old={name: before[name] for name in sorted(changes)},
            new={name: after[name] for name in sorted(changes)},
            request=request,
        )
    _changed(
        product, old_category_id=old_category_id, slugs=[old_slug, product.slug] if old_slug != product.slug else ()
    )
    return product


def _transition(product, action, actor, request):
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, product)
    if product.status not in TRANSITIONS[action]:
        raise ValidationError(
            _("A product that is %(status)s cannot be %(action)s.")
            % {"status": ProductStatus(product.status).label.lower(), "action": _ACTION_WORDS[action]()}
        )
    return product


_ACTION_WORDS = {
    "publish": lambda: _("published"),
    "unpublish": lambda: _("unpublished"),
    "discontinue": lambda: _("discontinued"),
}


@transaction.atomic
def product_publish(*, product, actor, request=None):
    """Put a product on sale. ``published_at`` is set the first time only; with no stock and no
    backorder it goes straight to out_of_stock."""
    product = _transition(product, "publish", actor, request)
    problems = []
    if not Category.objects.filter(pk=product.category_id, is_active=True, deleted_at__isnull=True).exists():
        problems.append(_("its category is no longer available"))
    if not (product.description or "").strip():
        problems.append(_("it has no description"))
    if problems:
        raise ValidationError(_("This product cannot be published: %(why)s.") % {"why": "; ".join(problems)})
    old = product.status
    product.status = ProductStatus.ACTIVE
    product.status = _stock_status(product)
    if product.published_at is None:
        product.published_at = timezone.now()
    _save(product)
    _audit(actor, "product.publish", product.pk, old={"status": old}, new={"status": product.status}, request=request)
    _changed(product)
    return product


@transaction.atomic
def product_unpublish(*, product, actor, request=None):
    """Take a product off sale (inactive); it can be published again."""
    product = _transition(product, "unpublish", actor, request)
    old = product.status
    product.status = ProductStatus.INACTIVE
    _save(product)
    _audit(actor, "product.unpublish", product.pk, old={"status": old}, new={"status": product.status}, request=request)
    _changed(product)
    return product


@transaction.atomic
def product_discontinue(*, product, actor, request=None):
    """The seller will not sell it any more; it leaves the storefront."""
    product = _transition(product, "discontinue", actor, request)
    old = product.status
    product.status = ProductStatus.DISCONTINUED
    _save(product)
    _audit(
        actor, "product.discontinue", product.pk, old={"status": old}, new={"status": product.status}, request=request
    )
    _changed(product)
    return product


@transaction.atomic
def product_delete(*, product, actor, request=None):
    """Soft delete: the product is gone from every page (the seller's included). Its SKU is
    freed for reuse (kept in the audit row); orders keep their own snapshot of it."""
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, product)
    old = {"status": product.status, "sku": product.sku}
    product.deleted_at = timezone.now()
    product.sku = None
    _save(product)
    ProductVariant.objects.filter(product=product, deleted_at__isnull=True).update(
        deleted_at=product.deleted_at, sku=None, updated_at=product.deleted_at
    )
    _audit(actor, "product.delete", product.pk, old=old, request=request)
    _changed(product)
    return product


@transaction.atomic
def product_set_featured(*, product, actor, featured, request=None):
    """Staff choose what the home page features."""
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied(_("Only staff choose featured products."))
    product = Product.objects.select_for_update().get(pk=product.pk)
    if bool(product.is_featured) == bool(featured):
        return product
    product.is_featured = bool(featured)
    product.save(update_fields=["is_featured", "updated_at"])
    _audit(actor, "product.feature" if featured else "product.unfeature", product.pk, request=request)
    _changed(product)
    return product


BULK_ACTIONS = {
    "publish": product_publish,
    "unpublish": product_unpublish,
    "discontinue": product_discontinue,
    "delete": product_delete,
}


def products_bulk_action(*, seller, product_ids, action, request=None):
    """Apply ``action`` to several of ``seller``'s products. Each product is its own change
    (one refused product does not undo the others); returns (done, [(product, message)])."""
    if action not in BULK_ACTIONS:
        raise ValidationError({"action": _("Choose an action.")})
    products = list(
        Product.objects.filter(seller=seller, deleted_at__isnull=True, pk__in=list(product_ids)).order_by("pk")
    )
    done, refused = [], []
    for product in products:
        try:
            BULK_ACTIONS[action](product=product, actor=seller, request=request)
        except ValidationError as error:
            refused.append((product, " ".join(error.messages)))
        else:
            done.append(product)
    return done, refused


def product_has_variants(product):
    return ProductVariant.objects.filter(product_id=product.pk, deleted_at__isnull=True).exists()


def _stock_from_variants(product_id):
    """With live variants, the product's stock is the sum of its active variants' stock."""
    total = (
        ProductVariant.objects.filter(product_id=product_id, deleted_at__isnull=True, is_active=True).aggregate(
            total=Sum("stock_quantity")
        )["total"]
        or 0
    )
    product = Product.objects.get(pk=product_id)
    if product.stock_quantity != total or product.status != _stock_status(product):
        product.stock_quantity = total
        product.status = _stock_status(product)
        product.save(update_fields=["stock_quantity", "status", "updated_at"])
    return product


@transaction.atomic
def product_stock_set(*, product, actor, quantity, request=None):
    """Set a product's stock (products without variants; a variant's stock is set on it)."""
    product = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, product)
    if product_has_variants(product):
        raise ValidationError({"stock_quantity": _("This product has variants: set the stock of each variant.")})
    quantity = _integer(quantity, "stock_quantity")
    if quantity is None or quantity < 0:
        raise ValidationError({"stock_quantity": _("Stock cannot be negative.")})
    old = product.stock_quantity
    product.stock_quantity = quantity
    product.status = _stock_status(product)
    product.save(update_fields=["stock_quantity", "status", "updated_at"])
    _audit(actor, "product.stock", product.pk, old={"stock_quantity": old}, new={"stock_quantity": quantity})
    _changed(product)
    return product


def products_stock_status_refresh(product_ids):
    """After stock moved by SQL elsewhere (checkout, cancellation): put selling products into
    out_of_stock or back to active to match. Call inside the transaction that moved the stock."""
    ids = sorted(set(product_ids))
    if not ids:
        return
    sold_out = Q(stock_quantity__lte=0, allow_backorder=False) & ~Q(requires_shipping=False)
    Product.objects.filter(pk__in=ids, status=ProductStatus.ACTIVE).filter(sold_out).update(
        status=ProductStatus.OUT_OF_STOCK, updated_at=timezone.now()
    )
    Product.objects.filter(pk__in=ids, status=ProductStatus.OUT_OF_STOCK).exclude(sold_out).update(
        status=ProductStatus.ACTIVE, updated_at=timezone.now()
    )
    rows = list(Product.objects.filter(pk__in=ids).values_list("pk", "category_id", "seller_id", "is_featured"))
    catalog_cache.product_changed(
        product_ids=[row[0] for row in rows],
        category_ids=[row[1] for row in rows],
        seller_ids=[row[2] for row in rows],
        featured=any(row[3] for row in rows),  # the home page shows featured products' stock
    )


# --- images -------------------------------------------------------------------------------------
def _image_files(uploaded):
    """(picture bytes, thumbnail bytes, extension) of an uploaded image, or ValidationError."""
    if uploaded is None:
        raise ValidationError({"image": _("Choose a picture.")})
    if uploaded.size > settings.PRODUCT_IMAGE_MAX_BYTES:
        raise ValidationError(
            {
                "image": _("The picture is too large (at most %(mb)d MB).")
                % {"mb": settings.PRODUCT_IMAGE_MAX_BYTES // 2**20}
            }
        )
    try:
        uploaded.seek(0)
        with Image.open(uploaded) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in IMAGE_FORMATS:
                raise ValidationError({"image": _("Upload a JPEG, PNG or WebP picture.")})
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError({"image": _("The picture has too many pixels.")})
            probe.verify()
        uploaded.seek(0)
        with Image.open(uploaded) as image:
            image = ImageOps.exif_transpose(image)
            image.load()
            if image.mode not in ("RGB", "RGBA"):
                image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"image": _("This file is not a picture we can read.")}) from None
    if image.mode == "RGBA":  # flatten transparency on white: product photos are shown on white
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background

    def encode(side):
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, "JPEG", quality=86, optimize=True, progressive=True)
        return out.getvalue()

    return encode(IMAGE_MAX_SIDE), encode(IMAGE_THUMB_SIDE)


def _media_name(url):
    prefix = settings.MEDIA_URL
    return url[len(prefix) :] if url and url.startswith(prefix) else None


def _files_delete(urls):
    for url in urls:
        name = _media_name(url)
        if name and default_storage.exists(name):
            default_storage.delete(name)


def product_image_add(*, product, actor, uploaded, alt_text=None, request=None):
    """Store an uploaded picture (at most 1600 px, JPEG) and its 400 px thumbnail. The first
    picture of a product becomes its primary one. A bad file stores nothing."""
    picture, thumbnail = _image_files(uploaded)
    base = f"products/{product.pk}/{uuid.uuid4().hex}"
    name = default_storage.save(f"{base}.jpg", ContentFile(picture))
    thumb_name = default_storage.save(f"{base}_thumb.jpg", ContentFile(thumbnail))
    urls = [default_storage.url(name), default_storage.url(thumb_name)]
    try:
        with transaction.atomic():
            locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
            _check_owner(actor, locked)
            count = ProductImage.objects.filter(product=locked).count()
            if count >= settings.PRODUCT_IMAGES_MAX:
                raise ValidationError(
                    {"image": _("A product has at most %(n)d pictures.") % {"n": settings.PRODUCT_IMAGES_MAX}}
                )
            last = ProductImage.objects.filter(product=locked).aggregate(m=Max("sort_order"))["m"]
            image = ProductImage.objects.create(
                product=locked,
                url=urls[0],
                thumbnail_url=urls[1],
                alt_text=((alt_text or "").strip() or locked.name)[:255],
                sort_order=0 if last is None else last + 1,
                is_primary=count == 0,
            )
            _audit(actor, "product.image_add", locked.pk, new={"image": image.pk}, request=request)
            _changed(locked)
    except Exception:
        _files_delete(urls)  # no orphan files when the row is not written
        raise
    return image


def _image_of(product, image_id, actor):
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, locked)
    image = ProductImage.objects.filter(product=locked, pk=image_id).first()
    if image is None:
        raise ValidationError({"image": _("This picture is not one of the product's.")})
    return locked, image


@transaction.atomic
def product_image_delete(*, product, actor, image_id, request=None):
    """Remove a picture (files after commit); the next one becomes primary if it was."""
    locked, image = _image_of(product, image_id, actor)
    urls = [image.url, image.thumbnail_url]
    was_primary = image.is_primary
    image.delete()
    if was_primary:
        following = ProductImage.objects.filter(product=locked).order_by("sort_order", "id").first()
        if following:
            following.is_primary = True
            following.save(update_fields=["is_primary"])
    ProductVariant.objects.filter(product=locked, image_url=urls[0]).update(image_url=None, updated_at=timezone.now())
    _audit(actor, "product.image_delete", locked.pk, old={"image": image_id}, request=request)
    _changed(locked)
    transaction.on_commit(lambda: _files_delete(urls))


@transaction.atomic
def product_image_set_primary(*, product, actor, image_id, request=None):
    locked, image = _image_of(product, image_id, actor)
    ProductImage.objects.filter(product=locked).exclude(pk=image.pk).update(is_primary=False)
    if not image.is_primary:
        image.is_primary = True
        image.save(update_fields=["is_primary"])
    _audit(actor, "product.image_primary", locked.pk, new={"image": image.pk}, request=request)
    _changed(locked)
    return image


@transaction.atomic
def product_images_reorder(*, product, actor, image_ids, request=None):
    """Put the pictures in the order of ``image_ids`` (all of the product's pictures, once)."""
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, locked)
    current = set(ProductImage.objects.filter(product=locked).values_list("pk", flat=True))
    try:
        wanted = [int(pk) for pk in image_ids]
    except (TypeError, ValueError):
        raise ValidationError({"images": _("Give the pictures in their new order.")}) from None
    if set(wanted) != current or len(wanted) != len(current):
        raise ValidationError({"images": _("Give every picture of the product exactly once.")})
    for position, pk in enumerate(wanted):
        ProductImage.objects.filter(pk=pk).update(sort_order=position)
    _audit(actor, "product.images_reorder", locked.pk, new={"order": wanted}, request=request)
    _changed(locked)


@transaction.atomic
def product_image_move(*, product, actor, image_id, offset, request=None):
    """Move one picture ``offset`` places (-1 earlier, +1 later)."""
    order = list(ProductImage.objects.filter(product=product).order_by("sort_order", "id").values_list("pk", flat=True))
    if image_id not in order:
        raise ValidationError({"image": _("This picture is not one of the product's.")})
    i = order.index(image_id)
    j = max(0, min(len(order) - 1, i + offset))
    order.insert(j, order.pop(i))
    product_images_reorder(product=product, actor=actor, image_ids=order, request=request)


# --- variants -----------------------------------------------------------------------------------
VARIANT_FIELDS = ("name", "sku", "attributes", "price_adjustment", "stock_quantity", "image_url", "is_active")


def _variant_clean(variant, product, data):
    errors = {}

    def fail(name, message):
        errors.setdefault(name, []).append(message)

    for name in VARIANT_FIELDS:
        if name not in data:
            continue
        value = data[name]
        try:
            if name == "price_adjustment":
                value = _decimal(value, name) or Decimal("0")
            elif name == "stock_quantity":
                value = _integer(value, name)
            elif name == "is_active":
                value = _boolean(value)
            elif name == "attributes":
                value = _variant_attributes(value)
            elif isinstance(value, str):
                value = value.strip() or (None if name in ("sku", "image_url") else value)
        except ValidationError as error:
            for field_name, messages in error.message_dict.items():
                for message in messages:
                    fail(field_name, message)
            continue
        setattr(variant, name, value)
    if not (variant.name or "").strip():
        fail("name", _("Give the variant a name, e.g. “Black, 128 GB”."))
    elif len(variant.name) > 255:
        fail("name", _("At most %(n)d characters.") % {"n": 255})
    if variant.stock_quantity is None:
        variant.stock_quantity = 0
    if variant.stock_quantity < 0:
        fail("stock_quantity", _("Stock cannot be negative."))
    elif variant.stock_quantity > 2_147_483_647:
        fail("stock_quantity", _("That number is too large."))
    adjustment = variant.price_adjustment or Decimal("0")
    if abs(adjustment) > PRICE_MAX:
        fail("price_adjustment", _("That number is too large."))
    elif adjustment.as_tuple().exponent < -2:
        fail("price_adjustment", _("At most %(n)d decimal places.") % {"n": 2})
    elif product.base_price is not None:
        lowest = (product.sale_price if product.sale_price is not None else product.base_price) + adjustment
        if lowest <= 0:
            fail("price_adjustment", _("With this adjustment the variant would cost nothing or less."))
    if variant.sku:
        if len(variant.sku) > 100 or " " in variant.sku:
            fail("sku", _("A SKU has at most 100 characters and no spaces."))
        elif ProductVariant.objects.filter(sku=variant.sku).exclude(pk=variant.pk).exists():
            fail("sku", _("This SKU is already used by another variant."))
    if variant.image_url and not ProductImage.objects.filter(product=product, url=variant.image_url).exists():
        fail("image_url", _("Choose one of the product's pictures."))
    if errors:
        raise ValidationError(errors)


def _variant_attributes(value):
    """``{"color": "black", "size": "M"}``: names and values are short texts."""
    if value in (None, ""):
        return {}
    if isinstance(value, str):
        pairs = {}
        for part in value.replace(";", ",").split(","):
            if not part.strip():
                continue
            if ":" not in part and "=" not in part:
                raise ValidationError({"attributes": _("Write attributes as name: value, separated by commas.")})
            name, _sep, val = part.replace("=", ":", 1).partition(":")
            pairs[name.strip()] = val.strip()
        value = pairs
    if not isinstance(value, dict):
        raise ValidationError({"attributes": _("Attributes are pairs of name and value.")})
    clean = {}
    for name, val in value.items():
        name, val = str(name).strip(), str(val).strip() if val is not None else ""
        if not name or not val:
            raise ValidationError({"attributes": _("Every attribute needs a name and a value.")})
        if len(name) > 50 or len(val) > 100:
            raise ValidationError({"attributes": _("Attribute names and values are short (50/100 characters).")})
        clean[name] = val
    if len(clean) > 10:
        raise ValidationError({"attributes": _("At most 10 attributes per variant.")})
    return clean


def _save_variant(variant):
    try:
        with transaction.atomic():
            variant.save()
    except IntegrityError as error:
        if "idx_variants_sku" in str(error):
            raise ValidationError({"sku": _("This SKU is already used by another variant.")}) from error
        raise


@transaction.atomic
def variant_create(*, product, actor, request=None, **data):
    """A new variant; the product's stock becomes the sum of its active variants' stock."""
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, locked)
    if ProductVariant.objects.filter(product=locked, deleted_at__isnull=True).count() >= settings.PRODUCT_VARIANTS_MAX:
        raise ValidationError(_("A product has at most %(n)d variants.") % {"n": settings.PRODUCT_VARIANTS_MAX})
    variant = ProductVariant(product=locked, attributes={}, is_active=True)
    _variant_clean(variant, locked, {k: v for k, v in data.items() if k in VARIANT_FIELDS})
    _save_variant(variant)
    _stock_from_variants(locked.pk)
    _audit(
        actor, "product.variant_create", locked.pk, new={"variant": variant.pk, "name": variant.name}, request=request
    )
    _changed(locked)
    return variant


@transaction.atomic
def variant_update(*, variant, actor, request=None, **data):
    locked = Product.objects.select_for_update().get(pk=variant.product_id, deleted_at__isnull=True)
    _check_owner(actor, locked)
    variant = ProductVariant.objects.get(pk=variant.pk, product=locked, deleted_at__isnull=True)
    before = {name: _jsonable(getattr(variant, name)) for name in VARIANT_FIELDS}
    _variant_clean(variant, locked, {k: v for k, v in data.items() if k in VARIANT_FIELDS})
    _save_variant(variant)
    _stock_from_variants(locked.pk)
    after = {name: _jsonable(getattr(variant, name)) for name in VARIANT_FIELDS}
    changed = sorted(name for name in VARIANT_FIELDS if before[name] != after[name])
    if changed:
        _audit(
            actor,
            "product.variant_update",
            locked.pk,
            old={"variant": variant.pk, **{n: before[n] for n in changed}},
            new={"variant": variant.pk, **{n: after[n] for n in changed}},
            request=request,
        )
    _changed(locked)
    return variant


@transaction.atomic
def variant_delete(*, variant, actor, request=None):
    """Soft delete; its SKU is freed. Without variants left the product keeps the last total."""
    locked = Product.objects.select_for_update().get(pk=variant.product_id, deleted_at__isnull=True)
    _check_owner(actor, locked)
    variant = ProductVariant.objects.get(pk=variant.pk, product=locked, deleted_at__isnull=True)
    old = {"variant": variant.pk, "name": variant.name, "sku": variant.sku}
    variant.deleted_at = timezone.now()
    variant.sku = None
    variant.save(update_fields=["deleted_at", "sku", "updated_at"])
    if product_has_variants(locked):
        _stock_from_variants(locked.pk)
    _audit(actor, "product.variant_delete", locked.pk, old=old, request=request)
    _changed(locked)


# --- attributes ---------------------------------------------------------------------------------
def _attribute_clean(name, value):
    name, value = (name or "").strip(), (value or "").strip()
    errors = {}
    if not name:
        errors["name"] = [_("Give the attribute a name, e.g. “Material”.")]
    elif len(name) > 100:
        errors["name"] = [_("At most %(n)d characters.") % {"n": 100}]
    if not value:
        errors["value"] = [_("Give the attribute a value.")]
    elif len(value) > 1000:
        errors["value"] = [_("At most %(n)d characters.") % {"n": 1000}]
    if errors:
        raise ValidationError(errors)
    return name, value


@transaction.atomic
def attribute_create(*, product, actor, name, value, request=None):
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    _check_owner(actor, locked)
    name, value = _attribute_clean(name, value)
    if ProductAttribute.objects.filter(product=locked).count() >= settings.PRODUCT_ATTRIBUTES_MAX:
        raise ValidationError(_("A product has at most %(n)d attributes.") % {"n": settings.PRODUCT_ATTRIBUTES_MAX})
    last = ProductAttribute.objects.filter(product=locked).aggregate(m=Max("sort_order"))["m"]
    attribute = ProductAttribute.objects.create(
        product=locked, name=name, value=value, sort_order=0 if last is None else last + 1
    )
    _audit(actor, "product.attribute_create", locked.pk, new={"name": name, "value": value}, request=request)
    _changed(locked)
    return attribute


@transaction.atomic
def attribute_update(*, attribute, actor, name, value, request=None):
    locked = Product.objects.select_for_update().get(pk=attribute.product_id, deleted_at__isnull=True)
    _check_owner(actor, locked)
    attribute = ProductAttribute.objects.get(pk=attribute.pk, product=locked)
    name, value = _attribute_clean(name, value)
    old = {"name": attribute.name, "value": attribute.value}
    attribute.name, attribute.value = name, value
    attribute.save(update_fields=["name", "value"])
    _audit(actor, "product.attribute_update", locked.pk, old=old, new={"name": name, "value": value}, request=request)
    _changed(locked)
    return attribute


@transaction.atomic
def attribute_delete(*, attribute, actor, request=None):
    locked = Product.objects.select_for_update().get(pk=attribute.product_id, deleted_at__isnull=True)
    _check_owner(actor, locked)
    attribute = ProductAttribute.objects.get(pk=attribute.pk, product=locked)
    old = {"name": attribute.name, "value": attribute.value}
    attribute.delete()
    _audit(actor, "product.attribute_delete", locked.pk, old=old, request=request)
    _changed(locked)


@transaction.atomic
def attribute_move(*, attribute, actor, offset, request=None):
    """Move an attribute ``offset`` places in the product's list."""
    locked = Product.objects.select_for_update().get(pk=attribute.product_id, deleted_at__isnull=True)
    _check_owner(actor, locked)
    order = list(
        ProductAttribute.objects.filter(product=locked).order_by("sort_order", "id").values_list("pk", flat=True)
    )
    i = order.index(attribute.pk)
    j = max(0, min(len(order) - 1, i + offset))
    if i == j:
        return  # already first or last: nothing changes, nothing to record
    old_order = list(order)
    order.insert(j, order.pop(i))
    for position, pk in enumerate(order):
        ProductAttribute.objects.filter(pk=pk).exclude(sort_order=position).update(sort_order=position)
    _audit(actor, "product.attribute_move", locked.pk, old={"order": old_order}, new={"order": order}, request=request)
    _changed(locked)


# --- categories (staff) -------------------------------------------------------------------------
CATEGORY_FIELDS = ("name", "slug", "description", "icon_url", "image_url", "sort_order", "is_active", "meta_title",
                   "meta_description")  # fmt: skip


def _category_clean(category, parent_id):
    errors = {}
    if not (category.name or "").strip():
        errors["name"] = [_("Give the category a name.")]
    category.slug = slug_of(category.slug or category.name)
    if not category.slug:
        errors["slug"] = [_("Use Latin letters, digits and hyphens.")]
    elif Category.objects.filter(slug=category.slug).exclude(pk=category.pk).exists():
        errors["slug"] = [_("This web address is already taken.")]
    parent = None
    if parent_id:
        parent = Category.objects.filter(pk=parent_id, deleted_at__isnull=True).first()
        if parent is None:
            errors["parent"] = [_("Choose a parent category from the list.")]
        elif parent.level >= MAX_CATEGORY_LEVEL:
            errors["parent"] = [_("Categories go three levels deep at most.")]
        elif category.pk and parent.pk in _subtree_ids(category.pk):
            errors["parent"] = [_("A category cannot sit inside itself.")]
        elif category.pk and _subtree_depth(category.pk) + parent.level + 1 > MAX_CATEGORY_LEVEL:
            errors["parent"] = [_("Categories go three levels deep at most.")]
        elif (
            not category.pk or Category.objects.filter(pk=category.pk).exclude(parent_id=parent.pk).exists()
        ) and Product.objects.filter(category=parent, deleted_at__isnull=True).exists():
            # a new child would leave the parent's products outside a leaf (category_for_products)
            errors["parent"] = [_("This category holds products: move them to another category first.")]
    if errors:
        raise ValidationError(errors)
    category.parent = parent
    category.level = parent.level + 1 if parent else 0


def _subtree_ids(category_id):
    ids, todo = {category_id}, {category_id}
    while todo:
        todo = set(Category.objects.filter(parent_id__in=todo).values_list("pk", flat=True)) - ids
        ids |= todo
    return ids


def _subtree_depth(category_id):
    depth, todo = 0, {category_id}
    while True:
        todo = set(Category.objects.filter(parent_id__in=todo).values_list("pk", flat=True))
        if not todo:
            return depth
        depth += 1


def category_validate(*, category, parent_id):
    """Check a category (and where it would sit) without saving; for the admin form."""
    _category_clean(category, parent_id)


KEEP_PARENT = object()


def category_save(*, actor, category=None, parent_id=KEEP_PARENT, request=None, **data):
    """Create or change a category (staff). Levels follow the parent; three levels at most.
    ``parent_id`` None moves it to the top level; left out, the parent stays."""
    with transaction.atomic():
        return _category_save(actor=actor, category=category, parent_id=parent_id, request=request, **data)


def _category_save(*, actor, category, parent_id, request, **data):
    creating = category is None or category.pk is None
    category = category or Category()
    stored = None if creating else Category.objects.select_for_update().get(pk=category.pk)
    if parent_id is KEEP_PARENT:
        parent_id = stored.parent_id if stored else None
    before = {} if creating else {n: getattr(stored, n) for n in CATEGORY_FIELDS} | {"parent": stored.parent_id}
    for name, value in data.items():
        if name in CATEGORY_FIELDS:
            setattr(category, name, value.strip() if isinstance(value, str) else value)
    _category_clean(category, parent_id)
    old_level = None if creating else stored.level
    category.save()
    if old_level is not None and old_level != category.level:
        _levels_refresh(category)
    after = {n: getattr(category, n) for n in CATEGORY_FIELDS} | {"parent": category.parent_id}
    audit_log_write(
        actor=actor,
        action="category.create" if creating else "category.update",
        entity_type="category",
        entity_id=category.pk,
        old_values={k: _jsonable(v) for k, v in before.items() if after.get(k) != v} or None,
        new_values={k: _jsonable(v) for k, v in after.items() if before.get(k) != v} or None,
        request=request,
    )
    transaction.on_commit(catalog_cache.tree_invalidate)
    return category


def _levels_refresh(category):
    for child in Category.objects.filter(parent=category):
        child.level = category.level + 1
        child.save(update_fields=["level", "updated_at"])
        _levels_refresh(child)


@transaction.atomic
def category_delete(*, actor, category, request=None):
    """Soft delete, refused while live products or subcategories are in it."""
    if Category.objects.filter(parent=category, deleted_at__isnull=True).exists():
        raise ValidationError(_("Move or delete its subcategories first."))
    if Product.objects.filter(category=category, deleted_at__isnull=True).exists():
        raise ValidationError(_("Move its products to another category first."))
    category.deleted_at = timezone.now()
    category.is_active = False
    category.save(update_fields=["deleted_at", "is_active", "updated_at"])
    audit_log_write(
        actor=actor, action="category.delete", entity_type="category", entity_id=category.pk, request=request
    )
    transaction.on_commit(catalog_cache.tree_invalidate)


# --- views --------------------------------------------------------------------------------------
def product_view_record(product_id):
    """Count one view of a product page (in Redis; written to the row once a minute)."""
    catalog_cache.view_record(product_id)


def view_counts_flush():
    return catalog_cache.views_flush()
