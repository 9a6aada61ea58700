"""Transfers in the console: the stream's status, counts by state, recent transfers, find by key, retry.

Sources are administrators' records (their auth token is a secret field, never read back): the stream
status shows each source's name and last status only.  A failed transfer is retried with the model's
``action_retry``, refused with the model's message when its state does not allow it; one its job
failed links to that job (for users who may see jobs), whose requeue resumes it too.
"""
from __future__ import annotations

from urllib.parse import urlencode

from odoo import http
from odoo.addons.web_console import navigation
from odoo.addons.web_console.pages import Listing, int_param, render
from odoo.exceptions import MissingError, UserError
from odoo.http import request

from ..models.transfer_transfer import STATES
from ..models.transfer_transfer_jobs import identity_key

COLUMNS = {"received": "date_received", "recorded": "date", "state": "state", "key": "key",
           "attempts": "attempts"}


@navigation.attention("Failed transfers", model="transfer.transfer", sequence=60)
def failed_transfers(env) -> navigation.Attention:
    count = env["transfer.transfer"].search_count([("state", "=", "failed")])
    return navigation.Attention(count, "/console/transfers?state=failed", "Read the error, then retry them")


def transfer_or_404(transfer_id):
    transfer = request.env["transfer.transfer"].browse(int_param(transfer_id, "transfer id")).exists()
    if not transfer:
        raise MissingError(f"Transfer {transfer_id} does not exist")
    return transfer


def last_job(transfer):
    """The transfer's latest analysis job, for users who may see jobs (else an empty recordset)."""
    jobs = request.env["queue.job"]
    if not jobs.check_access_rights("read", raise_exception=False):
        return jobs.browse()
    return jobs.search([("identity_key", "=", identity_key(transfer.id))], order="id desc", limit=1)


@navigation.section("transfers", "Transfers", "/console/transfers", sequence=60, model="transfer.transfer")
class TransferConsole(http.Controller):
    @http.route("/console/transfers", type="http", auth="user", methods=["GET"], readonly=True)
    def transfers(self, **params):
        env = request.env
        domain = [("state", "=", params["state"])] if params.get("state") in dict(STATES) else []
        key = (params.get("q") or "").strip()
        if key:
            domain.append(("key", "ilike", key))
        listing = Listing.search(env["transfer.transfer"], domain, params, COLUMNS, "received", default_desc=True)
        sources = env["transfer.source"]
        can_see_sources = sources.check_access_rights("read", raise_exception=False)
        return render("transfer_analysis/console/transfers.html", {
            "listing": listing, "states": STATES, "state": params.get("state", ""), "search": key,
            "counts": env["transfer.transfer"].status_counts(),
            "sources": sources.search([]) if can_see_sources else sources.browse(),
        }, section="transfers")

    @http.route("/console/transfers/<transfer_id>", type="http", auth="user", methods=["GET"], readonly=True)
    def transfer(self, transfer_id, notice="", error="", **_ignored):
        transfer = transfer_or_404(transfer_id)
        can_retry = transfer.state == "failed" and \
            request.env["transfer.transfer"].check_access_rights("write", raise_exception=False)
        return render("transfer_analysis/console/transfer.html", {
            "transfer": transfer, "summary": transfer.summary(), "can_retry": can_retry,
            "job": last_job(transfer), "notice": notice, "error": error}, section="transfers")

    @http.route("/console/transfers/<transfer_id>/retry", type="http", auth="user", methods=["POST"])
    def retry(self, transfer_id, **_ignored):
        transfer = transfer_or_404(transfer_id)
        try:
            with request.env.cr.savepoint():
                transfer.action_retry()
            query = {"notice": f"Transfer {transfer.key!r} queued again."}
        except UserError as exc:
            query = {"error": str(exc)}
        return request.redirect(f"/console/transfers/{transfer.id}?{urlencode(query)}")
