"""Product pictures (catalog.services.product_image_*): real images made with Pillow, real files
in a temporary MEDIA_ROOT (conftest), thumbnails checked by reading them back."""

import io
import os

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.tests.factories import SellerFactory
from catalog import services
from catalog.models import ProductImage, ProductVariant
from catalog.tests.factories import ProductFactory, ProductVariantFactory
from gogomarket.core import images as core_images
from gogomarket.core.models import AuditLog

pytestmark = pytest.mark.django_db


def _upload(kind="JPEG", size=(800, 600), name=None, mode="RGB", color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, kind)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "BMP": "bmp"}[kind]
    return SimpleUploadedFile(name or f"photo.{extension}", out.getvalue(), content_type=f"image/{extension}")


def _stored(url):
    return url[len(settings.MEDIA_URL) :]


def _media_files():
    root = settings.MEDIA_ROOT
    if not os.path.isdir(root):
        return []
    return sorted(
        os.path.relpath(os.path.join(folder, name), root) for folder, _dirs, names in os.walk(root) for name in names
    )


def _open(url):
    with default_storage.open(_stored(url)) as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


@pytest.mark.parametrize(
    ("kind", "mode"),
    [("JPEG", "RGB"), ("PNG", "RGBA"), ("PNG", "P"), ("WEBP", "RGB")],
)
def test_picture_and_thumbnail_are_written_and_scaled(kind, mode):
    product = ProductFactory()
    color = {"RGB": (10, 120, 200), "RGBA": (10, 120, 200, 128), "P": 3}[mode]
    upload = _upload(kind, size=(2400, 1200), mode=mode, color=color)
    image = services.product_image_add(product=product, actor=product.seller, uploaded=upload, alt_text=" Front ")
    image.refresh_from_db()
    assert image.url.startswith(f"{settings.MEDIA_URL}products/{product.pk}/")
    assert image.url != image.thumbnail_url
    picture, thumbnail = _open(image.url), _open(image.thumbnail_url)
    assert picture.format == thumbnail.format == "JPEG"
    assert picture.size == (1600, 800)
    assert thumbnail.size == (400, 200)
    assert picture.mode == "RGB"
    assert default_storage.size(_stored(image.thumbnail_url)) < default_storage.size(_stored(image.url))
    assert image.is_primary and image.sort_order == 0 and image.alt_text == "Front"
    assert len(_media_files()) == 2
    assert AuditLog.objects.filter(action="product.image_add", entity_id=product.pk).count() == 1


def test_small_pictures_are_not_enlarged_and_alt_text_defaults_to_the_name():
    product = ProductFactory(name="Choynak")
    image = services.product_image_add(product=product, actor=product.seller, uploaded=_upload(size=(300, 200)))
    assert _open(image.url).size == (300, 200)
    assert _open(image.thumbnail_url).size == (300, 200)
    assert image.alt_text == "Choynak"


def test_the_first_picture_is_primary_and_the_next_ones_follow_in_order():
    product = ProductFactory()
    images = [services.product_image_add(product=product, actor=product.seller, uploaded=_upload()) for _ in range(3)]
    assert [i.is_primary for i in images] == [True, False, False]
    assert [i.sort_order for i in images] == [0, 1, 2]


def _bad_uploads():
    text = SimpleUploadedFile("notes.jpg", b"this is not a picture at all", content_type="image/jpeg")
    truncated_bytes = _upload().read()[:200]
    truncated = SimpleUploadedFile("cut.jpg", truncated_bytes, content_type="image/jpeg")
    return {
        "text": text,
        "gif": _upload("GIF"),
        "bmp": _upload("BMP"),
        "truncated": truncated,
        "empty": SimpleUploadedFile("empty.png", b"", content_type="image/png"),
    }


@pytest.mark.parametrize("which", ["text", "gif", "bmp", "truncated", "empty"])
def test_files_that_are_not_jpeg_png_or_webp_are_refused_and_nothing_is_stored(which):
    product = ProductFactory()
    with pytest.raises(ValidationError) as caught:
        services.product_image_add(product=product, actor=product.seller, uploaded=_bad_uploads()[which])
    assert caught.value.message_dict["image"]
    assert not ProductImage.objects.exists()
    assert _media_files() == []
    assert not AuditLog.objects.exists()


def test_too_large_file_is_refused_with_its_limit(settings):
    settings.PRODUCT_IMAGE_MAX_BYTES = 2 * 2**20
    product = ProductFactory()
    noisy = Image.frombytes("RGB", (1200, 1200), os.urandom(1200 * 1200 * 3))
    out = io.BytesIO()
    noisy.save(out, "PNG")
    assert out.tell() > settings.PRODUCT_IMAGE_MAX_BYTES
    upload = SimpleUploadedFile("big.png", out.getvalue(), content_type="image/png")
    with pytest.raises(ValidationError) as caught:
        services.product_image_add(product=product, actor=product.seller, uploaded=upload)
    assert "2 MB" in caught.value.message_dict["image"][0]
    assert not ProductImage.objects.exists() and _media_files() == []


def test_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(core_images, "IMAGE_MAX_PIXELS", 1000 * 1000)
    product = ProductFactory()
    with pytest.raises(ValidationError):
        services.product_image_add(product=product, actor=product.seller, uploaded=_upload(size=(1001, 1000)))
    assert not ProductImage.objects.exists() and _media_files() == []


