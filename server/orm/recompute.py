"""Stored computed fields: which changes make which stored values stale, and recomputing them in batches.

At registry setup, ``setup_dependencies`` reads each computed field's
dependencies (``@api.depends`` paths, a related field's path) and inverts
them into *triggers*: for every ``(model, field)`` a change can come from, the
stored computed fields that change makes stale, each with the path that leads
from the computed field's model to the changed records.  A path step through
a relational field also triggers on its inverse (``order_id`` for
``line_ids``), so creating, moving or deleting a line recomputes its orders.

At run time ``create``, ``write`` and ``unlink`` call ``modified`` (before the
change for relational fields, whose old targets must be recomputed too, and
after it), then ``flush``: every pending field is computed for all its stale
records at once, the values that changed are written back in one statement
per batch (``bulk.update_rows``), and what depends on *those* is marked in turn, so
chains of any depth settle in the same transaction.  Records whose stale
values a computation reads are recomputed first (``models._get_cache_value``).
Nothing is pending once a write returns, so searches and reads never see a
stale stored value.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ..exceptions import ModuleError, UserError
from . import bulk, protection

_logger = logging.getLogger(__name__)
MAX_ROUNDS = 10_000          # a chain longer than this is a cycle in the dependencies
SEARCH_CHUNK = 5_000         # ids per ``IN`` list when looking for the records a change affects
MAX_EXPANSION_DEPTH = 16     # non-stored computed fields expanded into their own dependencies


@dataclass(frozen=True)
class Trigger:
    """A change to some field makes ``field`` stale on the records ``path`` leads back from."""

    field: object            # the stored computed Field
    path: tuple[str, ...]    # from field's model to the changed model; () for the same records


# -- setup ----------------------------------------------------------------------------------------
def setup_dependencies(registry) -> None:
    """Resolve every computed field's dependencies and build ``registry.field_triggers``."""
    for cls in registry.models.values():
        for field in cls._fields.values():
            if field.compute and not field.related:
                field.depends, field.depends_context = _declared_dependencies(cls, field)
            if field.store and field.depends_context:
                raise ModuleError(f"Field {cls._name}.{field.name} is stored and cannot depend on the context "
                                  f"({', '.join(field.depends_context)}): make it store=False",
                                  chain=(cls._module,))
        cls._compute_groups = _compute_groups(cls)
    triggers: dict[tuple[str, str], list[Trigger]] = {}
    for cls in registry.models.values():
        for field in cls._fields.values():
            if field.store and field.compute:
                for path in field.depends:
                    _add_path_triggers(registry, cls, field, path.split("."), (), triggers, 0)
    registry.field_triggers = {key: tuple(dict.fromkeys(value)) for key, value in triggers.items()}
    registry.inverse_caches = _inverse_caches(registry)


def _inverse_caches(registry) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """``{(model, many2one or many2many): ((comodel, x2many), ...)}``: the cached x2many values a
    change of that field makes stale (a loan's ``book_id`` and the books' ``loan_ids``)."""
    found: dict = {}
    for cls in registry.models.values():
        for field in cls._fields.values():
            if field.type not in ("one2many", "many2many") or not field.store:
                continue
            comodel = registry.models.get(field.comodel_name)
            for inverse in _inverse_fields(field, comodel) if comodel is not None else ():
                found.setdefault((comodel._name, inverse.name), set()).add((cls._name, field.name))
    return {key: tuple(sorted(value)) for key, value in found.items()}


def forget_inverse_caches(records, names) -> None:
    """Forget the cached x2many values that the change of ``names`` on ``records`` makes stale."""
    inverse_caches = records.pool.inverse_caches
    cache = records.env.cr.cache
    for name in names:
        for key in inverse_caches.get((records._name, name), ()):
            cache.pop(key, None)


