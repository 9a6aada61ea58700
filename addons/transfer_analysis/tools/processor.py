"""Analyse one transfer, step by step, each database step in a short transaction of its own.

``process_transfer(registry, transfer_id)`` is what a job, the threaded
runner of ``transfers follow`` and ``transfers process --key`` all run:

1. *begin*: re-read the transfer; stop if it is done, failed or ignored
   (unless a job runs again after failing it: then it resumes); move it to
   ``analysing``, read the settings and the answers still pending (one
   transaction);
2. *resolve* (first run only, outside any transaction): the questionnaire,
   the person, the account and the user from the source; then store the
   answers to analyse (one transaction, while the first answer is already
   being asked);
3. *analyse*: each pending answer is sent to the API (no transaction open)
   and its result stored at once (one transaction each), while the next
   answer is being asked (``AskAhead``: never two requests at once per
   transfer); a crash loses at most the answers in flight, and a re-run
   asks only for what is missing; a job gives its place on the channel to
   the next transfer's job while its last request travels (``NoPlace``);
4. *finish*: the summary, ``done``, the COMPLETED event and the summary
   mail, all in one transaction;
5. *write back* to the source after that commit (``PATCH``), then record it;
   then send the summary mail (``tools/followups.py``; a job leaves both to
   the process's follow-up threads and ends, freeing its API slot).

Retryable API errors (429, 5xx, timeouts, connection errors) go to the
``retry`` policy (``tools/retry_policy.py``): ``InlineRetry`` waits and tries
again in this thread; the job wiring's ``JobRetry`` raises the queue's retry
error instead.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from odoo import fields
from odoo.addons.mail.tools.transaction_steps import OwnTransactions
from odoo.exceptions import MissingError

from .analysis_client import AnalysisSettings, AskAhead, RetryableAnalysisError, analysis_parameters, client_for
from .firebase import FirebaseClient, SourceError
from .followups import (
    FOLLOW_UPS,
    Writeback,
    firebase_for,
    retry_summaries,
    retry_writebacks,
    send_summary,
    source_of,
    write_back,
)
from .retry_policy import InlineRetry, JobRetry
from .risk import read_risk, summary

__all__ = ["InlineRetry", "JobRetry", "process_transfer", "retry_summaries", "retry_writebacks", "write_back"]
_logger = logging.getLogger(__name__)
FINAL_STATES = ("done", "failed", "ignored_old")
CODEC = "ra7"
Log = Callable[[str, str], None]


def _quiet(step: str, message: str) -> None:
    _logger.debug("[ %s ] - %s", step, message)


class GiveUp(Exception):
    """The transfer cannot be analysed; the message is recorded as the reason."""


@dataclass(frozen=True)
class Pending:
    """An answer still to ask the API for, as read when its step began."""

    id: int
    sequence: int
    url: str
    attempts: int


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
    pending: list[Pending] = field(default_factory=list)


@dataclass(frozen=True)
class Finished:
    """The outcome of *finish*: the state, and what comes after the commit (write-back, mails)."""

    state: str
    writeback: Writeback | None = None
    mail_ids: tuple[int, ...] = ()


class NoPlace:
    """A run outside the queue (``transfers process``): no place on a channel to wait for, give or release.

    A job's place (``transfer_transfer_jobs.JobPlace``): ``wait()`` before the run's first request,
    until the job that gave it its place has stored its last answer; ``hand_over(env)`` in the step
    after the run's last request is sent (the next transfer's job starts and prepares meanwhile);
    ``release(env)`` in the step that stores the last answer, when nothing was handed over;
    ``last_call_done()`` once it is stored.  The API thus never sees more requests than the channel's
    capacity, and a crash loses at most one answer per place (in flight, or in and not yet stored).
    """

    def wait(self) -> None:
        pass

    def hand_over(self, env) -> None:
        pass

    def last_call_done(self) -> None:
        pass

    def release(self, env) -> None:
        pass


def process_transfer(registry, transfer_id: int, log: Log = _quiet, retry=None, steps=None,
                     follow_up_later: bool = False, place=None) -> str:
    """Analyse transfer ``transfer_id`` to its end (or to the next retry); return its state.

    ``steps`` says where each step's transaction comes from: ``OwnTransactions(registry)`` (default)
    opens one cursor per step; a job passes ``CommittedSteps(env)``, its own cursor committed per step
    (``odoo.addons.mail.tools.transaction_steps``).  ``follow_up_later``: the write-back and the
    summary mail are handed to ``FOLLOW_UPS`` instead of done before returning (a job does that).
    ``place``: the run's place on the analysis channel (``NoPlace``): a job gives it to the next
    transfer's job while its last request travels, or once its last answer is stored.
    """
    place = place or NoPlace()
    retry = retry or InlineRetry()
    steps = steps or OwnTransactions(registry)
    plan = _begin(steps, transfer_id, log, retry)
    if plan == "done":  # a run that stopped after its commit: finish what comes after it (both idempotent)
        write_back(steps, transfer_id, log)
        send_summary(steps, transfer_id, log)
    if not isinstance(plan, Plan):
        return plan
    asking = AskAhead(client_for(plan.settings), before_first=place.wait)
    try:
        if plan.needs_answers:
            _with_retry(lambda: _resolve(steps, plan, log, asking), retry, log, "resolve")
        _analyse_pending(steps, plan, log, retry, asking, place)
    except GiveUp as exc:
        return _fail(steps, transfer_id, str(exc), log)
    finally:
        asking.drop()
    finished = _finish(steps, plan, log)
    if finished.state == "done" and follow_up_later:
        FOLLOW_UPS.submit(registry, transfer_id, finished.writeback, finished.mail_ids)
    elif finished.state == "done":
        write_back(steps, transfer_id, log, known=finished.writeback)
        send_summary(steps, transfer_id, log, mail_ids=finished.mail_ids)
    return finished.state


# -- 1. begin ------------------------------------------------------------------------------------------
def _begin(steps, transfer_id: int, log: Log, retry):
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(transfer_id)
        try:
            transfer.state  # noqa: B018  (reads the row: one query, where exists() would take two)
        except MissingError:
            log("begin", f"transfer {transfer_id} does not exist")
            return "missing"
        if env.context.get("job_uuid") and transfer._resume_by_job():
            log("begin", f"{transfer.key}: its failed job runs again, analysing it again")
        if transfer.state in FINAL_STATES:
            log("begin", f"{transfer.key} is {transfer.state}: nothing to do")
            return transfer.state
        parameters = analysis_parameters(env)
        try:
            settings = AnalysisSettings.from_parameters(env, parameters)
        except ValueError as exc:
            return _fail_now(transfer, str(exc), log)
        limit = max_attempts(parameters)
        if transfer.attempts >= limit:
            errors = [error for error in transfer.answer_ids.mapped("error") if error]
            return _fail_now(transfer, f"gave up after {transfer.attempts} run(s)" +
                             (f": {errors[-1]}" if errors else ""), log)
        run = transfer.attempts + 1
        answers = transfer._answers()
        plan = Plan(transfer.id, transfer.key, transfer.uid or transfer.key, settings, source_of(transfer),
                    needs_answers=not answers, item_keys=_item_keys(transfer), pending=_pending(answers))
        transfer._move("start", {"attempts": run})  # last: what the plan needs is read before the write
        retry.prepare(parameters, run)
        log("begin", f"{plan.key}: analysing (run {run})")
        return plan


def _fail_now(transfer, reason: str, log: Log) -> str:
    transfer._fail(reason)
    log("begin", reason)
    return "failed"


def max_attempts(parameters: dict) -> int:
    """``transfer_analysis.max_attempts``: how many runs a transfer gets (crashes and retries count)."""
    value = parameters.get("transfer_analysis.max_attempts")
    return int(value) if value and value.isdigit() and int(value) > 0 else 5


def _pending(answers) -> list[Pending]:
    return [Pending(a.id, a.sequence, a.url, a.attempts) for a in answers.sorted("sequence") if a.state == "pending"]


def _item_keys(transfer) -> dict:
    return {"questionnaire": transfer.questionnaire_key, "person": transfer.person_key,
            "account": transfer.account_key, "user": transfer.user_key}


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
def _resolve(steps, plan: Plan, log: Log, asking: AskAhead) -> None:
    if not plan.source:
        raise GiveUp("the transfer has no answers to analyse")
    firebase = firebase_for(plan.source)
    questions = _questions(firebase, plan)
    if not questions:
        raise GiveUp(f"questionnaire {plan.item_keys['questionnaire']!r} has no question (tipo 'pregunta')")
    answers = [{"sequence": n, "question": str(index), "url": f"{plan.source['storage']}/cloud/{plan.uid}/{index}.wav"}
               for n, index in enumerate(questions, 1)]
    people = _people(firebase, plan)
    asking.start(answers[0]["url"])  # asked while the answers are stored
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(plan.transfer_id)
        plan.pending = _pending(transfer._set_answers(answers))
        if people:
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
def _analyse_pending(steps, plan: Plan, log: Log, retry, asking: AskAhead, place) -> None:
    """Ask for each pending answer and store it, the next one asked while the last one is stored."""
    pending = plan.pending
    for position, answer in enumerate(pending):
        result, tries = _ask(asking, answer, steps, retry, log)
        more = result.ok and position + 1 < len(pending)
        if more:
            asking.start(pending[position + 1].url)
        last_sent = more and position + 2 == len(pending)  # the run's last request is in flight
        _store_answer(steps, answer, result, answer.attempts + tries, log,
                      also=place.hand_over if last_sent else place.release if result.ok and not more else None)
        if not more:  # stored: a crash from now on loses no answer of this run, and none will be asked
            place.last_call_done()
        if not result.ok:
            raise GiveUp(f"the analysis API refused answer {answer.sequence}: HTTP {result.status} "
                         f"{result.text[:200]}")


def _ask(asking: AskAhead, answer: Pending, steps, retry, log: Log):
    """The API's answer and how many requests it took (the earlier ones recorded on the answer)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return asking.take(answer.url), attempt
        except RetryableAnalysisError as exc:
            _note_attempt(steps, answer, attempt, str(exc))
            log("analyse", f"answer {answer.sequence}: {exc} (attempt {attempt})")
            if not retry.wait(exc, attempt):
                raise GiveUp(f"answer {answer.sequence}: gave up after {attempt} attempt(s): {exc}") from None