def test_at_most_the_configured_number_of_pictures(settings):
    settings.PRODUCT_IMAGES_MAX = 2
    product = ProductFactory()
    for _ in range(2):
        services.product_image_add(product=product, actor=product.seller, uploaded=_upload())
    files = _media_files()
    with pytest.raises(ValidationError):
        services.product_image_add(product=product, actor=product.seller, uploaded=_upload())
    assert ProductImage.objects.filter(product=product).count() == 2
    assert _media_files() == files  # the refused picture's files were removed again
    assert AuditLog.objects.filter(action="product.image_add").count() == 2


def test_another_seller_cannot_add_a_picture_and_leaves_no_file():
    product = ProductFactory()
    with pytest.raises(PermissionDenied):
        services.product_image_add(product=product, actor=SellerFactory(), uploaded=_upload())
    assert not ProductImage.objects.exists()
    assert _media_files() == []
    assert not AuditLog.objects.exists()


def _three_images(product):
    return [services.product_image_add(product=product, actor=product.seller, uploaded=_upload()) for _ in range(3)]


def _order(product):
    return list(ProductImage.objects.filter(product=product).order_by("sort_order", "id").values_list("pk", flat=True))


def test_reorder_and_move():
    product = ProductFactory()
    a, b, c = _three_images(product)
    seller = product.seller
    services.product_images_reorder(product=product, actor=seller, image_ids=[c.pk, a.pk, b.pk])
    assert _order(product) == [c.pk, a.pk, b.pk]
    services.product_image_move(product=product, actor=seller, image_id=b.pk, offset=-1)
    assert _order(product) == [c.pk, b.pk, a.pk]
    services.product_image_move(product=product, actor=seller, image_id=c.pk, offset=-1)  # already first
    assert _order(product) == [c.pk, b.pk, a.pk]
    services.product_image_move(product=product, actor=seller, image_id=c.pk, offset=5)
    assert _order(product) == [b.pk, a.pk, c.pk]
    # Moving pictures does not change which one is primary.
    assert ProductImage.objects.get(is_primary=True) == a

    before = _order(product)
    for wrong in ([a.pk, b.pk], [a.pk, b.pk, c.pk, c.pk], [a.pk, b.pk, 999999], ["x", a.pk, b.pk]):
        with pytest.raises(ValidationError):
            services.product_images_reorder(product=product, actor=seller, image_ids=wrong)
    assert _order(product) == before
    other = ProductFactory(seller=seller)
    foreign = services.product_image_add(product=other, actor=seller, uploaded=_upload())
    with pytest.raises(ValidationError):
        services.product_image_move(product=product, actor=seller, image_id=foreign.pk, offset=1)
    assert _order(product) == before


def test_set_primary_keeps_exactly_one_primary():
    product = ProductFactory()
    a, b, c = _three_images(product)
    services.product_image_set_primary(product=product, actor=product.seller, image_id=c.pk)
    assert list(ProductImage.objects.filter(is_primary=True).values_list("pk", flat=True)) == [c.pk]
    services.product_image_set_primary(product=product, actor=product.seller, image_id=c.pk)
    assert list(ProductImage.objects.filter(is_primary=True).values_list("pk", flat=True)) == [c.pk]
    other = ProductFactory(seller=product.seller)
    foreign = services.product_image_add(product=other, actor=other.seller, uploaded=_upload())
    with pytest.raises(ValidationError):
        services.product_image_set_primary(product=product, actor=product.seller, image_id=foreign.pk)
    assert ProductImage.objects.get(product=product, is_primary=True) == c
    assert ProductImage.objects.get(product=other).is_primary


def test_delete_makes_the_next_picture_primary_and_removes_files_after_commit(django_capture_on_commit_callbacks):
    product = ProductFactory()
    a, b, c = _three_images(product)
    services.product_images_reorder(product=product, actor=product.seller, image_ids=[a.pk, c.pk, b.pk])
    variant = ProductVariantFactory(product=product, image_url=a.url)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.product_image_delete(product=product, actor=product.seller, image_id=a.pk)
    # Until the transaction commits the files are still there (a rollback must not lose them).
    assert default_storage.exists(_stored(a.url)) and default_storage.exists(_stored(a.thumbnail_url))
    for callback in callbacks:
        callback()
    assert not default_storage.exists(_stored(a.url)) and not default_storage.exists(_stored(a.thumbnail_url))
    assert default_storage.exists(_stored(b.url)) and default_storage.exists(_stored(c.url))
    assert ProductImage.objects.get(is_primary=True) == c  # the next one in order
    variant.refresh_from_db()
    assert variant.image_url is None
    assert AuditLog.objects.filter(action="product.image_delete", entity_id=product.pk).count() == 1

    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_delete(product=product, actor=product.seller, image_id=b.pk)  # not primary
    assert ProductImage.objects.get(is_primary=True) == c
    with django_capture_on_commit_callbacks(execute=True):
        services.product_image_delete(product=product, actor=product.seller, image_id=c.pk)
    assert not ProductImage.objects.exists()
    assert _media_files() == []
    assert not ProductVariant.objects.filter(image_url__isnull=False).exists()


def test_another_seller_cannot_delete_a_picture(django_capture_on_commit_callbacks):
    product = ProductFactory()
    image = services.product_image_add(product=product, actor=product.seller, uploaded=_upload())
    files = _media_files()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.product_image_delete(product=product, actor=SellerFactory(), image_id=image.pk)
    assert ProductImage.objects.filter(pk=image.pk, is_primary=True).exists()
    assert _media_files() == files
    assert not AuditLog.objects.filter(action="product.image_delete").exists()
