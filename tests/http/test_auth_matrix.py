"""Every route of every installed addon x anonymous / public / user / admin: nothing succeeds that should not.

*public* is a visitor whose session was logged out (its old cookie replayed);
*user* is ``demo`` (internal user); *admin* is in ``base.group_system``.
A route is *reached* when the answer is not an authentication refusal; the
refusals are: login required (JSON-RPC code 100, HTTP 401), group required
(AccessError naming the group, HTTP 403) and missing CSRF token (HTTP 400).
An ``auth='none'`` route answering 401 was reached: it refused a service credential of its own.
"""
import json

from server.testing_http import all_rules, sample_url

IDENTITIES = ("anonymous", "public", "user", "admin")
LOGINS = {"user": ("demo", "demo"), "admin": ("admin", "admin")}


def client_as(live, identity: str):
    client = live.client()
    if identity == "public":
        client.authenticate(live.db, "demo", "demo")
        cookie = client.http.cookies["session_id"]
        client.result("/web/session/destroy")
        client.http.cookies.set("session_id", cookie)
    elif identity in LOGINS:
        client.authenticate(live.db, *LOGINS[identity])
    return client


def member_of(live, identity: str, groups: str) -> bool:
    if identity not in LOGINS:
        return False
    with live.registry().cursor() as cr:
        from server.orm.environment import SUPERUSER_ID, Environment

        env = Environment(cr, SUPERUSER_ID, {})
        user = env["res.users"].search([("login", "=", LOGINS[identity][0])])
        return any(user.has_group(group.strip()) for group in groups.split(","))


def http_method(rule) -> str:
    return "POST" if not rule.methods or "POST" in rule.methods else "GET"


def expected(live, rule, identity: str) -> str:
    routing = rule.endpoint.routing
    if routing["auth"] == "user" and identity not in LOGINS:
        return "login"
    if routing.get("groups") and not member_of(live, identity, routing["groups"]):
        return "group"
    if routing["type"] == "http" and http_method(rule) == "POST" and routing.get("csrf", True) \
            and identity in LOGINS:
        return "csrf"
    return "reached"


def outcome(rule, response) -> str:
    if rule.endpoint.routing["type"] == "json":
        error = response.json().get("error") or {}
        if error.get("code") == 100:
            return "login"
        message = (error.get("data") or {}).get("message", "")
        return "group" if "reserved to members of" in message else "reached"
    if response.headers.get("Location", "").startswith("/web/login"):
        return "login"
    if response.status_code == 401:
        # an auth='none' route that checks a service credential of its own (a signature, a bearer token)
        # was reached: the refusal is the route's, not the framework's
        return "reached" if rule.endpoint.routing["auth"] == "none" else "login"
    if response.status_code == 403 and "reserved to members of" in response.text:
        return "group"
    if response.status_code == 400 and "CSRF" in response.text:
        return "csrf"
    return "reached"


def call(client, rule):
    url = client.url + sample_url(rule)
    if rule.endpoint.routing["type"] == "json":
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "params": {}, "id": 1})
        return client.http.post(url, data=body, headers={"Content-Type": "application/json"}, timeout=30)
    return client.http.request(http_method(rule), url, allow_redirects=False, timeout=30)


def still_logged_in(client) -> bool:
    return "error" not in client.call("/web/session/check")


def test_auth_matrix(all_addons_server):
    live = all_addons_server
    rules = all_rules(live)
    assert len(rules) > 30
    mismatches, cells = [], 0
    for identity in IDENTITIES:
        client = client_as(live, identity)
        for rule in rules:
            if identity in LOGINS and not still_logged_in(client):  # the previous route logged out
                client = client_as(live, identity)
            response = call(client, rule)
            got, want = outcome(rule, response), expected(live, rule, identity)
            cells += 1
            if got != want:
                mismatches.append(f"{rule.rule} as {identity}: {got}, expected {want} "
                                  f"({response.status_code} {response.text[:120]})")
    assert not mismatches, "\n".join(mismatches)
    assert cells == len(rules) * len(IDENTITIES)


def test_matrix_refusals_do_happen(all_addons_server):
    """The matrix would be vacuous if no route needed a login, a group or a token."""
    rules = all_rules(all_addons_server)
    wanted = {expected(all_addons_server, rule, identity) for rule in rules for identity in IDENTITIES}
    assert {"login", "group", "csrf", "reached"} <= wanted
