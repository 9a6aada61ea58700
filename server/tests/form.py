"""``Form``: a record edited as the web client's form edits it, onchanges included (``odoo.tests.Form``).

Without views, the form shows every field of the model: setting one runs
``onchange`` as the client would and takes its answer; ``save()`` creates or
writes the record with what changed.  Readonly fields refuse assignment.

    with Form(env['library.book']) as book:   # saved at the end of the block
        book.name = 'Dune'
        book.author_ids.add(herbert)          # many2many: add, remove, clear, set
        with book.loan_ids.new() as loan:     # one2many: new(), edit(index), remove(index)
            loan.member_id = ann
"""
from __future__ import annotations

from ..exceptions import UserError

X2MANY = ("one2many", "many2many")
LOG_FIELDS = frozenset({"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"})


def _spec(model) -> dict:
    spec = {}
    for name, field in model._fields.items():
        if name in LOG_FIELDS:
            continue
        if field.type == "many2one":
            spec[name] = {"fields": {"display_name": {}}}
        elif field.type in X2MANY:
            comodel = model.env[field.comodel_name]
            sub = {n: {} for n, f in comodel._fields.items() if n not in LOG_FIELDS and f.type not in X2MANY}
            spec[name] = {"fields": sub}
        else:
            spec[name] = {}
    return spec


def _plain(field, value):
    """A web value (onchange/web_read form) as a write value."""
    if field.type == "many2one":
        return value.get("id") if isinstance(value, dict) else value or False
    return value


class Form:
    """Edit ``record`` (or a new record of a model given as an empty recordset) as a form would."""

    def __init__(self, record, view=None):
        object.__setattr__(self, "_model", record.browse())
        object.__setattr__(self, "_record", record if record else None)
        object.__setattr__(self, "_spec", _spec(record))
        object.__setattr__(self, "_changed", set())
        object.__setattr__(self, "_lines", {})
        object.__setattr__(self, "warning", None)
        if record:
            record.ensure_one()
            values = record.web_read(self._spec)[0]
        else:
            values = record.onchange({}, [], self._spec).get("value", {})
        object.__setattr__(self, "_values", {})
        self._absorb(values, initial=True)

    # -- values ---------------------------------------------------------------------------------------
    def _field(self, name: str):
        field = self._model._fields.get(name)
        if field is None:
            raise AttributeError(f"{self._model._name} has no field {name!r}")
        return field

    def _absorb(self, values: dict, initial: bool = False) -> None:
        for name, value in values.items():
            field = self._model._fields.get(name)
            if field is None:
                continue
            if field.type in X2MANY:
                self._absorb_x2many(field, value, initial)
            else:
                self._values[name] = _plain(field, value)

    def _absorb_x2many(self, field, value, initial: bool) -> None:
        if initial and not (isinstance(value, list) and value and isinstance(value[0], (list, tuple))):
            self._values[field.name] = [v["id"] if isinstance(v, dict) else v for v in (value or [])]
            self._lines.setdefault(field.name, [])
            return
        for command in value or []:
            if command[0] == 5:
                self._values[field.name] = []
            elif command[0] in (4, 1):
                if command[1] not in self._values.setdefault(field.name, []):
                    self._values[field.name].append(command[1])
            elif command[0] == 0:
                self._lines.setdefault(field.name, []).append(dict(command[2]))

    def __getattr__(self, name: str):
        field = self._field(name)
        if field.type in X2MANY:
            return X2ManyProxy(self, field)
        value = self._values.get(name, False)
        if field.type == "many2one":
            return self._model.env[field.comodel_name].browse(value or ())
        return field.convert_to_record(field.convert_to_cache(value, self._model), self._model) \
            if value is not False else field.convert_to_record(None, self._model)

    def __setattr__(self, name: str, value) -> None:
        field = self._field(name)
        if field.readonly:
            raise AssertionError(f"can't write on readonly field {name!r}")
        if field.type in X2MANY:
            raise AssertionError(f"{name!r} is an x2many field: use form.{name}.add/remove/new()")
        if field.type == "many2one":
            value = value.id if hasattr(value, "_ids") else value or False
        elif hasattr(value, "isoformat"):
            value = field.convert_to_read(field.convert_to_cache(value, self._model), self._model)
        self._values[name] = value
        self._changed.add(name)
        self._run_onchange([name])

    def _values_for_onchange(self) -> dict:
        values = {n: v for n, v in self._values.items() if self._model._fields[n].type not in X2MANY}
        for name in self._values:
            if self._model._fields[name].type in X2MANY:
                values[name] = [(6, 0, list(self._values[name]))] + \
                    [(0, 0, line) for line in self._lines.get(name, [])]
        return values

    def _run_onchange(self, names: list[str]) -> None:
        target = self._record or self._model
        result = target.onchange(self._values_for_onchange(), names, self._spec)
        object.__setattr__(self, "warning", result.get("warning"))
        for name, value in result.get("value", {}).items():
            field = self._model._fields[name]
            if field.type not in X2MANY:
                self._values[name] = _plain(field, value)
                self._changed.add(name)

    # -- saving ---------------------------------------------------------------------------------------------
    def _values_to_save(self) -> dict:
        values = {}
        for name, value in self._values.items():
            field = self._model._fields[name]
            if field.readonly or (self._record and name not in self._changed):
                continue
            if field.type in X2MANY:
                continue
            values[name] = value
        for name, value in self._values.items():
            field = self._model._fields[name]
            if field.type in X2MANY and (name in self._changed or self._lines.get(name)):
                values[name] = [(6, 0, list(value))] if field.type == "many2many" else \
                    [(4, i) for i in value]
                values[name] += [(0, 0, line) for line in self._lines.get(name, [])]
        return values

    def save(self):
        """Create or write the record from the form; return it."""
        values = self._values_to_save()
        if self._record:
            if values:
                self._record.write(values)
        else:
            object.__setattr__(self, "_record", self._model.create(values))
        self._lines.clear()
        self._changed.clear()
        fresh = self._record.web_read(self._spec)[0]
        object.__setattr__(self, "_values", {})
        self._absorb(fresh, initial=True)
        return self._record

    @property
    def record(self):
        return self._record

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.save()


