"""Three real servers on 127.0.0.1, each on a database of its own: the IAP platform, the ISBN provider
(with the test kit), and a client.  Wired as in production: the provider's ``iap.endpoint`` and the
client's ``iap.endpoint`` name the platform, the client's ``iap_client.endpoint`` names the provider.

They are started once per backend and shared: a test isolates itself by giving the client's account a
token of its own (``new_client_token``) and by comparing figures before and after.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from odoo import fields

from server.config import ROOT
from server.orm.environment import SUPERUSER_ID, Environment
from server.testing_http import JsonRpcClient, LiveServer

SERVICE = "book_isbn"
PLATFORM_ADDONS = ("iap_platform", "web")
PROVIDER_ADDONS = ("iap_isbn_service", "isbn_provider_testkit", "web")
CLIENT_ADDONS = ("iap_client", "web")
CLIENT_TIMEOUT = 10.0


@dataclass
class Servers:
    platform: LiveServer
    provider: LiveServer
    client: LiveServer

    @contextlib.contextmanager
    def env(self, server: LiveServer) -> Iterator[Environment]:
        """A superuser environment on ``server``'s database, committed at the end of the block."""
        with server.registry().cursor() as cr:
            yield Environment(cr, SUPERUSER_ID, {})

    def set_param(self, server: LiveServer, key: str, value) -> None:
        set_param(server, key, value)

    # -- the client ---------------------------------------------------------------------------------
    def new_client_token(self) -> str:
        """Give the client's ``book_isbn`` account a new token (a new, empty account at the platform)."""
        token = "test-" + uuid.uuid4().hex
        with self.env(self.client) as env:
            env.ref("iap_client.iap_account_book_isbn_demo").account_token = token
        return token

    def new_book(self, isbn: str) -> int:
        with self.env(self.client) as env:
            return env["library.book"].create({"isbn": isbn}).id

    def read_book(self, book_id: int) -> dict:
        with self.env(self.client) as env:
            book = env["library.book"].browse(book_id)
            return {"name": book.name, "isbn": book.isbn, "date_release": str(book.date_release or ""),
                    "authors": book.author_ids.mapped("name"), "iap_request_id": book.iap_request_id}

    def fetch(self, book_id: int):
        """``fetch_book_data`` over the client's external API (``execute_kw`` as admin), as OdooRPC calls it."""
        rpc = JsonRpcClient(self.client.url)
        uid = rpc.rpc("common", "login", self.client.db, "admin", "admin")
        return rpc.rpc("object", "execute_kw", self.client.db, uid, "admin", "library.book", "fetch_book_data",
                       [[book_id]])

    def charge_with(self, charging: str) -> None:
        """Set how the provider charges (``odoo``, ``deferred`` or ``quota``)."""
        self.set_param(self.provider, "iap_isbn_service.charging", charging)

    def settle(self, timeout: float = 60) -> None:
        """Let the provider settle with the platform: queued captures sent, open quotas released."""
        deadline = time.monotonic() + timeout
        with self.env(self.provider) as env:
            env.cr.execute("UPDATE iap_quota SET usable_until = %s WHERE state = %s",
                           (fields.Datetime.to_string(fields.Datetime.now() - dt.timedelta(seconds=1)), "open"))
        while time.monotonic() < deadline:
            with self.env(self.provider) as env:
                env["iap.pending.op"]._send_due()
                env["iap.quota"]._report_due()
                if not (env["iap.pending.op"].search_count([("state", "=", "pending")]) or
                        env["iap.quota"].search_count([("state", "in", ["open", "closing"])])):
                    return
            time.sleep(0.05)
        raise AssertionError(f"the provider still owes the platform after {timeout} s")

    def provider_answers(self) -> list[dict]:
        """The answers the provider keeps for retries, oldest first."""
        with self.env(self.provider) as env:
            return env["book.data.request"].search([], order="id").mapped("response")

    # -- the platform's books ----------------------------------------------------------------------------
    def fund(self, token: str, credits: float) -> None:
        with self.env(self.platform) as env:
            env["iap.platform.account"].admin_topup(SERVICE, token, credits)

    def available(self, token: str) -> float:
        """The account's available credits at the platform (0 for an account that does not exist)."""
        with self.env(self.platform) as env:
            account = env["iap.platform.account"].search([("token", "=", token)])
            return account.available / 10_000 if account else 0.0

    def ledger(self) -> dict[str, int]:
        """Non-zero ledger balances by account code, in units (1/10,000 credit)."""
        with self.env(self.platform) as env:
            rows = env.cr.execute("SELECT account_code, SUM(amount) FROM iap_platform_ledger_entry "
                                  "GROUP BY account_code").fetchall()
        return {code: int(total) for code, total in rows if total}

    def revenue_and_commission(self) -> tuple[int, int]:
        with self.env(self.platform) as env:
            service = env["iap.platform.service"].search([("technical_name", "=", SERVICE)])
        ledger = self.ledger()
        return ledger.get(f"service:{service.id}:revenue", 0), ledger.get("platform:commission", 0)

    def transactions(self, token: str) -> list[dict]:
        with self.env(self.platform) as env:
            found = env["iap.platform.transaction"].search([("account_id.token", "=", token)], order="id")
            return [{"state": t.state, "captured": t.captured, "authorized": t.authorized} for t in found]

    def journal_kinds(self, token: str) -> list[str]:
        """The kinds of the ledger journals of the account's transactions and quotas, in the order posted."""
        with self.env(self.platform) as env:
            found = env["iap.platform.transaction"].search([("account_id.token", "=", token)])
            quotas = env["iap.platform.quota"].search([("account_id.token", "=", token)])
            entries = env["iap.platform.ledger.entry"].search(
                ["|", ("transaction_id", "in", found.ids), ("quota_id", "in", quotas.ids)], order="id")
            journals = dict.fromkeys((entry.journal, entry.kind) for entry in entries)
        return [kind for _journal, kind in journals]

