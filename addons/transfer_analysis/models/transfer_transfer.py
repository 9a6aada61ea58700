"""Transfers: one recorded questionnaire to analyse, from a stream source or JSON-RPC.

States (``TRANSITIONS`` is the whole table, ``REFUSALS`` its messages)::

    new -> queued -> analysing -> done | failed       (failed -> queued: retry)
    new -> ignored_old                                (older than the source's max age)

A transfer whose analysis job fails (an unexpected error, its tries used up, cancelled) is failed
too, with ``failure_origin = 'job'`` (``transfer_transfer_jobs.py``): retrying the transfer, or running
its job again, resumes it.

A transfer's key is unique in the database: a second arrival of the same key
is an INSERT the database refuses, recorded as a REPEATED event; nothing ever
searches for duplicates.  The steps of one analysis each run in a short
transaction of their own (``tools/processor.py``), so no transaction is open
while the analysis API or the source is called.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

STATES = [("new", "New"), ("queued", "Queued"), ("analysing", "Analysing"), ("done", "Done"),
          ("failed", "Failed"), ("ignored_old", "Ignored (too old)")]
KEY_UNIQUE_MESSAGE = "A transfer with this key already exists."
CODEC = "ra7"
FAILURE_ORIGINS = [("analysis", "The analysis refused it"), ("job", "Its analysis job failed")]
WRITEBACK_STATES = [("none", "Nothing to write back"), ("pending", "Pending"), ("done", "Written back")]


@dataclass(frozen=True)
class Transition:
    allowed: tuple[str, ...]
    target: str


TRANSITIONS = {
    "queue": Transition(("new",), "queued"),
    "start": Transition(("new", "queued", "analysing"), "analysing"),  # analysing again: after a crash
    "finish": Transition(("analysing",), "done"),
    "fail": Transition(("new", "queued", "analysing"), "failed"),
    "retry": Transition(("failed",), "queued"),
    "ignore_old": Transition(("new",), "ignored_old"),
}
REFUSALS = {
    "retry": "Transfer {key!r} is {state}: only failed transfers can be retried.",
    "start": "Transfer {key!r} is {state}: there is nothing to analyse.",
}


class TransferTransfer(models.Model):
    _name = "transfer.transfer"
    _description = "Transfer"
    _order = "id desc"
    _rec_name = "key"
    _sql_constraints = [("key_uniq", "unique(key)", KEY_UNIQUE_MESSAGE)]

    key = fields.Char(required=True, index=True, help="The source's key of the transfer (Transfer/<key>).")
    uid = fields.Char("Storage uid", help="The item's own 'key' field, naming its audio folder; default: key.")
    source_id = fields.Many2one("transfer.source", "Source", ondelete="restrict", index=True)
    company_id = fields.Many2one("res.company", "Company", required=True,
                                 default=lambda self: self.env.user.company_id or self.env.ref("base.main_company"))
    date = fields.Datetime("Recorded on", help="The item's date (or date_inicio), unix seconds at the source.")
    date_received = fields.Datetime(default=lambda self: fields.Datetime.now(), readonly=True)
    questionnaire_key = fields.Char(help="key_encuesta: the questionnaire answered.")
    person_key = fields.Char(help="key_persona")
    account_key = fields.Char(help="key_empresa: the customer account (Cuenta).")
    user_key = fields.Char(help="key_usuario")
    person_name = fields.Char(readonly=True)
    account_name = fields.Char(readonly=True, help="The account's NComercial.")
    user_email = fields.Char(readonly=True, help="The master account's email.")
    raw_item = fields.Json("Source item")
    state = fields.Selection(STATES, required=True, default="new", index=True, readonly=True)
    resume = fields.Char("Summary", readonly=True, help="The answers' scores, s1|s2|...")
    date_final = fields.Datetime("Analysed on", readonly=True)
    codec = fields.Char(readonly=True)
    error = fields.Text(readonly=True, help="Why the transfer failed.")
    failure_origin = fields.Selection(FAILURE_ORIGINS, readonly=True,
                                      help="Job: running its job again (requeue) resumes the transfer.")
    attempts = fields.Integer(readonly=True, default=0)
    answer_ids = fields.One2many("transfer.answer", "transfer_id", "Answers")
    event_ids = fields.One2many("transfer.event", "transfer_id", "Events")
    writeback_state = fields.Selection(WRITEBACK_STATES, default="none", required=True, readonly=True, index=True)
    writeback_attempts = fields.Integer(readonly=True, default=0)
    writeback_error = fields.Text(readonly=True)
    mail_id = fields.Many2one("mail.mail", "Summary mail", readonly=True, ondelete="set null")

    # -- intake -------------------------------------------------------------------------------------
    @api.model
    def receive_item(self, source, key: str, item, queue: bool = False) -> tuple[str, TransferTransfer]:
        """Record an item of a stream source; ``(event kind, transfer)``.

        NEW: a new transfer to analyse (created ``queued`` with ``queue``, its job to be stored by
        ``_dispatch`` in this transaction; else ``new``); OLD: recorded as ``ignored_old``;
        REPEATED: the key exists (the transfer returned is empty); ERR: the
        item is malformed (recorded as an event, no transfer).
        """
        if not isinstance(item, dict):
            return "ERR", self._log_orphan(key, "ERR", f"the item is not an object: {_short(item)}")
        try:
            date = _item_date(item)
        except ValueError as exc:
            return "ERR", self._log_orphan(key, "ERR", str(exc))
        old = date is not None and date < fields.Datetime.now() - timedelta(minutes=source.max_age_minutes)
        values = {**_item_values(item), "key": key, "source_id": source.id, "company_id": source.company_id.id,
                  "date": date, "raw_item": item, "state": "ignored_old" if old else "queued" if queue else "new"}
        transfer = self._create_once(values)
        if not transfer:
            return "REPEATED", self._log_orphan(key, "REPEATED", "the key was received before")
        kind = "OLD" if old else "NEW"
        transfer._log(kind, f"older than {source.max_age_minutes} minutes" if old else "received from the stream")
        return kind, transfer

    def _create_once(self, values: dict):
        """The new transfer, or an empty recordset when the key exists (the database refused it)."""
        try:
            return self.create(values)
        except ValidationError as exc:
            if str(exc) == KEY_UNIQUE_MESSAGE:
                return self.browse()
            raise

    @api.model
    def submit(self, key: str, answers: list, date=None, company_id: int | None = None, person_name=None,
               account_name=None, user_email=None) -> dict:
        """Create a transfer from a client program (the JSON-RPC intake); idempotent by key.

        ``answers``: a list of audio URLs (or ``{"url": ...}``).  Returns
        ``{"id", "key", "state", "repeated"}``; a transfer without answers is
        recorded as failed, with the reason.
        """
        if not isinstance(key, str) or not key.strip():
            raise UserError("submit needs a non-empty string key")
        self.check_access_rights("create")
        self = self.sudo()  # the answers and events are the intake's to write, not the caller's
        urls = _answer_urls(answers)
        values = {"key": key.strip(), "date": _rpc_date(date), "person_name": person_name,
                  "account_name": account_name, "user_email": user_email}
        if company_id:
            values["company_id"] = company_id
        transfer = self._create_once({k: v for k, v in values.items() if v not in (None, "")})
        if not transfer:
            self._log_orphan(key, "REPEATED", "submitted again over JSON-RPC")
            existing = self.search([("key", "=", key.strip())], limit=1)
            return {"id": existing.id, "key": existing.key, "state": existing.state, "repeated": True}
        transfer._log("NEW", "submitted over JSON-RPC")
        transfer._set_answers([{"sequence": n, "question": str(n), "url": url} for n, url in enumerate(urls, 1)])
        if urls:
            transfer._dispatch()
        else:
            transfer._fail("the transfer has no answers to analyse")
        return {"id": transfer.id, "key": transfer.key, "state": transfer.state, "repeated": False}

    # -- the state machine --------------------------------------------------------------------------
    def _move(self, event: str, values: dict | None = None) -> None:
        transition = TRANSITIONS[event]
        for transfer in self:
            if transfer.state not in transition.allowed:
                message = REFUSALS.get(event, "Transfer {key!r} is {state}: it cannot {event}.")
                raise UserError(message.format(key=transfer.key, state=transfer.state, event=event),
                                transfer=transfer.key, state=transfer.state)
        self.write({**(values or {}), "state": transition.target})

    def _fail(self, reason: str, origin: str = "analysis") -> None:
        self._move("fail", {"error": reason, "failure_origin": origin})
        for transfer in self:
            transfer._log("ERR", reason)

    def _set_answers(self, answers: list[dict]):
        """Create the answers once (a re-run after a crash finds them there and keeps them); all of them."""
        self.ensure_one()
        existing = self._answers()
        known = set(existing.mapped("sequence"))
        new = [{**answer, "transfer_id": self.id} for answer in answers if answer["sequence"] not in known]
        if not new:
            return existing
        created = self.env["transfer.answer"].create(new)
        self.invalidate_recordset(["answer_ids"])
        return existing | created

    def _answers(self):
        """This transfer's answers in sequence order, in one query (reading ``answer_ids`` costs one more:
        the ORM checks the transfer still exists first)."""
        self.ensure_one()
        return self.env["transfer.answer"].search([("transfer_id", "=", self.id)])

    def _log(self, kind: str, detail: str = "") -> None:
        self.env["transfer.event"].sudo().create([{"transfer_id": t.id, "key": t.key, "kind": kind, "detail": detail}
                                                  for t in self])
        self.invalidate_recordset(["event_ids"])

    def _log_each(self, events: list[tuple[str, str]]) -> None:
        """Record ``[(kind, detail)]`` on this transfer, in that order, with one INSERT."""
        self.ensure_one()
        self.env["transfer.event"].sudo().create([{"transfer_id": self.id, "key": self.key, "kind": kind,
                                                   "detail": detail} for kind, detail in events])
        self.invalidate_recordset(["event_ids"])

    @api.model
    def _log_orphan(self, key, kind: str, detail: str):
        self.env["transfer.event"].sudo().create({"key": str(key)[:200], "kind": kind, "detail": detail})
        return self.browse()

    # -- results ------------------------------------------------------------------------------------------
    def _writeback_values(self, values: dict | None = None) -> dict:
        """What the seed's updateBranch sets on Transfer/<key>: from the transfer, or from the ``values``
        (``resume``, ``date_final``, ``codec``) about to be written on it."""
        self.ensure_one()
        get = values.get if values is not None else lambda name: self[name]
        date_final = get("date_final")
        return {"resultado": get("resume") or "", "codec": get("codec") or CODEC, "processed": True,
                "date_final": date_final.strftime("%Y/%m/%d - %H:%M:%S UTC") if date_final else ""}

    def _record_writeback(self, error: str | None) -> None:
        self.ensure_one()
        attempts = self.writeback_attempts + 1
        # the event first: it reads the key, which the write would make the ORM read again
        if error is None:
            self._log("WRITEBACK", "processed = true at the source")
            self.write({"writeback_state": "done", "writeback_error": False, "writeback_attempts": attempts})
        else:
            self._log("ERR", f"write-back failed (will retry): {error}")
            self.write({"writeback_error": error, "writeback_attempts": attempts})

    def _no_summary_mail_reason(self) -> str | None:
        """Why no summary mail can be queued (the company has no recipients), or None."""
        self.ensure_one()
        if self.company_id.transfer_report_email_to:
            return None
        return (f"no summary mail: company {self.company_id.name!r} has no transfer summary recipients "
                "(res.company.transfer_report_email_to)")

    def _queue_summary_mail(self) -> None:
        """Queue the summary for the company's recipients (never a hard-coded address)."""
        self.ensure_one()
        template = self.env.ref("transfer_analysis.mail_template_transfer_summary")
        self.mail_id = template.sudo().send_mail(self.id)

    # -- operator actions ---------------------------------------------------------------------------
    def action_retry(self) -> bool:
        """Queue failed transfers again (their analysed answers are kept; the others are asked again)."""
        self._reopen("queued again by an operator")
        self._dispatch()
        return True

    def _reopen(self, why: str) -> None:
        """``failed -> queued`` with a fresh count of runs; failed answers are asked again."""
        self._move("retry", {"error": False, "failure_origin": False, "attempts": 0})
        for transfer in self:
            transfer.answer_ids.filtered(lambda a: a.state == "failed").write({"state": "pending", "error": False})
            transfer._log("RETRY", why)

    @api.model
    def status_counts(self) -> dict:
        """``{state: count}`` over every transfer, every state present."""
        return {state: self.search_count([("state", "=", state)]) for state, _label in STATES}

    def summary(self) -> dict:
        """What ``transfers find`` prints: the transfer, its answers and events."""
        self.ensure_one()
        return {
            "key": self.key, "state": self.state, "resume": self.resume or "", "codec": self.codec or "",
            "date": _iso(self.date), "date_final": _iso(self.date_final), "error": self.error or "",
            "writeback": self.writeback_state,
            "answers": [{"sequence": a.sequence, "url": a.url, "state": a.state, "http_status": a.http_status,
                         "risk": a.risk, "score": a.score, "error": a.error or "", "raw": a.raw}
                        for a in self.answer_ids],
            "events": [{"kind": e.kind, "detail": e.detail or "", "date": _iso(e.date)} for e in self.event_ids],
        }


