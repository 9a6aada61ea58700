"""Addons: the list with state and version; install, upgrade and uninstall, each shown as a plan first.

The plan is computed from the manifests on disk and the installed addons by the framework's own graph
functions (the same the loader uses), so what the confirmation page lists is what will happen: the
addons installed with it (dependencies and auto-installed bridges), upgraded with it (its dependents)
or removed with it (its dependents).  Confirming runs the button method in this request's transaction;
the registry reloads after the commit.
"""
from __future__ import annotations

from dataclasses import dataclass

from odoo import http
from odoo.exceptions import ModuleError, UserError
from odoo.http import request
from odoo.modules import graph
from odoo.modules.manifest import discover

from .. import navigation
from ..pages import Listing, render, require_groups

SYSTEM = "base.group_system"
COLUMNS = {"name": "name", "state": "state, name", "shortdesc": "shortdesc"}
OPERATIONS = {
    "install": ("Install", "button_immediate_install", ("uninstalled",)),
    "upgrade": ("Upgrade", "button_immediate_upgrade", ("installed",)),
    "uninstall": ("Uninstall", "button_immediate_uninstall", ("installed",)),
}
STATE_FILTERS = {"installed": [("state", "=", "installed")], "uninstalled": [("state", "=", "uninstalled")],
                 "other": [("state", "not in", ["installed", "uninstalled"])]}


@dataclass
class Plan:
    """What one operation on ``addon`` will do; ``problem`` says why it cannot be done."""

    operation: str
    addon: str
    affected: list[str]
    problem: str = ""


def make_plan(env, operation: str, name: str) -> Plan:
    """The addons ``operation`` on ``name`` touches, computed before anything is written."""
    installed = set(env.registry.loaded_modules)
    manifests = discover(env.registry.config.addons_paths)
    if name not in manifests:
        return Plan(operation, name, [], f"There is no addon {name!r} in the addons path.")
    try:
        if operation == "install":
            wanted = graph.closure(manifests, [name]) - installed
            affected = graph.with_auto_install(manifests, wanted, installed) - installed
        elif name == "base" and operation == "uninstall":
            return Plan(operation, name, [], "The base addon cannot be uninstalled.")
        else:
            affected = graph.dependents(manifests, {name}, installed)
    except ModuleError as exc:  # the graph functions name the broken chain
        return Plan(operation, name, [], str(exc))
    ordered = graph.dependency_order(manifests, sorted(affected), strict=False)
    return Plan(operation, name, ordered if operation != "uninstall" else list(reversed(ordered)))


@navigation.section("addons", "Addons", "/console/addons", sequence=95, groups=SYSTEM)
class ConsoleAddons(http.Controller):
    @http.route("/console/addons", type="http", auth="user", methods=["GET"], groups=SYSTEM, readonly=True)
    def addons(self, **params):
        domain = list(STATE_FILTERS.get(params.get("state"), []))
        query = (params.get("q") or "").strip()
        if query:
            domain += ["|", ("name", "ilike", query), ("shortdesc", "ilike", query)]
        listing = Listing.search(request.env["ir.module.module"], domain, params, COLUMNS, "name")
        return render("web_console/addons.html", {"listing": listing, "search": query,
                                                  "state": params.get("state", ""), "done": params.get("done"),
                                                  "operations": OPERATIONS}, section="addons")

    @http.route("/console/addons/<string:name>/<string:operation>", type="http", auth="user",
                methods=["GET", "POST"])
    def operate(self, name: str, operation: str, **_ignored):
        """GET: the plan and a confirmation button; POST: carry it out."""
        require_groups(SYSTEM)
        if operation not in OPERATIONS:
            return request.not_found(f"Unknown addon operation {operation!r}: use {', '.join(OPERATIONS)}")
        module = request.env["ir.module.module"].search([("name", "=", name)], limit=1)
        plan = make_plan(request.env, operation, name)
        label, method, allowed = OPERATIONS[operation]
        if module and module.state not in allowed and not plan.problem:
            plan.problem = f"Addon {name!r} is {module.state}: it can be {label.lower()}ed only when {allowed[0]}."
        if request.httprequest.method == "GET" or plan.problem:
            return render("web_console/addon_plan.html", {"plan": plan, "module": module, "label": label},
                          status=400 if plan.problem and request.httprequest.method == "POST" else 200,
                          section="addons")
        try:
            with request.env.cr.savepoint():
                getattr(module, method)()
        except UserError as exc:
            plan.problem = str(exc)
            return render("web_console/addon_plan.html", {"plan": plan, "module": module, "label": label},
                          status=400, section="addons")
        return request.redirect(f"/console/addons?q={name}&done={operation}")
