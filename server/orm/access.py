"""Model access rights from ``ir.model.access``, cached per process and database.

A user may perform an operation on a model when an active access line for
that model grants it either to everyone (no group) or to one of the user's
groups, implied groups included.  Superuser environments never get here.

Both the grants and each user's groups are read on nearly every request and
change rarely, so they live in the registry's process caches; the models that
change them (access lines, groups, users) call ``registry.clear_cache``.
"""
from __future__ import annotations

from collections import defaultdict

OPERATIONS = ("read", "write", "create", "unlink")
GRANTS_CACHE = "ir.model.access"
GROUPS_CACHE = "res.users.groups"


class AccessRights:
    def __init__(self, registry):
        self.registry = registry

    def _load(self, env) -> dict:
        """``{(model, operation): {group_id or None, ...}}`` from the access table."""
        cache = self.registry.cache(GRANTS_CACHE)
        grants = cache.get("grants")
        if grants is None:
            grants = defaultdict(set)
            rows = env.cr.execute(
                "SELECT m.model, a.group_id, a.perm_read, a.perm_write, a.perm_create, a.perm_unlink "
                "FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id WHERE a.active = %s", (True,)
            ).fetchall()
            for model, group_id, *perms in rows:
                for operation, granted in zip(OPERATIONS, perms, strict=False):
                    if granted:
                        grants[(model, operation)].add(group_id)
            grants = cache["grants"] = dict(grants)
        return grants

    def user_groups(self, env) -> frozenset[int]:
        """The ids of the user's groups, with every group they imply."""
        cache = self.registry.cache(GROUPS_CACHE)
        groups = cache.get(env.uid)
        if groups is None:
            rows = env.cr.execute(
                "WITH RECURSIVE closure(gid) AS ("
                " SELECT gid FROM res_groups_users_rel WHERE uid = %s"
                " UNION SELECT r.hid FROM res_groups_implied_rel r JOIN closure c ON r.gid = c.gid"
                ") SELECT gid FROM closure", (env.uid,)).fetchall()
            groups = cache[env.uid] = frozenset(row[0] for row in rows)
        return groups

    def allowed(self, env, model: str, operation: str) -> bool:
        granted = self._load(env).get((model, operation), ())
        if None in granted:
            return True
        return bool(set(granted) & self.user_groups(env))

    def groups_allowed(self, env, model: str, operation: str) -> list[str]:
        """Names of the groups granted ``operation`` on ``model``, for error messages."""
        ids = [g for g in self._load(env).get((model, operation), ()) if g]
        if not ids:
            return []
        placeholders = ", ".join(["%s"] * len(ids))
        rows = env.cr.execute(f"SELECT name FROM res_groups WHERE id IN ({placeholders}) ORDER BY name",
                              tuple(ids)).fetchall()
        return [row[0] for row in rows]
