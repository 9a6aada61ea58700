"""Describe the loaded models in ``ir.model`` and ``ir.model.fields``.

Each addon that declares or extends a model gets an external id for it
(``<addon>.model_res_partner``), and one per field it declares
(``<addon>.field_res_partner__email``).  Uninstalling an addon uses these to
know which columns and tables nobody else still needs.
"""
from __future__ import annotations

from ..orm.models import MetaModel


def _xml_name(model: str) -> str:
    return model.replace(".", "_")


def reflect_module(env, module: str) -> None:
    registry = env.registry
    touched = {}
    for definition in MetaModel.definitions.get(module, ()):
        name = declared_model(definition)
        if name in registry.models:
            touched[name] = registry.models[name]
    defining = {name for name, cls in touched.items() if cls._module == module}
    imd = env["ir.model.data"]
    known = {(r.model, r.res_id): r for r in imd.search([("module", "=", module)])}
    model_ids = _ensure_models(env, touched)
    missing = [(f"model_{_xml_name(name)}", "ir.model", model_ids[name]) for name in touched]
    field_rows = _ensure_fields(env, touched, model_ids)
    for (model, fname), field_id in field_rows.items():
        declared = registry.field_modules.get((model, fname), [])
        if module in declared or (model in defining and not declared):
            missing.append((f"field_{_xml_name(model)}__{fname}", "ir.model.fields", field_id))
    imd.create([{"module": module, "name": name, "model": model, "res_id": res_id, "noupdate": False}
                for name, model, res_id in missing if (model, res_id) not in known])


def declared_model(definition) -> str | None:
    """The model a class of an addon declares (``_name``) or extends (its first ``_inherit``)."""
    return definition.__dict__.get("_name") or _first_parent(definition)


def _first_parent(definition) -> str | None:
    inherit = definition._inherit
    return inherit if isinstance(inherit, str) else (list(inherit)[0] if inherit else None)


def _ensure_models(env, touched: dict) -> dict[str, int]:
    IrModel = env["ir.model"]
    existing = {r.model: r for r in IrModel.search([("model", "in", list(touched))])}
    ids = {}
    for name, cls in touched.items():
        values = {"model": name, "name": cls._description or name, "transient": bool(cls._transient),
                  "modules": ", ".join(sorted({m for (mdl, _f), mods in env.registry.field_modules.items()
                                               if mdl == name for m in mods}))}
        record = existing.get(name)
        if record:
            record.write(values)
        else:
            record = IrModel.create(values)
        ids[name] = record.id
    return ids


def _ensure_fields(env, touched: dict, model_ids: dict) -> dict[tuple[str, str], int]:
    IrFields = env["ir.model.fields"]
    rows = IrFields.search([("model_id", "in", list(model_ids.values()))])
    existing = {(r.model, r.name): r for r in rows}
    result, new_values = {}, []
    for name, cls in touched.items():
        for fname, field in cls._fields.items():
            values = {
                "name": fname, "model": name, "model_id": model_ids[name], "ttype": field.type,
                "field_description": field.string or fname, "relation": getattr(field, "comodel_name", False) or False,
                "required": bool(field.required), "readonly": bool(field.readonly), "store": bool(field.store),
                "help": field.help or False,
            }
            record = existing.get((name, fname))
            if record is None:
                new_values.append(values)
                continue
            if any(record[k] != v for k, v in values.items() if k != "model_id"):
                record.write(values)
            result[(name, fname)] = record.id
    for record, values in zip(IrFields.create(new_values), new_values, strict=True):  # one multi-row insert
        result[(values["model"], values["name"])] = record.id
    return result
