"""The generated test set: business licences (营业执照) and KTPs, photographed badly.

``samples("licence", 200, seed=21)`` gives the same 200 photos on every machine: each is
drawn from ``random.Random(f"{kind}:{seed}:{index}")``, rendered with Pillow in Debian's
fonts (WenQuanYi Micro Hei for Chinese, DejaVu Sans for the KTP's Latin), laid out like
the real document (shared/DOMAIN.md, "What the documents look like"), then degraded by
:func:`tests.documents.photo.phone_photo`. Nothing is committed as an image: photos are
cached as JPEG files in the temporary directory, keyed by kind, seed, index and
:data:`VERSION` (bump it when the drawing changes).
"""

from __future__ import annotations

import json
import math
import os
import random
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from tests.documents import identities
from tests.documents.photo import phone_photo

VERSION = 2
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
LATIN_FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
LATIN_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")

Kind = Literal["licence", "ktp"]
Font = ImageFont.FreeTypeFont


@dataclass(frozen=True)
class Sample:
    """One photo and the fields a perfect reading would propose from it."""

    kind: Kind
    index: int
    photo: bytes
    truth: dict[str, str]


@cache
def _font(path: Path, size: int) -> Font:
    return ImageFont.truetype(str(path), size)


def _spaced(label: str, rng: random.Random) -> str:
    """Licences print short labels spread out ("名　　称"); some do, some don't."""
    if len(label) == 2 and rng.random() < 0.5:
        return label[0] + "\u3000" * rng.choice((1, 2)) + label[1]
    return label


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: int) -> list[str]:
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width:
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines


