"""The seed's score rule on a table of RISKREPQ samples, malformed ones included."""
import pytest
from odoo.addons.transfer_analysis.tools.risk import read_risk, summary


def _answer(first):
    return {"Data": {"RISKREPQ": [first, "ignored;99"]}}


@pytest.mark.parametrize("payload, risk, problem", [
    (_answer("12;34;56"), 56, None),                     # the last ;-separated value
    (_answer("56"), 56, None),                           # a single value
    (_answer(" 3 ; 40 "), 40, None),                     # spaces around the value
    (_answer("10;2"), 5, None),                          # clamped up to 5
    (_answer("1;99"), 95, None),                         # clamped down to 95
    (_answer("5"), 5, None),
    (_answer("95"), 95, None),
    (_answer("-20"), 5, None),
    (_answer("12;abc"), 60, "not an integer"),          # unparsable value: 60
    (_answer("12;45.5"), 60, "not an integer"),         # the seed's int() refuses decimals
    (_answer("12;"), 60, "not an integer"),             # empty last value
    (_answer(""), 60, "not an integer"),
    (_answer(57), 60, "not an integer"),                # not a string
    ({"Data": {"RISKREPQ": []}}, 60, "no RISKREPQ"),
    ({"Data": {"RISKREPQ": "12;34"}}, 60, "no RISKREPQ"),  # not a list
    ({"Data": {}}, 60, "no RISKREPQ"),
    ({"Data": None}, 60, "no Data"),
    ({}, 60, "no Data"),
    ([1, 2], 60, "no Data"),
    (None, 60, "not JSON"),                              # the answer was not JSON at all
])
def test_risk_rule(payload, risk, problem):
    reading = read_risk(payload)
    assert reading.risk == risk
    assert reading.score == 100 - risk
    assert (reading.problem is None) if problem is None else problem in reading.problem


def test_summary_joins_scores_with_pipes():
    assert summary([44, 95, 40]) == "44|95|40"
    assert summary([]) == ""
