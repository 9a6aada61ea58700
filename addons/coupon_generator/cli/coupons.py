"""``odoo-bin.py coupons ACTION ... -d DB``: generate, preview, export and look after coupon batches.

Actions: ``generate`` (progress bar on stderr, the process id alone on the
last stdout line), ``preview`` (one code a line), ``export`` (CSV), and for
operators ``list``, ``status``, ``resume``, ``cancel``, plus ``program`` to
create a discount program.  Every step runs in its own transaction, so an
interrupted run loses at most one step: ``coupons resume --process N``
carries on.  A refused request exits with status 1 and a one-line reason.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from odoo import SUPERUSER_ID
from odoo.cli import setup_logging
from odoo.cli.command import CommandError, command, load_config, parser_for, require_database
from odoo.config import add_arguments
from odoo.modules.registry import Registry
from tqdm import tqdm

from ..codes.symbols import PRESETS
from ..models.process_settings import USAGES

STEP_CODES, STEP_SECONDS = 100_000, 10.0


@command("coupons", help="generate, preview and export coupon codes: coupons generate --template 'SALE-$$##' "
                         "--count 100 -d DB")
def run(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    config = load_config(args)
    setup_logging(config["log_level"] if config["log_level"] != "info" else "warning", config.get("logfile"))
    require_database(config)
    return ACTIONS[args.action](Registry.open(config), args) or 0


# -- arguments -------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = parser_for("coupons", "Generate, preview, export and manage coupon codes.")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, (adders, help_text) in SUBCOMMANDS.items():
        sub = actions.add_parser(name, help=help_text, description=help_text)
        for adder in adders:
            adder(sub)
        add_arguments(sub)  # server options (-d, --db-uri, ...) may follow the action too
    return parser


def _code_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--template", required=True,
                        help="static characters and placeholders: # digit, $ English letter, @ Russian letter; "
                             "a backslash makes the next character literal")
    parser.add_argument("--case", choices=["upper", "lower", "mixed"], help="letter case (default upper)")
    parser.add_argument("--exclude-lookalikes", action="store_true",
                        help="drop symbols a reader may confuse (0/O, 1/I/l...)")
    parser.add_argument("--check-char", action="store_true", help="append a check character that catches typos")
    parser.add_argument("--placeholder", action="append", default=[], metavar="CHAR=SPEC",
                        help=f"map CHAR to a collection: a preset ({', '.join(PRESETS)}), presets joined by '+' "
                             "(their union), 'symbols:ABC' or JSON; repeatable")


def _generate_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, required=True, help="how many codes")
    parser.add_argument("--program", help="discount program id or exact name (default: the only active one)")
    parser.add_argument("--inactive", action="store_true", help="create the coupons archived")
    parser.add_argument("--valid-from", help="YYYY-MM-DD[ HH:MM:SS] (UTC)")
    parser.add_argument("--valid-to", help="YYYY-MM-DD[ HH:MM:SS] (UTC)")
    parser.add_argument("--usage", choices=[key for key, _label in USAGES], help="default one_order")
    parser.add_argument("--max-use", type=int, help="uses allowed for a reusable coupon")
    parser.add_argument("--partner", type=int, help="owner partner id")
    parser.add_argument("--description")
    parser.add_argument("--max-fill-ratio", type=float, help="refuse to fill more than this share of the space")
    _step_options(parser)


def _step_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--step-size", type=int, default=STEP_CODES, help=f"codes per step (default {STEP_CODES})")
    parser.add_argument("--step-seconds", type=float, default=STEP_SECONDS, help="time budget of a step")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")


def _preview_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--count", type=int, default=20, help="how many sample codes (default 20)")


def _process_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--process", type=int, required=True, help="process id")


def _export_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", help="CSV file to write (default: standard output)")
    parser.add_argument("--spreadsheet-safe", action="store_true",
                        help="prefix a quote to cells a spreadsheet would run as formulas")


def _cancel_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--archive-coupons", action="store_true", help="also archive the coupons generated")


def _list_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--state", choices=["running", "done", "failed", "cancelled"])
    parser.add_argument("--limit", type=int, default=50)


def _program_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--name", required=True)
    kind = parser.add_mutually_exclusive_group(required=True)
    kind.add_argument("--percent", type=float, help="percentage discount")
    kind.add_argument("--fixed", type=float, help="fixed amount discount")


SUBCOMMANDS = {
    "generate": ((_code_options, _generate_options), "generate coupons from a template"),
    "preview": ((_code_options, _preview_options), "print sample codes of a template, one a line; saves nothing"),
    "export": ((_process_option, _export_options), "write a process's coupons as CSV"),
    "status": ((_process_option,), "print a process's status as JSON"),
    "list": ((_list_options,), "list processes, stalled and failed ones included"),
    "resume": ((_process_option, _step_options), "carry on a stalled or failed process"),
    "cancel": ((_process_option, _cancel_options), "cancel a process (its coupons stay)"),
    "program": ((_program_options,), "create a discount program and print its id"),
}


def placeholder_specs(items: list[str]) -> dict:
    """``['*=english+digits', '%=symbols:ABC']`` -> the ``placeholders`` option."""
    specs = {}
    for item in items:
        char, sep, spec = item.partition("=")
        if not sep or len(char) != 1 or not spec:
            raise CommandError(f"--placeholder {item!r}: write CHAR=SPEC, e.g. '*=english+digits'")
        specs[char] = _spec(spec, item)
    return specs


def _spec(text: str, item: str):
    if text.startswith(("{", "[", '"')):
        try:
            return json.loads(text)
        except ValueError as exc:
            raise CommandError(f"--placeholder {item!r}: invalid JSON ({exc})") from None
    if text.startswith("symbols:"):
        return {"symbols": text[len("symbols:"):]}
    parts = text.split("+")
    return parts[0] if len(parts) == 1 else parts


def code_options(args: argparse.Namespace) -> dict:
    options = {"placeholders": placeholder_specs(args.placeholder), "exclude_lookalikes": args.exclude_lookalikes,
               "check_char": args.check_char}
    if args.case:
        options["case"] = args.case
    return options


def coupon_options(args: argparse.Namespace) -> dict:
    pairs = {"date_from": args.valid_from, "date_to": args.valid_to, "usage": args.usage, "max_use": args.max_use,
             "partner_id": args.partner, "description": args.description, "max_fill_ratio": args.max_fill_ratio}
    options = {key: value for key, value in pairs.items() if value is not None}
    if args.inactive:
        options["active"] = False
    return options


# -- actions ---------------------------------------------------------------------------------------------
@contextlib.contextmanager
def transaction(registry: Registry):
    """A superuser environment in a transaction committed on success."""
    with registry.cursor() as cr:
        yield registry.env(cr, SUPERUSER_ID)


def preview(registry: Registry, args: argparse.Namespace) -> int:
    with transaction(registry) as env:
        result = env["coupon.process"].preview(args.template, args.count, **code_options(args))
    print("\n".join(result["codes"]))
    return 0


def generate(registry: Registry, args: argparse.Namespace) -> int:
    with transaction(registry) as env:
        program_id = resolve_program(env, args.program)
        status = env["coupon.process"].start(args.template, args.count, program_id,
                                             **code_options(args), **coupon_options(args))
    return drive(registry, status, args)


def resume(registry: Registry, args: argparse.Namespace) -> int:
    with transaction(registry) as env:
        process = existing_process(env, args.process)
        status = process.retry() if process.state == "failed" else process.status()
    if status["state"] != "running":
        raise CommandError(f"coupon process {args.process} is {status['state']}: nothing to resume")
    return drive(registry, status, args)


def drive(registry: Registry, status: dict, args: argparse.Namespace) -> int:
    """Run steps (one transaction each) with a progress bar until the process is finished or stops."""
    process_id = status["process_id"]
    bar = tqdm(total=status["requested"], initial=status["generated"], unit="code", unit_scale=True,
               file=sys.stderr, disable=args.no_progress, desc=f"process {process_id}")
    try:
        status = _steps(registry, status, args, bar)
    except KeyboardInterrupt:
        print(f"interrupted: resume with 'coupons resume --process {process_id}'", file=sys.stderr)
        raise
    finally:
        bar.close()
    print(process_id)
    if status["state"] != "done":
        raise CommandError(f"coupon process {process_id} is {status['state']}: {status['error'] or 'stopped'}")
    return 0


def _steps(registry: Registry, status: dict, args: argparse.Namespace, bar) -> dict:
    while status["next_action"] == "step":
        with transaction(registry) as env:
            status = env["coupon.process"].browse(status["process_id"]).step(args.step_size, args.step_seconds)
        bar.update(status["generated"] - bar.n)
    if status["next_action"] == "finish":
        with transaction(registry) as env:
            status = env["coupon.process"].browse(status["process_id"]).finish()
    return status


def export(registry: Registry, args: argparse.Namespace) -> int:
    with transaction(registry) as env:
        process = existing_process(env, args.process)
        if args.output:
            with open(args.output, "w", encoding="utf-8", newline="") as stream:
                count = process.write_csv(stream, args.spreadsheet_safe)
            print(f"{count} coupons written to {args.output}", file=sys.stderr)
        else:
            _write_to_stdout(process, args.spreadsheet_safe)
    return 0


def _write_to_stdout(process, spreadsheet_safe: bool) -> None:
    """Write the CSV to stdout; a reader that stops early (``| head``) is not an error."""
    try:
        process.write_csv(sys.stdout, spreadsheet_safe)
        sys.stdout.flush()
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit


def status(registry: Registry, args: argparse.Namespace) -> int:
    with transaction(registry) as env:
        process = existing_process(env, args.process)
        result = {**process.status(), "coupons_in_database": process.coupons_in_database()}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


def list_processes(registry: Registry, args: argparse.Namespace) -> int:
    with transaction(registry) as env:
        domain = [("state", "=", args.state)] if args.state else []
        for process in env["coupon.process"].search(domain, limit=args.limit):
            print(_process_line(process))
    return 0


def _process_line(process) -> str:
    flag = " STALLED (resume or cancel)" if process.stalled else ""
    error = f"  error: {process.error}" if process.error else ""
    return (f"{process.id:>6}  {process.state:<9} {process.generated_count:>9}/{process.requested_count:<9} "
            f"{process.template}{flag}{error}")


def cancel(registry: Registry, args: argparse.Namespace) -> int:
    with transaction(registry) as env:
        existing_process(env, args.process).cancel(archive_coupons=args.archive_coupons)
    print(args.process)
    return 0


def program(registry: Registry, args: argparse.Namespace) -> int:
    kind, value = ("percent", args.percent) if args.percent is not None else ("fixed", args.fixed)
    with transaction(registry) as env:
        record = env["coupon.program"].create({"name": args.name, "discount_type": kind, "discount_value": value})
    print(record.id)
    return 0


ACTIONS = {"generate": generate, "preview": preview, "export": export, "status": status, "list": list_processes,
           "resume": resume, "cancel": cancel, "program": program}


# -- lookups -----------------------------------------------------------------------------------------------
def existing_process(env, process_id: int):
    process = env["coupon.process"].browse(process_id).exists()
    if not process:
        raise CommandError(f"no coupon process {process_id}: see 'coupons list'")
    return process


def resolve_program(env, wanted: str | None) -> int:
    """The id of the program named or numbered ``wanted``, or of the only active program."""
    programs = env["coupon.program"]
    if wanted is None:
        found = programs.search([], limit=6)
        if len(found) == 1:
            return found.id
        names = ", ".join(f"{p.name!r} ({p.id})" for p in found[:5]) or "none yet: create one with 'coupons program'"
        raise CommandError(f"pass --program: {len(found) if found else 'no'} active programs exist ({names})")
    if wanted.isdigit() and programs.browse(int(wanted)).exists():
        return int(wanted)
    found = programs.search([("name", "=", wanted)])
    if len(found) != 1:
        raise CommandError(f"--program {wanted!r}: {len(found) or 'no'} active programs have this name or id")
    return found.id