def _seal(image: Image.Image, centre: tuple[int, int], text: str, rng: random.Random) -> None:
    """A translucent red round seal with its authority's name, over whatever is beneath."""
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    red = (215, 30, 35, rng.randint(120, 190))
    x, y = centre
    draw.ellipse((x - 130, y - 130, x + 130, y + 130), outline=red, width=8)
    draw.regular_polygon((x, y, 36), 5, rotation=rng.uniform(0, 10), fill=red)
    font = _font(CJK_FONT, 30)
    for i, char in enumerate(text):
        angle = -150 + 300 * i / max(1, len(text) - 1)
        glyph = Image.new("RGBA", (40, 40), (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((5, 2), char, font=font, fill=red)
        glyph = glyph.rotate(-angle, Image.Resampling.BICUBIC)
        gx = x + 95 * math.sin(math.radians(angle)) - 20
        gy = y - 95 * math.cos(math.radians(angle)) - 20
        layer.alpha_composite(glyph, (int(gx), int(gy)))
    image.alpha_composite(layer)


def _qr(draw: ImageDraw.ImageDraw, box: tuple[int, int], rng: random.Random) -> None:
    """Something that looks like the licence's QR code (it is not read)."""
    x0, y0 = box
    cell = 7
    for i in range(25):
        for j in range(25):
            finder = ((i < 7 or i > 17) and j < 7) or (i < 7 and j > 17)
            if finder or rng.random() < 0.45:
                draw.rectangle(
                    (
                        x0 + i * cell,
                        y0 + j * cell,
                        x0 + i * cell + cell - 1,
                        y0 + j * cell + cell - 1,
                    ),
                    fill=(20, 20, 20),
                )


def render_licence(firm: identities.Licence, rng: random.Random) -> Image.Image:
    """A 营业执照 (副本) laid out as issued since 2016, in landscape."""
    width, height = 2000, 1400
    image = Image.new("RGBA", (width, height), (252, 248, 236, 255))
    draw = ImageDraw.Draw(image)
    for inset, colour in ((30, (190, 140, 60)), (48, (210, 170, 90))):
        draw.rectangle((inset, inset, width - inset, height - inset), outline=colour, width=6)
    ink = (25, 25, 25)
    draw.ellipse((width // 2 - 55, 90, width // 2 + 55, 200), fill=(200, 40, 40))
    title = _font(CJK_FONT, 120)
    draw.text((width // 2, 290), "营 业 执 照", font=title, fill=ink, anchor="mm")
    draw.text((width // 2, 380), "（副　本）", font=_font(CJK_FONT, 36), fill=ink, anchor="mm")
    small, value = _font(CJK_FONT, 34), _font(CJK_FONT, 38)
    draw.text((130, 250), "统一社会信用代码", font=small, fill=ink)
    draw.text((130, 300), firm.uscc, font=value, fill=ink)
    _qr(draw, (width - 330, 150), rng)

    left = [
        ("名称", firm.company_name),
        ("类型", firm.company_type),
        ("法定代表人", firm.legal_representative),
        ("经营范围", firm.scope),
    ]
    right = [
        ("注册资本", firm.capital),
        ("成立日期", f"{firm.founded:%Y}年{firm.founded:%m}月{firm.founded:%d}日"),
        ("营业期限", f"{firm.founded:%Y}年{firm.founded:%m}月{firm.founded:%d}日至长期"),
        ("住所", firm.address),
    ]
    for x, rows, value_width in ((140, left, 640), (1080, right, 560)):
        y = 480
        for label, text in rows:
            draw.text((x, y), _spaced(label, rng), font=value, fill=ink)
            for line in _wrap(draw, text, value, value_width):
                draw.text((x + 230, y), line, font=value, fill=ink)
                y += 58
            y += 30
    authority = firm.address[:3].rstrip("省市区县") + "市场监督管理局"
    issued = f"{firm.founded:%Y}年{firm.founded:%m}月{firm.founded:%d}日"
    draw.text((1420, 1180), "登记机关", font=value, fill=ink)
    draw.text((1420, 1250), issued, font=value, fill=ink)
    _seal(image, (1540, 1200), authority, rng)
    return image.convert("RGB")


def _guilloche(draw: ImageDraw.ImageDraw, size: tuple[int, int], rng: random.Random) -> None:
    width, height = size
    phase = rng.uniform(0, 6)
    for k in range(0, height + 60, 14):
        points = [(x, k + 10 * math.sin(x / 37 + phase + k / 50)) for x in range(0, width + 10, 10)]
        draw.line(points, fill=(150, 195, 225), width=1)


def render_ktp(person: identities.Ktp, rng: random.Random) -> Image.Image:
    """A KTP (e-KTP) front, at 1200 × 757 (the card's 85.6 × 54 mm)."""
    width, height = 1200, 757
    image = Image.new("RGB", (width, height), (205, 228, 245))
    draw = ImageDraw.Draw(image)
    _guilloche(draw, (width, height), rng)
    ink = (15, 15, 20)
    header = _font(LATIN_BOLD, 38)
    draw.text((width // 2, 50), f"PROVINSI {person.province}", font=header, fill=ink, anchor="mm")
    draw.text((width // 2, 100), person.regency, font=header, fill=ink, anchor="mm")
    draw.text((40, 150), "NIK", font=_font(LATIN_BOLD, 44), fill=ink)
    draw.text((245, 150), ":", font=_font(LATIN_BOLD, 44), fill=ink)
    draw.text((275, 150), person.nik, font=_font(LATIN_BOLD, 46), fill=ink)
    label, text = _font(LATIN_FONT, 25), _font(LATIN_FONT, 25)
    born = f"{person.birthplace}, {person.birth_date:%d-%m-%Y}"
    rows = [
        ("Nama", person.name),
        ("Tempat/Tgl Lahir", born),
        ("Jenis Kelamin", "PEREMPUAN" if person.female else "LAKI-LAKI"),
        ("Alamat", person.address),
        ("    RT/RW", person.rt_rw),
        ("    Kel/Desa", person.village),
        ("    Kecamatan", person.district),
        ("Agama", person.religion),
        ("Status Perkawinan", "KAWIN" if person.married else "BELUM KAWIN"),
        ("Pekerjaan", person.job),
        ("Kewarganegaraan", "WNI"),
        ("Berlaku Hingga", "SEUMUR HIDUP"),
    ]
    y = 222
    for name, value in rows:
        draw.text((40, y), name, font=label, fill=ink)
        draw.text((290, y), ":", font=label, fill=ink)
        draw.text((310, y), value, font=text, fill=ink)
        if name == "Jenis Kelamin":
            draw.text((620, y), f"Gol. Darah : {rng.choice('ABO-')}", font=label, fill=ink)
        y += 40
    draw.rectangle((900, 190, 1140, 500), fill=(200, 60, 60))
    draw.ellipse((965, 230, 1075, 350), fill=(235, 200, 170))
    draw.ellipse((930, 360, 1110, 560), fill=(40, 40, 60))
    draw.rectangle((900, 500, 1140, 560), fill=(205, 228, 245))
    small = _font(LATIN_FONT, 22)
    draw.text((1020, 590), person.birthplace, font=small, fill=ink, anchor="mm")
    draw.text(
        (1020, 622),
        f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-20{rng.randint(12, 24)}",
        font=small,
        fill=ink,
        anchor="mm",
    )
    squiggle = [(930 + i * 12, 680 + rng.randint(-15, 15)) for i in range(16)]
    draw.line(squiggle, fill=ink, width=3)
    return image


def _render(kind: Kind, index: int, seed: int) -> tuple[bytes, dict[str, str]]:
    rng = random.Random(f"{kind}:{seed}:{index}")
    if kind == "licence":
        firm = identities.licence(rng)
        truth = {
            "uscc": firm.uscc,
            "company_name": firm.company_name,
            "legal_representative": firm.legal_representative,
        }
        return phone_photo(render_licence(firm, rng), rng, long_side=rng.randint(1500, 1900)), truth
    person = identities.ktp(rng)
    truth = {"nik": person.nik, "name": person.name}
    return phone_photo(render_ktp(person, rng), rng, long_side=rng.randint(1100, 1400)), truth


def cache_dir() -> Path:
    """Where photos are kept between runs (never in the repository)."""
    path = Path(tempfile.gettempdir()) / f"shop-bot-documents-v{VERSION}"
    path.mkdir(exist_ok=True)
    return path


def sample(kind: Kind, index: int, *, seed: int = 21) -> Sample:
    """Photo number ``index`` of ``kind`` for ``seed``: rendered once, then read from cache."""
    stem = cache_dir() / f"{kind}-{seed}-{index}"
    photo_path, truth_path = stem.with_suffix(".jpg"), stem.with_suffix(".json")
    if photo_path.exists() and truth_path.exists():
        return Sample(kind, index, photo_path.read_bytes(), json.loads(truth_path.read_text()))
    photo, truth = _render(kind, index, seed)
    # Each file appears whole or not at all: parallel test workers may render the same photo.
    for path, content in (
        (truth_path, json.dumps(truth, ensure_ascii=False).encode()),
        (photo_path, photo),
    ):
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(content)
        partial.replace(path)
    return Sample(kind, index, photo, truth)


def render(count: int, *, seed: int = 21, workers: int = 2) -> None:
    """Fill the cache with ``count`` photos of each kind, ``workers`` processes at once."""
    jobs = [(kind, index) for kind in ("licence", "ktp") for index in range(count)]
    with ProcessPoolExecutor(workers) as pool:
        list(pool.map(_cached, jobs, [seed] * len(jobs)))


def _cached(job: tuple[Kind, int], seed: int) -> None:
    sample(job[0], job[1], seed=seed)


def samples(kind: Kind, count: int, *, seed: int = 21) -> list[Sample]:
    """The first ``count`` photos of ``kind``."""
    return [sample(kind, index, seed=seed) for index in range(count)]
