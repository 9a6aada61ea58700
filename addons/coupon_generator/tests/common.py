"""Helpers shared by the coupon generator's tests: small data built inline, processes run to the end, the CLI."""
from __future__ import annotations

import subprocess
import sys

from odoo.config import ROOT


def make_program(env, name: str = "Spring sale", **values):
    return env["coupon.program"].create({"name": name, "discount_type": "percent", "discount_value": 10, **values})


def run_to_end(process, max_codes: int | None = None) -> dict:
    """Step ``process`` until it asks for something else than a step, then finish it if it can."""
    status = process.status()
    while status["next_action"] == "step":
        status = process.step(max_codes)
    return process.finish() if status["next_action"] == "finish" else status


def generate(env, template: str, count: int, program=None, **options):
    """Start, run and finish a process; return it."""
    program = program or make_program(env)
    status = env["coupon.process"].start(template, count, program.id, **options)
    process = env["coupon.process"].browse(status["process_id"])
    run_to_end(process)
    return process


def codes_of(process) -> list[str]:
    return process.env["coupon.coupon"].with_context(active_test=False).search(
        [("process_id", "=", process.id)]).mapped("code")


def coupons_cli(config, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python odoo-bin.py coupons ARGS`` against the database of ``config``."""
    return subprocess.run(_cli_command(config, args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def start_coupons_cli(config, *args: str) -> subprocess.Popen:
    """The same as ``coupons_cli``, in the background."""
    return subprocess.Popen(_cli_command(config, args), cwd=ROOT, **_PIPES)


_PIPES = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}


def _cli_command(config, args) -> list[str]:
    return [sys.executable, "odoo-bin.py", "coupons", *args, "--db-uri", config["db_uri"],
            "--addons-path", config["addons_path"], "--data-dir", str(config.data_dir)]
