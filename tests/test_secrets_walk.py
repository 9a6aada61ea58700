"""No secret reaches a portal or an internal (demo) user, whatever they call.

On a server with every addon and its demo data, the known secrets are collected as the superuser first:
secret system parameters (service keys, API credentials, ``database.secret``), IAP account tokens (client
and platform side), API keys and their hashes, password hashes, and the admin's session cookie.  Then, as a
portal user and as ``demo``, the walk calls every method of every model that the RPC dispatcher lets
through (``execute_kw`` over HTTP: the ORM's, addons' public methods), with plausible arguments (no
arguments, the ids of existing records, every field name), and GETs or POSTs every route.  No answer,
error message or log line may contain any of the secrets.

Each user walks once, the portal user on SQLite and ``demo`` on PostgreSQL (with ``--backend``, both
on the backend chosen): each backend's error texts are walked (PostgreSQL's name a duplicate key's
value), and a walk, some 4,000 calls, costs a minute and a half.
"""
from __future__ import annotations

import contextlib
import inspect
import json
import logging

import pytest

from server.orm.environment import SUPERUSER_ID, Environment
from server.service.model import check_method_name, method_api
from server.testing_http import all_rules, sample_url

PORTAL = ("portal_walker", "portal_walker")
DEMO = ("demo", "demo")
SMT_API_KEY = "smt-walk-api-key-5f1c0e9a"
MIN_SECRET_LENGTH = 8
# Calls that would end the session the walk runs in, or that only wait: called last, or not at all.
LAST = ("unlink", "revoke")
# Sample values for a model method's parameters, by name (anything else: left out).
SAMPLES = {"service_name": "book_isbn", "name": "", "domain": [], "args": [], "isbn": "9780743273565",
           "credit": 1, "base_url": "", "key": "not-a-key", "token": "iaptx_" + "0" * 32}


@contextlib.contextmanager
def superuser(live):
    with live.registry().cursor() as cr:
        yield Environment(cr, SUPERUSER_ID, {})


@pytest.fixture
def walk_server(db_backend, live_server_factory):
    live = live_server_factory.for_addons(db_backend, ("all",), fresh=True)
    with superuser(live) as env:
        params = env["ir.config_parameter"]
        for key in ("iap.endpoint", "iap_client.endpoint", "web.base.url"):
            params.set_param(key, live.url)  # never another server of this machine on :8069
        params.set_param("tcm_smt.api_key", SMT_API_KEY)
        portal = env.ref("base.group_portal")
        env["res.users"].create({"name": "Portal Walker", "login": PORTAL[0], "password": PORTAL[1],
                                 "groups_id": [(6, 0, [portal.id])]})
    yield live
    live.stop()


def collect_secrets(live) -> set[str]:
    """Every secret value of the database, read as the superuser (and the admin's new API key and session)."""
    client = live.client()
    admin = client.authenticate(live.db, "admin", "admin")
    found = {client.http.cookies["session_id"]}
    found.add(client.execute_kw(live.db, admin["uid"], "admin", "res.users.apikeys", "generate", "walk key"))
    with superuser(live) as env:
        params = env["ir.config_parameter"]
        found |= {param.value for param in params.search([]) if params._is_secret_key(param.key)}
        found |= set(env["iap.account"].search([]).mapped("account_token"))
        if "iap.platform.account" in env:
            found |= set(env["iap.platform.account"].search([]).mapped("token"))
        rows = env.cr.execute("SELECT password FROM res_users WHERE password IS NOT NULL").fetchall()
        found |= {row[0] for row in rows}
        found |= {row[0] for row in env.cr.execute("SELECT key_hash FROM res_users_apikeys").fetchall()}
    found = {value for value in found if isinstance(value, str) and len(value) >= MIN_SECRET_LENGTH}
    assert "iapk_demo_book_isbn_key" in found and "demo-isbn-client-token" in found and SMT_API_KEY in found
    return found


def leaks(text: str, secrets: set[str]) -> list[str]:
    return [secret[:6] + "..." for secret in secrets if secret in text]


class Walker:
    """One user's session, recording every answer that contains a secret."""

    def __init__(self, live, login: tuple[str, str] | None, secrets: set[str]):
        self.live, self.secrets, self.password = live, secrets, login[1] if login else ""
        self.client = live.client()
        self.uid = self.client.authenticate(live.db, *login)["uid"] if login else None
        self.found: list[str] = []
        self.calls = 0

    def execute_kw(self, model: str, method: str, args: list, kwargs: dict | None = None) -> None:
        envelope = self.client.call("/jsonrpc", {"service": "object", "method": "execute_kw",
                                                 "args": [self.live.db, self.uid, self.password, model, method,
                                                          args, kwargs or {}]})
        self.check(f"{model}.{method}{tuple(args)!r:.80}", json.dumps(envelope))

    def check(self, what: str, text: str) -> None:
        self.calls += 1
        leaked = leaks(text, self.secrets)
        if leaked:
            self.found.append(f"{what}: {leaked}")


