"""Hypothesis-generated malformed bodies against every json route: never HTTP 500, never a traceback.

Each generated body goes to every ``type='json'`` route of a database with
every addon installed, as an anonymous visitor or as the administrator.
Every answer must be HTTP 200, ``application/json``, a JSON-RPC 2.0 envelope
whose errors carry ``data.message`` and an empty ``data.debug``.

``EXAMPLES`` bodies per backend (each goes to some thirty routes): the two backends together see twice
as many different bodies as one, for the minute and a half each takes.
"""
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from server.testing_http import all_rules, sample_url

EXAMPLES = 100
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
PARAM_NAMES = st.sampled_from(["db", "login", "password", "model", "method", "args", "kwargs", "context", "service",
                               "path", "name", "ref", "note", "base_location", "self"]) | st.text(max_size=12)
PARAMS = st.dictionaries(PARAM_NAMES, VALUES, max_size=5)
ENVELOPES = st.fixed_dictionaries(
    {"jsonrpc": st.sampled_from(["2.0", "2.0", "1.0", 2]) | SCALARS},
    optional={"method": st.just("call") | SCALARS, "params": PARAMS | VALUES, "id": SCALARS | VALUES,
              "extra": VALUES})
BODIES = st.one_of(
    st.binary(max_size=300),
    VALUES.map(json.dumps),
    ENVELOPES.map(json.dumps),
    st.tuples(ENVELOPES.map(json.dumps), st.integers(0, 80)).map(lambda pair: pair[0][:pair[1]]),
    st.lists(ENVELOPES, min_size=1, max_size=3).map(json.dumps),
    st.sampled_from(['{"jsonrpc": "2.0", "method": "call", "params": {"a": NaN}, "id": 1}', "[" * 5000,
                     '{"jsonrpc": "2.0", "method": "call", "params": {"x": 1' + "0" * 5000 + "}, \"id\": 1}",
                     '{"jsonrpc": "2.0", "method": "call", "params": {"\\ud800": "\\udfff"}, "id": "\\ud800"}',
                     b'\xff\xfe{"jsonrpc": "2.0"}']),
)


def check_answer(rule, response) -> None:
    where = f"{rule.rule}: {response.status_code} {response.text[:300]}"
    assert response.status_code == 200, where
    assert response.headers["Content-Type"] == "application/json; charset=utf-8", where
    assert "Traceback" not in response.text, where
    payload = response.json()
    assert payload["jsonrpc"] == "2.0" and "id" in payload, where
    if "error" in payload:
        data = payload["error"]["data"]
        assert isinstance(data["message"], str) and data["message"], where
        assert data["debug"] == "" and isinstance(data["name"], str), where


def test_malformed_bodies_never_break_a_json_route(all_addons_server):
    live = all_addons_server
    routes = [rule for rule in all_rules(live) if rule.endpoint.routing["type"] == "json"]
    assert len(routes) >= 20
    anonymous, admin = live.client(), live.client()
    admin.authenticate(live.db, "admin", "admin")
    sent = []

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    @given(body=BODIES, as_admin=st.booleans())
    def battery(body, as_admin):
        client = admin if as_admin else anonymous
        for rule in routes:
            check_answer(rule, client.post(sample_url(rule), body))
        sent.append(body)
        if as_admin and "error" in admin.call("/web/session/check"):  # a body logged the admin out
            admin.authenticate(live.db, "admin", "admin")

    battery()
    assert len(sent) >= EXAMPLES
