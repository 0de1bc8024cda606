"""Make a clean rendering look like a seller's phone photo of it.

Sellers photograph documents on a table, at an angle, under a lamp, and Telegram
recompresses the picture: so the document is laid on a background, tilted (perspective),
rotated up to ±7°, lit unevenly, blurred, cropped at the margin and saved as a JPEG of
quality 50–70. Every choice comes from the caller's ``random.Random``: one seed, one photo.
"""

from __future__ import annotations

import io
import random

import numpy as np
from PIL import Image, ImageChops, ImageFilter

MAX_ROTATION = 7.0


def _perspective_coefficients(
    source: list[tuple[float, float]], target: list[tuple[float, float]]
) -> list[float]:
    """The 8 coefficients ``Image.transform`` wants to map ``target`` corners to ``source``."""
    rows = []
    for (x, y), (u, v) in zip(target, source, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    solution = np.linalg.solve(np.array(rows, float), np.array(source, float).reshape(8))
    return [float(c) for c in solution]


def _table(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A plain, slightly noisy surface under the document."""
    base = tuple(rng.randint(40, 170) for _ in range(3))
    surface = Image.new("RGB", size, base)
    # numpy's generator, seeded from ``rng``: Pillow's effect_noise draws from its own
    grain = np.random.default_rng(rng.getrandbits(32)).normal(128, rng.uniform(8, 20), size[::-1])
    noise = Image.fromarray(np.clip(grain, 0, 255).astype(np.uint8), "L").convert("RGB")
    return ImageChops.blend(surface, noise, 0.12)


def _light(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A multiplier image: a lamp on one side, shade on the other, sometimes a glare spot."""
    width, height = size
    small = (64, 64)
    x = np.linspace(0, 1, small[0])[None, :]
    y = np.linspace(0, 1, small[1])[:, None]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * x + np.sin(angle) * y
    ramp = (ramp - ramp.min()) / (np.ptp(ramp) or 1)
    low = rng.uniform(0.55, 0.8)
    field = low + (1.05 - low) * ramp
    if rng.random() < 0.4:
        cx, cy, r = rng.random(), rng.random(), rng.uniform(0.1, 0.25)
        field += 0.25 * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    layer = Image.fromarray(np.clip(field * 255, 0, 255).astype(np.uint8), "L")
    return layer.resize((width, height), Image.Resampling.BILINEAR).convert("RGB")


def phone_photo(document: Image.Image, rng: random.Random, *, long_side: int) -> bytes:
    """``document`` as a JPEG photo (see the module docstring for what is done to it)."""
    width, height = document.size
    margin = int(max(width, height) * rng.uniform(0.06, 0.12))
    canvas = _table(rng, (width + 2 * margin, height + 2 * margin))
    canvas.paste(document, (margin, margin))

    cw, ch = canvas.size
    jitter = 0.035
    corners = [(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)]
    moved = [
        (x + rng.uniform(-jitter, jitter) * cw, y + rng.uniform(-jitter, jitter) * ch)
        for x, y in corners
    ]
    coefficients = _perspective_coefficients(corners, moved)
    canvas = canvas.transform(
        canvas.size,
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=canvas.getpixel((1, 1)),
    )
    canvas = canvas.rotate(
        rng.uniform(-MAX_ROTATION, MAX_ROTATION),
        Image.Resampling.BICUBIC,
        expand=False,
        fillcolor=canvas.getpixel((1, 1)),
    )

    # Crop part of the margin, more on one side than the other (never into the text).
    left, top = int(margin * rng.uniform(0.1, 0.9)), int(margin * rng.uniform(0.1, 0.9))
    right, bottom = int(margin * rng.uniform(0.1, 0.9)), int(margin * rng.uniform(0.1, 0.9))
    canvas = canvas.crop((left, top, cw - right, ch - bottom))

    canvas = ImageChops.multiply(canvas, _light(rng, canvas.size))
    scale = long_side / max(canvas.size)
    canvas = canvas.resize(
        (round(canvas.width * scale), round(canvas.height * scale)), Image.Resampling.LANCZOS
    )
    canvas = canvas.filter(ImageFilter.GaussianBlur(rng.uniform(0.4, 1.3)))
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=rng.randint(50, 70))
    return out.getvalue()
