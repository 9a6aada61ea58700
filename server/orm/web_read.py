"""Odoo 17's field-specification reads: ``web_read`` and ``web_search_read``, as the web client calls them.

A specification maps field names to ``{}`` or to a nested specification:
``{'name': {}, 'author_id': {'fields': {'display_name': {}}}, 'loan_ids': {'fields': {'date_start': {}},
'limit': 40, 'order': 'date_start desc'}}``.  A many2one with ``{}`` reads as its id,
with ``fields`` as a dict of those fields (``display_name`` read as superuser, as Odoo
does, so a name shows even where the target itself is not readable); an x2many
reads as ids, or a list of dicts with ``fields``; ``context`` applies to the nested read.
"""
from __future__ import annotations

from ..exceptions import ValidationError
from . import api

RELATIONAL = ("many2one", "one2many", "many2many")


def _check_specification(model, specification) -> dict:
    if not isinstance(specification, dict):
        raise ValidationError(f"web_read on {model._name!r} expects a specification dict, got "
                              f"{type(specification).__name__}")
    for name, spec in specification.items():
        if name not in model._fields:
            raise ValidationError(f"Invalid field {name!r} on model {model._name!r}")
        if spec is not None and not isinstance(spec, dict):
            raise ValidationError(f"specification of {model._name}.{name} must be a dict, got {spec!r}")
    return specification


def _nested(records, field, spec: dict):
    comodel = records[field.name] if field.type != "many2one" else records.mapped(field.name)
    if spec.get("context"):
        comodel = comodel.with_context(**spec["context"])
    return comodel


def _read_many2one(values_list: list[dict], records, field, spec: dict) -> None:
    subfields = dict(spec.get("fields") or {})
    if not subfields:
        return
    targets = _nested(records, field, spec)
    wants_name = subfields.pop("display_name", None) is not None or "display_name" in (spec.get("fields") or {})
    rows = {id_: {"id": id_} for id_ in targets._ids}
    if subfields and targets:
        for row in targets.web_read(subfields):
            rows[row["id"]].update(row)
    if wants_name:
        for target in targets.sudo():
            rows[target.id]["display_name"] = target.display_name
    for values in values_list:
        if values[field.name]:
            values[field.name] = rows.get(values[field.name], {"id": values[field.name]})


def _read_x2many(values_list: list[dict], records, field, spec: dict) -> None:
    if not spec:
        return
    targets = records.env[field.comodel_name].browse(
        tuple(dict.fromkeys(i for values in values_list for i in values[field.name])))
    if spec.get("order") and targets:
        ordered = targets.with_context(active_test=False).search([("id", "in", targets.ids)], order=spec["order"])
        rank = {id_: n for n, id_ in enumerate(ordered._ids)}
        for values in values_list:  # ids the user cannot see are dropped, the others sorted
            values[field.name] = sorted((i for i in values[field.name] if i in rank), key=rank.__getitem__)
    if "fields" not in spec:
        return
    if spec.get("context"):
        targets = targets.with_context(**spec["context"])
    limit = spec.get("limit")
    wanted = tuple(dict.fromkeys(i for values in values_list for i in values[field.name][:limit]))
    by_id = {row["id"]: row for row in targets.browse(wanted).web_read(spec["fields"] or {})} if wanted else {}
    for values in values_list:
        values[field.name] = [by_id.get(i) or {"id": i} for i in values[field.name]]


class WebRead:
    """Mixed into ``BaseModel``."""

    @api.readonly
    def web_read(self, specification: dict) -> list[dict]:
        """Values of these records following ``specification`` (see the module's docstring)."""
        specification = _check_specification(self, specification)
        names = [name for name in specification if name != "id"]
        values_list = self.read(names, load=None) if names else [{"id": id_} for id_ in self.exists()._ids]
        if not values_list:
            return values_list
        records = self.browse(tuple(values["id"] for values in values_list))
        for name, spec in specification.items():
            field = self._fields[name]
            if spec is None or field.type not in RELATIONAL:
                continue
            if field.type == "many2one":
                _read_many2one(values_list, records, field, spec)
            else:
                _read_x2many(values_list, records, field, spec)
        return values_list

    @api.readonly
    @api.model
    def web_search_read(self, domain, specification: dict, offset: int = 0, limit=None, order=None,
                        count_limit=None) -> dict:
        """``{'length': total, 'records': web_read of one page}`` of the records matching ``domain``;
        the total is counted (up to ``count_limit``) only when the page is full."""
        specification = _check_specification(self, specification)
        names = [name for name in specification if name != "id" and self._fields[name].column]
        records = self.search_fetch(domain, names, offset, limit, order)
        if not records:
            return {"length": 0, "records": []}
        values = records.web_read(specification)
        current = len(records) + (offset or 0)
        count_reached = count_limit and count_limit <= current
        if limit and ((len(records) == limit and not count_reached) or self.env.context.get("force_search_count")):
            length = self.search_count(domain, limit=count_limit)
        else:
            length = current
        return {"length": length, "records": values}

    def web_save(self, vals: dict, specification: dict, next_id=None) -> list[dict]:
        """Write ``vals`` on these records (or create one), then ``web_read`` it (or ``next_id``)."""
        records = self
        if records:
            records.write(vals)
        else:
            records = self.create(vals)
        if next_id:
            records = self.browse(next_id)
        return records.web_read(specification)

    @api.readonly
    @api.model
    def web_read_group(self, domain, fields, groupby, limit=None, offset: int = 0, orderby=False,
                       lazy: bool = True) -> dict:
        """``{'groups': read_group(...), 'length': number of groups}``, as the web client's list views ask."""
        groups = self.read_group(domain, fields, groupby, offset=offset, limit=limit, orderby=orderby, lazy=lazy)
        if not groups:
            length = 0
        elif limit and len(groups) == limit:
            specs = groupby[:1] if lazy else groupby
            length = limit + len(self._read_group(domain, [groupby] if isinstance(groupby, str) else specs,
                                                  offset=limit))
        else:
            length = len(groups) + offset
        return {"groups": groups, "length": length}
