"""Model access rights from ``ir.model.access``, cached per registry.

A user may perform an operation on a model when an active access line for
that model grants it either to everyone (no group) or to one of the user's
groups, implied groups included.  Superuser environments never get here.
"""
from __future__ import annotations

from collections import defaultdict

OPERATIONS = ("read", "write", "create", "unlink")


class AccessRights:
    def __init__(self, registry):
        self.registry = registry
        self._grants: dict | None = None

    def invalidate(self) -> None:
        self._grants = None

    def _load(self, env) -> dict:
        """``{(model, operation): {group_id or None, ...}}`` from the access table."""
        if self._grants is None:
            grants = defaultdict(set)
            rows = env.cr.execute(
                "SELECT m.model, a.group_id, a.perm_read, a.perm_write, a.perm_create, a.perm_unlink "
                "FROM ir_model_access a JOIN ir_model m ON m.id = a.model_id WHERE a.active = %s", (True,)
            ).fetchall()
            for model, group_id, *perms in rows:
                for operation, granted in zip(OPERATIONS, perms, strict=False):
                    if granted:
                        grants[(model, operation)].add(group_id)
            self._grants = dict(grants)
        return self._grants

    def user_groups(self, env) -> frozenset[int]:
        """The ids of the user's groups, with every group they imply."""
        key = ("__groups__", env.uid)
        cached = env.cr.cache.get(key)
        if cached is not None:
            return cached
        rows = env.cr.execute(
            "WITH RECURSIVE closure(gid) AS ("
            " SELECT gid FROM res_groups_users_rel WHERE uid = %s"
            " UNION SELECT r.hid FROM res_groups_implied_rel r JOIN closure c ON r.gid = c.gid"
            ") SELECT gid FROM closure", (env.uid,)).fetchall()
        result = frozenset(row[0] for row in rows)
        env.cr.cache[key] = result
        return result

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
