"""The environment: who acts (uid, superuser flag), in which transaction, with which context."""
from __future__ import annotations

from types import MappingProxyType

from ..exceptions import ValidationError

SUPERUSER_ID = 1


class Environment:
    """``env['res.partner']`` gives the model; ``env.user``, ``env.ref(xmlid)``, ``env.context``.

    Environments are cheap: ``sudo()``, ``with_user()`` and ``with_context()``
    return new ones sharing the same cursor and its cache.
    """

    def __init__(self, cr, uid: int | None, context: dict | None = None, su: bool = False, registry=None):
        self.cr = cr
        self.registry = registry or cr.registry
        self.uid = uid
        self.context = MappingProxyType(dict(context or {}))
        self.su = su or uid == SUPERUSER_ID

    def __repr__(self) -> str:
        return f"<Environment db={self.registry.db_name!r} uid={self.uid} su={self.su}>"

    def __getitem__(self, model_name: str):
        cls = self.registry.models.get(model_name)
        if cls is None:
            raise KeyError(self.registry.unknown_model_message(model_name))
        return cls._browse(self, (), ())

    def __contains__(self, model_name: str) -> bool:
        return model_name in self.registry.models

    # Odoo's environment is a mapping of model names to empty recordsets.
    def get(self, model_name: str, default=None):
        return self[model_name] if model_name in self.registry.models else default

    def __iter__(self):
        return iter(self.registry.models)

    def __len__(self) -> int:
        return len(self.registry.models)

    def keys(self):
        return self.registry.models.keys()

    def values(self):
        return [self[name] for name in self.registry.models]

    def items(self):
        return [(name, self[name]) for name in self.registry.models]

    def __call__(self, cr=None, user=None, context=None, su=None) -> Environment:
        uid = self.uid if user is None else (user.id if hasattr(user, "_ids") else user)
        return Environment(cr or self.cr, uid, self.context if context is None else context,
                           self.su if su is None and uid == self.uid else bool(su), registry=self.registry)

    def sudo(self, flag: bool = True) -> Environment:
        return self(su=flag)

    @property
    def user(self):
        return self(su=True)["res.users"].browse(self.uid) if self.uid else self["res.users"]

    @property
    def company(self):
        """The current company: the first of ``allowed_company_ids`` in the context, else the user's."""
        allowed = self.companies
        if self.context.get("allowed_company_ids"):
            return allowed[:1]
        company_id = self.context.get("company_id")
        if company_id:
            return self["res.company"].browse(company_id)
        return self["res.company"].browse(self.user.company_id.id) if self.uid else self["res.company"]

    @property
    def companies(self):
        """The companies the user works in now: ``allowed_company_ids`` of the context (checked against the
        user's companies unless superuser), else all the user's companies."""
        user = self.user
        mine = user.company_ids.ids if "company_ids" in user._fields else []
        mine = mine or ([user.company_id.id] if self.uid and user.company_id else [])
        allowed = self.context.get("allowed_company_ids")
        if allowed:
            allowed = [allowed] if isinstance(allowed, int) else list(allowed)
            if not self.su and not set(allowed) <= set(mine):
                from ..exceptions import AccessError

                raise AccessError("Access to unauthorized or invalid companies.")
            return self["res.company"].browse(allowed)
        return self["res.company"].browse(mine)

    @property
    def lang(self) -> str:
        return self.context.get("lang") or "en_US"

    def ref(self, xml_id: str, raise_if_not_found: bool = True):
        """The record named ``module.name`` by a data file, or ``None``."""
        if "." not in xml_id:
            raise ValidationError(f"External ID {xml_id!r} must be of the form 'module.name'")
        model, res_id = self["ir.model.data"]._xmlid_to_res_model_res_id(xml_id)
        if res_id:
            record = self[model].browse(res_id)
            if record.exists():
                return record
        if raise_if_not_found:
            raise ValueError(f"External ID not found in the system: {xml_id}")
        return None

    def is_superuser(self) -> bool:
        return self.su

    def is_admin(self) -> bool:
        return self.su or self.user.has_group("base.group_erp_manager") or self.user.has_group("base.group_system")

    def is_system(self) -> bool:
        return self.su or self.user.has_group("base.group_system")

    def flush_all(self) -> None:
        """Writes go to the database immediately; kept for Odoo compatibility."""

    def invalidate_all(self) -> None:
        self.cr.cache.clear()

