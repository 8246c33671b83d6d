"""The one routine that turns an uploaded picture into the JPEG files we store (avatars, product
pictures, and whatever comes next).

In order, each step before the costly next one:

1. the file's size in bytes, before it is read (and at most that many bytes are read);
2. the format from the file's header (JPEG, PNG or WebP), whatever the name or content type say;
3. the pixel count from the header, before anything is decoded: a 20 KB PNG can say it is
   13,000 x 13,000 pixels, ~500 MB once decoded (a "decompression bomb");
4. the whole file is checked (``verify``), then decoded (JPEGs at a reduced scale when the largest
   variant allows it), turned upright by its EXIF orientation and flattened onto white;
5. each variant is resized (``fit``: cut to a square; ``within``: kept whole inside a box, never
   enlarged) and encoded as JPEG.

Every refusal is a ValidationError on the caller's form field (``field``), and nothing is stored
by this module: the caller stores the bytes it gets back.
"""

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
# At most this many pixels (width x height) are decoded: ~160 MB as RGBA, what one request may cost.
IMAGE_MAX_PIXELS = 40_000_000
BACKGROUND = (255, 255, 255)  # transparent parts become white: pictures are shown on white


@dataclass(frozen=True)
class Variant:
    """One stored size: ``side`` pixels; ``crop`` cuts a square (avatars), otherwise the whole
    picture is kept within a ``side`` x ``side`` box (product pictures)."""

    side: int
    crop: bool = False
    quality: int = 86


def image_normalise(uploaded, *, field, max_bytes, variants, formats=IMAGE_FORMATS):
    """Check ``uploaded`` (a Django UploadedFile) and return the JPEG bytes of each of
    ``variants``, in their order. Raises ValidationError({field: [...]}) for a missing, too large,
    unknown, broken or too many-pixel file; nothing is decoded before its pixel count is known."""
    if uploaded is None:
        raise ValidationError({field: _("Choose a picture.")})
    if (uploaded.size or 0) > max_bytes:
        raise ValidationError({field: _("The picture is too large (at most %(mb)d MB).") % {"mb": max_bytes // 2**20}})
    uploaded.seek(0)
    data = uploaded.read(max_bytes + 1)
    if len(data) > max_bytes:  # the size the upload announced was not the truth
        raise ValidationError({field: _("The picture is too large (at most %(mb)d MB).") % {"mb": max_bytes // 2**20}})
    unreadable = ValidationError({field: _("This file is not a picture we can read.")})
    try:
        with Image.open(io.BytesIO(data)) as probe:  # reads the header only
            if probe.format not in formats:
                raise ValidationError({field: _("Upload a JPEG, PNG or WebP picture.")})
            width, height = probe.size
            if width * height > IMAGE_MAX_PIXELS:
                raise ValidationError(
                    {
                        field: _("The picture has too many pixels (at most %(megapixels)d megapixels).")
                        % {"megapixels": IMAGE_MAX_PIXELS // 1_000_000}
                    }
                )
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format == "JPEG":
            side = max(variant.side for variant in variants)
            image.draft("RGB", (side, side))  # decode at 1/2, 1/4 or 1/8 scale when still large enough
        image = ImageOps.exif_transpose(image)
        image.load()
        image = _flatten(image)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError):
        raise unreadable from None
    return [_encode(image, variant) for variant in variants]


def _flatten(image):
    """An RGB image; transparency (an alpha band or a transparent palette colour) onto white."""
    if image.mode == "RGB":
        return image
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, BACKGROUND)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _encode(image, variant):
    if variant.crop:
        sized = ImageOps.fit(image, (variant.side, variant.side), method=Image.Resampling.LANCZOS)
    else:
        sized = image.copy()
        sized.thumbnail((variant.side, variant.side), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    sized.save(out, "JPEG", quality=variant.quality, optimize=True, progressive=True)
    return out.getvalue()
