"""Compose one class per model from the definitions of the loaded addons.

For each addon in dependency order, each of its definition classes either
creates a model (``_name`` new) or extends one (``_inherit`` naming it).  An
extension becomes a new class whose bases are ``(definition, previous)``, so
an override's ``super()`` reaches the previous addon's method.  A definition
with a new ``_name`` and an ``_inherit`` copies the parents' fields and
methods into a separate model (Odoo's prototype inheritance).
"""
from __future__ import annotations

import peewee

from ..exceptions import ModuleError
from . import constraints, delegation, recompute, refusals, related
from . import fields as fields_module
from .models import LOG_ACCESS_FIELDS, MetaModel


def _parents(definition) -> list[str]:
    inherit = getattr(definition, "_inherit", ())
    if isinstance(inherit, str):
        return [inherit]
    return list(inherit or ())


#: The model every other model inherits, as in Odoo: an addon adds methods to all models with
#: ``class Base(models.AbstractModel): _inherit = "base"``.
BASE_MODEL = "base"


def declared_name(definition) -> str | None:
    parents = _parents(definition)
    return definition.__dict__.get("_name") or (parents[0] if parents else None)


def _compose_base(modules: list[str]) -> type:
    """The composed ``base`` model of the loaded addons' ``_inherit = "base"`` classes (as in Odoo, it
    exists without any: ``env['base']``)."""
    from .models import AbstractModel

    base = MetaModel(BASE_MODEL, (AbstractModel,), {"_name": BASE_MODEL, "_register": False,
                                                  "__module__": "odoo.addons.base", "_module": "base"})
    for module in modules:
        for definition in MetaModel.definitions.get(module, ()):
            if declared_name(definition) == BASE_MODEL:
                bases = (definition, base)
                attrs = {"_name": BASE_MODEL, "_register": False, "__module__": definition.__module__,
                         "_module": base._module}
                base = MetaModel(BASE_MODEL, bases, attrs)
    return base


def compose_models(modules: list[str]) -> tuple[dict[str, type], dict[tuple[str, str], list[str]]]:
    """Return ``{model name: composed class}`` and ``{(model, field): [declaring modules]}``.

    The ``base`` model is composed first, so that every model created afterwards has it as its
    last base, whichever addon extended it.
    """
    base = _compose_base(modules)
    models: dict[str, type] = {BASE_MODEL: base}
    field_modules: dict[tuple[str, str], list[str]] = {}
    for module in modules:
        for definition in MetaModel.definitions.get(module, ()):
            refusals.check_definition(definition, module)
            parents = _parents(definition)
            name = declared_name(definition)
            if name == BASE_MODEL:
                continue
            if not name:
                raise ModuleError(f"Model class {definition.__qualname__} of addon {module!r} has no _name "
                                  "and no _inherit", chain=(module,))
            missing = [p for p in parents if p not in models]
            if missing:
                raise ModuleError(f"Model {name!r} of addon {module!r} inherits from unknown model(s) "
                                  f"{', '.join(missing)}: add the addon that defines them to 'depends'",
                                  chain=(module,))
            bases = [definition]
            if name in models:
                bases.append(models[name])
            bases += [models[p] for p in parents if p != name]
            if name not in models and base not in bases:
                bases.append(base)
            attrs = {"_name": name, "_register": False, "__module__": definition.__module__,
                     "_module": models[name]._module if name in models else module}
            models[name] = MetaModel(name.replace(".", "_"), tuple(bases), attrs)
            for attr, value in vars(definition).items():
                if isinstance(value, fields_module.Field):
                    declared = field_modules.setdefault((name, attr), [])
                    if module not in declared:
                        declared.append(module)
    return models, field_modules


def record_children(models: dict[str, type]) -> None:
    """Give each model Odoo's ``_inherit_children`` (the models whose definitions ``_inherit`` it) and
    ``_inherits_children`` (those delegating to it), which test helpers read."""
    from ..tools.misc import OrderedSet

    for cls in models.values():
        cls._inherit_children, cls._inherits_children = OrderedSet(), set()
    for cls in models.values():
        for klass in cls.__mro__:
            inherit = klass.__dict__.get("_inherit") or ()
            for parent in [inherit] if isinstance(inherit, str) else inherit:
                if parent != cls._name and parent in models:
                    models[parent]._inherit_children.add(cls._name)
        for parent in cls._inherits:
            if parent in models:
                models[parent]._inherits_children.add(cls._name)


