"""QR code pictures of join links, for a WeChat group or a slide."""

from __future__ import annotations

import io


def qr_png(text: str) -> bytes:
    """A PNG of ``text`` as a QR code (CPU work: call it off the event loop)."""
    import qrcode  # here: loaded by the first QR code's worker thread, not at start-up
    from qrcode.constants import ERROR_CORRECT_M

    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(text)
    code.make(fit=True)
    image = code.make_image()
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()
