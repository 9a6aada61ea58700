"""Charts drawn by the server as inline SVG: no chart library, nothing to build, readable without script.

``bar_chart([("label", value), ...], title="...")`` gives horizontal bars, one per label, scaled to the
largest value, each with its value written out; the SVG has ``role="img"`` and its title as accessible
name.  Labels are escaped.
"""
from __future__ import annotations

from markupsafe import Markup, escape

ROW_HEIGHT, LABEL_WIDTH, BAR_WIDTH, VALUE_WIDTH = 22, 180, 360, 110


def bar_chart(bars: list[tuple[str, float]], title: str, unit: str = "") -> Markup:
    """One horizontal bar per ``(label, value)``; an empty list gives an empty string."""
    if not bars:
        return Markup("")
    largest = max((value for _label, value in bars), default=0) or 1
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = ROW_HEIGHT * len(bars) + 8
    rows = [_bar_row(index, label, value, largest, unit) for index, (label, value) in enumerate(bars)]
    return Markup(
        f'<svg class="chart" role="img" aria-label="{escape(title)}" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        f'{"".join(rows)}</svg>')


def _bar_row(index: int, label: str, value: float, largest: float, unit: str) -> str:
    y = index * ROW_HEIGHT + 4
    length = max(1.0, BAR_WIDTH * max(value, 0) / largest)
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return (f'<text x="{LABEL_WIDTH - 6}" y="{y + 14}" text-anchor="end" font-size="12">{escape(_short(label))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{length:.1f}" height="{ROW_HEIGHT - 6}" rx="2" '
            f'fill="#0172ad"/>'
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + 14}" font-size="12">{escape(text)}{escape(unit)}</text>')


def _short(label: str, limit: int = 28) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1] + "…"
