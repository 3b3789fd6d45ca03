"""The digest's chart: co-working health over 12 weeks as a PNG, drawn with matplotlib's Agg backend
(no display, safe in a server and a thread: one Figure per call, never pyplot's global state)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # before anything else of matplotlib is imported: no display is ever needed

from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from bot.digest.rules import Week, shares  # noqa: E402

STYLES = ("o-", "s--", "^:")  # told apart by marker and line as well as colour


def render_png(series: list[Week], *, cases: int) -> bytes:
    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    labels = [f"{w.starts:%d %b}" for w in series]
    positions = list(range(len(series)))
    for (name, values), style in zip(shares(series).items(), STYLES, strict=True):
        points = [(x, y) for x, y in zip(positions, values, strict=True) if y is not None]
        axes.plot([x for x, _ in points], [y for _, y in points], style, label=name)
    axes.set_ylim(0, 105)
    axes.set_ylabel("% of what was due")
    axes.set_xticks(positions, labels, rotation=45, ha="right", fontsize=8)
    axes.set_title(
        f"Co-working health across your {cases} case{'' if cases == 1 else 's'}, last {len(series)} weeks"
    )
    axes.grid(axis="y", alpha=0.3)
    if not any(v is not None for values in shares(series).values() for v in values):
        axes.text(
            0.5, 0.5, "Nothing was due in these weeks", ha="center", va="center", transform=axes.transAxes
        )
    else:
        axes.legend(loc="lower left", fontsize=8)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
