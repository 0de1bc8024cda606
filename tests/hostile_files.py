"""Hostile product files, made in the test: what a stranger could send the bot.

Each is small on the wire and expensive to read naively. Sheets are written straight into
the zip (streamed, high compression), so making a 20-million-row sheet costs the test
seconds and a few megabytes, not gigabytes.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from collections.abc import Iterable, Iterator

import openpyxl

_NS = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HEADER = ["title", "price", "image_urls", "length_cm", "width_cm", "height_cm", "weight_kg"]
GOOD_ROW = ["Kaos Polos Katun Premium Pria Wanita", 150000, "https://cdn.example.com/a.jpg"]


def xlsx(rows: Iterable[Iterable[object]]) -> bytes:
    """An ordinary workbook, as Excel would save it."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_SST_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _registered(name: str, content: bytes, replace: dict[str, Iterator[bytes]]) -> bytes:
    """openpyxl writes inline strings; a shared-strings part must be declared to be read."""
    if "xl/sharedStrings.xml" not in replace:
        return content
    if name == "[Content_Types].xml":
        part = b'<Override PartName="/xl/sharedStrings.xml" ContentType="' + _SST_TYPE + b'"/>'
        return content.replace(b"</Types>", part + b"</Types>")
    if name == "xl/_rels/workbook.xml.rels":
        rel = b'<Relationship Id="rIdSst" Type="' + _SST_REL + b'" Target="sharedStrings.xml"/>'
        return content.replace(b"</Relationships>", rel + b"</Relationships>")
    return content


def _with_members(replace: dict[str, Iterator[bytes]]) -> bytes:
    """A real workbook whose named members are replaced (or added) by streamed content."""
    base = zipfile.ZipFile(io.BytesIO(xlsx([HEADER, GOOD_ROW])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for info in base.infolist():
            if info.filename not in replace:
                content = _registered(info.filename, base.read(info), replace)
                archive.writestr(info.filename, content)
        for name, chunks in replace.items():
            with archive.open(name, "w", force_zip64=True) as member:
                for chunk in chunks:
                    member.write(chunk)
    return out.getvalue()


def _repeat(head: bytes, unit: bytes, count: int, tail: bytes) -> Iterator[bytes]:
    yield head
    batch = 100_000
    for start in range(0, count, batch):
        yield unit * min(batch, count - start)
    yield tail


def blank_rows(count: int = 20_000_000) -> bytes:
    """A sheet of ``count`` empty ``<row/>`` elements (20 M rows zip to ~0.2 MB)."""
    head = b'<?xml version="1.0"?><worksheet ' + _NS + b"><sheetData>"
    rows = _repeat(head, b"<row/>", count, b"</sheetData></worksheet>")
    return _with_members({"xl/worksheets/sheet1.xml": rows})


def far_row(number: int = 1_048_576) -> bytes:
    """One cell in the sheet's last row: tiny, but a reader fills the gap with blank rows."""
    sheet = (
        b'<?xml version="1.0"?><worksheet ' + _NS + b'><sheetData><row r="%d">'
        b'<c r="A%d" t="inlineStr"><is><t>x</t></is></c></row></sheetData></worksheet>'
    ) % (number, number)
    return _with_members({"xl/worksheets/sheet1.xml": iter([sheet])})


_ONE_SHARED_CELL = (
    b'<?xml version="1.0"?><worksheet ' + _NS + b"><sheetData>"
    b'<row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
)


def shared_strings(count: int = 6_000_000) -> bytes:
    """``count`` shared strings (6 M zip to ~0.3 MB; openpyxl loads them all up front)."""
    head = b'<?xml version="1.0"?><sst ' + _NS + b' count="%d" uniqueCount="%d">' % (count, count)
    strings = _repeat(head, b"<si><t>a</t></si>", count, b"</sst>")
    return _with_members(
        {"xl/sharedStrings.xml": strings, "xl/worksheets/sheet1.xml": iter([_ONE_SHARED_CELL])}
    )


def zip_bomb(megabytes: int = 1024) -> bytes:
    """An extra member of ``megabytes`` MB of zeros (1 GB zips to ~1 MB)."""
    zeros = (b"\0" * (1 << 20) for _ in range(megabytes))
    return _with_members({"xl/media/bomb.bin": zeros})


def lying_sizes(megabytes: int = 64) -> bytes:
    """A member whose headers declare 1 KB but which unpacks to ``megabytes`` MB."""
    data = bytearray(zip_bomb(megabytes))
    declared = 1024
    name = b"xl/media/bomb.bin"
    local = data.find(b"PK\x03\x04" + data[4:4])
    while local != -1:  # local file headers: sizes at +18 (packed) and +22 (unpacked)
        name_length = struct.unpack_from("<H", data, local + 26)[0]
        if data[local + 30 : local + 30 + name_length] == name:
            struct.pack_into("<I", data, local + 22, declared)
        local = data.find(b"PK\x03\x04", local + 4)
    central = data.find(b"PK\x01\x02")
    while central != -1:  # central directory: unpacked size at +24
        name_length = struct.unpack_from("<H", data, central + 28)[0]
        if data[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", data, central + 24, declared)
        central = data.find(b"PK\x01\x02", central + 4)
    return bytes(data)


def malformed_xml() -> bytes:
    """A workbook whose sheet XML is cut off mid-tag."""
    sheet = b'<?xml version="1.0"?><worksheet ' + _NS + b'><sheetData><row r="1"><c r="A1" t="'
    return _with_members({"xl/worksheets/sheet1.xml": iter([sheet])})


def entity_bomb() -> bytes:
    """ "Billion laughs" in the shared strings: entities that expand exponentially."""
    lol = b'<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    sst = b'<?xml version="1.0"?>' + lol + b"]><sst " + _NS + b"><si><t>&lol9;</t></si></sst>"
    return _with_members(
        {"xl/sharedStrings.xml": iter([sst]), "xl/worksheets/sheet1.xml": iter([_ONE_SHARED_CELL])}
    )


def noisy_cells(rows: int = 4_900, cells: int = 130, seed: int = 1) -> bytes:
    """Rows of random numbers, wider than any product list: incompressible, so within the
    file-size, unpacked-size and ratio caps, and still costly to parse."""
    noise = random.Random(seed)
    head = b'<?xml version="1.0"?><worksheet ' + _NS + b"><sheetData>"

    def sheet() -> Iterator[bytes]:
        yield head
        for _ in range(rows):
            values = (b"<c><v>%d</v></c>" % noise.getrandbits(40) for _ in range(cells))
            yield b"<row>" + b"".join(values) + b"</row>"
        yield b"</sheetData></worksheet>"

    return _with_members({"xl/worksheets/sheet1.xml": sheet()})


def huge_csv_cell(chars: int = 3_000_000) -> bytes:
    """A CSV whose one title cell is millions of characters long."""
    return ("title,price,image_urls\n" + "x" * chars + ",1,https://a.example/a.jpg\n").encode()


def long_error_csv(rows: int = 40, url_chars: int = 3_000) -> bytes:
    """Every row refused with a long bad link echoed back: a report over 4,096 characters."""
    lines = ["title,price,image_urls"]
    for n in range(rows):
        lines.append(f"Product number {n:03d} title,1,ftp://{'x' * url_chars}.example/{n}.jpg")
    return ("\n".join(lines) + "\n").encode()
