"""Analyse one transfer, step by step, each database step in a short transaction of its own.

``process_transfer(registry, transfer_id)`` is what a job, the threaded
runner of ``transfers follow`` and ``transfers process --key`` all run:

1. *begin*: re-read the transfer; stop if it is done, failed or ignored
   (unless a job runs again after failing it: then it resumes); move it to
   ``analysing`` and read the settings (one transaction);
2. *resolve* (first run only, outside any transaction): the questionnaire,
   the person, the account and the user from the source; then store the
   answers to analyse (one transaction);
3. *analyse*: each pending answer is sent to the API (no transaction open)
   and its result stored at once (one transaction each), so a crash loses at
   most the answer in flight, and a re-run asks only for what is missing;
4. *finish*: the summary, ``done``, the COMPLETED event and the summary
   mail, all in one transaction;
5. *write back* to the source after that commit (``PATCH``), then record it;
   a failed write-back stays ``pending`` and ``retry_writebacks`` tries again.

Retryable API errors (429, 5xx, timeouts, connection errors) go to the
``retry`` policy: ``InlineRetry`` waits and tries again in this thread (the
threaded runner); the job wiring raises the queue's retry error instead.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from odoo import fields
from odoo.addons.mail.tools.queue_runner import send_mails
from odoo.addons.mail.tools.transaction_steps import OwnTransactions, as_steps

from .analysis_client import AnalysisSettings, RetryableAnalysisError, client_for
from .firebase import FirebaseClient, SourceError
from .risk import read_risk, summary

_logger = logging.getLogger(__name__)
FINAL_STATES = ("done", "failed", "ignored_old")
Log = Callable[[str, str], None]


def _quiet(step: str, message: str) -> None:
    _logger.debug("[ %s ] - %s", step, message)


@dataclass
class InlineRetry:
    """Retry in this thread: ``max_attempts`` per answer, waiting 0.5, 1, 2 ... s (or what Retry-After says)."""

    max_attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 30.0

    def wait(self, error: RetryableAnalysisError, attempt: int) -> bool:
        """Sleep before attempt ``attempt + 1``; False when the attempts are used up."""
        if attempt >= self.max_attempts:
            return False
        delay = error.retry_after if error.retry_after is not None else self.base_delay * 2 ** (attempt - 1)
        time.sleep(min(delay, self.max_delay))
        return True


@dataclass
class JobRetry:
    """In a job: retry once in place, then give the wait to the queue (``RetryableJobError``).

    The transfer's runs are bounded by ``transfer_analysis.max_attempts`` (default 5), checked when
    a run begins; ``transfer_analysis.retry_seconds`` (default 10) is the first wait, doubled per run.
    """

    retry_seconds: int = 10
    run: int = 1

    @classmethod
    def from_parameters(cls, env) -> JobRetry:
        value = env["ir.config_parameter"].sudo().get_param("transfer_analysis.retry_seconds")
        return cls(int(value) if value and value.isdigit() else 10)

    def wait(self, error: RetryableAnalysisError, attempt: int) -> bool:
        from odoo.addons.queue_job.exception import RetryableJobError

        if attempt < 2:
            time.sleep(min(error.retry_after if error.retry_after is not None else 0.5, 2.0))
            return True
        seconds = error.retry_after if error.retry_after is not None else self.retry_seconds * 2 ** (self.run - 1)
        raise RetryableJobError(str(error), seconds=max(1, int(seconds)))


class GiveUp(Exception):
    """The transfer cannot be analysed; the message is recorded as the reason."""


@dataclass
class Plan:
    """What the steps outside transactions need, read in *begin*."""

    transfer_id: int
    key: str
    uid: str
    settings: AnalysisSettings
    source: dict | None
    needs_answers: bool
    item_keys: dict = field(default_factory=dict)


def process_transfer(registry, transfer_id: int, log: Log = _quiet, retry=None, steps=None) -> str:
    """Analyse transfer ``transfer_id`` to its end (or to the next retry); return its state.

    ``steps`` says where each step's transaction comes from: ``OwnTransactions(registry)`` (default)
    opens one cursor per step; a job passes ``CommittedSteps(env)``, its own cursor committed per step
    (``odoo.addons.mail.tools.transaction_steps``).
    """
    retry = retry or InlineRetry()
    steps = steps or OwnTransactions(registry)
    plan = _begin(steps, transfer_id, log, retry)
    if plan == "done":  # a run that stopped after its commit: finish what comes after it (both idempotent)
        write_back(steps, transfer_id, log)
        send_summary(steps, transfer_id, log)
    if not isinstance(plan, Plan):
        return plan
    try:
        if plan.needs_answers:
            _with_retry(lambda: _resolve(steps, plan, log), retry, log, "resolve")
        _analyse_pending(steps, plan, log, retry)
    except GiveUp as exc:
        return _fail(steps, transfer_id, str(exc), log)
    state = _finish(steps, plan, log)
    if state == "done":
        write_back(steps, transfer_id, log)
        send_summary(steps, transfer_id, log)
    return state


# -- 1. begin ------------------------------------------------------------------------------------------
def _begin(steps, transfer_id: int, log: Log, retry):
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(transfer_id).exists()
        if not transfer:
            log("begin", f"transfer {transfer_id} does not exist")
            return "missing"
        if env.context.get("job_uuid") and transfer._resume_by_job():
            log("begin", f"{transfer.key}: its failed job runs again, analysing it again")
        if transfer.state in FINAL_STATES:
            log("begin", f"{transfer.key} is {transfer.state}: nothing to do")
            return transfer.state
        try:
            settings = AnalysisSettings.from_parameters(env)
        except ValueError as exc:
            transfer._fail(str(exc))
            log("begin", str(exc))
            return "failed"
        limit = max_attempts(env)
        if transfer.attempts >= limit:
            errors = [error for error in transfer.answer_ids.mapped("error") if error]
            reason = f"gave up after {transfer.attempts} run(s)" + (f": {errors[-1]}" if errors else "")
            transfer._fail(reason)
            log("begin", reason)
            return "failed"
        transfer._move("start", {"attempts": transfer.attempts + 1})
        if isinstance(retry, JobRetry):
            retry.run = transfer.attempts
        log("begin", f"{transfer.key}: analysing (run {transfer.attempts})")
        return Plan(transfer.id, transfer.key, transfer.uid or transfer.key, settings, _source_of(transfer),
                    needs_answers=not transfer.answer_ids, item_keys=_item_keys(transfer))


def max_attempts(env) -> int:
    """``transfer_analysis.max_attempts``: how many runs a transfer gets (crashes and retries count)."""
    value = env["ir.config_parameter"].sudo().get_param("transfer_analysis.max_attempts")
    return int(value) if value and value.isdigit() and int(value) > 0 else 5


def _source_of(transfer) -> dict | None:
    source = transfer.source_id
    if not source:
        return None
    return {"base_url": source.base_url, "auth": source.auth_token, "node": source.node,
            "questionnaires": source.questionnaire_node, "persons": source.person_node,
            "accounts": source.account_node, "users": source.user_node, "storage": source.storage_url.rstrip("/")}


def _item_keys(transfer) -> dict:
    return {"questionnaire": transfer.questionnaire_key, "person": transfer.person_key,
            "account": transfer.account_key, "user": transfer.user_key}


def firebase_for(source: dict) -> FirebaseClient:
    return FirebaseClient(source["base_url"], source["auth"], session=_shared_session(source["base_url"]))


_sessions: dict = {}


def _shared_session(base_url: str):
    import requests

    return _sessions.setdefault(base_url, requests.Session())


def _with_retry(step: Callable, retry, log: Log, name: str):
    attempt = 0
    while True:
        attempt += 1
        try:
            return step()
        except RetryableAnalysisError as exc:
            log(name, f"{exc} (attempt {attempt})")
            if not retry.wait(exc, attempt):
                raise GiveUp(f"{name}: gave up after {attempt} attempt(s): {exc}") from None


# -- 2. resolve ----------------------------------------------------------------------------------------
def _resolve(steps, plan: Plan, log: Log) -> None:
    if not plan.source:
        raise GiveUp("the transfer has no answers to analyse")
    firebase = firebase_for(plan.source)
    questions = _questions(firebase, plan)
    if not questions:
        raise GiveUp(f"questionnaire {plan.item_keys['questionnaire']!r} has no question (tipo 'pregunta')")
    answers = [{"sequence": n, "question": str(index), "url": f"{plan.source['storage']}/cloud/{plan.uid}/{index}.wav"}
               for n, index in enumerate(questions, 1)]
    people = _people(firebase, plan)
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(plan.transfer_id)
        transfer._set_answers(answers)
        transfer.write(people)
    log("resolve", f"{len(answers)} answer(s) to analyse")


def _questions(firebase: FirebaseClient, plan: Plan) -> list:
    key = plan.item_keys["questionnaire"]
    if not key:
        raise GiveUp("the transfer names no questionnaire (key_encuesta)")
    questionnaire = _fetch(firebase, f"{plan.source['questionnaires']}/{key}")
    if not isinstance(questionnaire, dict):
        raise GiveUp(f"unknown questionnaire {key!r}")
    elements = questionnaire.get("cuestionario")
    items = elements.items() if isinstance(elements, dict) else enumerate(elements or [])
    return [index for index, element in items if isinstance(element, dict) and element.get("tipo") == "pregunta"]


def _people(firebase: FirebaseClient, plan: Plan) -> dict:
    """The names the summary mail shows; a missing record leaves its name empty."""
    values = {}
    person = _fetch_optional(firebase, plan.source["persons"], plan.item_keys["person"])
    if person:
        values["person_name"] = " ".join(str(person.get(k) or "") for k in ("Nombre", "ApPat", "ApMat")).strip()
    account = _fetch_optional(firebase, plan.source["accounts"], plan.item_keys["account"])
    if account:
        values["account_name"] = str(account.get("NComercial") or "")
    user = _fetch_optional(firebase, plan.source["users"], plan.item_keys["user"])
    if user:
        values["user_email"] = str(user.get("email") or "")
    return values


def _fetch_optional(firebase: FirebaseClient, node: str, key: str | None) -> dict | None:
    if not key:
        return None
    value = _fetch(firebase, f"{node}/{key}")
    return value if isinstance(value, dict) else None


def _fetch(firebase: FirebaseClient, path: str):
    try:
        return firebase.get(path)
    except SourceError as exc:
        if exc.status is not None and 400 <= exc.status < 500:
            raise GiveUp(f"the source refused {path}: {exc}") from None
        raise RetryableAnalysisError(f"the source did not answer: {exc}") from None


# -- 3. analyse ----------------------------------------------------------------------------------------
def _analyse_pending(steps, plan: Plan, log: Log, retry) -> None:
    with steps.step() as env:
        pending = [(a.id, a.sequence, a.url) for a in env["transfer.transfer"].browse(plan.transfer_id)
                   .answer_ids if a.state == "pending"]
    client = client_for(plan.settings)
    for answer_id, sequence, url in pending:
        answer = _ask(client, url, answer_id, steps, retry, log, sequence)
        if not answer.ok:
            _store_answer(steps, answer_id, answer, log, sequence)
            raise GiveUp(f"the analysis API refused answer {sequence}: HTTP {answer.status} {answer.text[:200]}")
        _store_answer(steps, answer_id, answer, log, sequence)


def _ask(client, url: str, answer_id: int, steps, retry, log: Log, sequence: int):
    attempt = 0
    while True:
        attempt += 1
        try:
            return client.analyse(url)
        except RetryableAnalysisError as exc:
            _note_attempt(steps, answer_id, str(exc))
            log("analyse", f"answer {sequence}: {exc} (attempt {attempt})")
            if not retry.wait(exc, attempt):
                raise GiveUp(f"answer {sequence}: gave up after {attempt} attempt(s): {exc}") from None


def _note_attempt(steps, answer_id: int, error: str) -> None:
    with steps.step() as env:
        answer = env["transfer.answer"].browse(answer_id)
        answer.write({"attempts": answer.attempts + 1, "error": error})


def _store_answer(steps, answer_id: int, answer, log: Log, sequence: int) -> None:
    reading = read_risk(answer.payload)
    with steps.step() as env:
        record = env["transfer.answer"].browse(answer_id)
        values = {"http_status": answer.status, "raw": answer.raw(), "attempts": record.attempts + 1,
                  "date_done": fields.Datetime.now()}
        if not answer.ok:
            values.update(state="failed", error=f"HTTP {answer.status}")
        else:
            values.update(state="invalid" if reading.problem else "done", risk=reading.risk, score=reading.score,
                          error=reading.problem or False)
        record.write(values)
        if answer.ok and reading.problem:
            record.transfer_id._log("ERR", f"answer {sequence}: {reading.problem}; risk counted as {reading.risk}")
    log("analyse", f"[ {answer.status} ] answer {sequence}: " +
        (f"score {reading.score}" if answer.ok else answer.text[:200]))


# -- 4. finish and fail --------------------------------------------------------------------------------
def _finish(steps, plan: Plan, log: Log) -> str:
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(plan.transfer_id)
        if transfer.state != "analysing":
            return transfer.state
        answers = transfer.answer_ids.sorted("sequence")
        resume = summary([a.score for a in answers])
        transfer._move("finish", {"resume": resume, "date_final": fields.Datetime.now(), "codec": "ra7",
                                  "writeback_state": "pending" if transfer.source_id else "none"})
        transfer._log("COMPLETED", f"COMPLETED|{len(answers)}|{resume}")
        transfer._queue_summary_mail()
    log("finish", f"{plan.key}: done, resume {resume}")
    return "done"


def _fail(steps, transfer_id: int, reason: str, log: Log) -> str:
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(transfer_id)
        if transfer.state not in FINAL_STATES:
            transfer._fail(reason)
    log("fail", reason)
    return "failed"


# -- 5. after the commit ---------------------------------------------------------------------------------
def write_back(steps, transfer_id: int, log: Log = _quiet) -> bool:
    """PATCH the result to the source (idempotent); record it, or the error for a later retry.

    ``steps``: a registry, or the steps of the caller.
    """
    steps = as_steps(steps)
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(transfer_id)
        if transfer.writeback_state != "pending":
            return transfer.writeback_state == "done"
        source, key = _source_of(transfer), transfer.key
        values = transfer._writeback_values()
    try:
        firebase_for(source).patch(f"{source['node']}/{key}", values)
        error = None
    except SourceError as exc:
        error = str(exc)
    with steps.step() as env:
        env["transfer.transfer"].browse(transfer_id)._record_writeback(error)
    log("write-back", error or f"{key}: processed = true at the source")
    return error is None


def retry_writebacks(steps, limit: int = 100) -> int:
    """Try the pending write-backs again; how many succeeded (``steps``: a registry, or steps)."""
    steps = as_steps(steps)
    with steps.step() as env:
        ids = env["transfer.transfer"].search([("writeback_state", "=", "pending"),
                                                    ("state", "=", "done")], limit=limit).ids
    return sum(write_back(steps, transfer_id) for transfer_id in ids)


def retry_summaries(steps, limit: int = 100) -> int:
    """Send the summary mails of done transfers still outgoing (a run stopped before sending them)."""
    steps = as_steps(steps)
    with steps.step() as env:
        ids = env["transfer.transfer"].search([("state", "=", "done"), ("mail_id.state", "=", "outgoing")],
                                              limit=limit).ids
    for transfer_id in ids:
        send_summary(steps, transfer_id)
    return len(ids)


def send_summary(steps, transfer_id: int, log: Log = _quiet) -> None:
    """Send the summary mail now, as the mail queue does: claimed first (the daemon's sweep and a
    resumed job never send one twice), SMTP outside any transaction; if sending fails, the mail
    keeps its retries and the mail queue's cron sends it later."""
    steps = as_steps(steps)
    with steps.step() as env:
        mail_ids = env["transfer.transfer"].browse(transfer_id).mail_id.ids
    if not mail_ids:
        return
    run = send_mails(steps, mail_ids)
    if run.sent or run.retried or run.failed:
        log("mail", "summary mail " + ("sent" if run.sent else "queued for a retry" if run.retried else "failed"))
