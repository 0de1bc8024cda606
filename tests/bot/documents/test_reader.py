"""Reading a document photo: in the sandbox, within its limits, proposing only valid fields."""

from __future__ import annotations

import io
import struct
import time
import zlib

import pytest
from PIL import Image

from bot.documents.images import MAX_SIDE, WORK_SIDE, ImageRefused, decode
from bot.documents.reader import LIMITS, read_document, read_photo
from bot.platform.sandbox import parse_in_sandbox
from flows.documents import Proposal
from tests.documents.synthetic import sample


def _png(width: int, height: int, rows: int = 0) -> bytes:
    """A grey PNG that claims ``width`` × ``height``; only ``rows`` rows of zeros follow."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    compressor = zlib.compressobj(9)
    row = bytes(width + 1)
    data = b"".join(compressor.compress(row) for _ in range(rows)) + compressor.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


async def test_a_licence_photo_proposes_its_code_company_and_representative() -> None:
    licence = sample("licence", 0)
    proposal = await read_document("licence", licence.photo)
    assert proposal == Proposal("licence", licence.truth)


async def test_a_ktp_photo_proposes_its_nik() -> None:
    ktp = sample("ktp", 1)
    proposal = await read_document("ktp", ktp.photo)
    assert proposal == Proposal("ktp", {"nik": ktp.truth["nik"]})


async def test_a_pixel_bomb_is_refused_in_the_sandbox_before_it_is_decoded() -> None:
    started = time.monotonic()
    for bomb in (_png(60_000, 60_000), _png(MAX_SIDE, MAX_SIDE // 2, rows=4)):
        assert await parse_in_sandbox(read_photo, bomb, "ktp", limits=LIMITS) == ("too_many_pixels")
        assert await read_document("ktp", bomb) is None
    assert time.monotonic() - started < LIMITS.wall_seconds  # four children, none decoding


async def test_a_file_that_is_no_image_is_refused() -> None:
    for junk in (b"%PDF-1.7 not a photo", b"", b"\xff\xd8\xff\xe0 truncated jpeg", b"GIF89a"):
        assert await parse_in_sandbox(read_photo, junk, "licence", limits=LIMITS) == (
            "not_an_image"
        )
    assert await read_document("licence", b"\x00" * 1000) is None


def test_decoding_refuses_a_bomb_and_shrinks_a_photo_to_the_working_size() -> None:
    with pytest.raises(ImageRefused, match="too_many_pixels"):
        decode(_png(30_000, 30_000))
    image = decode(_png(3000, 1000, rows=1000), work_side=1500)
    assert image.size == (1500, 500)
    assert image.mode == "RGB"


def _pdf(*pages: tuple[float, float]) -> bytes:
    """A PDF of blank pages of these sizes (in points)."""
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    for width, height in pages:
        document.new_page(width, height)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_a_pdf_is_its_first_page_at_the_working_size_whatever_size_it_claims() -> None:
    a4 = decode(_pdf((595, 842), (14_400, 14_400)))
    assert a4.height == WORK_SIDE and abs(a4.width - WORK_SIDE * 595 / 842) <= 1
    huge = decode(_pdf((14_400, 10_000)))  # PDF's largest page, 5 m wide: still 2,000 px
    assert max(huge.size) == WORK_SIDE
    with pytest.raises(ImageRefused, match="not_an_image"):
        decode(b"%PDF-1.7\n%%EOF")


async def test_a_licence_pdf_is_read_from_its_first_page() -> None:
    licence = sample("licence", 0)
    scan = io.BytesIO()
    Image.open(io.BytesIO(licence.photo)).save(scan, "PDF", resolution=150)
    proposal = await read_document("licence", scan.getvalue())
    assert proposal is not None
    assert proposal.fields["uscc"] == licence.truth["uscc"]
    assert proposal.fields["company_name"] == licence.truth["company_name"]
