"""Field values of a recordset in the transaction's cache: fetched in batches around the record read,
non-stored computes computed for the batch, and forgotten when the data behind them changes."""
from __future__ import annotations

from collections.abc import Iterable

from ..exceptions import MissingError
from . import protection, read_path, recompute
from .onchange import NewId, fill_new_value
from .rules import check_fetch, forget_readable


class RecordCache:
    """The cache methods every model has (a base of ``BaseModel``)."""

    def _cache_for(self, field) -> dict:
        cache = self.env.cr.cache.setdefault((self._name, field.name), {})
        if field.depends_context:  # one cache per value of the context keys the field depends on
            cache = cache.setdefault(self._context_key(field.depends_context), {})
        return cache

    def _context_key(self, keys) -> tuple:
        special = {"uid": lambda: self.env.uid, "company": lambda: self.env.company.id,
                   "active_test": lambda: self.env.context.get("active_test", True)}
        return tuple(special[k]() if k in special else repr(self.env.context.get(k)) for k in keys)

    def _get_cache_value(self, field):
        id_ = self._ids[0]
        cache = self._cache_for(field)
        if field.store and field.compute and id_ in recompute.pending(self.env).get(field, ()) \
                and id_ not in protection.protected_ids(self.env, field):
            recompute.recompute_now(self, field)
        if id_ not in cache:
            self._fill_cache_value(field)
            cache = self._cache_for(field)  # what the fill ran may have invalidated the dict we held
            if id_ not in cache:
                raise MissingError(
                    f"Record does not exist or has been deleted. (Record: {self._name}({id_},), User: {self.env.uid})"
                )
        return cache[id_]

    def _fill_cache_value(self, field) -> None:
        """Put this record's value of ``field`` in the cache: computed, fetched, or (a value its
        running compute method has not assigned yet) the empty value, as in Odoo."""
        id_ = self._ids[0]
        if isinstance(id_, NewId):
            fill_new_value(self, field)
        elif field.compute and not field.store:
            if id_ in protection.protected_ids(self.env, field):
                self._set_cache_value(field, field.convert_to_cache(False, self))
            else:
                self._compute_field(field)
        elif field.type in ("one2many", "many2many"):
            self._fetch_x2many(field)
        else:
            self._fetch_columns()

    def _set_cache_value(self, field, value) -> None:
        self._cache_for(field)[self._ids[0]] = value

    def _batch_ids(self, field) -> list[int]:
        cache = self._cache_for(field)
        batch = [i for i in dict.fromkeys(self._prefetch_ids + self._ids) if i not in cache]
        return batch[:1000] if self._ids[0] in batch[:1000] else [self._ids[0]] + batch[:999]

    def _fetch_columns(self, ids: list[int] | None = None, names=None) -> None:
        """Load stored columns (all, or ``names``) of a batch of records (by default around this one) in one query."""
        self.check_access_rights("read")
        column_fields = self._column_fields(names)
        ids = ids if ids is not None else self._batch_ids(column_fields[0] if column_fields else self._fields["id"])
        ids = check_fetch(self, ids)
        for rows in read_path.fetch_rows_by_id(self, tuple(column_fields), ids):
            self._cache_rows(column_fields, rows)

    def _fetch_where(self, where: str, params: tuple, lock: bool = False):
        """The records of this model matching ``where`` (plain SQL on its table's columns, ``%s`` parameters),
        their stored columns loaded into the cache by the same query: one round trip where a search and then
        the read of what it found would be two (an account looked up and locked at every charge).

        ``lock``: lock the rows until the transaction ends (``FOR UPDATE`` on PostgreSQL, which returns them
        as the transaction that held them left them; a SQLite write transaction holds the whole database).
        The read rules apply as to any read: the rows they exclude are left out.
        """
        self.check_access_rights("read")
        column_fields = tuple(self._column_fields())
        sql = read_path.fetch_where_sql(self, column_fields, where, lock)
        rows = self.env.cr.execute(sql, params).fetchall()
        allowed = set(check_fetch(self.browse(), [row[0] for row in rows]))
        return self.browse(self._cache_rows(list(column_fields), [row for row in rows if row[0] in allowed]))

    def _column_fields(self, names=None) -> list:
        """The stored fields among ``names`` (all stored fields for None), in the model's order."""
        return [f for f in self._fields.values() if f.column and (names is None or f.name in names)]

    def _cache_rows(self, column_fields: list, rows) -> tuple[int, ...]:
        """Put rows of ``(id, *columns)`` in the cache, converted as peewee and the fields convert them;
        return the rows' ids in order."""
        caches = [self._cache_for(f) for f in column_fields]
        converters = read_path.column_converters(self, column_fields)
        id_cache = self._cache_for(self._fields["id"])
        for row in rows:
            rid = row[0]
            for cache, convert, value in zip(caches, converters, row[1:], strict=True):
                cache[rid] = value if convert is None or value is None else convert(value)
            id_cache[rid] = rid
        return tuple(row[0] for row in rows)

    def _existing(self, names=None):
        """These records minus deleted ones, loading their columns (or ``names``) on the way: one query."""
        known = self._cache_for(self._fields["id"])
        missing = [i for i in dict.fromkeys(self._ids) if i not in known]
        if missing:
            self._fetch_columns(missing, names)
        return self.browse(tuple(i for i in self._ids if i in known))

    def _fetch_x2many(self, field) -> None:
        ids = self._batch_ids(field)
        existing = set(self.browse(ids).exists()._ids)
        groups: dict[int, list[int]] = {i: [] for i in ids if i in existing}
        comodel = self.env[field.comodel_name]
        if isinstance(field.context, dict) and field.context:
            comodel = comodel.with_context(**field.context)
        domain = _lines_domain(comodel, field)
        if field.type == "one2many":
            inverse = field.inverse_name
            for rec in comodel.sudo().search([(inverse, "in", list(groups)), *domain]):
                groups[rec._fields[inverse].__get__(rec).id].append(rec.id)
        else:
            rel = self.env.registry.relation_table(field)
            col1, col2 = getattr(rel, field.column1), getattr(rel, field.column2)
            pairs = rel.select(col1, col2).where(col1.in_(list(groups))).tuples()
            allowed = {}
            for src, dst in pairs:
                groups[src].append(dst)
                allowed[dst] = True
            order = comodel.sudo().search([("id", "in", list(allowed))])._ids if allowed else ()
            rank = {id_: n for n, id_ in enumerate(order)}
            kept = set(comodel.sudo().with_context(active_test=False).search(
                [("id", "in", list(allowed)), *domain])._ids) if domain and allowed else None
            for src in groups:
                lines = groups[src] if kept is None else [i for i in groups[src] if i in kept]
                groups[src] = sorted(lines, key=lambda i: rank.get(i, len(rank)))
        cache = self._cache_for(field)
        for src, dsts in groups.items():
            cache[src] = tuple(dsts)

    def _compute_field(self, field) -> None:
        """Compute a non-stored field for a batch of records around this one (with the fields its
        method also assigns); a ``recursive`` field, which reads its own value on other records,
        for this record alone, as Odoo does."""
        records = self.browse(self._compute_batch(field))._existing()
        if self._ids[0] not in records._ids:
            return
        group = self._compute_groups.get(field.name, (field,))
        group = [f for f in group if not f.store] or [field]
        target = records.sudo() if field.compute_sudo else records
        with protection.protecting(records, group):
            method = field.compute if callable(field.compute) else getattr(target, field.compute)
            method(target) if callable(field.compute) else method()
        for member in group:
            cache = records._cache_for(member)
            if member.readonly and not member.store:
                if member is field and self._ids[0] not in cache:
                    raise ValueError(f"Compute method failed to assign {self}.{field.name}")
                continue  # as Odoo: each record left unassigned fails when it is read
            for id_ in records._ids:
                cache.setdefault(id_, member.convert_to_cache(False, records))

    def _compute_batch(self, field) -> list:
        """The ids to compute ``field`` on: the batch around this record, minus those a running
        computation of the field already covers."""
        if field.recursive:
            return [self._ids[0]]
        busy = protection.protected_ids(self.env, field)
        return [i for i in self._batch_ids(field) if i not in busy or i == self._ids[0]]

    def _invalidate(self, field_names: Iterable[str] | None = None) -> None:
        """Forget cached values of these records (all fields when none named) and every computed
        value, except those a running compute method has assigned."""
        cache = self.env.cr.cache
        for name in self._fields if field_names is None else field_names:
            per_record = cache.get((self._name, name))
            if per_record:
                kept = protection.protected_ids(self.env, self._fields[name]) if name in self._fields else ()
                for id_ in self._ids:
                    if id_ not in kept:
                        per_record.pop(id_, None)
        self._invalidate_computed()

    def _invalidate_computed(self) -> None:
        """Forget every non-stored computed value (they declare no dependencies to follow), except
        those a running compute method has assigned."""
        cache = self.env.cr.cache
        running = {(f.model_name, f.name): (f, ids) for f, ids in protection.protected(self.env).items()
                   if not f.store}
        computed = self.env.registry.computed_keys
        # the smaller side: a transaction caches a few dozen fields, a registry has hundreds of computed ones
        cached = [key for key in cache if key in computed] if len(cache) < len(computed) else computed
        for key in cached:
            if key in running and key in cache:
                protection.keep_protected(cache[key], *running[key])
            else:
                cache.pop(key, None)
        forget_readable(self.env.cr)

    def invalidate_recordset(self, fnames=None) -> None:
        self._invalidate(fnames)

    def invalidate_model(self, fnames=None) -> None:
        for name in fnames or list(self._fields):
            self.env.cr.cache.pop((self._name, name), None)


def _lines_domain(comodel, field) -> list:
    """The ``domain`` of an x2many field, which restricts its lines (a list, or a function of the model)."""
    domain = field.domain(comodel) if callable(field.domain) else field.domain
    return list(domain) if isinstance(domain, (list, tuple)) else []
