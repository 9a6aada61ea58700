"""New records (``new()``) and Odoo 17's ``onchange()``, as the web client calls it on every form edit.

A *new record* lives only in the transaction's cache: its id is a ``NewId``
(falsy, equal only to itself, never found in the database).  Reading a field
it has no value for gives its origin's value (``new(vals, origin=record)``,
what a form editing ``record`` works on), or computes it, or gives the empty
value; assigning a field only changes the cache, and forgets the computed
values of the new record so that they are computed again from the new values.

``onchange(values, field_names, fields_spec)`` builds a new record from the
form's ``values``, applies the changes of ``field_names`` (none: the first call,
which fills in defaults), runs the ``@api.onchange`` methods of the changed
fields (and of the fields those change, in turn), and answers
``{'value': {field: value in web_read form, x2many as commands}, 'warning': ...}``
for every field of ``fields_spec`` whose value changed (all of them on the first call).
"""
from __future__ import annotations

from ..exceptions import ValidationError
from . import api, protection

X2MANY = ("one2many", "many2many")


class NewId(int):
    """The id of a new record: 0 for SQL (matches nothing), falsy, equal only to itself (or its origin twin)."""

    def __new__(cls, origin: int | None = None, ref=None):
        new_id = super().__new__(cls, 0)
        new_id.origin = origin
        new_id.ref = ref
        return new_id

    def __eq__(self, other) -> bool:
        return self is other or (isinstance(other, NewId) and self.origin is not None
                                 and self.origin == other.origin and self.ref == other.ref)

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(("NewId", self.origin, self.ref)) if self.origin is not None else id(self)

    def __repr__(self) -> str:
        if self.origin:
            return f"<NewId origin={self.origin!r}>"
        return f"<NewId ref={self.ref!r}>" if self.ref else f"<NewId 0x{id(self):x}>"

    __str__ = __repr__


def is_new(records) -> bool:
    return any(isinstance(id_, NewId) for id_ in records._ids)


def fill_new_value(record, field) -> None:
    """Give a new record's missing value: computed, its origin's, or the empty value."""
    id_ = record._ids[0]
    if field.compute and id_ not in protection.protected_ids(record.env, field):  # being computed: empty meanwhile
        record._compute_field(field)
        if id_ in record._cache_for(field):
            return
    if id_.origin and field.name != "id":
        origin = record.browse(id_.origin)
        value = origin[field.name]
        record._set_cache_value(field, field.convert_to_cache(value, origin) if field.type not in X2MANY
                                else tuple(value._ids))
    else:
        record._set_cache_value(field, field.convert_to_cache(False, record))


def _protected(env) -> set:
    return env.cr.cache.setdefault(("__onchange_protected__",), set())


def _depends_on(field, changed) -> bool:
    """Whether computed ``field`` may change with ``changed`` (unknown dependencies: assume it may)."""
    depends = tuple(getattr(field, "depends", ()) or ())
    if field.related:
        depends = (field.related,)
    if not depends:
        return True
    return any(path.split(".")[0] == changed.name for path in depends)


def forget_computed(records, changed, keep=()) -> None:
    """Forget the computed values of new records that depend on ``changed`` (computed again when read)."""
    protected = _protected(records.env) | set(keep)
    for field in records._fields.values():
        if field.compute and field not in protected and field is not changed and _depends_on(field, changed):
            cache = records._cache_for(field)
            for id_ in records._ids:
                cache.pop(id_, None)


def x2many_ids(record, field, value) -> tuple:
    """The ids an x2many value given as commands, ids or records stands for, new records included."""
    if hasattr(value, "_ids"):
        return tuple(value._ids)
    comodel = record.env[field.comodel_name]
    current = list(record[field.name]._ids) if record._ids[0] in record._cache_for(field) or \
        getattr(record._ids[0], "origin", None) else []
    commands = list(value or [])
    if commands and all(isinstance(c, int) and not isinstance(c, bool) for c in commands):
        return tuple(commands)
    for command in commands:
        if not isinstance(command, (list, tuple)) or not command:
            raise ValidationError(f"Invalid command {command!r} for {field.model_name}.{field.name}")
        code = command[0]
        if code == 0:
            vals = dict(command[2] or {})
            if field.type == "one2many":
                vals[field.inverse_name] = record
            current.append(comodel.new(vals, ref=command[1] or None).id)
        elif code == 1:
            origin = command[1] if not isinstance(command[1], NewId) else command[1].origin
            line = comodel.new(command[2] or {}, origin=comodel.browse(origin) if origin else None)
            current = [line.id if (i == command[1] or i == origin) else i for i in current]
        elif code in (2, 3):
            current = [i for i in current if i != command[1]]
        elif code == 4:
            if command[1] not in current:
                current.append(command[1])
        elif code == 5:
            current = []
        elif code == 6:
            current = list(command[2] or [])
        else:
            raise ValidationError(f"Invalid command {command!r} for {field.model_name}.{field.name}")
    return tuple(current)


