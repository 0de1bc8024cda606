"""One application's uploaded files as ZIP archives that Telegram will take.

Names come from sellers (or from nothing, for a photo), so each member is named
``<step>_<safe name>`` with only letters, digits, ``.``, ``-`` and ``_`` kept, an extension
from the MIME type when the name has none, and a number when two would collide. A bot may
upload at most 50 MB per file: archives are cut before that (the members' own sizes plus
room for the ZIP's headers count), so several files too large together arrive as parts.
"""

from __future__ import annotations

import mimetypes
import re
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DOWNLOAD_LIMIT = 20 * 1024 * 1024
"""``getFile`` hands out files up to 20 MB."""
UPLOAD_LIMIT = 49 * 1024 * 1024
"""Under Telegram's 50 MB for a bot's upload, with room for the multipart envelope."""
_ENTRY_OVERHEAD = 512  # local header + central directory entry, with a long name
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX_NAME = 80


@dataclass(frozen=True)
class Fetched:
    """A document downloaded to ``path``, with what the seller's upload said about it."""

    step: str
    file_name: str
    mime_type: str
    path: Path


def safe_name(step: str, file_name: str, mime_type: str) -> str:
    """``company_certificate_Certificate_2024.pdf``: no folders, no dots first, ASCII."""
    ascii_name = unicodedata.normalize("NFKD", file_name).encode("ascii", "ignore").decode()
    stem, dot, ext = Path(ascii_name.replace("\\", "/")).name.rpartition(".")
    if not dot:
        stem, ext = ext, ""
    stem = _UNSAFE.sub("_", stem).strip("._-")[:_MAX_NAME]
    ext = _UNSAFE.sub("", ext)[:10].lower()
    if not ext:
        guessed = mimetypes.guess_extension(mime_type.split(";")[0].strip()) or ".bin"
        ext = guessed.lstrip(".")
    base = _UNSAFE.sub("_", step).strip("._-") or "file"
    return f"{base}_{stem}.{ext}" if stem else f"{base}.{ext}"


def _unique(name: str, taken: set[str]) -> str:
    candidate, number = name, 2
    stem, _, ext = name.rpartition(".")
    while candidate in taken:
        candidate, number = f"{stem}-{number}.{ext}", number + 1
    taken.add(candidate)
    return candidate


def pack_zips(
    files: Sequence[Fetched], folder: Path, *, stem: str, limit: int = UPLOAD_LIMIT
) -> list[Path]:
    """Write the files into as few ZIPs as fit ``limit`` each; their paths, in order.

    Members are stored deflated, but the cut is made on the uncompressed sizes, so an
    archive never exceeds the limit whatever the files compress to.
    """
    parts: list[list[tuple[str, Path]]] = [[]]
    used, taken = 0, set[str]()
    for file in files:
        size = file.path.stat().st_size + _ENTRY_OVERHEAD
        if parts[-1] and used + size > limit:
            parts.append([])
            used = 0
        name = _unique(safe_name(file.step, file.file_name, file.mime_type), taken)
        parts[-1].append((name, file.path))
        used += size
    if not parts[-1]:
        return []
    paths = []
    for number, members in enumerate(parts, start=1):
        suffix = f"-part{number}" if len(parts) > 1 else ""
        path = folder / f"{stem}{suffix}.zip"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, source in members:
                archive.write(source, arcname=name)
        paths.append(path)
    return paths