def setup_model(cls, registry) -> None:
    """Give a composed class its own field objects, table name, constraints and table model."""
    definitions: dict[str, list] = {}
    for klass in reversed(cls.__mro__):
        for attr, value in vars(klass).items():
            if isinstance(value, fields_module.Field):
                definitions.setdefault(attr, []).append(value)
    collected = {name: merged_field(chain) for name, chain in definitions.items()}
    if not cls._log_access or not cls._auto:
        for name in LOG_ACCESS_FIELDS:
            collected.pop(name, None)
    own = {}
    for name, field in collected.items():
        field = field.new()
        field.name = name
        setattr(cls, name, field)
        own[name] = field
    cls._fields = own
    cls._table = _table_of(cls)
    for field in own.values():
        field.setup(cls)
    cls._ondelete_methods = constraints.ondelete_methods(cls)
    cls._description = cls._description or cls._name
    cls._table_model = build_table_model(cls, registry.database) if cls._auto and not cls._abstract else None


def merged_field(definitions: list):
    """The field that successive definitions of one name make, as Odoo makes it: a redefinition of the
    same type (``old_revision_ids = fields.One2many(comodel_name='my.model')``) keeps what the earlier
    ones gave and it does not (the ``inverse_name``, the ``string``...); one of another type replaces them."""
    last = definitions[-1]
    same = []
    for field in reversed(definitions):
        if not isinstance(field, type(last)):
            break
        same.append(field)
    if len(same) == 1:
        return last
    given: dict = {}
    for field in reversed(same):
        given.update(field.given_attributes())
    return type(last)(**given)


def _table_of(cls) -> str:
    """The ``_table`` a definition of this very model declares, else the name with dots as underscores."""
    for klass in cls.__mro__:
        own = klass.__dict__
        if own.get("_register") is False:
            continue
        declares = own.get("_name") or (_parents(klass)[0] if _parents(klass) else None)
        if declares == cls._name and own.get("_table"):
            return own["_table"]
    return cls._name.replace(".", "_")


def build_table_model(cls, database) -> type[peewee.Model]:
    """A peewee model for the class's table, used for every query the ORM builds."""
    attrs = {field.name: field.peewee_field() for field in cls._fields.values() if field.column}
    attrs["id"] = peewee.AutoField()
    attrs["Meta"] = type("Meta", (), {"database": database, "table_name": cls._table, "legacy_table_names": False})
    return type(f"Table_{cls._table}", (peewee.Model,), attrs)


def build_relation_model(field, database) -> type[peewee.Model]:
    """A peewee model for a many2many relation table (two id columns, unique pair)."""
    attrs = {
        field.column1: peewee.IntegerField(column_name=field.column1),
        field.column2: peewee.IntegerField(column_name=field.column2),
        "Meta": type("Meta", (), {
            "database": database, "table_name": field.relation,
            "primary_key": peewee.CompositeKey(field.column1, field.column2),
        }),
    }
    return type(f"Rel_{field.relation}", (peewee.Model,), attrs)


def finish_setup(registry) -> None:
    """The phases that need every model composed: ``_inherits`` fields, related fields (their
    targets), then the dependencies of computed fields and what each constraint method watches.
    ``link_relations`` (the registry's, between the related fields and the dependencies) gives
    relational fields their tables."""
    delegation.setup_delegation(registry)
    related.setup_related(registry)


def finish_dependencies(registry) -> None:
    recompute.setup_dependencies(registry)
    for cls in registry.models.values():
        cls._constraint_methods = constraint_methods(cls)
        cls._cascade_fields = constraints.cascade_fields(registry, cls)


def constraint_methods(cls) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """``[(method name, field names whose change runs it)]`` of the ``@api.constrains`` methods.

    A dotted name (``'author_id.name'``) runs it when its first field changes on the record; a
    non-stored related field when the first field of its path does.
    """
    found = []
    for attr in dir(cls):
        if attr.startswith("__"):
            continue
        method = getattr(cls, attr, None)
        if not callable(method) or not hasattr(method, "_constrains"):
            continue
        names = method._constrains
        if callable(names):
            names = names(cls._browse(None, (), ()))
        watched = set()
        for name in names:
            first = name.partition(".")[0]
            watched.add(first)
            field = cls._fields.get(first)
            if field is not None and field.related and not field.store:
                watched.add(field.related.partition(".")[0])
        found.append((attr, tuple(sorted(watched))))
    return tuple(found)
