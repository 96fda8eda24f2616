"""Charts drawn on the server (matplotlib) for Word and PDF documents: a bar chart and a
pie chart as PNG bytes, from the same numbers the dashboard draws in the browser
(decision 0011).

- matplotlib is imported inside the functions, so a web process that never draws a
  chart does not pay for the import (numpy, fonts); its cache goes to RL_VAR_DIR/
  matplotlib (MPLCONFIGDIR), not to $HOME.
- Each chart is its own `Figure` on an Agg canvas, never pyplot's global state, so
  threads (gunicorn's, Huey's) can draw at once.
- The Chinese face comes from the setting RL_CHART_FONT (a font file's path), else the
  first of `FONT_CANDIDATES` on the machine (Debian's fonts-noto-cjk), loaded by path
  with ``font_manager.FontProperties(fname=…)``. matplotlib reads the first face of a
  .ttc collection (Noto Sans CJK JP in Debian's NotoSansCJK-Regular.ttc: the same
  Chinese characters, with Japanese forms for a few); a Simplified Chinese .otf
  (NotoSansCJKsc-Regular.otf) comes first in the list where it is installed.
- The PNG is deterministic: a fixed size and resolution, no metadata (no
  "Software", no date), so the same numbers give the same bytes.
"""

import io
import os
import tempfile
from pathlib import Path

from django.conf import settings

#: The picture: 16 × 9 cm at 150 dpi (945 × 531 pixels), the width of the type area.
FIGSIZE_IN = (16 / 2.54, 9 / 2.54)
DPI = 150
#: Where a Chinese face is looked for when RL_CHART_FONT is not set, in this order.
FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSansSC-Regular.otf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
#: The dashboard's colours (ECharts' default palette), so a chart looks the same on
#: paper as on the screen.
COLOURS = (
    "#5470c6",
    "#91cc75",
    "#fac858",
    "#ee6666",
    "#73c0de",
    "#3ba272",
    "#fc8452",
    "#9a60b4",
    "#ea7ccc",
)


def font_path() -> str | None:
    """The file of the charts' Chinese face: settings.RL_CHART_FONT, else the first
    candidate that exists; None when there is none (text in CJK then shows as boxes)."""
    configured = getattr(settings, "RL_CHART_FONT", "")
    if configured:
        return configured
    return next((path for path in FONT_CANDIDATES if Path(path).is_file()), None)


def _matplotlib():
    """Import matplotlib on first use, with its cache under RL_VAR_DIR and Agg."""
    if "MPLCONFIGDIR" not in os.environ:
        var = getattr(settings, "VAR_DIR", None)
        folder = Path(var) / "matplotlib" if var else Path(tempfile.gettempdir()) / "rl-mpl"
        folder.mkdir(parents=True, exist_ok=True)
        os.environ["MPLCONFIGDIR"] = str(folder)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontProperties

    return Figure, FigureCanvasAgg, FontProperties


def _new_figure():
    Figure, FigureCanvasAgg, FontProperties = _matplotlib()
    figure = Figure(figsize=FIGSIZE_IN, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    path = font_path()

    def font(size: float) -> "FontProperties":
        return FontProperties(fname=path, size=size) if path else FontProperties(size=size)

    return figure, font


def _png(figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _colours(colours: list[str] | None, count: int) -> list[str]:
    palette = list(colours) if colours else list(COLOURS)
    return [palette[i % len(palette)] for i in range(count)]


def bar_chart(
    title: str,
    categories: list[str],
    series: list[tuple[str, list[float]]],
    *,
    stacked: bool = False,
    colours: list[str] | None = None,
    unit: str = "",
) -> bytes:
    """A bar chart as PNG bytes: one group of bars per category, one bar per series
    (side by side, or one on another when `stacked`), a legend when there are several
    series, `unit` on the value axis."""
    figure, font = _new_figure()
    axes = figure.add_subplot()
    positions = list(range(len(categories)))
    fills = _colours(colours, len(series))
    width = 0.8 if stacked or not series else 0.8 / len(series)
    bottoms = [0.0] * len(categories)
    for index, ((name, values), colour) in enumerate(zip(series, fills, strict=True)):
        values = [float(v or 0) for v in values]
        if stacked:
            axes.bar(positions, values, width, bottom=bottoms, label=name, color=colour)
            bottoms = [b + v for b, v in zip(bottoms, values, strict=True)]
        else:
            offset = (index - (len(series) - 1) / 2) * width
            axes.bar([p + offset for p in positions], values, width, label=name, color=colour)
    axes.set_xticks(positions)
    axes.set_xticklabels(categories, fontproperties=font(9))
    if len(categories) > 6:
        for label in axes.get_xticklabels():
            label.set_rotation(30)
            label.set_horizontalalignment("right")
    for label in axes.get_yticklabels():
        label.set_fontproperties(font(9))
    if unit:
        axes.set_ylabel(unit, fontproperties=font(10))
    axes.set_title(title, fontproperties=font(13))
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.grid(True, color="#e0e0e0", linewidth=0.6)
    axes.set_axisbelow(True)
    if len(series) > 1:
        axes.legend(prop=font(9), frameon=False)
    return _png(figure)


def pie_chart(
    title: str,
    labels: list[str],
    values: list[float],
    *,
    colours: list[str] | None = None,
) -> bytes:
    """A pie chart as PNG bytes: one slice per label with its share in per cent."""
    figure, font = _new_figure()
    axes = figure.add_subplot()
    values = [float(v or 0) for v in values]
    if sum(values) > 0:
        _wedges, texts, shares = axes.pie(
            values,
            labels=labels,
            colors=_colours(colours, len(values)),
            autopct="%1.1f%%",
            startangle=90,
            counterclock=False,
            wedgeprops={"linewidth": 1, "edgecolor": "white"},
        )
        for text in texts:
            text.set_fontproperties(font(10))
        for text in shares:
            text.set_fontproperties(font(9))
        axes.set_aspect("equal")
    else:
        axes.set_axis_off()
    axes.set_title(title, fontproperties=font(13))
    return _png(figure)
