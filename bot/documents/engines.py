"""The two OCR engines measured for reading documents, behind one signature.

``lines(image, kind, enough) -> list[TextLine]``, where ``enough(lines_so_far)`` may stop
a reading early. Both run inside a sandbox child, loaded on first use:

- **Tesseract** (Debian's ``tesseract-ocr`` with ``chi-sim`` and ``ind`` trained data,
  through ``tesserocr``, whose wheel carries libtesseract; the trained data are Debian's).
  It reads a page line by line with its own layout analysis; the photo is first evened
  out (divided by its blurred self, which flattens a lamp's gradient and the KTP's blue
  background) so its binariser sees ink on paper.
- **RapidOCR** (``rapidocr-onnxruntime`` 1.4: PP-OCRv4 ONNX models inside the wheel, so
  nothing is fetched at run time). One box per phrase, joined into rows by
  :func:`flows.documents.rows`. The bot loads it once per warm sandbox process
  (:func:`warm_up`) and forks each reading from there.

The bot uses RapidOCR (:data:`bot.documents.reader.ENGINE`): on the generated set it reads
97–100 % of the codes and names where Tesseract reads 27–53 %, at ~1.9 s of CPU a photo
against ~0.6 s (``bench/bench_documents.py``; the figures are in ``docs/documents.md``).
Tesseract stays here, as a dev dependency, so the choice can be measured again.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from PIL import Image, ImageFilter, ImageOps

from flows.documents import DocumentKind, TextLine

__all__ = ["ENGINES", "rapidocr_lines", "tesseract_lines", "warm_up"]

# Debian's trained data; TESSDATA_PREFIX wins where set (another distribution).
_TESSDATA = (
    Path("/usr/share/tesseract-ocr/5/tessdata"),
    Path("/usr/share/tesseract-ocr/4.00/tessdata"),
)
_BATCH = 6  # RapidOCR's own recognition batch
_DETECTION_SIDE = 960
Enough = Callable[[list[TextLine]], bool] | None  # "the lines so far hold all we need"
_LANGUAGES: dict[DocumentKind, str] = {"licence": "chi_sim", "ktp": "ind"}


def tessdata() -> str:
    """The folder of Tesseract's trained data (``chi_sim``, ``ind``)."""
    if prefix := os.environ.get("TESSDATA_PREFIX"):
        return prefix
    for folder in _TESSDATA:
        if (folder / "ind.traineddata").exists():
            return str(folder)
    raise FileNotFoundError("Tesseract's trained data: apt-get install tesseract-ocr-ind")


def evened(image: Image.Image) -> Image.Image:
    """Grey ink on white paper: the photo divided by its own blur (uneven light removed)."""
    import numpy as np

    grey = ImageOps.grayscale(image)
    background = grey.filter(ImageFilter.BoxBlur(max(8, grey.width // 60)))
    ink = np.asarray(grey, dtype=np.float32)
    paper = np.maximum(np.asarray(background, dtype=np.float32), 1.0)
    flat = np.clip(255.0 * ink / paper, 0, 255).astype(np.uint8)
    return ImageOps.autocontrast(Image.fromarray(flat, "L"), cutoff=1)


@cache
def _tesseract(kind: DocumentKind) -> Any:
    import tesserocr

    return tesserocr.PyTessBaseAPI(path=tessdata(), lang=_LANGUAGES[kind])


def tesseract_lines(
    image: Image.Image, kind: DocumentKind, enough: Enough = None
) -> list[TextLine]:
    """Tesseract's lines, in its reading order (it reads the page whole: ``enough`` unused)."""
    api = _tesseract(kind)
    api.SetImage(evened(image))
    text: str = api.GetUTF8Text()
    return [TextLine(line) for line in text.splitlines() if line.strip()]


@cache
def _rapidocr() -> Any:
    from rapidocr_onnxruntime import RapidOCR

    # One thread per reading: the sandbox runs as many readings as there are cores.
    return RapidOCR(
        use_cls=False,  # a photo is never upside down enough to need it; saves ~10 %
        intra_op_num_threads=1,
        inter_op_num_threads=1,
    )


def warm_up() -> None:
    """Load RapidOCR's models (in a warm sandbox process, before it forks readers)."""
    _rapidocr()


def rapidocr_lines(image: Image.Image, kind: DocumentKind, enough: Enough = None) -> list[TextLine]:
    """RapidOCR's phrases top to bottom, boxes turned level (see :func:`_level_boxes`).

    Finding the phrases (detection) is cheap next to reading them (recognition, ~50 ms a
    phrase here), and the fields a seller types sit at the top of both documents: so the
    phrases are read in batches, top down, until ``enough(lines)`` says the rest is not
    needed (the licence's business scope and address, the KTP's lower half).
    """
    import numpy as np

    ocr = _rapidocr()
    pixels = np.ascontiguousarray(np.asarray(image.convert("RGB"))[:, :, ::-1])
    # Phrases are found on a smaller copy (detection costs by the pixel; RapidOCR's own
    # resizing never goes below 2000 px for a photo this size) and read at full size.
    scale = min(1.0, _DETECTION_SIDE / max(image.size))
    small = image.resize((round(image.width * scale), round(image.height * scale)))
    found, _ = ocr.auto_text_det(np.ascontiguousarray(np.asarray(small)[:, :, ::-1]))
    if found is None:
        return []
    found = [np.asarray(corners, dtype=np.float32) / scale for corners in found]
    quads = [[(float(x), float(y)) for x, y in corners] for corners in found]
    boxes = _level_boxes(quads)
    order = sorted(range(len(quads)), key=lambda i: (boxes[i][1], boxes[i][0]))
    crops = ocr.get_crop_img_list(pixels, [found[i] for i in order])
    lines: list[TextLine] = []
    for start in range(0, len(order), _BATCH):
        read, _ = ocr.text_rec(crops[start : start + _BATCH])
        for index, (text, score) in zip(order[start : start + _BATCH], read, strict=True):
            if score >= ocr.text_score and text.strip():
                lines.append(TextLine(str(text), boxes[index]))
        if enough is not None and enough(lines):
            break
    return lines


def _level_boxes(quads: list[list[tuple[float, float]]]) -> list[tuple[float, float, float, float]]:
    """Axis-aligned boxes after turning the page back by the median slope of long phrases.

    A photo is tilted up to ~7°: across the 300 px between a label and its value that is
    a whole line's height, so rows are only found once the page is level again.
    """
    slopes = sorted(
        math.atan2(q[1][1] - q[0][1], q[1][0] - q[0][0])
        for q in quads
        if math.dist(q[0], q[1]) > 3 * max(1.0, math.dist(q[1], q[2]))
    )
    angle = -slopes[len(slopes) // 2] if slopes else 0.0
    cos, sin = math.cos(angle), math.sin(angle)
    boxes = []
    for quad in quads:
        xs = [x * cos - y * sin for x, y in quad]
        ys = [x * sin + y * cos for x, y in quad]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    return boxes


ENGINES: dict[str, Callable[[Image.Image, DocumentKind, Enough], list[TextLine]]] = {
    "tesseract": tesseract_lines,
    "rapidocr": rapidocr_lines,
}
