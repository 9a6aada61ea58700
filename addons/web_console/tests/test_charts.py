"""Server-drawn SVG charts: bars scale to the largest value, labels are escaped."""
import re

from odoo.addons.web_console.charts import BAR_WIDTH, bar_chart


def test_bars_scale_to_the_largest_value_and_labels_are_escaped():
    svg = str(bar_chart([("<b>big</b>", 200), ("half", 100)], "Per program"))
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths == [BAR_WIDTH, BAR_WIDTH / 2]
    assert "&lt;b&gt;big&lt;/b&gt;" in svg and "<b>" not in svg
    assert 'role="img" aria-label="Per program"' in svg


def test_no_bars_no_chart():
    assert str(bar_chart([], "Nothing")) == ""
