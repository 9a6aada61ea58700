"""The generator's console pages: programs, the generator form with a live preview, processes with progress.

Everything goes through the same public model methods as the JSON routes (``preview``, ``start``,
``step``, ``finish``, ``cancel``, ``retry``, ``write_csv``), so the checks and refusals are the models'.

The browser drives a process: its page posts one bounded ``step`` after another (htmx), each in its own
request and transaction, and the progress bar is the fragment each step answers with.  Pausing stops the
browser's loop (the process stays ``running``; after ``STALL_AFTER`` without a step Home lists it as
stalled, to resume or cancel); Resume starts the loop again, from this or any other browser.
"""
from __future__ import annotations

import io
import json

from odoo import fields, http
from odoo.addons.web_console import navigation
from odoo.addons.web_console.pages import Listing, int_param, render
from odoo.exceptions import MissingError, UserError, ValidationError
from odoo.http import request

from ..codes.symbols import CASES, PRESETS
from ..models.coupon_process import PREVIEW_CODES, STALL_AFTER
from ..models.coupon_program import DISCOUNT_TYPES

STEP_SECONDS = 0.5  # one request per half second at most: the bar moves, other requests get their turn
STEP_CODES = 25_000
PROGRAM_COLUMNS = {"name": "name", "discount": "discount_type, discount_value"}
PROCESS_COLUMNS = {"id": "id", "state": "state", "started": "started_at", "requested": "requested_count"}


def generator_options(form) -> tuple[dict, list[str]]:
    """The model's options from the generator form (``case``, look-alikes, check character, collections)."""
    problems = []
    options = {"case": form.get("case") or "upper", "exclude_lookalikes": bool(form.get("exclude_lookalikes")),
               "check_char": bool(form.get("check_char"))}
    char = (form.get("placeholder_char") or "").strip()
    presets = [name for name in PRESETS if form.get(f"collection_{name}")]
    symbols = form.get("collection_symbols") or ""
    if char:
        spec = presets + ([{"symbols": symbols}] if symbols else [])
        if not spec:
            problems.append(f"placeholder {char!r} needs at least one symbol collection")
        else:
            options["placeholders"] = {char: spec}
    return options, problems


def requested_count(value) -> tuple[int | None, str]:
    text = str(value or "").replace(",", "").replace("_", "").strip()
    if not text:
        return None, "how many codes? enter a count"
    if not text.isdigit() or int(text) <= 0:
        return None, f"the number of codes must be a positive whole number, not {value!r}"
    return int(text), ""


def count_problem(env, count: int | None, preview: dict) -> str:
    """Why ``count`` codes cannot be generated from the previewed space (before anything starts)."""
    if count is None:
        return ""
    if count > preview["available"]:
        return (f"{count:,} codes are impossible: the template has {preview['combinations']:,} combinations "
                f"and {preview['available']:,} are still free. Add placeholders or ask for fewer.")
    maximum = env["coupon.process"]._max_count()
    if count > maximum:
        return f"At most {maximum:,} codes per process (system parameter coupon_generator.max_count)."
    return ""


def process_or_404(process_id):
    process = request.env["coupon.process"].browse(int_param(process_id, "process id")).exists()
    if not process:
        raise MissingError(f"Coupon process {process_id} does not exist (or was deleted)")
    return process


def stalled_domain() -> list:
    limit = fields.Datetime.now() - STALL_AFTER
    return [("state", "=", "running"), "|", ("last_step_at", "<", limit),
            "&", ("last_step_at", "=", False), ("started_at", "<", limit)]


@navigation.attention("Stalled coupon processes", model="coupon.process", sequence=30)
def stalled_processes(env) -> navigation.Attention:
    count = env["coupon.process"].search_count(stalled_domain())
    return navigation.Attention(count, "/console/coupons/processes?filter=stalled", "Resume or cancel them")


@navigation.attention("Failed coupon processes", model="coupon.process", sequence=31)
def failed_processes(env) -> navigation.Attention:
    count = env["coupon.process"].search_count([("state", "=", "failed")])
    return navigation.Attention(count, "/console/coupons/processes?filter=failed", "Retry or cancel them")


