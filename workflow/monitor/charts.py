"""Bars for the server-drawn SVG charts: sized here, drawn by templates/monitor/_charts.html."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 100.0  # bars are drawn in percent of the chart's width


@dataclass
class Bar:
    label: str
    value: float
    width: float
    text: str


def bars(rows: list[tuple[str, float]], unit: str = "") -> list[Bar]:
    """Scale values to bar widths, the longest bar filling the chart."""
    top = max((v for _l, v in rows), default=0) or 1
    return [
        Bar(label, value, round(WIDTH * value / top, 1), f"{value:g}{unit}")
        for label, value in rows
    ]