def _note_attempt(steps, answer: Pending, attempt: int, error: str) -> None:
    with steps.step() as env:
        env["transfer.answer"].browse(answer.id).write({"attempts": answer.attempts + attempt, "error": error})


def _store_answer(steps, answer: Pending, result, attempts: int, log: Log, also=None) -> None:
    """Record the API's answer in a transaction of its own; ``also(env)`` runs in that transaction."""
    reading = read_risk(result.payload)
    values = {"http_status": result.status, "raw": result.raw(), "date_done": fields.Datetime.now(),
              "attempts": attempts}
    if not result.ok:
        values.update(state="failed", error=f"HTTP {result.status}")
    else:
        values.update(state="invalid" if reading.problem else "done", risk=reading.risk, score=reading.score,
                      error=reading.problem or False)
    with steps.step() as env:
        record = env["transfer.answer"].browse(answer.id)
        record.write(values)
        if result.ok and reading.problem:
            record.transfer_id._log("ERR", f"answer {answer.sequence}: {reading.problem}; "
                                           f"risk counted as {reading.risk}")
        if also is not None:
            also(env)
    log("analyse", f"[ {result.status} ] answer {answer.sequence}: " +
        (f"score {reading.score}" if result.ok else result.text[:200]))


# -- 4. finish and fail --------------------------------------------------------------------------------
def _finish(steps, plan: Plan, log: Log) -> Finished:
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(plan.transfer_id)
        if transfer.state != "analysing":
            return Finished(transfer.state)
        scores = [row["score"] for row in env["transfer.answer"].search_read(  # in sequence order
            [("transfer_id", "=", transfer.id)], ["score"])]
        resume = summary(scores)
        values = {"resume": resume, "date_final": fields.Datetime.now(), "codec": CODEC,
                  "writeback_state": "pending" if plan.source else "none"}
        writeback = Writeback(plan.source, plan.key, transfer._writeback_values(values)) if plan.source else None
        # what is read first (a write makes the ORM read the whole row again), then one INSERT, one UPDATE
        no_mail = transfer._no_summary_mail_reason()
        events = [("COMPLETED", f"COMPLETED|{len(scores)}|{resume}")] + ([("ERR", no_mail)] if no_mail else [])
        transfer._log_each(events)
        transfer._move("finish", values)
        if not no_mail:
            transfer._queue_summary_mail()
        finished = Finished("done", writeback, tuple(transfer.mail_id.ids))
    log("finish", f"{plan.key}: done, resume {resume}")
    return finished


def _fail(steps, transfer_id: int, reason: str, log: Log) -> str:
    with steps.step() as env:
        transfer = env["transfer.transfer"].browse(transfer_id)
        if transfer.state not in FINAL_STATES:
            transfer._fail(reason)
    log("fail", reason)
    return "failed"
