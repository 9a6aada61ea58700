"""Real SMTP servers on 127.0.0.1 (aiosmtpd), as the mail tests' third party.

``smtp_server()`` starts one and returns it: ``.port``, ``.messages`` (the
``email.message.EmailMessage`` objects received, with ``.envelope_to``),
and options to refuse recipients, require a login, STARTTLS or SSL.
``.hold(address)`` makes the first ``RCPT TO`` of ``address`` wait (``.held``
is set meanwhile) until ``.release`` is set, then refuse it temporarily.  A
``closed_port`` is a port nothing listens on (the connection is refused).
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import threading
from dataclasses import dataclass, field

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from odoo.testing_http import free_port


@dataclass
class SmtpServer:
    port: int
    messages: list = field(default_factory=list)
    rcpt_answer: str | None = None  # e.g. "550 5.1.1 no such user" refuses every recipient
    logins: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    held_address: str | None = None
    held: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def hold(self, address: str) -> None:
        self.held_address = address

    def received_by(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]


class _Handler:
    def __init__(self, server: SmtpServer):
        self.server = server

    async def handle_RCPT(self, smtp, session, envelope, address, rcpt_options):
        if address == self.server.held_address:
            self.server.held_address = None
            self.server.held.set()
            await asyncio.get_running_loop().run_in_executor(None, self.server.release.wait)
            return "451 4.3.0 held by the test"
        if self.server.rcpt_answer:
            return self.server.rcpt_answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, smtp, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        with self.server.lock:
            self.server.messages.append(message)
        return "250 Message accepted for delivery"


def _authenticator(server: SmtpServer, user: str, password: str):
    def check(smtp, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user \
            and auth_data.password.decode() == password
        server.logins.append((mechanism, auth_data.login.decode() if ok else None))
        return AuthResult(success=ok, handled=False)
    return check


@pytest.fixture(scope="session")
def test_ca():
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(test_ca, tmp_path_factory):
    path = tmp_path_factory.mktemp("ca") / "ca.pem"
    test_ca.cert_pem.write_to_path(str(path))
    return str(path)


def _server_context(test_ca) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    test_ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def smtp_server(test_ca):
    """``smtp_server(login=('u', 'p'), starttls=False, ssl=False, rcpt_answer=None)`` -> a running SmtpServer."""
    controllers = []

    def start(login: tuple[str, str] | None = None, starttls: bool = False, implicit_tls: bool = False,
              rcpt_answer: str | None = None) -> SmtpServer:
        server = SmtpServer(free_port(), rcpt_answer=rcpt_answer)
        options = {"hostname": "127.0.0.1", "port": server.port}
        if login:
            options.update(authenticator=_authenticator(server, *login), auth_require_tls=starttls)
        if starttls:
            options.update(tls_context=_server_context(test_ca), require_starttls=True)
        if implicit_tls:
            options["ssl_context"] = _server_context(test_ca)
        controller = Controller(_Handler(server), server_hostname="localhost", **options)
        controller.start()
        controllers.append((controller, server))
        return server

    yield start
    for controller, server in controllers:
        server.release.set()
        controller.stop()


@pytest.fixture
def closed_port() -> int:
    return free_port()


@pytest.fixture
def mail_server(env):
    """``mail_server(port, **fields)`` -> an ir.mail_server on 127.0.0.1 (the first in sequence)."""
    def create(port: int, **values):
        return env["ir.mail_server"].create({"name": f"test {port}", "smtp_host": "127.0.0.1", "smtp_port": port,
                                             "smtp_authentication": "none", "sequence": 1, **values})
    return create