class X2ManyProxy:
    """``form.tag_ids``: add/remove/clear/set (many2many), new()/edit()/remove() (one2many)."""

    def __init__(self, form: Form, field):
        self._form, self._field = form, field

    @property
    def ids(self) -> list:
        return list(self._form._values.get(self._field.name, []))

    def __len__(self) -> int:
        return len(self.ids) + len(self._form._lines.get(self._field.name, []))

    def _changed(self) -> None:
        self._form._changed.add(self._field.name)
        self._form._run_onchange([self._field.name])

    def add(self, record) -> None:
        ids = self._form._values.setdefault(self._field.name, [])
        for id_ in record._ids:
            if id_ not in ids:
                ids.append(id_)
        self._changed()

    def remove(self, record=None, index: int | None = None) -> None:
        ids = self._form._values.setdefault(self._field.name, [])
        if index is not None:
            del ids[index]
        else:
            for id_ in record._ids:
                if id_ in ids:
                    ids.remove(id_)
        self._changed()

    def clear(self) -> None:
        self._form._values[self._field.name] = []
        self._form._lines[self._field.name] = []
        self._changed()

    def set(self, records) -> None:
        self._form._values[self._field.name] = list(records._ids)
        self._changed()

    def new(self) -> LineForm:
        return LineForm(self, None)

    def edit(self, index: int) -> LineForm:
        return LineForm(self, index)


class LineForm:
    """One line of a one2many in a ``Form``: its fields set by attribute, kept when the block ends."""

    def __init__(self, proxy: X2ManyProxy, index: int | None):
        self._proxy, self._index = proxy, index
        self._values = {}
        if index is not None:
            raise UserError("editing existing one2many lines in a Form is not supported: write the line itself")

    def __setattr__(self, name: str, value) -> None:
        if name.startswith("_"):
            return object.__setattr__(self, name, value)
        self._values[name] = value.id if hasattr(value, "_ids") else value

    def __getattr__(self, name: str):
        return self._values.get(name, False)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self._proxy._form._lines.setdefault(self._proxy._field.name, []).append(dict(self._values))
            self._proxy._changed()
