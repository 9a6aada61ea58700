"""System parameters: string key/value pairs only system administrators may read or change.

Some parameters are credentials (a service key, an API token, ``database.secret``): they are *secret*.
Server code reads them with ``sudo()`` as any parameter, but whatever shows a parameter's value to a user
(a settings form, a page, a log line) asks ``_is_secret_key(key)`` first and shows it to administrators
only.  An addon declares its secret keys by extending ``_secret_parameter_keys`` (``super() | {...}``).
"""
import uuid

from odoo import SUPERUSER_ID, api, fields, models, tools
from odoo.exceptions import AccessError, ValidationError

PROTECTED_KEYS = ("database.secret", "database.uuid", "database.create_date", "web.base.url")


class IrConfigParameter(models.Model):
    _name = "ir.config_parameter"
    _description = "System Parameter"
    _rec_name = "key"
    _order = "key"
    _sql_constraints = [("key_uniq", "unique(key)", "Key must be unique.")]

    key = fields.Char(required=True, index=True)
    value = fields.Text(required=True)

    @api.model
    def init_default_parameters(self, http_port: int = 8069) -> None:
        """Create the parameters every database has (called once by base's data)."""
        defaults = {
            "database.secret": str(uuid.uuid4()),
            "database.uuid": str(uuid.uuid1()),
            "database.create_date": fields.Datetime.to_string(fields.Datetime.now()),
            "web.base.url": f"http://localhost:{http_port}",
        }
        for key, value in defaults.items():
            if not self.sudo().get_param(key):
                self.sudo().set_param(key, value)

    @api.model
    def _secret_parameter_keys(self) -> frozenset[str]:
        """The keys of the parameters holding credentials; addons extend it with theirs."""
        return frozenset({"database.secret"})

    @api.model
    def _is_secret_key(self, key: str) -> bool:
        """Whether the parameter ``key`` is a credential, shown to system administrators only."""
        return key in self._secret_parameter_keys()

    @api.model
    def _check_secret_access(self, key: str) -> None:
        """Refuse (AccessError) showing the secret parameter ``key`` to a user who is not an administrator.

        Checks the real user even in a ``sudo()`` environment: sudo is how server code reads parameters,
        not a sign that the user may see them.
        """
        if self._is_secret_key(key) and not self._user_is_system():
            raise AccessError(f"The system parameter {key} is a secret: only administrators (group Settings) "
                              "may see it.")

    def _user_is_system(self) -> bool:
        """Whether the real user (sudo or not) is an administrator, or the environment is the superuser's."""
        return self.env.uid == SUPERUSER_ID or self.env.user.has_group("base.group_system")

    @api.model
    def get_param(self, key: str, default=False):
        """The value of ``key`` as a string, or ``default`` when unset or empty."""
        self.check_access_rights("read")
        return self._get_param(key) or default

    @api.model
    @tools.ormcache("key")
    def _get_param(self, key: str):
        """The stored value of ``key`` (None when unset), kept in the process cache as Odoo 17 keeps it.

        Every write, create and unlink of a parameter empties the caches here at once and in the other
        processes at their next request (``Registry.check_signaling``); a job worker looks at its
        heartbeat.  Read on every paid call, every saga wait and callback: one query less each time.
        """
        row = self.env.cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    @api.model
    def set_param(self, key: str, value):
        """Set ``key`` to ``str(value)`` (``False``/``None`` deletes it); return the previous value or False."""
        if not isinstance(key, str) or not key.strip():
            raise ValidationError("A system parameter needs a non-empty key")
        param = self.search([("key", "=", key)], limit=1)
        old = param.value if param else False
        if value is False or value is None:
            if param:
                param.unlink()
        elif param:
            if str(value) != old:
                param.write({"value": str(value)})
        else:
            self.create({"key": key, "value": str(value)})
        return old

    def write(self, vals):
        if "key" in vals and any(p.key in PROTECTED_KEYS and p.key != vals["key"] for p in self):
            raise ValidationError(f"You cannot rename the system parameters {', '.join(PROTECTED_KEYS)}")
        self.env.registry.clear_cache(self.env.cr)
        return super().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache(self.env.cr)
        return super().create(vals_list)

    def unlink(self):
        protected = [p.key for p in self if p.key in PROTECTED_KEYS]
        if protected and not self.env.context.get("uninstall"):
            raise ValidationError(f"You cannot delete the system parameter(s) {', '.join(protected)}")
        self.env.registry.clear_cache(self.env.cr)
        return super().unlink()
