"""Load an addon's data files: Odoo's XML (``<record>``, ``<function>``, ``<delete>``,
``<menuitem>``, ``<template>``) and CSV.

Every record a file names gets an external id ``module.name`` in
``ir.model.data``.  On upgrade, records whose external id is ``noupdate``
keep the values an admin may have changed; the others are rewritten.  A
problem is raised as a ``UserError`` naming the file and the record.
"""
from __future__ import annotations

import base64
import csv
import io
import logging
import xml.etree.ElementTree as ET
from pathlib import Path

from ..exceptions import UserError
from ..tools.safe_eval import safe_eval

_logger = logging.getLogger(__name__)
TRUE_WORDS = {"1", "true", "yes", "y", "t"}
CSV_BATCH = 500  # rows of a CSV file created by one ``create``


class DataFileError(UserError):
    """A data file cannot be loaded; the message names the file and the element."""


class DataLoader:
    """Loads the files of one addon into ``env`` (a superuser environment)."""

    def __init__(self, env, module: str, module_path: str, mode: str = "init", noupdate: bool = False):
        self.env = env
        self.module = module
        self.module_path = Path(module_path)
        self.mode = mode
        self.default_noupdate = noupdate
        self.loaded_xmlids: set[str] = set()

    # -- entry point -------------------------------------------------------------------
    def load_file(self, relative: str) -> None:
        path = self.module_path / relative
        if not path.is_file():
            raise DataFileError(f"Addon {self.module!r}: data file {relative!r} does not exist")
        try:
            if path.suffix == ".xml":
                self._load_xml(path)
            elif path.suffix == ".csv":
                self._load_csv(path)
            else:
                raise DataFileError(
                    f"Addon {self.module!r}: unsupported data file type {relative!r} (use .xml or .csv)")
        except DataFileError:
            raise
        except UserError as exc:
            raise DataFileError(f"Addon {self.module!r}, file {relative}: {exc}") from exc
        except (ValueError, KeyError, TypeError, ET.ParseError, SyntaxError) as exc:
            raise DataFileError(f"Addon {self.module!r}, file {relative}: {exc}") from exc

    # -- external ids --------------------------------------------------------------------
    def full_xmlid(self, xmlid: str) -> str:
        return xmlid if "." in xmlid else f"{self.module}.{xmlid}"

    def ref(self, xmlid: str) -> int:
        model, res_id = self.env["ir.model.data"]._xmlid_to_res_model_res_id(self.full_xmlid(xmlid))
        if not res_id:
            raise DataFileError(f"Addon {self.module!r}: external id {self.full_xmlid(xmlid)!r} not found")
        return res_id

    def save_record(self, model: str, xmlid: str | None, values: dict, noupdate: bool):
        """Create or update the record behind ``xmlid`` (respecting noupdate on upgrade)."""
        model_env = self.env[model]
        if not xmlid:
            return model_env.create(values)
        full = self.full_xmlid(xmlid)
        self.loaded_xmlids.add(full)
        imd = self.env["ir.model.data"]
        existing = imd._lookup(full)
        if existing and model_env.browse(existing.res_id).exists():
            record = model_env.browse(existing.res_id)
            if self.mode == "update" and existing.noupdate:
                return record
            record.write(values)
            if existing.noupdate != noupdate and existing.module == self.module:
                existing.write({"noupdate": noupdate})
            return record
        if existing:
            existing.unlink()
        record = model_env.create(values)
        module, name = full.split(".", 1)
        imd.create({"module": module, "name": name, "model": model, "res_id": record.id, "noupdate": noupdate})
        return record

    # -- XML --------------------------------------------------------------------------------------
    def _load_xml(self, path: Path) -> None:
        root = ET.parse(path).getroot()
        if root.tag not in ("odoo", "openerp"):
            raise DataFileError(f"{path.name}: root element must be <odoo>, not <{root.tag}>")
        noupdate = _truthy(root.get("noupdate"), self.default_noupdate)
        for element in root:
            if element.tag == "data":
                block_noupdate = _truthy(element.get("noupdate"), noupdate)
                for child in element:
                    self._xml_element(child, block_noupdate)
            else:
                self._xml_element(element, noupdate)

    def _xml_element(self, element, noupdate: bool) -> None:
        if not isinstance(element.tag, str):
            return  # comments
        handler = {"record": self._xml_record, "function": self._xml_function, "delete": self._xml_delete,
                   "menuitem": self._xml_menuitem, "template": self._xml_template}.get(element.tag)
        if handler is None:
            raise DataFileError(f"unsupported element <{element.tag}> "
                                "(use <record>, <function>, <delete>, <menuitem> or <template>)")
        handler(element, noupdate)

    def _xml_record(self, element, noupdate: bool) -> None:
        model = element.get("model")
        xmlid = element.get("id")
        if not model:
            raise DataFileError(f"<record id={xmlid!r}> has no model")
        if model not in self.env:
            raise DataFileError(f"<record id={xmlid!r}>: unknown model {model!r}")
        if xmlid and self.mode == "update" and noupdate and self._has_xmlid(xmlid):
            self.loaded_xmlids.add(self.full_xmlid(xmlid))
            return
        values = {}
        for field_el in element.findall("field"):
            name = field_el.get("name")
            if name not in self.env[model]._fields:
                raise DataFileError(f"<record id={xmlid!r} model={model!r}>: unknown field {name!r}")
            values[name] = self._field_value(model, field_el)
        self.save_record(model, xmlid, values, noupdate)

    def _has_xmlid(self, xmlid: str) -> bool:
        return bool(self.env["ir.model.data"]._lookup(self.full_xmlid(xmlid)))

    def _eval_scope(self) -> dict:
        from ..orm.commands import Command

        return {"ref": self.ref, "obj": lambda xmlid: self.env.ref(self.full_xmlid(xmlid)), "Command": Command}

    # -- shortcuts: <menuitem>, <template> ----------------------------------------------------------
    def _xml_menuitem(self, element, noupdate: bool, parent_id: int | None = None) -> None:
        """``<menuitem id= name= parent= action= sequence= groups= web_icon= active=>``, nested menuitems
        being children of their enclosing one (Odoo's shortcut for ``ir.ui.menu`` records)."""
        xmlid = element.get("id")
        if not xmlid:
            raise DataFileError("<menuitem> needs an id")
        if "ir.ui.menu" not in self.env:
            raise DataFileError(f"<menuitem id={xmlid!r}>: menus need the base addon's ir.ui.menu (upgrade base)")
        values = {"active": _truthy(element.get("active"), True)}
        if parent_id is not None:
            values["parent_id"] = parent_id
        elif element.get("parent"):
            values["parent_id"] = self.ref(element.get("parent"))
        elif self.mode == "install" or not self._has_xmlid(xmlid):
            values["parent_id"] = False
        for name in ("sequence",):
            if element.get(name):
                values[name] = int(element.get(name))
        if element.get("web_icon"):
            values["web_icon"] = element.get("web_icon")
        if element.get("name"):
            values["name"] = element.get("name")
        if element.get("action"):
            action = self.env.ref(self.full_xmlid(element.get("action"))).sudo()
            values["action"] = f"{action._name},{action.id}"
            values.setdefault("name", action.name)
        values.setdefault("name", xmlid)
        groups = self._group_commands(element.get("groups"))
        if groups:
            values["groups_id"] = groups
        menu = self.save_record("ir.ui.menu", xmlid, values, noupdate)
        for child in element:
            if isinstance(child.tag, str) and child.tag == "menuitem":
                self._xml_menuitem(child, noupdate, parent_id=menu.id)

    def _group_commands(self, groups: str | None) -> list:
        """``"base.group_user,-base.group_portal"`` -> link/unlink commands."""
        commands = []
        for name in (groups or "").split(","):
            name = name.strip()
            if name.startswith("-"):
                commands.append((3, self.ref(name[1:])))
            elif name:
                commands.append((4, self.ref(name)))
        return commands

    def _xml_template(self, element, noupdate: bool) -> None:
        """``<template id= inherit_id= priority= active= primary=>``: a QWeb ``ir.ui.view`` (stored, not rendered)."""
        xmlid = element.get("id")
        if not xmlid:
            raise DataFileError("<template> needs an id")
        full = self.full_xmlid(xmlid)
        values = {"name": element.get("name") or full, "type": "qweb", "key": element.get("key") or full,
                  "active": _truthy(element.get("active"), True), "priority": int(element.get("priority", 16))}
        if element.get("inherit_id"):
            values["inherit_id"] = self.ref(element.get("inherit_id"))
            values["mode"] = "primary" if _truthy(element.get("primary"), False) else "extension"
            values["arch"] = f"<data>{_inner_xml(element)}</data>"
        else:
            values["arch"] = f'<t t-name="{full}">{_inner_xml(element)}</t>'
        groups = self._group_commands(element.get("groups"))
        if groups:
            values["groups_id"] = groups
        self.save_record("ir.ui.view", xmlid, values, noupdate)

    def _field_value(self, model: str, element):
        field = self.env[model]._fields[element.get("name")]
        if element.get("ref") is not None:
            ref = element.get("ref")
            return self.ref(ref) if ref else False
        if element.get("eval") is not None:
            value = safe_eval(element.get("eval"), self._eval_scope())
            return value
        if element.get("search") is not None:
            domain = safe_eval(element.get("search"), self._eval_scope())
            found = self.env[field.comodel_name].search(domain)
            return found[:1].id if field.type == "many2one" else [(6, 0, found.ids)]
        if element.get("file") is not None:
            data = (self.module_path.parent / element.get("file")).read_bytes()
            return base64.b64encode(data).decode() if field.type == "binary" else data.decode()
        text = element.text or ""
        kind = element.get("type")
        if kind in ("xml", "html"):
            inner = _inner_xml(element).strip()
            # Several root elements (the specs of an extension view) are wrapped in <data>, as Odoo does.
            return f"<data>{inner}</data>" if kind == "xml" and len(element) > 1 else inner
        if kind == "int":
            return int(text.strip())
        if kind == "float":
            return float(text.strip())
        if kind == "base64" or field.type == "binary":
            return text.strip()
        if field.type == "boolean":
            return text.strip().lower() in TRUE_WORDS
        if field.type == "integer":
            return int(text.strip()) if text.strip() else False
        if field.type in ("float", "monetary"):
            return float(text.strip()) if text.strip() else False
        return text

    def _xml_function(self, element, noupdate: bool) -> None:
        model, name = element.get("model"), element.get("name")
        if not model or not name or name.startswith("__"):
            raise DataFileError(f"<function> needs a model and a public method name, got {model!r}.{name!r}")
        args = safe_eval(element.get("eval"), self._eval_scope()) if element.get("eval") else ()
        if not isinstance(args, (list, tuple)):
            args = (args,)
        getattr(self.env[model], name)(*args)

    def _xml_delete(self, element, noupdate: bool) -> None:
        model = element.get("model")
        if element.get("id"):
            record = self.env.ref(self.full_xmlid(element.get("id")), raise_if_not_found=False)
            if record:
                record.unlink()
        elif element.get("search"):
            self.env[model].search(safe_eval(element.get("search"), self._eval_scope())).unlink()

    # -- CSV ---------------------------------------------------------------------------------------
    def _load_csv(self, path: Path) -> None:
        model = path.stem
        if model not in self.env:
            raise DataFileError(f"{path.name}: the file name must be a model name; unknown model {model!r}")
        reader = csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")))
        header = next(reader, None)
        if not header:
            return
        batch = _CsvBatch(self, model, self.default_noupdate, path.name)
        for line_no, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise DataFileError(f"{path.name} line {line_no}: {len(row)} values for {len(header)} columns")
            xmlid, values = self._csv_values(model, header, row, batch)
            batch.add(line_no, xmlid, values)
        batch.flush()

    def _csv_values(self, model: str, header: list[str], row: list[str],
                    batch: _CsvBatch) -> tuple[str | None, dict]:
        fields = self.env[model]._fields
        xmlid, values = None, {}
        for column, cell in zip(header, row, strict=False):
            column, cell = column.strip(), cell.strip()
            if column == "id":
                xmlid = cell or None
                continue
            is_ref = column.endswith((":id", "/id"))
            name = column[:-3] if is_ref else column
            if name not in fields:
                raise DataFileError(f"unknown field {name!r} on model {model!r}")
            field = fields[name]
            if is_ref:
                ids = [batch.ref(x.strip()) for x in cell.split(",") if x.strip()]
                values[name] = (ids[0] if ids else False) if field.type == "many2one" else [(6, 0, ids)]
            elif field.type == "boolean":
                values[name] = cell.lower() in TRUE_WORDS
            elif field.type in ("integer", "many2one"):
                values[name] = int(cell) if cell else False
            elif field.type in ("float", "monetary"):
                values[name] = float(cell) if cell else False
            else:
                values[name] = cell or False
        return xmlid, values


