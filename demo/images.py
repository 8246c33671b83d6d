"""Product pictures drawn with Pillow: a coloured background per category, a simple shape and
the product's name. Deterministic for a given ``random.Random``; no network, no bundled art."""

import io
import math
import textwrap
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

IMAGE_SIZE = 800
THUMBNAIL_SIZE = 300
JPEG_QUALITY = 85

# DejaVu covers Latin and Cyrillic (some names are Russian); Pillow's built-in font is the
# fallback on a machine without it (Cyrillic then shows as boxes, which is fine for a demo).
FONT_CANDIDATES = {
    True: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ),
    False: (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    ),
}
SHAPES = ("circle", "rounded", "hexagon", "diamond", "triangle")


@lru_cache(maxsize=16)
def font(size, bold=False):
    for path in FONT_CANDIDATES[bold]:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def _mix(color, other, share):
    return tuple(round(c + (o - c) * share) for c, o in zip(color, other, strict=True))


def _polygon(cx, cy, radius, sides, rotation):
    return [
        (
            cx + radius * math.cos(rotation + 2 * math.pi * k / sides),
            cy + radius * math.sin(rotation + 2 * math.pi * k / sides),
        )
        for k in range(sides)
    ]


def _draw_shape(draw, shape, box, fill, outline):
    x0, y0, x1, y1 = box
    cx, cy, r = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2
    if shape == "circle":
        draw.ellipse(box, fill=fill, outline=outline, width=8)
    elif shape == "rounded":
        draw.rounded_rectangle(
            (x0, y0 + r * 0.2, x1, y1 - r * 0.2), radius=r * 0.25, fill=fill, outline=outline, width=8
        )
    elif shape == "hexagon":
        draw.polygon(_polygon(cx, cy, r, 6, math.pi / 6), fill=fill, outline=outline, width=8)
    elif shape == "diamond":
        draw.polygon(_polygon(cx, cy, r, 4, 0), fill=fill, outline=outline, width=8)
    else:
        draw.polygon(_polygon(cx, cy + r * 0.15, r, 3, -math.pi / 2), fill=fill, outline=outline, width=8)
        return (cx, cy + r * 0.35), 0.6  # the triangle's wide part is low: write there, smaller
    return (cx, cy), 1.0


def product_picture(*, title, brand, category, color, rng, index=0, count=1):
    """An RGB image of IMAGE_SIZE square for one product; ``index`` of ``count`` varies the shape
    and the shade so that the pictures of one product differ."""
    size = IMAGE_SIZE
    base = _mix(color, (255, 255, 255), rng.uniform(0.0, 0.15))
    top, bottom = _mix(base, (255, 255, 255), 0.35), _mix(base, (0, 0, 0), 0.15)
    image = Image.new("RGB", (size, size), base)
    draw = ImageDraw.Draw(image)
    for y in range(0, size, 4):  # vertical gradient, in 4px bands to stay fast
        draw.rectangle((0, y, size, y + 4), fill=_mix(top, bottom, y / size))

    # A few soft background circles.
    for _ in range(3):
        r = rng.randint(60, 180)
        x, y = rng.randint(0, size), rng.randint(0, size // 2)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=_mix(top, (255, 255, 255), 0.25))

    shape = SHAPES[(rng.randrange(len(SHAPES)) + index) % len(SHAPES)]
    box = (size * 0.28, size * 0.16, size * 0.72, size * 0.60)
    centre, scale = _draw_shape(draw, shape, box, fill=(255, 255, 255), outline=_mix(color, (0, 0, 0), 0.3))
    initials = "".join(word[0] for word in brand.split()[:2]).upper() or "G"
    draw.text(centre, initials, font=font(round(110 * scale), bold=True), fill=color, anchor="mm")

    # Caption panel: brand, name (wrapped), category.
    panel_top = size * 0.66
    draw.rectangle((0, panel_top, size, size), fill=_mix(color, (0, 0, 0), 0.45))
    draw.text((40, panel_top + 22), brand.upper(), font=font(30, bold=True), fill=_mix(color, (255, 255, 255), 0.7))
    lines = textwrap.wrap(title, width=30, break_on_hyphens=False)[:3]
    for k, line in enumerate(lines):
        draw.text((40, panel_top + 66 + k * 44), line, font=font(36, bold=True), fill=(255, 255, 255))
    draw.text((40, size - 40), category, font=font(24), fill=(225, 225, 225), anchor="ls")
    mark = f"GOGOMARKET  {index + 1}/{count}" if count > 1 else "GOGOMARKET"
    draw.text((size - 40, size - 40), mark, font=font(22, bold=True), fill=(255, 255, 255), anchor="rs")
    return image


def jpeg_bytes(image, max_side=None):
    """JPEG encoding of ``image``, shrunk to ``max_side`` pixels on its longest side if given."""
    if max_side:
        # Halve by block averaging first: as good as a long filter and several times faster.
        factor = max(1, max(image.size) // max_side)
        image = image.reduce(factor) if factor > 1 else image.copy()
        image.thumbnail((max_side, max_side), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()
