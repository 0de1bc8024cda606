"""The font a picture's text is drawn in, checked glyph by glyph before anything is drawn.

A renderer that lacks a glyph draws a box (tofu) and carries on: a Chinese admin would get
a chart of empty rectangles and no error anywhere. So the font is chosen by the text: the
first candidate whose character map holds every character of every label, and when none
does, a ``FontMissing`` error that names the Debian package to install.

The candidates are font files, not family names looked up through a font cache:
matplotlib's cache is built once and would not see a font installed afterwards.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable
from functools import cache
from pathlib import Path

# matplotlib's data folder found without importing matplotlib, which costs ~0.7 s: the
# bot starts without it and loads it in the worker thread of the first chart.
_MATPLOTLIB = importlib.util.find_spec("matplotlib")
assert _MATPLOTLIB is not None and _MATPLOTLIB.submodule_search_locations
_MATPLOTLIB_DATA = Path(next(iter(_MATPLOTLIB.submodule_search_locations))) / "mpl-data"

CJK_PACKAGE = "fonts-wqy-microhei"
"""The Debian package of the CJK font (5 MB installed; fonts-noto-cjk is 91 MB)."""

FONT_FILES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    _MATPLOTLIB_DATA / "fonts" / "ttf" / "DejaVuSans.ttf",
)
"""Tried in order: the CJK font (Latin too), then matplotlib's own font for Latin-only text."""


class FontMissing(RuntimeError):
    """No installed font has every character of the text: drawing it would show boxes."""


@cache
def _charmap(path: Path) -> frozenset[int]:
    from matplotlib.ft2font import FT2Font

    return frozenset(FT2Font(str(path)).get_charmap())


@cache
def family(path: Path) -> str:
    """The font's family name, as fontconfig (Graphviz) knows it."""
    from matplotlib.ft2font import FT2Font

    return str(FT2Font(str(path)).family_name)


def font_for(texts: Iterable[str]) -> Path:
    """The first font file that has a glyph for every character of ``texts``."""
    needed = {ord(char) for text in texts for char in text if not char.isspace()}
    missing = set(needed)
    for path in FONT_FILES:
        if not path.is_file():
            continue
        if needed <= _charmap(path):
            return path
        missing &= needed - _charmap(path)
    sample = "".join(chr(code) for code in sorted(missing)[:10])
    raise FontMissing(
        f"no installed font can draw {sample!r} ({len(missing)} characters): install the "
        f"Debian package {CJK_PACKAGE} (apt-get install {CJK_PACKAGE}); looked for "
        + ", ".join(str(path) for path in FONT_FILES)
    )
