"""Charts drawn on the server: PNG pictures of the expected size, the same bytes for
the same numbers, Chinese text drawn with a CJK face (no missing glyphs)."""

import io
import sys
import warnings

import pytest
from PIL import Image

from reformledger.exchange import charts

CATEGORIES = ["市发展改革局", "市财政局", "市教育局"]
SERIES = [("已完成", [3.0, 5.0, 2.0]), ("进行中", [4.0, 1.0, 6.0])]
SIZE = (
    round(charts.FIGSIZE_IN[0] * charts.DPI - 0.5),
    round(charts.FIGSIZE_IN[1] * charts.DPI - 0.5),
)

needs_cjk_font = pytest.mark.skipif(
    charts.font_path() is None, reason="no CJK font (fonts-noto-cjk) is installed"
)


def _picture(png: bytes) -> Image.Image:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png))


@needs_cjk_font
@pytest.mark.parametrize("stacked", [False, True])
def test_bar_chart_is_a_png_of_the_expected_size_without_missing_glyphs(stacked):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" would be a warning
        png = charts.bar_chart("各单位任务完成情况", CATEGORIES, SERIES, stacked=stacked, unit="项")
    picture = _picture(png)
    assert picture.format == "PNG"
    assert picture.size == SIZE


@needs_cjk_font
def test_pie_chart_is_a_png_of_the_expected_size():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        png = charts.pie_chart("绿黄牌", ["绿牌", "黄牌"], [12, 3], colours=["#3ba272", "#fac858"])
    assert _picture(png).size == SIZE


def test_the_same_numbers_give_the_same_bytes():
    first = charts.bar_chart("任务", CATEGORIES, SERIES)
    assert charts.bar_chart("任务", CATEGORIES, SERIES) == first
    assert charts.pie_chart("牌", ["绿", "黄"], [1, 2]) == charts.pie_chart(
        "牌", ["绿", "黄"], [1, 2]
    )
    assert b"Software" not in first and b"matplotlib" not in first


def test_a_pie_of_nothing_still_draws():
    assert _picture(charts.pie_chart("无数据", ["绿", "黄"], [0, 0])).size == SIZE


def test_configured_font_is_used(settings):
    settings.RL_CHART_FONT = "/fonts/official.ttf"
    assert charts.font_path() == "/fonts/official.ttf"


def test_matplotlib_is_imported_only_when_a_chart_is_drawn():
    import subprocess

    code = (
        "import django, sys; django.setup(); import reformledger.exchange.charts; "
        "import reformledger.exchange.docx_layout; print('matplotlib' in sys.modules)"
    )
    done = subprocess.run(  # noqa: S603 - this interpreter on fixed code
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "False"
