"""Product pictures: upload (checked, resized, thumbnailed), delete, primary, order."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from gogomarket.core.images import Variant, image_normalise

from ..models import Product, ProductImage, ProductVariant
from .common import (
    audit,
    caches_drop,
    check_owner,
)

IMAGE_MAX_SIDE = 1600
IMAGE_THUMB_SIDE = 400


def _image_files(uploaded):
    """(picture bytes, thumbnail bytes) of an uploaded image (JPEG, PNG or WebP; at most
    1600 px, thumbnail 400 px), or ValidationError on ``image`` (gogomarket.core.images)."""
    return image_normalise(
        uploaded,
        field="image",
        max_bytes=settings.PRODUCT_IMAGE_MAX_BYTES,
        variants=(Variant(IMAGE_MAX_SIDE), Variant(IMAGE_THUMB_SIDE)),
    )


def media_name(url):
    prefix = settings.MEDIA_URL
    return url[len(prefix) :] if url and url.startswith(prefix) else None


def files_delete(urls):
    for url in urls:
        name = media_name(url)
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
            check_owner(actor, locked)
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
            audit(actor, "product.image_add", locked.pk, new={"image": image.pk}, request=request)
            caches_drop(locked)
    except Exception:
        files_delete(urls)  # no orphan files when the row is not written
        raise
    return image


def _image_of(product, image_id, actor):
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, locked)
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
    audit(actor, "product.image_delete", locked.pk, old={"image": image_id}, request=request)
    caches_drop(locked)
    transaction.on_commit(lambda: files_delete(urls))


@transaction.atomic
def product_image_set_primary(*, product, actor, image_id, request=None):
    locked, image = _image_of(product, image_id, actor)
    ProductImage.objects.filter(product=locked).exclude(pk=image.pk).update(is_primary=False)
    if not image.is_primary:
        image.is_primary = True
        image.save(update_fields=["is_primary"])
    audit(actor, "product.image_primary", locked.pk, new={"image": image.pk}, request=request)
    caches_drop(locked)
    return image


@transaction.atomic
def product_images_reorder(*, product, actor, image_ids, request=None):
    """Put the pictures in the order of ``image_ids`` (all of the product's pictures, once)."""
    locked = Product.objects.select_for_update().get(pk=product.pk, deleted_at__isnull=True)
    check_owner(actor, locked)
    current = set(ProductImage.objects.filter(product=locked).values_list("pk", flat=True))
    try:
        wanted = [int(pk) for pk in image_ids]
    except (TypeError, ValueError):
        raise ValidationError({"images": _("Give the pictures in their new order.")}) from None
    if set(wanted) != current or len(wanted) != len(current):
        raise ValidationError({"images": _("Give every picture of the product exactly once.")})
    for position, pk in enumerate(wanted):
        ProductImage.objects.filter(pk=pk).update(sort_order=position)
    audit(actor, "product.images_reorder", locked.pk, new={"order": wanted}, request=request)
    caches_drop(locked)


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
