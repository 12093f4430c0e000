"""Bar charts drawn on the server with ReportLab's graphics, so the same drawing goes
into a web page (as SVG) and into a PDF. Every chart is shown with a table of its
numbers beside it: the chart is for the eye, the table is the record."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors

from mend.agreements.documents.pdf import FONT, register_fonts

# USWDS blue-60v and base-darkest: at least 4.5:1 against white.
BAR = colors.HexColor("#005ea2")
INK = colors.HexColor("#1b1b1b")
ROW = 22
WIDTH = 520
# Series of a grouped chart: USWDS blue, gold, green, red, violet, cyan, gray (dark
# shades, each at least 3:1 against white).
SERIES = [
    colors.HexColor(code)
    for code in ("#005ea2", "#936f38", "#4d8055", "#b50909", "#5e519e", "#00687d", "#565c65")
]


def bar_chart(labels: Sequence[str], values: Sequence[float | None]) -> Drawing:
    """One horizontal bar per label; a value of None (suppressed) draws no bar."""
    register_fonts()
    count = max(len(labels), 1)
    height = ROW * count + 40
    drawing = Drawing(WIDTH, height)
    chart = HorizontalBarChart()
    chart.x, chart.y = 170, 20
    chart.width, chart.height = WIDTH - 200, ROW * count
    # Top to bottom in the order given.
    chart.data = [[value or 0 for value in reversed(values)] or [0]]
    chart.categoryAxis.categoryNames = [_short(label) for label in reversed(labels)] or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.strokeColor = INK
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 9
    chart.valueAxis.labels.fillColor = INK
    chart.valueAxis.strokeColor = INK
    chart.valueAxis.forceZero = True
    if not any(values):
        chart.valueAxis.valueMax = 1
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def grouped_bar_chart(
    categories: Sequence[str], series: Sequence[str], values: Sequence[Sequence[float | None]]
) -> Drawing:
    """One group of bars per category (a quarter), one bar per series (a value of the
    breakdown), with a legend; `values[s][c]` is series s in category c, None (suppressed)
    draws no bar."""
    register_fonts()
    legend_rows = max(len(series), 1)
    height = 220 + 14 * legend_rows
    drawing = Drawing(WIDTH, height)
    chart = VerticalBarChart()
    chart.x, chart.y = 40, 30 + 14 * legend_rows
    chart.width, chart.height = WIDTH - 60, 170
    chart.data = [[value or 0 for value in row] for row in values] or [[0]]
    chart.categoryAxis.categoryNames = [_short(c, 12) for c in categories] or [""]
    for axis in (chart.categoryAxis, chart.valueAxis):
        axis.labels.fontName = FONT
        axis.labels.fontSize = 8
        axis.labels.fillColor = INK
        axis.strokeColor = INK
    chart.valueAxis.valueMin = 0
    chart.valueAxis.forceZero = True
    if not any(value for row in values for value in row):
        chart.valueAxis.valueMax = 1
    for index in range(len(values)):
        chart.bars[index].fillColor = SERIES[index % len(SERIES)]
        chart.bars[index].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = 40, 14 * legend_rows + 4
    legend.fontName = FONT
    legend.fontSize = 8
    legend.fillColor = INK
    legend.alignment = "right"
    legend.columnMaximum = legend_rows
    legend.colorNamePairs = [
        (SERIES[index % len(SERIES)], _short(name, 50)) for index, name in enumerate(series)
    ]
    drawing.add(legend)
    return drawing


def as_image_source(drawing: Drawing) -> str:
    """The drawing as an SVG data address for an <img> (the page's content policy keeps
    inline styles out of the page itself, not out of an image)."""
    svg = renderSVG.drawToString(drawing)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
