"""Odoo's x2many commands applied to one record's one2many or many2many field."""
from __future__ import annotations

import enum

from ..exceptions import MissingError, ValidationError


def apply_x2many_commands(record, field, commands) -> None:
    """Apply Odoo's x2many commands to one record's ``field``.

    ``(0, 0, vals)`` create, ``(1, id, vals)`` update, ``(2, id)`` delete,
    ``(3, id)`` unlink, ``(4, id)`` link, ``(5,)`` clear, ``(6, 0, ids)``
    replace.  A plain list of ids means ``(6, 0, ids)``.
    """
    comodel = record.env[field.comodel_name]
    if hasattr(commands, "_ids"):
        commands = [(6, 0, commands.ids)]
    commands = list(commands or [])
    if commands and all(isinstance(c, int) and not isinstance(c, bool) for c in commands):
        commands = [(6, 0, commands)]
    linker = _One2manyLinks(record, field) if field.type == "one2many" else _Many2manyLinks(record, field)
    for command in commands:
        if not isinstance(command, (list, tuple)) or not command or not isinstance(command[0], int):
            raise ValidationError(f"Invalid command {command!r} for {field.model_name}.{field.name}")
        code = command[0]
        arg = command[1] if len(command) > 1 else None
        if code == 0:
            linker.create(comodel, command[2] if len(command) > 2 else {})
        elif code == 1:
            comodel.browse(arg).write(command[2])
        elif code == 2:
            linker.unlink([arg])
            comodel.browse(arg).unlink()
        elif code == 3:
            linker.unlink([arg])
        elif code == 4:
            linker.link([arg])
        elif code == 5:
            linker.clear()
        elif code == 6:
            linker.replace(list(command[2] if len(command) > 2 else arg or []))
        else:
            raise ValidationError(f"Unknown x2many command {code} for {field.model_name}.{field.name}")
    record._cache_for(field).pop(record.id, None)


class _Many2manyLinks:
    def __init__(self, record, field):
        self.record, self.field = record, field
        self.rel = record.env.registry.relation_table(field)
        self.col1, self.col2 = getattr(self.rel, field.column1), getattr(self.rel, field.column2)

    def current(self) -> set[int]:
        query = self.rel.select(self.col2).where(self.col1 == self.record.id)
        return {row[0] for row in query.tuples()}

    def link(self, ids) -> None:
        new = [i for i in dict.fromkeys(ids) if i not in self.current()]
        missing = set(new) - set(self.record.env[self.field.comodel_name].browse(new).exists()._ids)
        if missing:
            raise MissingError(f"Cannot link missing {self.field.comodel_name} records {sorted(missing)} "
                               f"to {self.field.model_name}.{self.field.name}")
        if new:
            rows = [{self.field.column1: self.record.id, self.field.column2: i} for i in new]
            self.rel.insert_many(rows).execute()

    def unlink(self, ids) -> None:
        self.rel.delete().where((self.col1 == self.record.id) & self.col2.in_(list(ids))).execute()

    def clear(self) -> None:
        self.rel.delete().where(self.col1 == self.record.id).execute()

    def replace(self, ids) -> None:
        self.clear()
        self.link(ids)

    def create(self, comodel, vals) -> None:
        self.link([comodel.create(vals).id])


class _One2manyLinks:
    def __init__(self, record, field):
        self.record, self.field = record, field
        self.comodel = record.env[field.comodel_name]

    def link(self, ids) -> None:
        self.comodel.browse(ids).write({self.field.inverse_name: self.record.id})

    def unlink(self, ids) -> None:
        inverse = self.comodel._fields[self.field.inverse_name]
        targets = self.comodel.browse(ids).exists()
        if inverse.required or inverse.ondelete == "cascade":
            targets.unlink()
        else:
            targets.write({self.field.inverse_name: False})

    def clear(self) -> None:
        self.unlink(self.comodel.search([(self.field.inverse_name, "=", self.record.id)]).ids)

    def replace(self, ids) -> None:
        keep = set(ids)
        stale = self.comodel.search([(self.field.inverse_name, "=", self.record.id)]).ids
        self.unlink([i for i in stale if i not in keep])
        self.link(list(ids))

    def create(self, comodel, vals) -> None:
        comodel.create({**vals, self.field.inverse_name: self.record.id})


class Command(enum.IntEnum):
    """Odoo's x2many commands by name: ``Command.create(vals)``, ``Command.set(ids)``, ...

    Each builder returns the triple ``apply_x2many_commands`` takes, so
    ``{'tag_ids': [Command.link(tag.id), Command.unlink(old.id)]}`` means the same
    as the numeric form.
    """

    CREATE = 0
    UPDATE = 1
    DELETE = 2
    UNLINK = 3
    LINK = 4
    CLEAR = 5
    SET = 6

    @classmethod
    def create(cls, values: dict) -> tuple:
        return (cls.CREATE, 0, values)

    @classmethod
    def update(cls, id: int, values: dict) -> tuple:  # noqa: A002  (Odoo's parameter name)
        return (cls.UPDATE, id, values)

    @classmethod
    def delete(cls, id: int) -> tuple:  # noqa: A002
        return (cls.DELETE, id, 0)

    @classmethod
    def unlink(cls, id: int) -> tuple:  # noqa: A002
        return (cls.UNLINK, id, 0)

    @classmethod
    def link(cls, id: int) -> tuple:  # noqa: A002
        return (cls.LINK, id, 0)

    @classmethod
    def clear(cls) -> tuple:
        return (cls.CLEAR, 0, 0)

    @classmethod
    def set(cls, ids) -> tuple:
        return (cls.SET, 0, list(ids))
