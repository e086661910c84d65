"""The statistics picture: calls per day (answered, abandoned, automated, stacked) and the
share answered within 30 s, as a PNG that reads on a phone.

matplotlib's object API on the Agg canvas: a ``Figure`` of our own, no pyplot and so no
global state, safe in a worker thread (callers run :func:`render_chart` in one: drawing
takes tens of milliseconds and must not hold the event loop). Every text arrives
translated; this module only draws.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

# colours told apart by colour-blind readers too (Okabe–Ito)
ANSWERED, ABANDONED, AUTOMATED, WITHIN = "#009E73", "#D55E00", "#999999", "#0072B2"


@dataclass(frozen=True, slots=True)
class ChartLabels:
    """The translated texts of the picture."""

    title: str
    answered: str
    abandoned: str
    automated: str
    within_30: str  # the line's legend and its axis
    calls: str  # the bars' axis
    percent: Callable[[float], str]  # 50 -> "50%" / "50 %"


@dataclass(frozen=True, slots=True)
class ChartDay:
    label: str  # the day as the reader's locale writes it
    answered: int
    abandoned: int
    automated: int
    within_30_share: float | None  # 0..100, None when nothing was answered that day


def render_chart(days: list[ChartDay], labels: ChartLabels, path: Path) -> None:
    """Draw ``days`` into a PNG at ``path`` (900 × 560 px: a phone's screen, turned)."""
    fig = Figure(figsize=(9, 5.6), dpi=100)
    # fixed margins: a layout engine would measure every text on each draw (slow)
    fig.subplots_adjust(left=0.08, right=0.9, top=0.92, bottom=0.2)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    _stacked_bars(ax, days, labels)
    ax.set_ylabel(labels.calls, fontsize=12)
    # few ticks: each is a set of artists to build and draw, and 5 read better on a phone
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
    x = list(range(len(days)))
    step = max(1, len(days) // 8)  # at most about 8 dates: readable at phone size
    ax.set_xticks(x[::step], [d.label for d in days][::step], fontsize=11)
    ax.set_xlim(-0.6, max(len(days), 1) - 0.4)
    ax.tick_params(axis="y", labelsize=11)
    # a title at a given height: matplotlib then skips measuring the axes to place it
    ax.set_title(labels.title, fontsize=15, y=1.01)

    share = ax.twinx()
    (line,) = share.plot(
        x,
        [float("nan") if d.within_30_share is None else d.within_30_share for d in days],
        color=WITHIN,
        marker="o",
        markersize=4,
        linewidth=2,
    )
    share.set_ylim(0, 105)
    share.set_yticks([0, 25, 50, 75, 100])
    share.yaxis.set_major_formatter(FuncFormatter(lambda v, _: labels.percent(v)))
    share.set_ylabel(labels.within_30, fontsize=12, color=WITHIN)
    share.tick_params(axis="y", labelsize=11, colors=WITHIN)

    handles = [Patch(color=c) for c in (ANSWERED, ABANDONED, AUTOMATED)] + [line]
    names = [labels.answered, labels.abandoned, labels.automated, labels.within_30]
    fig.legend(handles, names, loc="lower center", ncols=4, fontsize=11, frameon=False)
    # zlib at its fastest: a fifth larger file (about 100 kB), a quarter less time
    fig.savefig(path, format="png", pil_kwargs={"compress_level": 1})


def _stacked_bars(ax: Axes, days: list[ChartDay], labels: ChartLabels) -> None:
    """The three stacked series, each drawn as one collection of rectangles (a bar
    artist per day and series cost more than the rest of the picture together)."""
    width = 0.4  # half a bar
    bottoms = [0] * len(days)
    for colour, field in (
        (ANSWERED, "answered"),
        (ABANDONED, "abandoned"),
        (AUTOMATED, "automated"),
    ):
        rects = []
        for n, day in enumerate(days):
            lo, hi = bottoms[n], bottoms[n] + getattr(day, field)
            rects.append([(n - width, lo), (n - width, hi), (n + width, hi), (n + width, lo)])
            bottoms[n] = hi
        ax.add_collection(PolyCollection(rects, facecolors=colour, linewidths=0))
    ax.set_ylim(0, max([*bottoms, 1]) * 1.05)
