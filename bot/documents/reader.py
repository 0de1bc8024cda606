"""Read a licence or KTP photo into a :class:`~flows.documents.Proposal`, off the event loop.

``await read_document("licence", data)`` decodes and reads the photo in the sandbox
(``bot.platform.sandbox``: a fresh child process with CPU, memory and wall-clock limits,
at most ``concurrent`` at once) and returns the fields it found, each already passed
through the validator a typed answer meets, or None when the photo was refused or
nothing was read. The flow offers the proposal; it saves nothing without the seller's tap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from bot.documents.engines import ENGINES
from bot.documents.images import ImageRefused, decode
from bot.platform.sandbox import SandboxError, SandboxLimits, parse_in_sandbox
from bot.platform.warm_sandbox import WarmSandbox
from flows.documents import DocumentKind, Proposal, complete, propose

__all__ = ["ENGINE", "LIMITS", "Reading", "read", "read_document", "read_photo", "warm_readers"]

log = logging.getLogger(__name__)

ENGINE = "rapidocr"
# CPU: ~2 s a reading, 10 stops a runaway; wall: a loaded machine (load 15–20 here) took up
# to 28 s; memory: ~450 MB resident, address space more (onnxruntime and OpenCV map much).
LIMITS = SandboxLimits(cpu_seconds=10, memory_bytes=1536 * 1024 * 1024, wall_seconds=60.0)


def read_photo(data: bytes, kind: DocumentKind, engine: str = ENGINE) -> Proposal | str:
    """In the sandbox child: the proposal, or why the photo was refused (plain values only)."""
    try:
        image = decode(data)
    except ImageRefused as refused:
        return str(refused)
    return propose(kind, ENGINES[engine](image, kind, partial(complete, kind)))


@dataclass(frozen=True)
class Reading:
    """What reading a photo came to: the fields found (maybe none), or why it stopped.

    ``refused`` is the image's fault (``too_large``, ``too_many_pixels``, ``not_an_image``:
    :class:`~bot.documents.images.ImageRefused`), ``stopped`` the sandbox's limit
    (``timeout``, ``memory``, ``crashed``).
    """

    proposal: Proposal | None = None
    refused: str | None = None
    stopped: str | None = None


def warm_readers(size: int, *, recycle_after: int = 200) -> WarmSandbox:
    """``size`` sandboxed readers that load the OCR model once and fork each reading."""
    return WarmSandbox(
        "bot.documents.engines", "warm_up", limits=LIMITS, size=size, recycle_after=recycle_after
    )


async def read(kind: DocumentKind, data: bytes, *, readers: WarmSandbox | None = None) -> Reading:
    """Read a photo of a ``kind`` document in the sandbox (never on the event loop): in a
    child forked from one of ``readers``, else in a fresh one."""
    try:
        if readers is not None:
            answer = await readers.parse(read_photo, data, kind)
        else:
            answer = await parse_in_sandbox(read_photo, data, kind, limits=LIMITS)
    except SandboxError as error:
        log.info("document reading stopped: %s", error.reason)
        return Reading(stopped=error.reason)
    if isinstance(answer, str):
        log.info("document photo refused: %s", answer)
        return Reading(refused=answer)
    return Reading(proposal=answer if answer.fields else None)


async def read_document(kind: DocumentKind, data: bytes) -> Proposal | None:
    """The fields a photo of a ``kind`` document supports; None if it could not be read."""
    return (await read(kind, data)).proposal