def set_new_values(records, field, value) -> None:
    """Assignment on new records: the cache only, then their computed values are forgotten."""
    for record in records:
        if field.type in X2MANY:
            cached = x2many_ids(record, field, value)
        else:
            cached = field.convert_to_cache(value, record)
        record._set_cache_value(field, cached)
        forget_computed(record, field)


# -- snapshots and their differences ---------------------------------------------------------------------
def _snapshot(record, spec: dict) -> dict:
    """The values of ``spec``'s fields of ``record`` (x2many: ids and the snapshots of their lines)."""
    values = {}
    for name, subspec in spec.items():
        if name == "id" or name not in record._fields:
            continue
        field = record._fields[name]
        value = record[name]
        if field.type in X2MANY:
            sub = (subspec or {}).get("fields") or {}
            values[name] = tuple((line.id, tuple(sorted(_snapshot(line, sub).items(), key=lambda kv: kv[0])))
                                 for line in value)
        elif field.type == "many2one":
            values[name] = value.id
        else:
            values[name] = record._cache_for(field).get(record._ids[0])
    return values


def _onchange_value(record, field, spec: dict):
    """One field's value as the web client expects it in an onchange answer."""
    if field.type == "many2one":
        target = record[field.name]
        if not target:
            return False
        target_id = target.id if not isinstance(target.id, NewId) else (target.id.origin or False)
        subfields = (spec or {}).get("fields")
        if not subfields:
            return target_id
        result = {"id": target_id}
        if "display_name" in subfields:
            result["display_name"] = target.sudo().display_name
        for name in subfields:
            if name not in ("id", "display_name"):
                result[name] = _onchange_value(target, target._fields[name], subfields[name])
        return result
    value = record._cache_for(field).get(record._ids[0])
    return field.convert_to_read(value, record, load=None)


def _line_key(line_id):
    """A line's identity across snapshots: its database id (a line edited in the form is a new record
    whose origin is that id), else the new id itself."""
    return line_id.origin if isinstance(line_id, NewId) and line_id.origin else line_id


def _x2many_commands(record, field, spec: dict, before: tuple, force: bool) -> list:
    sub = (spec or {}).get("fields") or {}
    lines = record[field.name]
    before_lines = {_line_key(line_id): dict(values) for line_id, values in before}
    commands = [(5,)] if force else []
    for line in lines:
        key = _line_key(line.id)
        if isinstance(key, NewId):
            commands.append((0, key.ref or 0, _diff(line, sub, {}, force=True)))
            continue
        changes = _diff(line, sub, before_lines.get(key, {}), force=force or key not in before_lines)
        commands.append((1, key, changes) if changes else (4, key))
    if not force:
        now = {_line_key(line.id) for line in lines}
        for key in before_lines:
            if key not in now and not isinstance(key, NewId):
                commands.append((3 if field.type == "many2many" else 2, key))
    return commands


def _diff(record, spec: dict, before: dict, force: bool, skip=()) -> dict:
    after = _snapshot(record, spec)
    result = {}
    for name, value in after.items():
        if name in skip or (not force and name in before and before[name] == value):
            continue
        field = record._fields[name]
        if field.type in X2MANY:
            result[name] = _x2many_commands(record, field, spec[name], before.get(name, ()), force)
        else:
            result[name] = _onchange_value(record, field, spec[name])
    return result


def onchange_methods(model) -> dict[str, list[str]]:
    """``{field name: [method names]}`` of the model's ``@api.onchange`` methods (cached on the class)."""
    cls = type(model)
    found = cls.__dict__.get("_onchange_methods_cache")
    if found is None:
        found = {}
        for attr in dir(cls):
            method = getattr(cls, attr, None)
            for name in getattr(method, "_onchange", ()) if callable(method) else ():
                found.setdefault(name, []).append(attr)
        cls._onchange_methods_cache = found
    return found


