"""Decode a stranger's photo for reading, refusing what would cost more than a photo should.

Runs in the sandbox child only (``bot.documents.reader``): it is the first code to touch
the bytes. A JPEG or PNG of a few megabytes can claim a billion pixels (a "pixel bomb"),
so the header's dimensions are checked before any pixel is decoded, Pillow's own bomb
guard is made an error rather than a warning, and only the formats a phone sends are
opened. Large JPEGs are decoded at a reduced scale by the codec itself (``draft``): a
12-megapixel photo costs a quarter of the memory and time, and OCR needs no more than
:data:`WORK_SIDE` pixels on the long side anyway.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

__all__ = ["MAX_BYTES", "MAX_PIXELS", "MAX_SIDE", "ImageRefused", "decode"]

MAX_BYTES = 20 * 1024 * 1024  # Telegram's own download cap for bots
MAX_SIDE = 12_000
MAX_PIXELS = 50_000_000  # a 48-megapixel phone camera, and a margin
WORK_SIDE = 2000
FORMATS = ("JPEG", "PNG", "WEBP")


class ImageRefused(ValueError):
    """Not a photo we read: ``str(error)`` says why.

    ``too_large`` (bytes), ``too_many_pixels`` (a bomb) or ``not_an_image``.
    """


def decode(data: bytes, *, work_side: int = WORK_SIDE) -> Image.Image:
    """An RGB image at most ``work_side`` pixels on its long side, upright per its EXIF."""
    if len(data) > MAX_BYTES:
        raise ImageRefused("too_large")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # Pillow's guard, for any path that skips ours
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            opened = Image.open(io.BytesIO(data), formats=FORMATS)
            width, height = opened.size  # from the header: nothing decoded yet
            if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
                raise ImageRefused("too_many_pixels")
            if opened.format == "JPEG":
                opened.draft("RGB", (work_side, work_side))
            opened.load()
            image = ImageOps.exif_transpose(opened).convert("RGB")
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageRefused("too_many_pixels") from None
        except ImageRefused:
            raise
        except (OSError, SyntaxError, ValueError, EOFError):  # what Pillow raises on bad bytes
            raise ImageRefused("not_an_image") from None
    image.thumbnail((work_side, work_side), Image.Resampling.LANCZOS)
    return image