@navigation.section("coupons", "Coupons", "/console/coupons", sequence=30, model="coupon.program")
class CouponConsole(http.Controller):
    # -- programs ------------------------------------------------------------------------------------------
    @http.route("/console/coupons", type="http", auth="user", methods=["GET"], readonly=True)
    def programs(self, **params):
        env = request.env
        listing = Listing.search(env["coupon.program"], [], params, PROGRAM_COLUMNS, "name")
        return self._programs_page(listing)

    def _programs_page(self, listing, errors=None, values=None, status=200):
        env = request.env
        return render("coupon_generator/console/programs.html", {
            "listing": listing, "discount_types": DISCOUNT_TYPES, "errors": errors or [], "values": values or {},
            "can_manage": env["coupon.program"].check_access_rights("create", raise_exception=False),
            "can_generate": env["coupon.process"].check_access_rights("create", raise_exception=False),
        }, status=status, section="coupons")

    @http.route("/console/coupons/programs", type="http", auth="user", methods=["POST"])
    def create_program(self, name="", discount_type="percent", discount_value="", **_ignored):
        values = {"name": name.strip(), "discount_type": discount_type, "discount_value": discount_value}
        errors = [] if values["name"] else ["A program needs a name."]
        try:
            amount = float(discount_value)
        except ValueError:
            errors.append(f"The discount must be a number, not {discount_value!r}.")
        if not errors:
            try:
                with request.env.cr.savepoint():
                    request.env["coupon.program"].create({**values, "discount_value": amount})
            except (ValidationError, UserError) as exc:
                errors.append(str(exc))
        if errors:
            listing = Listing.search(request.env["coupon.program"], [], {}, PROGRAM_COLUMNS, "name")
            return self._programs_page(listing, errors, values, status=400)
        return request.redirect("/console/coupons")

    # -- the generator form --------------------------------------------------------------------------------
    @http.route("/console/coupons/generate", type="http", auth="user", methods=["GET"], readonly=True)
    def generator(self, **params):
        request.env["coupon.process"].check_access_rights("create")
        form = {"template": "SALE-$$$###", "count": "1000", "case": "upper", **params}
        return self._generator_page(form)

    def _generator_page(self, form: dict, errors: list[str] | None = None, status: int = 200):
        env = request.env
        programs = env["coupon.program"].search([])
        return render("coupon_generator/console/generator.html", {
            "form": form, "errors": errors or [], "programs": programs, "cases": CASES, "presets": list(PRESETS),
            "placeholders": self._known_placeholders(), "preview": self._preview(form),
        }, status=status, section="coupons")

    @staticmethod
    def _known_placeholders() -> list[tuple[str, str]]:
        specs = request.env["coupon.process"]._placeholder_specs({})
        return [(char, json.dumps(spec, ensure_ascii=False) if not isinstance(spec, str) else spec)
                for char, spec in sorted(specs.items())]

    def _preview(self, form: dict) -> dict:
        """What the preview fragment shows: codes and counts, or the problems of the template."""
        options, problems = generator_options(form)
        count, count_text = requested_count(form.get("count"))
        if problems:
            return {"problems": problems}
        try:
            preview = request.env["coupon.process"].preview(form.get("template") or "", PREVIEW_CODES, **options)
        except (ValidationError, UserError) as exc:
            return {"problems": getattr(exc, "problems", None) or [str(exc)]}
        refusal = count_text or count_problem(request.env, count, preview)
        return {**preview, "count": count, "refusal": refusal}

    @http.route("/console/coupons/preview", type="http", auth="user", methods=["GET"], readonly=True)
    def preview(self, **params):
        """The preview fragment, refreshed by htmx as the form is typed in."""
        return render("coupon_generator/console/preview.html", {"preview": self._preview(params)})

    @http.route("/console/coupons/generate", type="http", auth="user", methods=["POST"])
    def start(self, **form):
        options, problems = generator_options(form)
        count, count_text = requested_count(form.get("count"))
        program_id = _optional_int(form.get("program_id"))
        if count_text:
            problems.append(count_text)
        if not program_id:
            problems.append("choose the discount program the codes belong to")
        if problems:
            return self._generator_page(form, problems, status=400)
        try:
            with request.env.cr.savepoint():
                status = request.env["coupon.process"].start(form.get("template") or "", count, program_id, **options)
        except (ValidationError, UserError) as exc:
            return self._generator_page(form, getattr(exc, "problems", None) or [str(exc)], status=400)
        return request.redirect(f"/console/coupons/processes/{status['process_id']}?run=1")

    # -- processes -----------------------------------------------------------------------------------------
    @http.route("/console/coupons/processes", type="http", auth="user", methods=["GET"], readonly=True)
    def processes(self, **params):
        domain = {"stalled": stalled_domain(), "failed": [("state", "=", "failed")],
                  "running": [("state", "=", "running")]}.get(params.get("filter"), [])
        listing = Listing.search(request.env["coupon.process"], domain, params, PROCESS_COLUMNS, "id",
                                 default_desc=True)
        return render("coupon_generator/console/processes.html", {"listing": listing,
                                                                  "filter": params.get("filter", "")},
                      section="coupons")

    @http.route("/console/coupons/processes/<process_id>", type="http", auth="user", methods=["GET"],
                readonly=True)
    def process(self, process_id, run=None, **_ignored):
        process = process_or_404(process_id)
        return render("coupon_generator/console/process.html", {
            "process": process, "status": process.status(), "drive": bool(run)}, section="coupons")

    @http.route("/console/coupons/processes/<process_id>/step", type="http", auth="user", methods=["POST"])
    def step(self, process_id, **_ignored):
        """Run one bounded step (and finish when complete); answer the progress fragment."""
        process = process_or_404(process_id)
        status = process.step(STEP_CODES, STEP_SECONDS)
        if status["next_action"] == "finish":
            status = process.finish()
        return self._progress(process, status, drive=status["next_action"] == "step")

    @http.route("/console/coupons/processes/<process_id>/pause", type="http", auth="user", methods=["POST"])
    def pause(self, process_id, **_ignored):
        process = process_or_404(process_id)
        return self._progress(process, process.status(), drive=False, paused=True)

    @http.route("/console/coupons/processes/<process_id>/cancel", type="http", auth="user", methods=["POST"])
    def cancel(self, process_id, **_ignored):
        process = process_or_404(process_id)
        try:
            with request.env.cr.savepoint():
                status = process.cancel()
        except UserError as exc:
            return self._progress(process, process.status(), drive=False, error=str(exc))
        return self._progress(process, status, drive=False)

    @http.route("/console/coupons/processes/<process_id>/retry", type="http", auth="user", methods=["POST"])
    def retry(self, process_id, **_ignored):
        process = process_or_404(process_id)
        try:
            with request.env.cr.savepoint():
                status = process.retry()
        except UserError as exc:
            return self._progress(process, process.status(), drive=False, error=str(exc))
        return self._progress(process, status, drive=True)

    def _progress(self, process, status: dict, drive: bool, paused: bool = False, error: str = ""):
        return render("coupon_generator/console/progress.html", {
            "process": process, "status": status, "drive": drive, "paused": paused, "error": error})

    @http.route("/console/coupons/processes/<process_id>/coupons.csv", type="http", auth="user",
                methods=["GET"], readonly=True)
    def download(self, process_id, **_ignored):
        """The process's coupons as CSV (header row, one row per code), as an attachment."""
        process = process_or_404(process_id)
        buffer = io.StringIO()
        process.write_csv(buffer)
        return request.make_response(buffer.getvalue().encode(), headers=[
            ("Content-Type", "text/csv; charset=utf-8"),
            ("Content-Disposition", f'attachment; filename="coupons-{process.id}.csv"'),
            ("Cache-Control", "no-store")])


def _optional_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
