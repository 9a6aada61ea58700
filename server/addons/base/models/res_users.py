"""Users: login, hashed password, groups, and the credential checks the RPC layer relies on."""
import hashlib
import logging

from odoo import api, fields, models
from odoo.exceptions import AccessDenied, UserError, ValidationError
from odoo.tools.passwords import hash_password, verify_password

from .res_users_identitycheck import check_identity  # noqa: F401  (where Odoo addons import it from)

_logger = logging.getLogger(__name__)


class ResUsers(models.Model):
    _name = "res.users"
    _description = "User"
    _order = "name, login"
    _inherits = {"res.partner": "partner_id"}  # a user is a partner: name, email, lang, tz... are its partner's
    _sql_constraints = [("login_key", "unique(login)", "You can not have two users with the same login!")]

    login = fields.Char(required=True, index=True)
    password = fields.Char(help="Write a new password here; only its scrypt hash is stored.", copy=False,
                           secret=True)
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one("res.partner", "Related Partner", required=True, ondelete="restrict")
    company_id = fields.Many2one("res.company", "Company",
                                 default=lambda self: self.env.ref("base.main_company", raise_if_not_found=False))
    groups_id = fields.Many2many("res.groups", "res_groups_users_rel", "uid", "gid", "Groups")
    share = fields.Boolean(compute="_compute_share", help="External user: not an internal user.")

    def _compute_share(self):
        for user in self:
            user.share = not user.has_group("base.group_user")

    # -- passwords never leave the database in any form (secret field: read gives False) ------------
    def _hash_vals(self, vals: dict) -> dict:
        if vals.get("password"):
            vals = {**vals, "password": hash_password(vals["password"])}
        elif "password" in vals:
            vals = {k: v for k, v in vals.items() if k != "password"}
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        prepared = [self._hash_vals(dict(vals)) for vals in vals_list]
        self.env.registry.clear_cache(self.env.cr)  # a rolled-back user's id may be reused (SQLite)
        return super().create(prepared)

    def write(self, vals):
        vals = self._hash_vals(dict(vals))
        if "login" in vals and vals["login"] != SUPERUSER_LOGIN and SUPERUSER_LOGIN in self.mapped("login"):
            raise UserError("The system user's login cannot be changed.")
        result = super().write(vals)
        if "groups_id" in vals:
            self.env.cr.cache.clear()
        if CACHED_FIELDS.intersection(vals):
            self.env.registry.clear_cache(self.env.cr)
        return result

    def unlink(self):
        if any(user.id in (1, 2) for user in self):
            raise UserError("You can not remove the admin user or the system user.")
        self.env.registry.clear_cache(self.env.cr)
        return super().unlink()

    # -- authentication ------------------------------------------------------------------------------
    def _check_password(self, password: str) -> None:
        """Raise AccessDenied unless ``password`` is this user's."""
        self.ensure_one()
        row = self.env.cr.execute("SELECT password, active FROM res_users WHERE id = %s", (self.id,)).fetchone()
        if not row or not row[1] or not verify_password(password, row[0]):
            raise AccessDenied()

    @api.model
    def _login(self, login: str, password: str) -> int:
        """The uid of the active user ``login`` whose password is ``password``; AccessDenied otherwise."""
        if not isinstance(login, str) or not isinstance(password, str) or not login or not password:
            raise AccessDenied()
        user = self.sudo().search([("login", "=", login)], limit=1)
        if not user:
            raise AccessDenied()
        user._check_credentials(password)
        return user.id

    def _check_credentials(self, password: str) -> None:
        """Accept the password; addons extend this (API keys) with ``super()``."""
        self._check_password(password)

    @api.model
    def authenticate(self, login: str, password: str, user_agent_env: dict | None = None) -> int:
        """Log ``login`` in (AccessDenied if refused) and return their uid, as Odoo's ``authenticate``:
        when a system administrator logs in from a browser, ``user_agent_env['base_location']`` (the
        address the request reached us at) becomes ``web.base.url``, unless ``web.base.url.freeze``
        is set."""
        uid = self._login(login, password)
        if user_agent_env and user_agent_env.get("base_location"):
            self._update_web_base_url(uid, user_agent_env["base_location"])
        return uid

    def _update_web_base_url(self, uid: int, base_location: str) -> None:
        """Odoo's guess at this server's public address; a failure is logged, never the login's."""
        env = self.env(user=uid, su=False)
        if self.env.cr.readonly or not env.user.has_group("base.group_system"):
            return
        params = env["ir.config_parameter"]
        try:
            with self.env.cr.savepoint():
                if not params.get_param("web.base.url.freeze"):
                    params.set_param("web.base.url", base_location)
        except Exception:
            _logger.exception("Failed to update web.base.url configuration parameter")

    @api.model
    def check_credentials_of(self, uid: int, password: str) -> None:
        """Raise AccessDenied unless ``uid`` is an active user and ``password`` is theirs.

        RPC clients send the password with every call and scrypt costs tens of
        milliseconds, so successful checks are remembered in a process cache of
        the registry.  Changing a user's login, password, active flag or groups
        empties it in every process (``registry.clear_cache``).
        """
        if isinstance(uid, bool) or not isinstance(uid, int) or not isinstance(password, str) or not password:
            raise AccessDenied()
        verified = self.env.registry.cache(CREDENTIALS_CACHE)
        key = (uid, hashlib.sha256(password.encode("utf-8", "surrogatepass")).digest())
        if key in verified:
            return
        self.sudo().browse(uid)._check_credentials(password)
        if len(verified) >= CREDENTIALS_CACHE_SIZE:
            verified.clear()
        verified[key] = True

    # -- context and groups ---------------------------------------------------------------------------
    @api.model
    def context_get(self) -> dict:
        user = self.env.user
        return {"lang": user.lang or "en_US", "tz": user.tz or False, "uid": self.env.uid}

    def has_group(self, group_ext_id: str) -> bool:
        """Whether the user (or the current one) belongs to the group, directly or by implication."""
        user = self[:1] if self else self.env.user
        if not user:
            return False
        if "." not in group_ext_id:
            raise ValidationError(f"has_group() takes an external id like 'base.group_user', got {group_ext_id!r}")
        group = self.env.ref(group_ext_id, raise_if_not_found=False)
        if not group:
            return False
        return group.id in self.env.registry.access.user_groups(self.env(user=user.id))


SUPERUSER_LOGIN = "__system__"
CREDENTIALS_CACHE = "res.users.credentials"
CREDENTIALS_CACHE_SIZE = 4096
# Writing these fields changes who may log in or what they may do: the process caches must go.
CACHED_FIELDS = frozenset({"login", "password", "active", "groups_id"})