def send_queued(env, timeout: float = 30) -> None:
    """Send what requests of ``env``'s provider queued (its sender thread, woken by their commit, may be
    sending it already); ``env``'s transaction is committed."""
    deadline = time.monotonic() + timeout
    env.cr.commit()
    while env["iap.pending.op"].search_count([("state", "=", "pending")]) and time.monotonic() < deadline:
        env["iap.pending.op"]._send_due()
        env.cr.commit()
        env["iap.pending.op"].invalidate_model()
        time.sleep(0.02)


def set_param(server: LiveServer, key: str, value) -> None:
    """Set a system parameter of ``server``'s database (committed: the server sees it at once)."""
    with server.registry().cursor() as cr:
        Environment(cr, SUPERUSER_ID, {})["ir.config_parameter"].set_param(key, value)


def cli(config, *args: str) -> subprocess.CompletedProcess:
    """``python odoo-bin.py ARGS`` against the database of ``config``."""
    command = [sys.executable, "odoo-bin.py", *args, "--db-uri", config["db_uri"], "--addons-path",
               config["addons_path"], "--data-dir", str(config.data_dir)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


_started: dict[str, Servers] = {}


def servers_for(backend: str, factory) -> Servers:
    """The three servers of ``backend``, started and wired on first use."""
    if backend not in _started:
        platform = factory.for_addons(backend, PLATFORM_ADDONS, fresh=True)
        provider = factory.for_addons(backend, PROVIDER_ADDONS, fresh=True)
        client = factory.for_addons(backend, CLIENT_ADDONS, fresh=True)
        servers = Servers(platform, provider, client)
        servers.set_param(platform, "web.base.url", platform.url)
        with servers.env(platform) as env:  # figures stay exact: no trial credits on a database's first call
            env.ref("iap_platform.service_book_isbn").trial_credits = 0
        servers.set_param(provider, "iap.endpoint", platform.url)
        servers.set_param(client, "iap.endpoint", platform.url)
        servers.set_param(client, "iap_client.endpoint", provider.url)
        servers.set_param(client, "iap_client.timeout", CLIENT_TIMEOUT)
        _started[backend] = servers
    return _started[backend]
