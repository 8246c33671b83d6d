"""The shared image routine (gogomarket.core.images): real pictures made with Pillow, read back."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gogomarket.core import images
from gogomarket.core.images import Variant, image_normalise

MB = 2**20


def _upload(image, kind="PNG", **save):
    out = io.BytesIO()
    image.save(out, kind, **save)
    return SimpleUploadedFile(f"x.{kind.lower()}", out.getvalue(), content_type=f"image/{kind.lower()}")


def _read(data):
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def test_variants_are_jpeg_in_their_order_cropped_or_kept_whole():
    upload = _upload(Image.new("RGB", (900, 600), (10, 120, 200)))
    square, whole, small = image_normalise(
        upload, field="image", max_bytes=MB, variants=(Variant(300, crop=True), Variant(450), Variant(2000))
    )
    assert [_read(data).format for data in (square, whole, small)] == ["JPEG"] * 3
    assert _read(square).size == (300, 300)
    assert _read(whole).size == (450, 300)
    assert _read(small).size == (900, 600)  # never enlarged


def test_exif_orientation_is_applied():
    picture = Image.new("RGB", (200, 100), (200, 30, 30))
    exif = picture.getexif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    (data,) = image_normalise(
        _upload(picture, "JPEG", exif=exif), field="image", max_bytes=MB, variants=(Variant(1000),)
    )
    assert _read(data).size == (100, 200)


@pytest.mark.parametrize("mode", ["RGBA", "LA", "P"])
def test_transparency_is_flattened_onto_white(mode):
    if mode == "P":
        picture = Image.new("P", (64, 64), 0)
        picture.putpalette([0, 0, 0] * 256)
        upload = _upload(picture, transparency=0)
    else:
        upload = _upload(Image.new(mode, (64, 64), (0, 0, 0, 0) if mode == "RGBA" else (0, 0)))
    (data,) = image_normalise(upload, field="image", max_bytes=MB, variants=(Variant(64),))
    assert all(channel > 245 for channel in _read(data).getpixel((32, 32)))


def test_refusals_name_the_callers_field(monkeypatch):
    rules = {"field": "logo", "max_bytes": MB, "variants": (Variant(64),)}
    cases = {
        "missing": None,
        "text": SimpleUploadedFile("a.png", b"not a picture"),
        "gif": _upload(Image.new("RGB", (10, 10)), "GIF"),
        "truncated": SimpleUploadedFile("a.png", _upload(Image.new("RGB", (300, 300))).read()[:100]),
    }
    for name, upload in cases.items():
        with pytest.raises(ValidationError) as caught:
            image_normalise(upload, **rules)
        assert list(caught.value.message_dict) == ["logo"], name
    monkeypatch.setattr(images, "IMAGE_MAX_PIXELS", 100 * 100)
    with pytest.raises(ValidationError) as caught:
        image_normalise(_upload(Image.new("RGB", (101, 100))), **rules)
    assert caught.value.message_dict == {"logo": ["The picture has too many pixels (at most 0 megapixels)."]}


def test_the_byte_limit_holds_even_when_the_upload_understates_its_size():
    upload = _upload(Image.effect_noise((400, 400), 64).convert("RGB"))
    assert upload.size > 1000
    upload.size = 10  # what a client claimed
    with pytest.raises(ValidationError) as caught:
        image_normalise(upload, field="image", max_bytes=1000, variants=(Variant(64),))
    assert "too large" in caught.value.message_dict["image"][0]