def _declared_dependencies(cls, field) -> tuple[tuple[str, ...], tuple[str, ...]]:
    method = field.compute if callable(field.compute) else getattr(cls, field.compute, None)
    if method is None:
        raise ModuleError(f"Field {cls._name}.{field.name}: compute method {field.compute!r} does not exist",
                          chain=(cls._module,))
    depends = getattr(method, "_depends", ())
    if callable(depends):
        depends = depends(cls._browse(None, (), ()))
    return tuple(depends), tuple(getattr(method, "_depends_context", ()))


def _compute_groups(cls) -> dict[str, tuple]:
    """``{field name: fields computed by the same method}``: one call assigns them all."""
    by_method: dict = {}
    for field in cls._fields.values():
        if field.compute and isinstance(field.compute, str):
            by_method.setdefault(field.compute, []).append(field)
    return {f.name: tuple(group) for group in by_method.values() for f in group}


def _add_path_triggers(registry, cls, field, steps: list[str], prefix: tuple, triggers: dict, depth: int) -> None:
    """Register the triggers of one dependency path of ``field``, starting on model ``cls`` at ``prefix``."""
    model = cls if not prefix else _model_at(registry, registry.models[field.model_name], prefix)
    for index, name in enumerate(steps):
        step = model._fields.get(name)
        if step is None:
            raise ModuleError(f"Field {field.model_name}.{field.name} depends on {'.'.join(steps)!r}: "
                              f"{model._name} has no field {name!r}", chain=(cls._module,))
        here = prefix + tuple(steps[:index])
        triggers.setdefault((model._name, name), []).append(Trigger(field, here))
        if not step.store and (step.compute or step.related) and depth < MAX_EXPANSION_DEPTH:
            for sub in _nonstored_dependencies(model, step):
                _add_path_triggers(registry, cls, field, sub.split("."), here, triggers, depth + 1)
        if not step.relational:
            break
        comodel = registry.models.get(step.comodel_name)
        if comodel is None:
            break
        for inverse in _inverse_fields(step, comodel):
            triggers.setdefault((comodel._name, inverse.name), []).append(Trigger(field, here + (name,)))
        model = comodel


def _model_at(registry, cls, path: tuple):
    for name in path:
        cls = registry.models[cls._fields[name].comodel_name]
    return cls


def _nonstored_dependencies(model, field) -> tuple[str, ...]:
    """What a non-stored computed field depends on (its display name: the record name field)."""
    if field.related:
        return (field.related,)
    if field.depends:
        return field.depends
    if field.name == "display_name":
        name = model._browse(None, (), ())._rec_name_field()
        return (name,) if name != "id" else ()
    return ()


def _inverse_fields(field, comodel) -> list:
    """The comodel's fields whose change moves records in or out of ``field``."""
    if field.type == "one2many":
        inverse = comodel._fields.get(field.inverse_name)
        return [inverse] if inverse is not None else []
    if field.type == "many2many" and field.store:
        return [f for f in comodel._fields.values()
                if f.type == "many2many" and f.store and f.relation == field.relation and f is not field]
    return []


# -- run time -------------------------------------------------------------------------------------
def pending(env) -> dict:
    """``{stored computed field: set of stale ids}`` of this transaction."""
    todo = getattr(env.cr, "_orm_tocompute", None)
    if todo is None:
        todo = env.cr._orm_tocompute = {}
    return todo


def modified(records, names) -> None:
    """Mark stale what depends on fields ``names`` of ``records`` (call before and after the change)."""
    if not records._ids:
        return
    triggers = records.pool.field_triggers
    todo = pending(records.env)
    running = protection.protected(records.env)
    seen = set()
    for name in names:
        for trigger in triggers.get((records._name, name), ()):
            if trigger in seen:
                continue
            seen.add(trigger)
            ids = records._ids if not trigger.path else _ids_reaching(records, trigger)
            if trigger.field in running:  # a value being computed is not made stale by its own method
                ids = set(ids) - running[trigger.field]
            if ids:
                todo.setdefault(trigger.field, set()).update(ids)


