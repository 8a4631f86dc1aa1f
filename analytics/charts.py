"""The report's charts (matplotlib, no display): large type, value labels, readable in black and white."""

from __future__ import annotations

import io
from collections.abc import Sequence

from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

COLORS = ("#1f4e79", "#e07b00", "#2e8b57", "#b22222", "#6a3d9a", "#8c564b", "#4d4d4d")
HATCHES = ("", "//", "..", "xx", "\\\\", "--", "++")
DPI = 150


def _figure(width: float = 9.0, height: float = 4.2) -> Figure:
    figure = Figure(figsize=(width, height), dpi=DPI)
    figure.set_layout_engine("tight")
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _style(axes) -> None:  # noqa: ANN001 - a matplotlib Axes
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=9)
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def _counts_chart(figure: Figure, axes, title: str, ylabel: str, series: int) -> bytes:  # noqa: ANN001
    """Title, whole-number axis, legend above the data, house style; the chart as PNG."""
    axes.set_title(title, fontsize=12)
    axes.set_ylabel(ylabel)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0, top=max(1.0, axes.get_ylim()[1]) * 1.2)  # room for the legend above the data
    axes.legend(fontsize=8, ncols=min(6, max(1, series)), loc="upper left", frameon=False)
    _style(axes)
    return _png(figure)


def stacked_bars(labels: Sequence[str], series: dict[str, Sequence[float]], title: str, ylabel: str,
                 totals: Sequence[float | None] | None = None) -> bytes:
    """Bars per label, stacked by series (e.g. conversations per month by municipality)."""
    figure = _figure()
    axes = figure.add_subplot()
    bottom = [0.0] * len(labels)
    for index, (name, values) in enumerate(series.items()):
        axes.bar(labels, values, bottom=bottom, label=name, color=COLORS[index % len(COLORS)],
                 hatch=HATCHES[index % len(HATCHES)], edgecolor="white", linewidth=0.5)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    for position, total in enumerate(totals or []):
        if total:
            axes.annotate(f"{total:.0f}", (position, bottom[position]), ha="center", va="bottom", fontsize=8,
                          xytext=(0, 2), textcoords="offset points")
    return _counts_chart(figure, axes, title, ylabel, len(series))


def lines(labels: Sequence[str], series: dict[str, Sequence[float | None]], title: str, ylabel: str) -> bytes:
    figure = _figure()
    axes = figure.add_subplot()
    markers = "osD^vP*"
    for index, (name, values) in enumerate(series.items()):
        points = [float("nan") if value is None else value for value in values]
        axes.plot(range(len(labels)), points, label=name, color=COLORS[index % len(COLORS)],
                  marker=markers[index % 7], linewidth=1.8)
    axes.set_xticks(range(len(labels)), labels)  # every month on the axis, also those without figures
    return _counts_chart(figure, axes, title, ylabel, len(series))


def horizontal_bars(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str,
                    value_format: str = "{:.0f}") -> bytes:
    figure = _figure(height=max(2.2, 0.45 * len(labels) + 1.2))
    axes = figure.add_subplot()
    bars = axes.barh(list(labels)[::-1], list(values)[::-1], color=COLORS[0])
    axes.bar_label(bars, labels=[value_format.format(value) for value in list(values)[::-1]], fontsize=8, padding=2)
    axes.set_title(title, fontsize=12)
    axes.set_xlabel(xlabel)
    _style(axes)
    axes.grid(axis="y", visible=False)
    return _png(figure)


def grouped_bars(groups: Sequence[str], series: dict[str, Sequence[float]], title: str, ylabel: str,
                 value_format: str = "{:.0f}", label_zeros: bool = True) -> bytes:
    """One group per label (e.g. municipality), one bar per series (e.g. funnel step); room above the
    bars for the legend. ``label_zeros=False``: no value over an empty bar (e.g. months without figures)."""
    figure = _figure()
    axes = figure.add_subplot()
    width = 0.8 / max(1, len(series))
    for index, (name, values) in enumerate(series.items()):
        positions = [number + (index - (len(series) - 1) / 2) * width for number in range(len(groups))]
        bars = axes.bar(positions, values, width, label=name, color=COLORS[index % len(COLORS)],
                        hatch=HATCHES[index % len(HATCHES)], edgecolor="white", linewidth=0.5)
        axes.bar_label(bars, labels=[value_format.format(value) if value or label_zeros else "" for value in values],
                       fontsize=7, padding=1)
    axes.set_xticks(range(len(groups)), groups)
    axes.set_ylim(bottom=0, top=max(1.0, axes.get_ylim()[1]) * 1.2)
    axes.set_title(title, fontsize=12)
    axes.set_ylabel(ylabel)
    axes.legend(fontsize=8, ncols=min(6, max(1, len(series))), loc="upper right", frameon=False)
    _style(axes)
    return _png(figure)
