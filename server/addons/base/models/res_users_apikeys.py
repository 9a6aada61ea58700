"""API keys: secrets a user creates to use instead of their password in the external API.

``generate(name)`` returns the key once; only its SHA-256 is stored (keys
are 160 random bits, so a fast hash is enough, and the lookup is indexed).
Users see and revoke their own keys; system administrators see all of them.
The key works wherever the password does (``common.login``, ``execute_kw``)
through ``res.users._check_credentials``.
"""
import hashlib
import re
import secrets

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, AccessError, UserError

KEY_BYTES = 20
KEY_SHAPE = re.compile(r"[0-9a-f]{40}")


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ResUsersApikeys(models.Model):
    _name = "res.users.apikeys"
    _description = "User API Key"
    _order = "id"

    name = fields.Char("Description", required=True)
    user_id = fields.Many2one("res.users", "User", required=True, index=True, ondelete="cascade", readonly=True)
    scope = fields.Char(help="What the key may be used for (informative: every key works for the external API)")
    key_hash = fields.Char(index=True, readonly=True, copy=False, secret=True,
                           help="SHA-256 of the key; never readable")

    @api.model
    def generate(self, name: str, scope=False) -> str:
        """Create a key for the current user and return it: it is shown this once, then only its hash exists."""
        if not isinstance(name, str) or not name.strip():
            raise UserError("An API key needs a description saying where it will be used")
        if not self.env.uid or self.env.user.share:
            raise AccessError("Only internal users can create API keys")
        key = secrets.token_hex(KEY_BYTES)
        values = {"name": name.strip(), "scope": scope or False, "user_id": self.env.uid, "key_hash": key_hash(key)}
        super(ResUsersApikeys, self.sudo()).create(values)
        return key

    @api.model_create_multi
    def create(self, vals_list):
        raise UserError("API keys are created with generate(name), which shows the key once")

    def write(self, vals):
        if set(vals) - {"name", "scope"}:
            raise UserError("Only the description and scope of an API key can be changed")
        self._check_owner()
        return super().write(vals)

    def revoke(self) -> bool:
        """Delete these keys: clients using them are refused from their next call."""
        return self.unlink()

    def unlink(self):
        self._check_owner()
        return super().unlink()

    def read(self, fields=None, load="_classic_read"):
        self._check_owner()
        return super().read(fields, load)

    def _search(self, domain, offset=0, limit=None, order=None):
        return super()._search(self._own_domain(domain), offset=offset, limit=limit, order=order)

    def _sees_all(self) -> bool:
        return self.env.su or self.env.is_system()

    def _own_domain(self, domain) -> list:
        domain = list(domain or [])
        return domain if self._sees_all() else [("user_id", "=", self.env.uid)] + domain

    def _check_owner(self) -> None:
        if self._sees_all():
            return
        if any(key.sudo().user_id.id != self.env.uid for key in self.exists()):
            raise AccessError("You can only see and change your own API keys")

    @api.model
    def _check_key(self, uid: int, key) -> bool:
        """Whether ``key`` is one of the API keys of ``uid``, an active user (one indexed query)."""
        if not isinstance(key, str) or not KEY_SHAPE.fullmatch(key):  # not a key: no query for passwords
            return False
        if isinstance(uid, bool) or not isinstance(uid, int):
            return False
        row = self.env.cr.execute(
            "SELECT 1 FROM res_users_apikeys k JOIN res_users u ON u.id = k.user_id "
            "WHERE k.key_hash = %s AND k.user_id = %s AND u.active = %s", (key_hash(key), uid, True)).fetchone()
        return row is not None


class ResUsers(models.Model):
    _inherit = "res.users"

    def _check_credentials(self, password: str) -> None:
        """Accept an API key of the user where the password is expected (``common.login``)."""
        try:
            return super()._check_credentials(password)
        except AccessDenied:
            if self.env["res.users.apikeys"]._check_key(self.id, password):
                return None
            raise

    @api.model
    def check_credentials_of(self, uid: int, password: str) -> None:
        """Check API keys first, and never through the cache of successful password checks.

        A key lookup is one indexed query, so nothing needs remembering, and a
        revoked key is refused from the very next call.
        """
        if self.env["res.users.apikeys"]._check_key(uid, password):
            return None
        return super().check_credentials_of(uid, password)