def created(records) -> None:
    """New records: all their stored computed fields are stale, and what depends on them elsewhere."""
    todo = pending(records.env)
    for field in records._fields.values():
        if field.store and field.compute:
            todo.setdefault(field, set()).update(records._ids)
    modified(records, [name for (model, name) in records.pool.field_triggers if model == records._name])


def protect(records, fields) -> None:
    """Values just written by hand: do not recompute them over the written value."""
    todo = pending(records.env)
    for field in fields:
        stale = todo.get(field)
        if stale:
            stale.difference_update(records._ids)
            if not stale:
                del todo[field]


def _ids_reaching(records, trigger: Trigger) -> set[int]:
    """The ids of the computed field's records from which ``trigger.path`` reaches ``records``."""
    model = records.env[trigger.field.model_name].sudo().with_context(active_test=False)
    path = ".".join(trigger.path)
    found: set[int] = set()
    ids = list(records._ids)
    for start in range(0, len(ids), SEARCH_CHUNK):
        query = model._search_query([(path, "in", ids[start:start + SEARCH_CHUNK])], order=False)
        found.update(row[0] for row in query.tuples())
    return found


def flush(env) -> None:
    """Recompute every stale stored value of the transaction, chains included."""
    cr = env.cr
    todo = pending(env)
    if not todo or getattr(cr, "_orm_flushing", False):
        return
    cr._orm_flushing = True
    try:
        for _round in range(MAX_ROUNDS):
            if not todo:
                return
            field = next(iter(todo))
            ids = todo.pop(field)
            recompute(env[field.model_name].browse(sorted(ids)), field)
        raise UserError("Stored computed fields did not settle: their dependencies form a cycle "
                        f"({', '.join(sorted(repr(f) for f in todo))})")
    except BaseException:
        todo.clear()
        raise
    finally:
        cr._orm_flushing = False


def recompute_now(records, field) -> None:
    """Recompute the stale values of ``field`` (all of them, not only those of ``records``): a
    computation is about to read one."""
    todo = pending(records.env)
    ids = todo.pop(field, None)
    if ids:
        recompute(records.env[field.model_name].browse(sorted(ids)), field)


def recompute(records, field) -> None:
    """Compute ``field`` (and the fields its method also assigns) on ``records``; store what changed."""
    group = records._compute_groups.get(field.name, (field,))
    protect(records, group)
    records = records._existing()
    if not records:
        return
    caches = {f: records._cache_for(f) for f in group}
    old = {f: {i: caches[f].pop(i, None) for i in records._ids} for f in group}
    target = records.sudo() if field.compute_sudo else records
    with protection.protecting(records, group):
        method = field.compute if callable(field.compute) else getattr(target, field.compute)
        method(target) if callable(field.compute) else method()
    stored = [f for f in group if f.store]
    changed_ids: set[int] = set()
    rows = []
    for id_ in records._ids:
        values = [caches[f].setdefault(id_, f.convert_to_cache(False, records)) for f in stored]
        if any(values[n] != old[f][id_] for n, f in enumerate(stored)):
            changed_ids.add(id_)
            rows.append((id_, *values))
    if rows:
        bulk.update_rows(records, stored, rows)
        records._invalidate_computed()  # non-stored values may have been computed from the old ones
        changed = records.browse(tuple(i for i in records._ids if i in changed_ids))
        modified(changed, [f.name for f in stored])
        changed._validate({f.name for f in stored})


def compute_added_columns(env, added: dict[str, list[str]]) -> None:
    """Fill the stored computed columns an install or upgrade just added, on every existing row."""
    for model_name, names in added.items():
        model = env[model_name].sudo().with_context(active_test=False)
        fields = [model._fields[n] for n in names if model._fields[n].compute]
        if not fields:
            continue
        ids = [row[0] for row in model._search_query([], order=False).tuples()]
        if ids:
            todo = pending(env)
            for field in fields:
                todo.setdefault(field, set()).update(ids)
            _logger.info("computing %s on %d existing %s records", ", ".join(f.name for f in fields),
                         len(ids), model_name)
    flush(env)
