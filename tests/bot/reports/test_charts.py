"""Cohort charts: real PNGs of the expected size, CJK labels drawn as glyphs, never as boxes."""

from __future__ import annotations

import datetime as dt
import io
import threading
import warnings

import numpy as np
import pytest
from matplotlib.ft2font import FT2Font
from PIL import Image

from bot.platform.i18n import Translator
from bot.reports import charts, fonts
from bot.reports.charts import DayCount, StepCount, conversions, daily_png, funnel_png
from bot.reports.fonts import FontMissing, font_for
from bot.reports.state_names import state_label
from flows.tracks import track_steps

DEJAVU = fonts.FONT_FILES[-1]
DAY = dt.date(2026, 12, 1)
TRACK = "uk_crossborder"


def _steps(n: int | None = None) -> list[StepCount]:
    states = [step.id for step in track_steps(TRACK)] + ["review", "submitted"]
    return [StepCount(state, 1000 - 70 * i) for i, state in enumerate(states[:n])]


def _days(count: int = 180) -> list[DayCount]:
    start = DAY - dt.timedelta(days=count)
    return [DayCount(start + dt.timedelta(i), 20 + i % 7, 8 + i % 5) for i in range(count)]


def _image(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    image.load()
    return image


def _glyph(font: FT2Font, char: str) -> np.ndarray:
    """One character drawn by FreeType alone, as its ink bitmap (a box when it is missing)."""
    font.set_size(48, 72)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from font")
        font.set_text(char)
    font.draw_glyphs_to_bitmap(antialiased=False)
    return np.asarray(font.get_image()).copy()


def test_conversion_is_each_steps_share_of_the_one_before() -> None:
    steps = [StepCount("a", 200), StepCount("b", 150), StepCount("c", 0), StepCount("d", 0)]
    assert conversions(steps) == [None, 0.75, 0.0, None]


@pytest.mark.parametrize("language", ["zh_Hans", "en", "id"])
def test_the_funnel_is_a_png_of_the_figures_size(language: str) -> None:
    steps = _steps()
    png = funnel_png(track=TRACK, cohort="London Spring", day=DAY, steps=steps, language=language)
    image = _image(png)
    assert image.size == (900, round((1.5 + 0.4 * len(steps)) * charts.DPI))
    pixels = np.asarray(image.convert("L"))
    assert (pixels < 128).mean() > 0.05  # bars and text, not a blank canvas


def test_the_daily_chart_covers_the_cohorts_life() -> None:
    png = daily_png(cohort="Jakarta Q3", day=DAY, days=_days(), language="id")
    assert _image(png).size == (1000, 450)


def test_a_cohorts_first_day_shows_a_point_for_each_line() -> None:
    """One day of data is one point per line: drawn as a marker in the middle of the plot
    (the legend's samples sit at the right edge), not empty axes."""
    png = daily_png(cohort="c", day=DAY, days=[DayCount(DAY, 1, 1)], language="en")
    image = np.asarray(_image(png).convert("RGB")).astype(int)
    middle = image[:, 400:600]
    for colour in (charts.STARTED_COLOUR, charts.SUBMITTED_COLOUR):
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        assert (np.abs(middle - rgb).sum(axis=2) < 20).sum() >= 20, colour


def test_zh_hans_labels_are_glyphs_not_boxes() -> None:
    """Each character of the chart's labels differs from the font's missing-glyph box."""
    t = Translator("zh_Hans")
    labels = [state_label(TRACK, step.state, t) for step in _steps()]
    labels.append(t("chart_funnel_title", {"cohort": "伦敦春季批次", "date": DAY}))
    path = font_for(labels)
    font = FT2Font(str(path))
    missing = "\U000f0000"  # a private-use code point: no font of ours has it
    assert ord(missing) not in font.get_charmap()
    box = _glyph(font, missing)
    chars = sorted({char for label in labels for char in label if "\u4e00" <= char <= "\u9fff"})
    assert len(chars) > 20
    drawn = {char: _glyph(font, char) for char in chars}
    for char, bitmap in drawn.items():
        assert (bitmap > 0).sum() > 50, f"{char} has no ink"
        same_shape = bitmap.shape == box.shape
        assert not (same_shape and np.array_equal(bitmap, box)), f"{char} is drawn as a box"
    assert len({bitmap.tobytes() for bitmap in drawn.values()}) == len(chars)

    # The same text through a font without CJK: every character is the one missing glyph.
    latin = FT2Font(str(DEJAVU))
    tofu = {_glyph(latin, char).tobytes() for char in chars}
    assert tofu == {_glyph(latin, missing).tobytes()}


def test_the_chart_draws_its_chinese_with_no_missing_glyph(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """matplotlib warns for each glyph it has to draw as a box: the real chart has none."""
    arguments = {"track": TRACK, "cohort": "伦敦春季批次", "day": DAY, "steps": _steps()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        real = funnel_png(**arguments, language="zh_Hans")
    assert not [w for w in caught if "missing from font" in str(w.message)]

    # Forcing the Latin font past the check draws boxes, which matplotlib reports.
    monkeypatch.setattr(charts, "font_for", lambda _texts: DEJAVU)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        boxes = funnel_png(**arguments, language="zh_Hans")
    assert [w for w in caught if "missing from font" in str(w.message)]
    assert real != boxes


def test_a_missing_cjk_font_is_a_clear_error_naming_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "FONT_FILES", (DEJAVU,))
    with pytest.raises(FontMissing, match=r"draw '.*' .*apt-get install fonts-wqy-microhei"):
        funnel_png(track=TRACK, cohort="London", day=DAY, steps=_steps(), language="zh_Hans")
    with pytest.raises(FontMissing):
        daily_png(cohort="伦敦", day=DAY, days=_days(10), language="en")
    # Latin text needs no CJK font.
    assert _image(daily_png(cohort="Jakarta", day=DAY, days=_days(10), language="id"))


def test_charts_render_in_parallel_threads() -> None:
    """Worker threads draw at once (no pyplot state): every result is a whole PNG."""
    results: list[bytes] = []

    def draw() -> None:
        png = funnel_png(track=TRACK, cohort="C", day=DAY, steps=_steps(), language="zh_Hans")
        results.append(png)

    threads = [threading.Thread(target=draw) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1


def test_the_daily_charts_count_axis_shows_whole_numbers_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cohort's first day (one started, one submitted) once drew 0.2, 0.4 … applications."""
    drawn: list[object] = []
    monkeypatch.setattr(charts, "_png", lambda figure: drawn.append(figure) or b"")
    day = dt.date(2026, 12, 7)
    daily_png(cohort="UK 1", day=day, days=[DayCount(day, 1, 1)], language="en")
    (figure,) = drawn
    ticks = figure.axes[0].get_yticks()  # type: ignore[attr-defined]
    assert len(ticks) >= 2 and all(float(tick).is_integer() for tick in ticks), ticks