def callable_methods(env, model_name: str) -> list[str]:
    """The methods of ``model_name`` the RPC dispatcher lets through, destructive ones last."""
    model = env[model_name]
    names = []
    for name in dir(type(model)):
        try:
            check_method_name(model, name)
        except (AccessError_, AttributeError):
            continue
        names.append(name)
    return sorted(names, key=lambda name: (name in LAST, name))


AccessError_ = Exception  # check_method_name raises the framework's AccessError; any refusal skips the name


def plausible_calls(env, model_name: str, name: str, ids: list[int]) -> list[tuple[list, dict]]:
    """Argument lists for ``model_name.name``: bare, with ids, with every field name, with sample values."""
    model = env[model_name]
    fields = [field for field in model._fields if field != "id"]
    api = method_api(type(model), name)
    if name in ("read", "name_get", "exists"):
        return [([ids], {}), ([ids, fields], {})] if name == "read" else [([ids], {})]
    if name == "search_read":
        return [([[]], {}), ([[], fields], {})]
    if name == "default_get":
        return [([fields], {})]
    if name == "fields_get":
        return [([], {})]
    if name == "name_search":
        return [([""], {})]
    if name == "create":
        return [([{}], {})]
    if api in ("model", "model_create"):
        return [([], {}), (sample_arguments(getattr(model, name)), {})]
    calls = [([ids], {})]
    if name in ("write", "onchange"):
        calls.append(([ids, {}], {}))
    return calls


def sample_arguments(method) -> list:
    """Positional sample values for the parameters of ``method`` that have a sample, in order."""
    values = []
    for parameter in list(inspect.signature(method).parameters.values()):
        if parameter.kind not in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            break
        if parameter.name in SAMPLES:
            values.append(SAMPLES[parameter.name])
        elif parameter.name in ("fields", "fields_list", "allfields"):
            values.append([])
        else:
            break
    return values


def walk_models(walker: Walker) -> None:
    with superuser(walker.live) as env:
        params = env["ir.config_parameter"]
        secret_keys = sorted(params._secret_parameter_keys())
        plan = []
        for model_name in sorted(env.registry.models):
            model = env[model_name]
            ids = model.with_context(active_test=False).search([], limit=3, order="id").ids \
                if model._table_model is not None else [1]
            for name in callable_methods(env, model_name):
                plan.extend((model_name, name, args, kwargs)
                            for args, kwargs in plausible_calls(env, model_name, name, ids))
    for model_name, name, args, kwargs in plan:
        walker.execute_kw(model_name, name, args, kwargs)
    for key in secret_keys:  # asked for by name, too
        walker.execute_kw("ir.config_parameter", "get_param", [key])
        walker.execute_kw("ir.config_parameter", "search_read", [[("key", "=", key)]])


def walk_routes(walker: Walker) -> None:
    for rule in all_rules(walker.live):
        url = walker.client.url + sample_url(rule)
        if rule.endpoint.routing["type"] == "json":
            response = walker.client.http.post(url, json={"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1},
                                               timeout=60)
        else:
            method = "GET" if not rule.methods or "GET" in rule.methods else "POST"
            response = walker.client.http.request(method, url, allow_redirects=False, timeout=60)
        walker.check(f"{rule.rule}", response.text + json.dumps(dict(response.headers)))


WALKERS = {"sqlite": PORTAL, "postgresql": DEMO}


@pytest.mark.parametrize("login", [PORTAL, DEMO], ids=["portal", "demo"])
def test_no_secret_in_any_answer(db_backend, login, request, caplog):
    if request.config.getoption("--backend") == "all" and WALKERS[db_backend] != login:
        pytest.skip(f"{login[0]} walks on the other backend (one walk per user and per backend)")
    walk_server = request.getfixturevalue("walk_server")
    secrets = collect_secrets(walk_server)
    caplog.clear()
    walker = Walker(walk_server, login, secrets)
    with caplog.at_level(logging.INFO):
        walk_models(walker)
        walk_routes(walker)
    assert walker.calls > 500  # the walk did walk
    log_leaks = [record.getMessage()[:200] for record in caplog.records if leaks(record.getMessage(), secrets)]
    assert walker.found == [] and log_leaks == []


def test_no_secret_in_any_route_for_an_anonymous_visitor(walk_server, caplog):
    secrets = collect_secrets(walk_server)
    caplog.clear()
    walker = Walker(walk_server, None, secrets)
    with caplog.at_level(logging.INFO):
        walk_routes(walker)
    log_leaks = [record.getMessage()[:200] for record in caplog.records if leaks(record.getMessage(), secrets)]
    assert walker.calls > 20 and walker.found == [] and log_leaks == []
