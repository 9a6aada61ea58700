"""Scheduled actions: every cron with its schedule and failures; failing ones on Home; run one soon.

The cron threads record each run's outcome on the job (``failure_count`` consecutive failures, the
last error and its date), so a job that keeps failing shows here and on Home without anyone reading
the logs.  *Run now* asks the cron threads for a run (``_trigger``): the job runs in its own
transaction, as it always does, not in this request's.
"""
from __future__ import annotations

from urllib.parse import urlencode

from odoo import http
from odoo.http import request

from .. import navigation
from ..pages import Listing, int_param, render, require_groups

SYSTEM = "base.group_system"
COLUMNS = {"name": "name", "nextcall": "nextcall", "lastcall": "lastcall", "failures": "failure_count, name",
           "failed": "last_failure_date"}


@navigation.attention("Failing scheduled actions", model="ir.cron", groups=SYSTEM, sequence=90)
def failing_crons(env) -> navigation.Attention:
    count = env["ir.cron"].search_count([("failure_count", ">", 0)])
    return navigation.Attention(count, "/console/crons?failing=1", "Read their last error, fix it, run them again")


def cron_domain(params: dict) -> list:
    domain = [("failure_count", ">", 0)] if params.get("failing") else []
    query = (params.get("q") or "").strip()
    return domain + ([("name", "ilike", query)] if query else [])


@navigation.section("crons", "Scheduled actions", "/console/crons", sequence=96, model="ir.cron", groups=SYSTEM)
class ConsoleCrons(http.Controller):
    @http.route("/console/crons", type="http", auth="user", methods=["GET"], groups=SYSTEM, readonly=True)
    def crons(self, notice="", **params):
        crons = request.env["ir.cron"].with_context(active_test=False)
        default = "failures" if params.get("failing") else "name"
        listing = Listing.search(crons, cron_domain(params), params, COLUMNS, default,
                                 default_desc=default == "failures")
        return render("web_console/crons.html", {
            "listing": listing, "failing": bool(params.get("failing")), "search": params.get("q", ""),
            "notice": notice}, section="crons")

    @http.route("/console/crons/<cron_id>/run", type="http", auth="user", methods=["POST"])
    def run(self, cron_id, **_ignored):
        """Ask the cron threads to run the job now (it keeps its schedule)."""
        require_groups(SYSTEM)
        cron = request.env["ir.cron"].with_context(active_test=False).browse(int_param(cron_id, "cron id")).exists()
        if not cron:
            return request.not_found(f"Scheduled action {cron_id} does not exist")
        cron._trigger()
        notice = f"{cron.name}: the cron threads will run it now."
        return request.redirect(f"/console/crons?{urlencode({'failing': '1', 'notice': notice})}"
                                if cron.failure_count else f"/console/crons?{urlencode({'notice': notice})}")
