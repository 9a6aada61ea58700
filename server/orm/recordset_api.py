"""Everyday recordset methods of Odoo 17 beyond the core: archiving, companies, fetching, grouping in
Python and name searches over several fields (``_rec_names_search``)."""
from __future__ import annotations

from ..exceptions import ValidationError
from . import api

NEGATIVE_OPERATORS = frozenset({"!=", "not like", "not ilike", "not in", "<>"})


class RecordsetApi:
    """Mixed into ``BaseModel``."""

    _rec_names_search: list | None = None
    _active_name: str | None = None

    # -- archiving ---------------------------------------------------------------------------------
    def _active_field(self) -> str:
        name = self._active_name or ("active" if "active" in self._fields else
                                     "x_active" if "x_active" in self._fields else None)
        if name is None:
            raise ValidationError(f"Model {self._name!r} has no 'active' field and cannot be archived")
        return name

    def toggle_active(self) -> bool:
        """Archive the active records among these and restore the archived ones."""
        name = self._active_field()
        active = self.filtered(lambda rec: rec[name])
        active.write({name: False})
        (self - active).write({name: True})
        return True

    def action_archive(self) -> bool:
        """Archive these records (those already archived stay so)."""
        name = self._active_field()
        return self.filtered(lambda rec: rec[name]).toggle_active()

    def action_unarchive(self) -> bool:
        """Restore these archived records."""
        name = self._active_field()
        return self.filtered(lambda rec: not rec[name]).toggle_active()

    # -- companies ---------------------------------------------------------------------------------
    def with_company(self, company):
        """These records with ``company`` first in ``allowed_company_ids`` (it becomes ``env.company``)."""
        if not company:
            return self
        company_id = company.id if hasattr(company, "_ids") else int(company)
        allowed = list(self.env.context.get("allowed_company_ids") or [])
        if allowed and allowed[0] == company_id:
            return self
        allowed = [company_id] + [c for c in allowed if c != company_id]
        return self.with_context(allowed_company_ids=allowed)

    # -- fetching ------------------------------------------------------------------------------------
    @api.model
    def search_fetch(self, domain, field_names, offset: int = 0, limit=None, order=None):
        """``search`` that also loads ``field_names`` into the cache, in the same query."""
        self.check_access_rights("read")
        names = self._check_field_names(field_names) if field_names else []
        column_fields = self._column_fields(names)
        search = self._search(domain, offset, limit, order or None)
        ids = self._cache_rows(column_fields, self._rows(*search.sql(column_fields)))
        return self._browse(self.env, ids, ids)

    def fetch(self, field_names=None) -> None:
        """Load ``field_names`` (all stored fields by default) of these records into the cache."""
        if self:
            self._fetch_columns(list(dict.fromkeys(self._ids)), field_names)

    # -- grouping in Python --------------------------------------------------------------------------
    def grouped(self, key) -> dict:
        """``{key value: records}`` in order of first appearance; ``key`` is a field name or a function."""
        if isinstance(key, str):
            name = key
            key = lambda rec: rec[name]  # noqa: E731
        groups: dict = {}
        for record in self:
            groups.setdefault(key(record), []).append(record.id)
        return {value: self.browse(tuple(ids)) for value, ids in groups.items()}

    # -- name searches ---------------------------------------------------------------------------------
    def _name_search_domain(self, name: str, operator: str) -> list:
        """The domain matching ``name`` on ``_rec_names_search`` (any of them; none for negative operators)."""
        fields = self._rec_names_search or [self._rec_name_field()]
        unknown = [f for f in fields if f.split(".")[0] not in self._fields]
        if unknown:
            raise ValidationError(f"{self._name}._rec_names_search names unknown field(s): {', '.join(unknown)}")
        joiner = "&" if operator in NEGATIVE_OPERATORS else "|"
        terms = [(field, operator, name) for field in fields]
        return [joiner] * (len(terms) - 1) + terms

    @api.model
    def _name_search(self, name: str = "", domain=None, operator: str = "ilike", limit=None, order=None):
        """The search behind ``name_search``; addons override it (Odoo 17's signature) and return
        ``self._search(...)`` or a list of ids."""
        domain = list(domain or [])
        if name or operator not in ("ilike", "like", "=ilike", "=like"):
            domain = self._name_search_domain(name, operator) + domain
        return self._search(domain, limit=limit, order=order)

    def _records_of(self, found):
        """The records behind what ``_search``/``_name_search`` returned (a search or ids)."""
        if hasattr(found, "sql"):
            ids = tuple(row[0] for row in self._rows(*found.sql()))
            return self._browse(self.env, ids, ids)
        return self.browse(list(found))
