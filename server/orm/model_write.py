"""The write path: ``create`` (multi-row INSERTs, precomputed values), ``write``, ``unlink`` and ``copy``,
each in a savepoint, with what depends on the change recomputed and the constraints checked before
it returns."""
from __future__ import annotations

from ..exceptions import MissingError, ValidationError
from . import api, bulk, constraints, delegation, fields, precompute, recompute
from .commands import apply_x2many_commands
from .integrity import IntegrityTranslator

LOG_ACCESS_FIELDS = ("create_uid", "create_date", "write_uid", "write_date")


class ModelWrite:
    """The write methods every model has (a base of ``BaseModel``)."""

    def _convert_vals(self, vals: dict) -> tuple[dict, dict, dict]:
        """Split ``vals`` into column values, x2many commands and values of non-stored fields written
        through their ``inverse``, validating names and types."""
        if not isinstance(vals, dict):
            raise ValidationError(f"Values for {self._name} must be a dictionary, got {type(vals).__name__}")
        columns, x2many, inverses = {}, {}, {}
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None:
                raise ValidationError(f"Invalid field {name!r} on model {self._name!r}")
            if name == "id" or name in LOG_ACCESS_FIELDS or name == "display_name":
                continue
            if field.type in ("one2many", "many2many") and field.store:
                x2many[name] = value
            elif field.column:
                columns[name] = field.convert_to_column(value, self, vals)
            elif field.inverse:
                inverses[name] = value
            elif not (field.compute or field.related):
                raise ValidationError(f"Field {name!r} of {self._name!r} is not stored and cannot be written")
        return columns, x2many, inverses

    def _check_required(self, columns: dict, creating: bool) -> None:
        missing = [
            f for f in self._fields.values()
            if f.required and f.column and (f.name in columns or (creating and not f.compute))
            and (columns.get(f.name) is None or columns.get(f.name) == "")
            and f.type != "boolean"
        ]
        if missing:
            labels = ", ".join(f"{f.string} ({f.name})" for f in missing)
            raise ValidationError(f"Missing required value for {self._description or self._name}: {labels}",
                                  model=self._name, fields=[f.name for f in missing])

    def _add_defaults(self, vals: dict) -> dict:
        missing = [name for name in self._fields if name not in vals]
        return {**self.default_get(missing), **vals}

    def _prepare_create_values(self, vals_list: list) -> list[tuple[dict, dict, dict]]:
        prepared = []
        now, uid = fields.Datetime.now(), self.env.uid
        for vals in vals_list:
            columns, x2many, inverses = self._convert_vals(vals)
            self._check_required(columns, creating=True)
            if self._log_access:
                columns.update(create_uid=uid, create_date=now, write_uid=uid, write_date=now)
            prepared.append((columns, x2many, inverses))
        return prepared

    @api.model_create_multi
    def create(self, vals_list):
        """Create records from a dict (returns one record) or a list of dicts (returns them all).

        The rows are inserted in multi-row statements; stored computed fields of the new records,
        and those elsewhere that depend on them, are computed before this returns.
        """
        self.check_access_rights("create")
        if not isinstance(vals_list, list) or not all(isinstance(v, dict) for v in vals_list):
            raise ValidationError(f"create() on {self._name} expects a dict or a list of dicts")
        if not vals_list:
            return self.browse()
        for vals in vals_list:
            self._check_field_writes(vals)
        with self._translated_errors(), self.env.cr.savepoint():
            vals_list = [self._add_defaults(vals) for vals in vals_list]
            if self._inherits:
                vals_list = delegation.split_create(self, vals_list)
            prepared = self._prepare_create_values(vals_list)
            again = precompute.add_precomputed(self, vals_list, prepared)
            records = self._insert_rows([columns for columns, _x2many, _inverses in prepared])
            for record, (_columns, x2many, _inverses) in zip(records, prepared, strict=True):
                record._write_x2many(x2many)
            self._invalidate_computed()
            recompute.forget_inverse_caches(records, [f.name for f in self._fields.values() if f.relational])
            recompute.created(records)
            for field in self._fields.values():  # computed values given to create (or precomputed) are kept
                if field.store and field.compute:
                    given = [i for i, (columns, _x, _i), recompute_again in zip(records._ids, prepared, again,
                                                                                strict=True)
                             if field.name in columns and field.name not in recompute_again]
                    recompute.protect(self.browse(tuple(given)), [field])
            records._write_inverses([inverses for _columns, _x2many, inverses in prepared])
            recompute.flush(self.env)
            names = set().union(*(set(c) | set(x) | set(i) for c, x, i in prepared))
            records._validate(names)
            records._check_company_after_change(names)
            records.check_access_rule("create")
        return records

    def _insert_rows(self, rows: list[dict]):
        """Insert ``rows`` (column values) in multi-row statements; return the new records, their
        columns already in the cache (what a new record's computation reads costs no query)."""
        names = list(dict.fromkeys(n for row in rows for n in row))
        if names:
            ids = bulk.insert_rows(self, names, rows)
        else:
            table = self._table_model
            ids = [table.insert({}).execute() for _row in rows]
            ids = [row if isinstance(row, int) else row[0] for row in ids]
        records = self._browse(self.env, tuple(ids), tuple(ids))
        self._cache_new_rows(records._ids, rows)
        return records

    def _cache_new_rows(self, ids: tuple, rows: list[dict]) -> None:
        """Cache what was just inserted: the column values given (None for others), no x2many links."""
        for field in self._fields.values():
            if field.column:
                cache = self._cache_for(field)
                for id_, row in zip(ids, rows, strict=True):
                    cache[id_] = row.get(field.name)
            elif field.store and field.type in ("one2many", "many2many"):
                cache = self._cache_for(field)
                for id_ in ids:
                    cache[id_] = ()
        id_cache = self._cache_for(self._fields["id"])
        for id_ in ids:
            id_cache[id_] = id_

    def write(self, vals: dict) -> bool:
        """Update every record in the set with ``vals``; return True.

        Values of fields inherited through ``_inherits`` are written on the parents, those of fields
        with an ``inverse`` through it; what depends on the written fields is recomputed before this
        returns, except stored computed values written here by hand.
        """
        self.check_access_rights("write")
        if not self:
            return True
        self.check_access_rule("write")
        self._check_field_writes(vals)
        with self._translated_errors(), self.env.cr.savepoint():
            if self._inherits:
                vals = delegation.split_write(self, vals)
            columns, x2many, inverses = self._convert_vals(vals)
            self._check_required(columns, creating=False)
            written = set(columns) | set(x2many)
            relational = [n for n in written if self._fields[n].relational]
            if self._log_access and (columns or x2many):
                columns.update(write_uid=self.env.uid, write_date=fields.Datetime.now())
            if not columns:
                self._check_existing()
            recompute.modified(self, relational)
            if columns:
                table = self._table_model
                updated = table.update(columns).where(table.id.in_(list(self._ids))).execute()
                if updated != len(set(self._ids)):
                    self._check_existing()  # the UPDATE's row count tells a record is gone: say which
            self._write_x2many(x2many)
            self._invalidate()
            recompute.forget_inverse_caches(self, relational)
            recompute.modified(self, written)
            recompute.protect(self, [self._fields[n] for n in columns if self._fields[n].compute])
            self._write_inverses([inverses] * len(self._ids) if inverses else [])
            self._cache_computed_values(vals)
            recompute.flush(self.env)
            self._validate(written | set(inverses))
            self._check_company_after_change(written)
        return True

    def _cache_computed_values(self, vals: dict) -> None:
        """Keep the values written to non-stored computed fields without inverse in the cache, as
        Odoo's ``Field.write`` does: a compute method that fills a field another method computes
        gets that value read back, until the next change forgets it.  A value written with one of
        its field's dependencies is left to compute again, as Odoo's ``modified`` would."""
        for name, value in vals.items():
            field = self._fields.get(name)
            if field is None or field.store or field.inverse or not field.compute or name == "display_name":
                continue
            if any(path.split(".")[0] in vals for path in field.depends):
                continue
            for record in self:
                record._set_cache_value(field, field.convert_to_cache(value, record))

    def _check_existing(self) -> None:
        existing = self.exists()
        if len(existing) != len(set(self._ids)):
            missing = sorted(set(self._ids) - set(existing._ids))
            raise MissingError(f"Record does not exist or has been deleted. (Record: {self._name}{tuple(missing)})")

    def _write_inverses(self, values_per_record: list[dict]) -> None:
        """Put the values of non-stored fields in the cache and call their inverse methods, once per
        method for the records that got a value for it."""
        by_method: dict = {}
        for record, values in zip(self, values_per_record, strict=False):
            for name, value in values.items():
                field = self._fields[name]
                record._cache_for(field)[record.id] = field.convert_to_cache(value, record)
                by_method.setdefault(field.inverse, (field, []))[1].append(record.id)
        for inverse, (field, ids) in by_method.items():
            records = self.browse(tuple(dict.fromkeys(ids)))
            records = records.sudo() if field.compute_sudo else records
            inverse(records) if callable(inverse) else getattr(records, inverse)()

    def unlink(self) -> bool:
        """Delete the records (and their external ids); return True.

        ``@api.ondelete`` methods may refuse first; what depended on the records is recomputed.
        """
        self.check_access_rights("unlink")
        if not self:
            return True
        self.check_access_rule("unlink")
        constraints.run_ondelete(self)
        table = self._table_model
        with self._translated_errors(), self.env.cr.savepoint():
            constraints.unlink_cascading(self)
            recompute.modified(self, [name for (model, name) in self.pool.field_triggers if model == self._name])
            if self._name != "ir.model.data" and "ir.model.data" in self.env.registry.models:
                data = self.env.registry.models["ir.model.data"]._table_model
                data.delete().where((data.model == self._name) & data.res_id.in_(list(self._ids))).execute()
            table.delete().where(table.id.in_(list(self._ids))).execute()
            if self._name != "ir.attachment" and "ir.attachment" in self.env.registry.models:
                self.env["ir.attachment"]._unlink_for_records(self._name, self._ids)
            recompute.protect(self, [f for f in self._fields.values() if f.store and f.compute])
            self.env.cr.cache.clear()
            recompute.flush(self.env)
        return True

    def _write_x2many(self, commands_by_field: dict) -> None:
        for name, commands in commands_by_field.items():
            field = self._fields[name]
            for record in self:
                apply_x2many_commands(record, field, commands)

    def _validate(self, names: set) -> None:
        for method_name, watched in self._constraint_methods:
            if names & set(watched):
                getattr(self, method_name)()

    def _translated_errors(self):
        return IntegrityTranslator(self)

    def copy_data(self, default=None) -> list[dict]:
        """The values ``copy`` creates the copies with; a ``state`` field starts again from its default
        (a copy of a cancelled order is a draft), as in Odoo."""
        default = dict(default or {})
        state = self._fields.get("state")
        if "state" not in default and state is not None and state.default not in (None, False):
            default["state"] = state.default_value(self)
        result = []
        for rec in self:
            vals = {}
            for name, field in rec._fields.items():
                if name in default or not field.copy or name in LOG_ACCESS_FIELDS or name == "id":
                    continue
                if (field.compute and not field.inherited) or field.type == "one2many" \
                        or name in rec._inherits.values():  # the copy gets a new parent, with copied values
                    continue
                value = rec[name]
                if field.type == "many2one":
                    value = value.id
                elif field.type == "many2many":
                    value = [(6, 0, value.ids)]
                elif field.type == "binary":
                    value = value or False
                vals[name] = value
            vals.update(default)
            result.append(vals)
        return result

    def copy(self, default=None):
        """Duplicate the record; ``default`` overrides copied values."""
        self.ensure_one()
        return self.create(self.copy_data(default))
