"""Decode a stranger's photo for reading, refusing what would cost more than a photo should.

Runs in the sandbox child only (``bot.documents.reader``): it is the first code to touch
the bytes. A JPEG or PNG of a few megabytes can claim a billion pixels (a "pixel bomb"),
so the header's dimensions are checked before any pixel is decoded, Pillow's own bomb
guard is made an error rather than a warning, and only the formats a phone sends are
opened. Large JPEGs are decoded at a reduced scale by the codec itself (``draft``): a
12-megapixel photo costs a quarter of the memory and time, and OCR needs no more than
:data:`WORK_SIDE` pixels on the long side anyway.

A PDF (a scanned licence) is its first page, rendered by PDFium (``pypdfium2``) at the
scale that makes its long side :data:`WORK_SIDE` pixels, whatever size the page claims:
the page size is the PDF's own "header", so a page of a square kilometre costs what an
A4 page costs. Other pages are never touched.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps

__all__ = ["MAX_BYTES", "MAX_PIXELS", "MAX_SIDE", "ImageRefused", "decode", "first_page"]

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
    if data.startswith(b"%PDF-"):
        return first_page(data, work_side=work_side)
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


def first_page(data: bytes, *, work_side: int = WORK_SIDE) -> Image.Image:
    """A PDF's first page as an RGB image, ``work_side`` pixels on its long side."""
    import pypdfium2

    try:
        document = pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError:
        raise ImageRefused("not_an_image") from None
    try:
        if len(document) == 0:
            raise ImageRefused("not_an_image")
        page = document[0]
        width, height = page.get_size()  # points, as the file claims
        if min(width, height) <= 0:
            raise ImageRefused("not_an_image")
        scale = work_side / max(width, height)
        if min(width, height) * scale < 1:  # a sliver: nothing a photo of a licence is
            raise ImageRefused("too_many_pixels")
        bitmap = page.render(scale=scale, may_draw_forms=False)
        rendered: Image.Image = bitmap.to_pil()
        return rendered.convert("RGB")
    except pypdfium2.PdfiumError:
        raise ImageRefused("not_an_image") from None
    finally:
        document.close()
