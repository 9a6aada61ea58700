"""Jobs in the console: per-channel figures with a chart, jobs by channel and state, one job's traceback
and history, and the operator actions (requeue, cancel, set done) of ``queue.job``.

The list pages through ``queue_job`` in SQL (``Listing``: one count up to 10,000, one page of rows,
ordered by an indexed column; ``store.create_indexes`` has the ones for channel and state), so it stays fast with
hundreds of thousands of jobs (``bench/console.py``); the per-channel figures, which read every
channel's counts and the jobs done in the window, are a fragment loaded after the list.  The actions are the model's own
methods, refused with the model's message when the job's state does not allow them.
"""
from __future__ import annotations

from urllib.parse import urlencode

from odoo import http
from odoo.addons.web_console import navigation
from odoo.addons.web_console.pages import Listing, int_param, render
from odoo.exceptions import MissingError, UserError
from odoo.http import request

from ..job import FAILED, STARTED, STATES, utcnow
from ..models.queue_job import ACTIONS

COLUMNS = {"created": "date_created", "state": "state", "channel": "channel", "priority": "priority",
           "done": "date_done"}
METHODS = {"requeue": ("requeue", "Requeue"), "cancel": ("button_cancelled", "Cancel"),
           "done": ("button_done", "Set done")}
STATS_WINDOW = 60
COUNT_LIMIT = 10_000  # the pager says "10,000+": counting every one of a million jobs would cost the page


@navigation.attention("Failed jobs", model="queue.job", sequence=10)
def failed_jobs(env) -> navigation.Attention:
    count = env["queue.job"].search_count([("state", "=", FAILED)])
    return navigation.Attention(count, "/console/jobs?state=failed", "Read the error, then requeue or cancel")


@navigation.attention("Started jobs past their lease", model="queue.job", sequence=11)
def stuck_jobs(env) -> navigation.Attention:
    count = env["queue.job"].search_count([("state", "=", STARTED), ("lease_until", "<", utcnow())])
    return navigation.Attention(count, "/console/jobs?state=started", "Their worker is gone: requeue or cancel")


def job_or_404(job_id):
    job = request.env["queue.job"].browse(int_param(job_id, "job id")).exists()
    if not job:
        raise MissingError(f"Job {job_id} does not exist (done jobs are vacuumed after their channel's interval)")
    return job


def job_domain(params: dict) -> list:
    domain = []
    if params.get("state") in dict(STATES):
        domain.append(("state", "=", params["state"]))
    if params.get("channel"):
        domain.append(("channel", "=", params["channel"]))
    return domain


@navigation.section("jobs", "Jobs", "/console/jobs", sequence=20, model="queue.job")
class JobConsole(http.Controller):
    @http.route("/console/jobs", type="http", auth="user", methods=["GET"], readonly=True)
    def jobs(self, **params):
        """The job list (one count and one page of rows, on indexes); the channels' figures follow (htmx)."""
        listing = Listing.search(request.env["queue.job"], job_domain(params), params, COLUMNS, "created",
                                 default_desc=True, count_limit=COUNT_LIMIT)
        return render("queue_job/console/jobs.html", {
            "listing": listing, "states": STATES, "window": STATS_WINDOW,
            "state": params.get("state", ""), "channel": params.get("channel", "")}, section="jobs")

    @http.route("/console/jobs/channels", type="http", auth="user", methods=["GET"], readonly=True)
    def channels(self, **_ignored):
        """The channels' figures and charts (a fragment the list page loads after itself): they read
        every channel's counts and the jobs done in the window, which the list must not wait for."""
        stats = request.env["queue.job"].stats(STATS_WINDOW)
        return render("queue_job/console/job_channels.html", {"stats": sorted(stats.items()),
                                                              "window": STATS_WINDOW})

    @http.route("/console/jobs/<job_id>", type="http", auth="user", methods=["GET"], readonly=True)
    def job(self, job_id, notice="", error="", **_ignored):
        job = job_or_404(job_id)
        actions = [(key, label) for key, (_method, label) in METHODS.items() if job.state in ACTIONS[key]]
        return render("queue_job/console/job.html", {
            "job": job, "events": job.event_ids.sorted(lambda e: (e.date, e.id)), "actions": actions,
            "notice": notice, "error": error}, section="jobs")

    @http.route("/console/jobs/<job_id>/<string:action>", type="http", auth="user", methods=["POST"])
    def act(self, job_id, action, **_ignored):
        if action not in METHODS:
            return request.not_found(f"Unknown job action {action!r}: use {', '.join(METHODS)}")
        job = job_or_404(job_id)
        method, label = METHODS[action]
        try:
            with request.env.cr.savepoint():
                getattr(job, method)()
            query = {"notice": f"{label}: done. The job is now {job.state}."}
        except UserError as exc:
            query = {"error": str(exc)}
        return request.redirect(f"/console/jobs/{job.id}?{urlencode(query)}")
