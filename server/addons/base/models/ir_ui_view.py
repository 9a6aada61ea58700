"""Views as data: ``ir.ui.view`` stores an arch (XML), validated with lxml on write.

An extension view (``inherit_id``) changes its parent's arch with ``<xpath expr=...
position=...>`` (or a shortcut element such as ``<field name="x" position="after">``);
``get_views``/``get_view`` on any model return the combined arch and the fields it uses, as
Odoo's web client asks for them.  Nothing is rendered here.
"""
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .ir_actions import user_group_ids
from .ir_ui_view_arch import combine_arch, field_names, parse_arch

VIEW_TYPES = [("tree", "Tree"), ("form", "Form"), ("graph", "Graph"), ("pivot", "Pivot"),
              ("calendar", "Calendar"), ("gantt", "Gantt"), ("kanban", "Kanban"), ("search", "Search"),
              ("qweb", "QWeb"), ("activity", "Activity")]


class IrUiView(models.Model):
    _name = "ir.ui.view"
    _description = "View"
    _order = "priority, name, id"

    name = fields.Char("View Name", required=True)
    model = fields.Char(index=True)
    key = fields.Char()
    priority = fields.Integer("Sequence", default=16, required=True)
    type = fields.Selection(VIEW_TYPES, "View Type")
    arch_db = fields.Text("Arch Blob")
    arch = fields.Text("View Architecture", compute="_compute_arch")
    arch_fs = fields.Char("Arch Filename")
    inherit_id = fields.Many2one("ir.ui.view", "Inherited View", ondelete="restrict", index=True)
    inherit_children_ids = fields.One2many("ir.ui.view", "inherit_id", "Views which inherit from this one")
    field_parent = fields.Char("Child Field")
    mode = fields.Selection([("primary", "Base view"), ("extension", "Extension View")], "View inheritance mode",
                            default="primary", required=True)
    active = fields.Boolean(default=True)
    groups_id = fields.Many2many("res.groups", "ir_ui_view_group_rel", "view_id", "group_id", "Groups")

    def _compute_arch(self):
        for view in self:
            view.arch = view.arch_db

    # ``arch`` is what data files and clients write: it is stored as ``arch_db``.
    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._named(self._prepare_vals(dict(vals))) for vals in vals_list])

    def write(self, vals):
        return super().write(self._prepare_vals(dict(vals)))

    def _named(self, vals: dict) -> dict:
        """A view created without a name is named after its model and type, as in Odoo."""
        if not vals.get("name"):
            view_type = vals.get("type") or (self.browse(vals["inherit_id"]).type if vals.get("inherit_id") else "")
            vals["name"] = f"{vals.get('model') or ''} {view_type or ''}".strip() or "view"
        return vals

    def _prepare_vals(self, vals: dict) -> dict:
        for key in ("arch", "arch_base"):
            if key in vals:
                vals["arch_db"] = vals.pop(key)
        if vals.get("arch_db"):
            root = parse_arch(vals["arch_db"])
            if not vals.get("inherit_id") and "type" not in vals and root.tag != "data":
                vals["type"] = "tree" if root.tag == "list" else root.tag
        if vals.get("inherit_id") and "mode" not in vals:
            vals["mode"] = "extension"
        return vals

    @api.constrains("arch_db", "inherit_id", "type", "model")
    def _check_arch(self):
        for view in self:
            root = parse_arch(view.arch_db or "")
            if view.model and view.model not in self.env:
                raise ValidationError(f"View {view.name!r}: model {view.model!r} does not exist")
            if view.inherit_id:
                if view.inherit_id.id == view.id or view.id in view.inherit_id._ancestor_ids():
                    raise ValidationError(f"View {view.name!r} cannot inherit from itself")
                view.inherit_id._root_view()._combined_arch()  # every extension applies
            elif view.type and view.type != "qweb" and root.tag not in (view.type, "list" if view.type == "tree"
                                                                        else view.type):
                raise ValidationError(f"View {view.name!r}: a {view.type} view's root must be <{view.type}>, "
                                      f"not <{root.tag}>")

    def _ancestor_ids(self) -> list:
        ids, view = [], self.inherit_id
        while view and view.id not in ids:
            ids.append(view.id)
            view = view.inherit_id
        return ids

    def _root_view(self):
        view = self
        while view.mode == "extension" and view.inherit_id:
            view = view.inherit_id
        return view

    def _extensions(self):
        """The active extension views applying to this one, depth first in priority order."""
        children = self.sudo().search([("inherit_id", "=", self.id), ("mode", "=", "extension")],
                                      order="priority, id").with_env(self.env)
        result = self.browse()
        for child in children:
            if child.groups_id and not self.env.su and not set(child.groups_id.ids) & user_group_ids(self.env):
                continue
            result += child + child._extensions()
        return result

    def _combined_arch(self) -> str:
        """This view's arch with every extension applied (its primary ancestors first for a
        primary view that inherits)."""
        self.ensure_one()
        base = self.inherit_id._combined_arch() if self.inherit_id and self.mode == "primary" else self.arch_db
        extensions = [(view.name, view.sudo().arch_db) for view in self._extensions()]
        return combine_arch(base, extensions)

    @api.model
    def _default_view(self, model: str, view_type: str):
        return self.search([("model", "=", model), ("type", "=", view_type), ("mode", "=", "primary")],
                           order="priority, id", limit=1)

    # -- what get_views / get_view answer --------------------------------------------------------------
    @api.model
    def _get_view(self, model_name: str, view_id=None, view_type: str = "form") -> dict:
        """``{'arch', 'id', 'model', 'type'}``: the view (or the model's default one, or a generated
        one) with its extensions applied."""
        if view_type == "list":
            view_type = "tree"
        views = self.sudo()
        view = views.browse(view_id).exists() if view_id else views._default_view(model_name, view_type)
        if view and view.model and view.model != model_name:
            raise ValidationError(f"View {view_id} is a view of {view.model}, not of {model_name}")
        if view:
            view = view._root_view() if view.mode == "extension" else view
            arch = view.with_env(self.env)._combined_arch()
            return {"arch": arch, "id": view.id, "model": model_name, "type": view.type or view_type}
        return {"arch": self._generated_arch(model_name, view_type), "id": False, "model": model_name,
                "type": view_type}

    @api.model
    def _get_views(self, model_name: str, views, options: dict) -> dict:
        """Odoo 17's ``get_views`` answer: each ``[view_id, view_type]`` and the fields they use."""
        if not isinstance(views, (list, tuple)):
            raise ValidationError("get_views expects a list of [view_id, view_type] pairs")
        model = self.env[model_name]
        result, used = {}, []
        for pair in views:
            if not isinstance(pair, (list, tuple)) or len(pair) != 2:
                raise ValidationError(f"get_views: {pair!r} is not a [view_id, view_type] pair")
            view_id, view_type = pair
            answer = model.get_view(view_id or None, view_type, **options)  # the model's overrides apply
            if options.get("toolbar") and view_type != "search":
                bindings = self.env["ir.actions.actions"].get_bindings(model_name)
                answer["toolbar"] = {"action": bindings.get("action", []), "print": bindings.get("report", [])}
            if view_type == "search" and options.get("load_filters"):
                answer["filters"] = []
            result[view_type] = answer
            used += [n for n in field_names(parse_arch(answer["arch"])) if n in model._fields and n not in used]
        fields_info = model.fields_get(used or None)
        return {"views": result, "models": {model_name: fields_info}}

    @api.model
    def _generated_arch(self, model_name: str, view_type: str) -> str:
        """Odoo's default arch of a model without a view of that type."""
        model = self.env[model_name]
        rec_name = model._rec_name_field()
        if view_type == "form":
            names = [n for n in model._fields if n not in  # every field but the automatic ones, as Odoo
                     ("id", "display_name", "create_uid", "create_date", "write_uid", "write_date")]
            inner = "".join(f'<field name="{n}"/>' for n in names)
            return f'<form><sheet string="{model._description}"><group>{inner}</group></sheet></form>'
        if view_type in ("tree", "search"):
            return f'<{view_type}><field name="{rec_name}"/></{view_type}>'
        if view_type == "kanban":
            return (f'<kanban><templates><t t-name="kanban-box"><div><field name="{rec_name}"/></div></t>'
                    '</templates></kanban>')
        raise ValidationError(f"No {view_type} view of model {model_name!r}, and none can be generated")