def _item_values(item: dict) -> dict:
    pairs = {"uid": item.get("key"), "questionnaire_key": item.get("key_encuesta"),
             "person_key": item.get("key_persona"), "account_key": item.get("key_empresa"),
             "user_key": item.get("key_usuario")}
    return {name: str(value) for name, value in pairs.items() if value not in (None, "")}


def _item_date(item: dict) -> datetime | None:
    """The item's ``date`` (else ``date_inicio``) in unix seconds, as naive UTC; None when it has neither."""
    value = item.get("date")
    if value in (None, ""):
        value = item.get("date_inicio")
    if value in (None, ""):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"the item's date {_short(value)} is not unix seconds") from None
    if seconds > 1e11:  # milliseconds, as JavaScript writes them
        seconds /= 1000
    return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)


def _rpc_date(value):
    if value in (None, False, ""):
        return None
    if isinstance(value, (int, float)):
        return _item_date({"date": value})
    return value  # the Datetime field parses and refuses strings


def _answer_urls(answers) -> list[str]:
    if not isinstance(answers, list):
        raise UserError("answers must be a list of audio URLs (or of {'url': ...})")
    urls = []
    for answer in answers:
        url = answer.get("url") if isinstance(answer, dict) else answer
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise UserError(f"answer {_short(answer)} is not an http(s) URL")
        urls.append(url)
    return urls


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _iso(value) -> str:
    return fields.Datetime.to_string(value) if value else ""