class _CsvBatch:
    """The rows of one CSV file, saved ``CSV_BATCH`` at a time: one lookup of their external ids, one
    multi-row ``create`` of the new records and one of their ``ir.model.data`` rows.

    A country list or a chart of accounts has thousands of rows: saved one by one, each costs a lookup,
    an insert, a savepoint and an external id of its own.  Rows whose external id exists already (an
    upgrade) are saved one by one as in XML.  A row naming a row still waiting in the batch saves the
    batch first; a batch that fails is saved again row by row, so the error names the row it is about.
    """

    def __init__(self, loader: DataLoader, model: str, noupdate: bool, file_name: str):
        self.loader, self.model, self.noupdate, self.file_name = loader, model, noupdate, file_name
        self.rows: list[tuple[int, str | None, dict]] = []
        self.pending: set[str] = set()
        self.known: dict[str, int] = {}  # external ids resolved while this file loads

    def add(self, line_no: int, xmlid: str | None, values: dict) -> None:
        full = xmlid and self.loader.full_xmlid(xmlid)
        if full in self.pending:
            self.flush()  # the same id twice: the second row updates what the first created
        self.rows.append((line_no, xmlid, values))
        if full:
            self.pending.add(full)
        if len(self.rows) >= CSV_BATCH:
            self.flush()

    def ref(self, xmlid: str) -> int:
        full = self.loader.full_xmlid(xmlid)
        if full in self.pending:
            self.flush()
        if full not in self.known:
            self.known[full] = self.loader.ref(full)
        return self.known[full]

    def flush(self) -> None:
        rows, self.rows, self.pending = self.rows, [], set()
        if not rows:
            return
        existing = self._existing([self.loader.full_xmlid(x) for _n, x, _v in rows if x])
        fresh = [row for row in rows if not row[1] or self.loader.full_xmlid(row[1]) not in existing]
        try:
            with self.loader.env.cr.savepoint():
                self._create(fresh)
        except Exception:  # noqa: BLE001 -- saved again one by one below, which raises the row's own error
            for row in fresh:
                self._save_one(*row)
        for row in rows:
            if row[1] and self.loader.full_xmlid(row[1]) in existing:
                self._save_one(*row)

    def _save_one(self, line_no: int, xmlid: str | None, values: dict) -> None:
        try:
            self.loader.save_record(self.model, xmlid, values, self.noupdate)
        except UserError as exc:
            raise DataFileError(f"Addon {self.loader.module!r}, file {self.file_name} line {line_no}: "
                                f"{exc}") from exc

    def _existing(self, fulls: list[str]) -> set[str]:
        by_module: dict[str, list[str]] = {}
        for full in fulls:
            module, name = full.split(".", 1)
            by_module.setdefault(module, []).append(name)
        imd = self.loader.env["ir.model.data"].sudo()
        found = set()
        for module, names in by_module.items():
            rows = imd.search([("module", "=", module), ("name", "in", names)])
            found.update(f"{row.module}.{row.name}" for row in rows)
        return found

    def _create(self, fresh: list[tuple[int, str | None, dict]]) -> None:
        records = self.loader.env[self.model].create([values for _n, _xmlid, values in fresh])
        external_ids = []
        for (_n, xmlid, _values), record in zip(fresh, records, strict=True):
            if xmlid:
                full = self.loader.full_xmlid(xmlid)
                module, name = full.split(".", 1)
                self.loader.loaded_xmlids.add(full)
                self.known[full] = record.id
                external_ids.append({"module": module, "name": name, "model": self.model,
                                     "res_id": record.id, "noupdate": self.noupdate})
        self.loader.env["ir.model.data"].create(external_ids)


def _inner_xml(element) -> str:
    """What is between an element's tags, as XML text (the arch of ``<field name="arch" type="xml">``)."""
    return (element.text or "") + "".join(ET.tostring(child, encoding="unicode") for child in element)


def _truthy(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() in TRUE_WORDS
