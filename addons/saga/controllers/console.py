"""Sagas in the console: instances by status and type, one instance's timeline (forward steps, then its
compensation steps, in order, with attempts, durations and errors), the operator's retry / compensate /
cancel, and per-step statistics with a chart of mean and p95 durations.

The list pages in SQL (``Listing``: one count, one page of rows by an indexed column); the counts per type
and status are one ``read_group``.  The actions are the model's own methods, refused with the model's
message when the instance's status does not allow them.  Only *Saga Managers* may read ``saga.instance``:
the section is shown to them alone, and the routes refuse anyone else (HTTP 403).
"""
from __future__ import annotations

import json
from urllib.parse import urlencode

from odoo import http
from odoo.addons.web_console import navigation
from odoo.addons.web_console.pages import Listing, int_param, render
from odoo.exceptions import UserError
from odoo.http import request
from werkzeug.exceptions import NotFound

from ..engine import INCIDENT_KINDS
from ..models.saga_instance import ACTIONS, STATUSES

COLUMNS = {"started": "started_at", "ended": "ended_at", "status": "status", "type": "saga_type",
           "key": "business_key"}
BUTTONS = {"retry": ("action_retry", "Retry"), "compensate": ("action_compensate", "Compensate"),
           "cancel": ("action_cancel", "Cancel")}


@navigation.attention("Saga incidents", model="saga.instance", sequence=15)
def saga_incidents(env) -> navigation.Attention:
    count = env["saga.instance"].search_count([("status", "=", "incident")])
    return navigation.Attention(count, "/console/sagas?status=incident", "Read the error, then retry, compensate or "
                                                                         "cancel")


def saga_domain(params: dict) -> list:
    domain = []
    if params.get("status") in dict(STATUSES):
        domain.append(("status", "=", params["status"]))
    if params.get("type"):
        domain.append(("saga_type", "=", params["type"]))
    if params.get("key"):
        domain.append(("business_key", "=", params["key"].strip()))
    return domain


def saga_or_404(saga_id):
    instance = request.env["saga.instance"].browse(int_param(saga_id, "saga id")).exists()
    if not instance:
        raise NotFound(f"Saga {saga_id} does not exist")
    return instance


def step_bars(rows: list[dict]) -> list[tuple[str, float]]:
    """The timeline as chart bars: one per execution that ended, its duration in seconds."""
    return [(f"{row['phase'][:4]} {row['step']} #{row['attempt']}", round(row["duration"], 3))
            for row in rows if row["duration"] is not None]


@navigation.section("sagas", "Sagas", "/console/sagas", sequence=25, model="saga.instance")
class SagaConsole(http.Controller):
    @http.route("/console/sagas", type="http", auth="user", methods=["GET"], readonly=True)
    def sagas(self, **params):
        instances = request.env["saga.instance"]
        listing = Listing.search(instances, saga_domain(params), params, COLUMNS, "started", default_desc=True)
        counts = instances.counts()
        return render("saga/console/sagas.html", {
            "listing": listing, "counts": sorted(counts.items()), "statuses": STATUSES,
            "status": params.get("status", ""), "saga_type": params.get("type", ""), "key": params.get("key", "")},
            section="sagas")

    @http.route("/console/sagas/stats", type="http", auth="user", methods=["GET"], readonly=True)
    def stats(self, **params):
        rows = request.env["saga.instance"].stats(params.get("type") or None)
        return render("saga/console/stats.html", {"rows": rows, "saga_type": params.get("type", "")},
                      section="sagas")

    @http.route("/console/sagas/<saga_id>", type="http", auth="user", methods=["GET"], readonly=True)
    def saga(self, saga_id, notice="", error="", **_ignored):
        instance = saga_or_404(saga_id)
        timeline = instance.timeline()
        return render("saga/console/saga.html", {
            "instance": instance, "notice": notice, "error": error,
            "forward": [row for row in timeline if row["phase"] == "forward"],
            "compensation": [row for row in timeline if row["phase"] == "compensate"],
            "bars": step_bars(timeline), "messages": instance.message_ids.sorted("id"),
            "incident_kind": dict(INCIDENT_KINDS).get(instance.incident_kind or ""),
            "data": json.dumps(instance.data or {}, indent=2, sort_keys=True, default=str),
            "actions": [(key, label) for key, (_method, label) in BUTTONS.items() if instance.status in ACTIONS[key]],
        }, section="sagas")

    @http.route("/console/sagas/<saga_id>/<string:action>", type="http", auth="user", methods=["POST"])
    def act(self, saga_id, action, **_ignored):
        if action not in BUTTONS:
            return request.not_found(f"Unknown saga action {action!r}: use {', '.join(BUTTONS)}")
        instance = saga_or_404(saga_id)
        method, label = BUTTONS[action]
        try:
            with request.env.cr.savepoint():
                getattr(instance, method)()
            instance.invalidate_recordset()
            query = {"notice": f"{label}: done. The saga is now {instance.status}."}
        except UserError as exc:
            query = {"error": str(exc)}
        return request.redirect(f"/console/sagas/{instance.id}?{urlencode(query)}")
