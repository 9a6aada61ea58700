"""``_inherits`` delegation: a record *is* also a record of another model, as a user is a partner.

``_inherits = {'res.partner': 'partner_id'}`` on ``res.users`` gives every user a partner (the
required many2one ``partner_id``), and every field of ``res.partner`` that ``res.users`` does not
declare itself becomes a field of the user: a non-stored related field ``partner_id.<name>`` marked
``inherited``, read, searched, sorted and written through the user (``setup_delegation``).

Creating a user creates its partner from the partner's values in the same call (or writes them on a
partner given by id); writing a user writes the partner's values on its partner (``split_create``,
``split_write``).  Deleting a user leaves its partner, as in Odoo.

A database created before a model delegated some fields still has them as columns of its own table:
``migrate_legacy_columns`` gives every row a parent, copies those columns' values to the parent
where the parent has none, and leaves the old columns unused.
"""
from __future__ import annotations

import logging

from ..exceptions import ModuleError
from .schema import quote

_logger = logging.getLogger(__name__)
NOT_INHERITED = frozenset({"id", "display_name", "create_uid", "create_date", "write_uid", "write_date"})


def setup_delegation(registry) -> None:
    """Add the inherited fields of every model that declares ``_inherits`` (parents first)."""
    done: set[str] = set()
    for cls in registry.models.values():
        _setup_model(registry, cls, done, ())


def _setup_model(registry, cls, done: set, chain: tuple) -> None:
    if cls._name in done or not cls._inherits:
        return
    if cls._name in chain:
        raise ModuleError(f"Model {cls._name}: _inherits forms a cycle ({' -> '.join(chain)})", chain=(cls._module,))
    for parent_name, link in cls._inherits.items():
        parent = registry.models.get(parent_name)
        if parent is None:
            raise ModuleError(f"Model {cls._name} delegates to unknown model {parent_name!r} (_inherits): add the "
                              "addon that defines it to 'depends'", chain=(cls._module,))
        _setup_model(registry, parent, done, chain + (cls._name,))
        _check_link(cls, parent_name, link)
        for name, parent_field in parent._fields.items():
            if name not in cls._fields and name not in NOT_INHERITED:
                field = inherited_field(parent_field, link)
                field.name = name
                setattr(cls, name, field)
                cls._fields[name] = field
                field.setup(cls)
    done.add(cls._name)


def _check_link(cls, parent_name: str, link: str) -> None:
    field = cls._fields.get(link)
    if field is None or field.type != "many2one" or field.comodel_name != parent_name:
        raise ModuleError(f"Model {cls._name}: _inherits needs a field {link} = fields.Many2one({parent_name!r}, "
                          "required=True, ondelete='cascade')", chain=(cls._module,))
    field.required = True
    if field.ondelete == "set null":
        field.ondelete = "restrict"


def inherited_field(parent_field, link: str):
    """A copy of ``parent_field`` that reads and writes it through the many2one ``link``."""
    field = parent_field.new()
    field.related = f"{link}.{parent_field.name}"
    field.related_field = None
    field.inherited = True
    field.store = False
    field.compute = field.inverse = field.search = None
    field.compute_sudo = False
    field.default = None
    field.depends = field.depends_context = ()
    field._given = frozenset({"string", "help", "selection", "comodel_name", "digits", "size", "translate",
                              "trim", "big", "domain", "context"}) | parent_field._given
    return field


def parent_fields(model, link: str) -> set[str]:
    return {name for name, field in model._fields.items()
            if field.inherited and field.related.partition(".")[0] == link}


def split_create(model, vals_list: list[dict]) -> list[dict]:
    """The value dicts without the parents' values, each with its parent's id (created if not given)."""
    for parent_name, link in model._inherits.items():
        theirs_names = parent_fields(model, link)
        own_list, to_create, positions = [], [], []
        for vals in vals_list:
            own = {k: v for k, v in vals.items() if k not in theirs_names}
            theirs = {k: v for k, v in vals.items() if k in theirs_names}
            if own.get(link):
                if theirs:
                    model.env[parent_name].browse(own[link]).write(theirs)
            else:
                positions.append(len(own_list))
                to_create.append(theirs)
            own_list.append(own)
        if to_create:
            parents = model.env[parent_name].create(to_create)
            for position, parent_id in zip(positions, parents._ids, strict=True):
                own_list[position][link] = parent_id
        vals_list = own_list
    return vals_list


def split_write(records, vals: dict) -> dict:
    """Write the parents' values of ``vals`` on the records' parents; return the rest."""
    for parent_name, link in records._inherits.items():
        theirs_names = parent_fields(records, link)
        theirs = {k: v for k, v in vals.items() if k in theirs_names}
        if theirs:
            vals = {k: v for k, v in vals.items() if k not in theirs_names}
            records.env[parent_name].browse(records.mapped(f"{link}.id")).write(theirs)
    return vals


def migrate_legacy_columns(env, cls) -> None:
    """Give every row of ``cls``'s table a parent and move old columns of delegated fields to it."""
    database = env.cr.database
    existing = {c.name for c in database.get_columns(cls._table)}
    for parent_name, link in cls._inherits.items():
        parent = env[parent_name].sudo().with_context(active_test=False)
        legacy = sorted(n for n in parent_fields(cls, link) if n in existing and parent._fields[n].column)
        _give_parents(env, cls, parent, link, legacy)
        for name in legacy:
            table, ptable = quote(database, cls._table), quote(database, parent._table)
            column, link_column = quote(database, name), quote(database, link)
            env.cr.execute(
                f"UPDATE {ptable} SET {column} = (SELECT c.{column} FROM {table} c WHERE c.{link_column} = "
                f"{ptable}.id AND c.{column} IS NOT NULL LIMIT 1) WHERE {column} IS NULL AND id IN "
                f"(SELECT {link_column} FROM {table} WHERE {column} IS NOT NULL)")
        if legacy:
            _logger.info("%s: the values of %s moved to %s (old columns left unused)", cls._name,
                         ", ".join(legacy), parent_name)


def _give_parents(env, cls, parent, link: str, legacy: list[str]) -> None:
    table = quote(env.cr.database, cls._table)
    name_column = "name" if "name" in legacy else None
    select = f"SELECT id{', ' + quote(env.cr.database, name_column) if name_column else ''} FROM {table} " \
             f"WHERE {quote(env.cr.database, link)} IS NULL"
    for row in env.cr.execute(select).fetchall():
        values = {"name": row[1]} if name_column and row[1] and "name" in parent._fields else {}
        created = parent.create(values)
        env.cr.execute(f"UPDATE {table} SET {quote(env.cr.database, link)} = %s WHERE id = %s", (created.id, row[0]))