def _merge_warning(result: dict, answer) -> None:
    if not isinstance(answer, dict):
        return
    warning = answer.get("warning")
    if warning:
        previous = result.get("warning")
        if previous:
            warning = {**warning, "message": f"{previous['message']}\n\n{warning.get('message', '')}",
                       "title": previous.get("title") or warning.get("title")}
        result["warning"] = warning
    if answer.get("domain"):
        result.setdefault("domain", {}).update(answer["domain"])


class Onchange:
    """Mixed into ``BaseModel``."""

    @api.model
    def new(self, values: dict | None = None, origin=None, ref=None):
        """A new record with ``values`` (write format), only in the cache; ``origin``: the record it edits."""
        values = dict(values or {})
        unknown = [name for name in values if name not in self._fields]
        if unknown:
            raise ValidationError(f"Invalid field {unknown[0]!r} on model {self._name!r}")
        origin_id = origin.id if hasattr(origin, "_ids") else origin
        id_ = NewId(origin_id or None, ref)
        record = self._browse(self.env, (id_,), (id_,))
        record._cache_for(self._fields["id"])[id_] = id_
        given = [self._fields[name] for name in values if name != "id"]
        protected = _protected(self.env)
        newly = [field for field in given if field not in protected]
        protected.update(newly)  # the values given are consistent together: none recomputes another
        try:
            for field in given:
                set_new_values(record, field, values[field.name])
        finally:
            protected.difference_update(newly)
        return record

    def _is_new_records(self) -> bool:
        return is_new(self)

    def _set_new_values(self, field, value) -> None:
        set_new_values(self, field, value)

    @property
    def _origin(self):
        """The database records these (new) records stand for."""
        ids = tuple(i.origin if isinstance(i, NewId) else i for i in self._ids)
        return self._browse(self.env, tuple(i for i in ids if i), tuple(i for i in ids if i))

    def onchange(self, values: dict, field_names, fields_spec: dict) -> dict:
        """What the form shows after ``field_names`` changed to ``values`` (see the module's docstring)."""
        if isinstance(field_names, str):
            field_names = [field_names]
        field_names = list(field_names or [])
        if not isinstance(values, dict) or not isinstance(fields_spec, dict):
            raise ValidationError(f"onchange on {self._name!r} expects values and a fields specification as dicts")
        unknown = [n for n in list(field_names) + list(values) + list(fields_spec)
                   if n not in self._fields]
        if unknown:
            raise ValidationError(f"Invalid field {unknown[0]!r} on model {self._name!r}")
        self.check_access_rights("write" if self else "create", raise_exception=True) if not self.env.su else None
        values = {name: value for name, value in values.items() if name != "id"}
        first_call = not field_names
        if first_call:
            field_names = list(values)
            missing = [name for name in fields_spec if name not in values and name != "id"]
            defaults = self.default_get(missing)
            values.update(defaults)
            field_names += list(defaults)
        origin = self[:1] if self else None
        record = self.new({n: v for n, v in values.items() if n not in field_names}, origin=origin)
        before = {} if first_call else _snapshot(record, fields_spec)
        protected = _protected(self.env)
        protected.update(self._fields[name] for name in field_names)
        result: dict = {}
        try:
            for name in field_names:
                set_new_values(record, self._fields[name], values[name])
            self._run_onchanges(record, field_names if not first_call else list(dict.fromkeys(
                field_names + list(fields_spec))), fields_spec, result)
        finally:
            protected.clear()
        skip = () if first_call else [n for n in field_names if _same_as_given(record, n, values[n])]
        result["value"] = _diff(record, fields_spec, before, force=first_call, skip=skip)
        return result

    @staticmethod
    def _run_onchanges(record, todo: list, fields_spec: dict, result: dict) -> None:
        methods = onchange_methods(record)
        done: set = set()
        todo = list(todo)
        while todo:
            name = todo.pop(0)
            if name in done:
                continue
            done.add(name)
            if not methods.get(name):
                continue
            before = _snapshot(record, fields_spec)
            for method_name in methods[name]:
                answer = getattr(record, method_name)()
                _merge_warning(result, answer)
                if isinstance(answer, dict) and answer.get("value"):
                    for field_name, value in answer["value"].items():
                        record[field_name] = value
            after = _snapshot(record, fields_spec)
            todo += [n for n in after if after[n] != before.get(n) and n not in done]


def _same_as_given(record, name: str, given) -> bool:
    field = record._fields[name]
    if field.type in X2MANY:
        return False
    value = record._cache_for(field).get(record._ids[0])
    return value == field.convert_to_cache(given, record)
