"""Login cooldown, as Odoo's: after ``base.login_cooldown_after`` failures from one address, refuse
every attempt from it for ``base.login_cooldown_duration`` seconds after each further failure.

Failures are counted per source address of the HTTP request (nothing is
counted outside a request: the shell, tests, server code) and stored in the
database (``odoo.service.login_failures``), so every worker and every server
on the database shares the count.  A success clears it.  The same guard
covers every way of presenting a password or an API key: ``common.login`` /
``authenticate`` (JSON-RPC and XML-RPC), ``execute_kw``,
``/web/session/authenticate``.
"""
import contextlib
import contextvars
import datetime
import logging

from odoo import api, models
from odoo.exceptions import AccessDenied
from odoo.http import request
from odoo.service import login_failures

from .res_users_apikeys import KEY_SHAPE

_logger = logging.getLogger(__name__)

COOLDOWN_MESSAGE = "Too many login failures, please wait a bit before trying again."
DEFAULT_COOLDOWN_AFTER = 5
DEFAULT_COOLDOWN_DURATION = 60

# Set while a guarded check runs: ``_login`` calls ``_check_credentials``, which must not count twice.
_guarded: contextvars.ContextVar[bool] = contextvars.ContextVar("login_guarded", default=False)


def request_source() -> str | None:
    """The client address of the HTTP request being served, if any."""
    try:
        return request.httprequest.remote_addr or None
    except RuntimeError:  # no request: server code, the shell, tests
        return None


class ResUsersLogin(models.Model):
    _inherit = "res.users"

    @contextlib.contextmanager
    def _assert_can_auth(self, user=None):
        """Refuse the attempt if its source is on cooldown; count it if it fails, forget the count if not.

        Raises AccessDenied with ``COOLDOWN_MESSAGE`` while on cooldown (the credentials are not even
        checked then, so a right password is refused too).
        """
        source = request_source()
        if source is None or _guarded.get():
            yield
            return
        found = self._check_login_cooldown(source)
        token = _guarded.set(True)
        try:
            yield
        except AccessDenied:
            login_failures.record_failure_later(self.env.cr, source)
            raise
        else:
            if found:
                login_failures.forget_later(self.env.cr, source)
        finally:
            _guarded.reset(token)

    def _check_login_cooldown(self, source: str):
        """The failures recorded for ``source``; AccessDenied with ``COOLDOWN_MESSAGE`` if it must wait."""
        cr = self.env.cr
        found = login_failures.failures_of(cr, source)
        if found and self._on_login_cooldown(found[0], datetime.datetime.fromtimestamp(found[1])):
            _logger.warning("login refused from %s on %s: %d failures in a row, the last at %s (cooldown)",
                            source, cr.dbname, found[0], datetime.datetime.fromtimestamp(found[1]))
            raise AccessDenied(COOLDOWN_MESSAGE)
        return found

    def _on_login_cooldown(self, failures: int, previous: datetime.datetime) -> bool:
        """Whether a source with ``failures`` failures, the last at ``previous``, must wait (Odoo's rule:
        from the ``base.login_cooldown_after``-th failure on, ``base.login_cooldown_duration`` seconds after
        each one; 0 failures disables it).  Override for another backoff."""
        params = self.env["ir.config_parameter"].sudo()
        after = int(params.get_param("base.login_cooldown_after", DEFAULT_COOLDOWN_AFTER) or 0)
        if after <= 0 or failures < after:
            return False
        duration = int(params.get_param("base.login_cooldown_duration", DEFAULT_COOLDOWN_DURATION) or 0)
        return datetime.datetime.now() - previous < datetime.timedelta(seconds=duration)

    @api.model
    def _login(self, login: str, password: str) -> int:
        with self._assert_can_auth():
            return super()._login(login, password)

    def _check_credentials(self, password: str) -> None:
        with self._assert_can_auth(user=self.id):
            return super()._check_credentials(password)


class ResUsersApikeysLogin(models.Model):
    _inherit = "res.users.apikeys"

    def _check_key(self, uid: int, key) -> bool:
        """An API key is a password too: refused while its source is on cooldown, and a valid one clears the
        count (a wrong one is counted by the password check that follows it)."""
        source = request_source()
        if source is None or not isinstance(key, str) or not KEY_SHAPE.fullmatch(key):
            return super()._check_key(uid, key)
        found = self.env["res.users"]._check_login_cooldown(source)
        valid = super()._check_key(uid, key)
        if valid and found:
            login_failures.forget_later(self.env.cr, source)
        return valid
