"""Field-level access: ``groups='module.group_a,!module.group_b'`` on a field.

A field with ``groups`` exists for every piece of server code, but the users
outside those groups (Odoo's semantics: in at least one listed group, and in
none of the ``!``-prefixed ones) do not see it through the API:

* ``fields_get`` leaves it out, ``read()`` without a field list skips it;
* asking for it explicitly (``read``, ``search_read``), searching on it or
  writing it raises ``AccessError`` naming the field and the operation.

Superuser environments see and do everything.  Group external ids are
resolved once per process (``registry.cache('field.groups')``).
"""
from __future__ import annotations

from ..exceptions import AccessError

GROUPS_CACHE = "field.groups"


def _group_id(env, xmlid: str) -> int | None:
    cache = env.registry.cache(GROUPS_CACHE)
    if xmlid not in cache:
        record = env(su=True).ref(xmlid, raise_if_not_found=False) if "." in xmlid else None
        cache[xmlid] = record.id if record else None
    return cache[xmlid]


def user_in_groups(env, groups: str) -> bool:
    """Whether the user is in one of ``groups`` (comma-separated external ids) and none of the ``!`` ones."""
    user_groups = env.registry.access.user_groups(env)
    wanted, refused = [], []
    for name in (part.strip() for part in groups.split(",")):
        if name:
            (refused if name.startswith("!") else wanted).append(name.lstrip("!"))
    if any(_group_id(env, name) in user_groups for name in refused):
        return False
    return not wanted or any(_group_id(env, name) in user_groups for name in wanted)


def field_allowed(model, field) -> bool:
    """Whether the current user may see and use ``field`` through the API."""
    return not field.groups or model.env.su or user_in_groups(model.env, field.groups)


def field_access_error(model, names, operation: str) -> AccessError:
    description = model._description or model._name
    listed = ", ".join(repr(name) for name in names)
    return AccessError(
        f"You are not allowed to {operation} the field(s) {listed} of '{description}' ({model._name}): "
        f"they are reserved to some groups. User: {model.env.user.name} (id={model.env.uid}).",
        model=model._name, operation=operation, fields=list(names),
    )


def check_field_in_domain(model, field) -> None:
    """Refuse a domain term on a field the user may not see (called by the domain compiler)."""
    if not field_allowed(model, field):
        raise field_access_error(model, [field.name], "search on")


class FieldAccess:
    """The field-access methods every model has (mixed into ``BaseModel``)."""

    def user_has_groups(self, groups: str) -> bool:
        """Whether the current user is in ``groups`` (Odoo's syntax: ``'a.g1,a.g2,!a.g3'``)."""
        return self.env.su or user_in_groups(self.env, groups)

    def check_field_access_rights(self, operation: str, field_names):
        """The fields the user may access (``field_names`` None), or AccessError for one they may not."""
        if field_names is None:
            return [name for name, field in self._fields.items() if field_allowed(self, field)]
        refused = [name for name in field_names if name in self._fields and not field_allowed(self, self._fields[name])]
        if refused:
            raise field_access_error(self, refused, "read" if operation == "read" else "write")
        return list(field_names)

    def _readable_field_names(self, names: list, explicit: bool) -> list:
        """``names`` as ``read`` may answer them: restricted ones refused if asked for, else skipped."""
        if self.env.su:
            return names
        refused = [name for name in names if not field_allowed(self, self._fields[name])]
        if refused and explicit:
            raise field_access_error(self, refused, "read")
        return [name for name in names if name not in refused] if refused else names

    def _check_field_writes(self, vals) -> None:
        """Refuse values for fields the user may not write."""
        if self.env.su or not isinstance(vals, dict):
            return
        refused = [name for name in vals if name in self._fields and not field_allowed(self, self._fields[name])]
        if refused:
            raise field_access_error(self, refused, "write")
