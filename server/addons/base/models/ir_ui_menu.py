"""Menus as data: ``ir.ui.menu`` (and the ``<menuitem>`` shortcut of data files), served to web
clients by ``load_menus`` as Odoo 17 does: only the menus the user's groups and access rights
let them open."""
from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .ir_actions import user_group_ids

MENU_ITEM_SEPARATOR = "/"


class Reference(fields.Char):
    """A ``"model,id"`` reference to a record of one of several models (Odoo's ``fields.Reference``),
    stored as that text; reads as the text, gives the record on attribute access.  Stored and
    searched as a char column (its ``type`` for the ORM); ``fields_get`` says ``reference``."""

    def __init__(self, selection=None, string=None, **kwargs):
        super().__init__(string, **kwargs)
        self.selection = selection or []

    def convert_to_cache(self, value, record):
        if isinstance(value, models.BaseModel):
            return f"{value._name},{value.id}" if value else None
        value = super().convert_to_cache(value, record)
        if value is None:
            return None
        model, _, res_id = value.partition(",")
        if not res_id.strip().isdigit() or (record is not None and model not in record.env):
            raise ValidationError(f"{self.model_name}.{self.name} expects 'model,id', got {value!r}")
        return f"{model},{int(res_id)}"

    def convert_to_record(self, value, record):
        if not value:
            return False
        model, _, res_id = value.partition(",")
        return record.env[model].browse(int(res_id)) if model in record.env else False

    def get_description(self, env) -> dict:
        desc = super().get_description(env)
        desc["type"] = "reference"
        desc["selection"] = [list(item) for item in (self.selection(env[self.model_name]) if callable(self.selection)
                                                     else self.selection)]
        return desc


def _action_models(model):
    return [(name, name) for name in ("ir.actions.act_window", "ir.actions.act_url", "ir.actions.client",
                                      "ir.actions.report", "ir.actions.server") if name in model.env]


class IrUiMenu(models.Model):
    _name = "ir.ui.menu"
    _description = "Menu"
    _order = "sequence, id"

    name = fields.Char("Menu", required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    child_id = fields.One2many("ir.ui.menu", "parent_id", "Child IDs")
    parent_id = fields.Many2one("ir.ui.menu", "Parent Menu", index=True, ondelete="restrict")
    groups_id = fields.Many2many("res.groups", "ir_ui_menu_group_rel", "menu_id", "gid", "Groups",
                                 help="Who sees the menu; nobody restricted when empty.")
    complete_name = fields.Char("Full Path", compute="_compute_complete_name", recursive=True)
    web_icon = fields.Char("Web Icon File")
    web_icon_data = fields.Binary("Web Icon Image")
    action = Reference(selection=_action_models, string="Action")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for menu in self:
            menu.complete_name = menu._get_full_name()

    def _get_full_name(self, level=6) -> str:
        """The names from the root menu down to this one, ``...`` above ``level`` levels (Odoo's)."""
        if level <= 0:
            return "..."
        if self.parent_id:
            return self.parent_id._get_full_name(level - 1) + MENU_ITEM_SEPARATOR + (self.name or "")
        return self.name

    @api.constrains("parent_id")
    def _check_parent(self):
        for menu in self:
            current, seen = menu.parent_id, {menu.id}
            while current:
                if current.id in seen:
                    raise ValidationError(f"Menu {menu.name!r} cannot be its own ancestor")
                seen.add(current.id)
                current = current.parent_id

    @api.depends("parent_id")
    def _compute_display_name(self):
        for menu in self:
            menu.display_name = menu._get_full_name()

    # -- what a user sees -------------------------------------------------------------------------------
    def _visible_ids(self) -> set:
        """The ids of the active menus the user may see: their groups allow it, their action's model is
        readable, and a menu without action shows only with a visible child."""
        menus = self.sudo().search([])
        user_groups = user_group_ids(self.env) if not self.env.su else None
        allowed = {m.id for m in menus
                   if user_groups is None or not m.groups_id or set(m.groups_id.ids) & user_groups}
        visible = set()
        by_parent: dict = {}
        for menu in menus:
            by_parent.setdefault(menu.parent_id.id, []).append(menu)

        def visit(menu) -> bool:
            if menu.id not in allowed:
                return False
            shown = [visit(child) for child in by_parent.get(menu.id, [])]
            if menu.action:
                action = menu.action.sudo()
                model = action.res_model if action._name == "ir.actions.act_window" else None
                ok = not model or model not in self.env or self.env[model].check_access_rights("read", False)
            else:
                ok = any(shown)
            if ok:
                visible.add(menu.id)
            return ok
        for root in by_parent.get(False, []):
            visit(root)
        return visible

    @api.model
    def get_user_roots(self):
        """The top-level menus the user sees."""
        visible = self._visible_ids()
        return self.search([("parent_id", "=", False)]).filtered(lambda m: m.id in visible)

    @api.model
    def load_menus(self, debug=False) -> dict:
        """Odoo 17's menu tree for the web client: ``{'root': {...}, id: {...}}`` of visible menus."""
        visible = self._visible_ids()
        menus = self.sudo().search([]).filtered(lambda m: m.id in visible)
        external = menus.get_external_id()
        roots = [m for m in menus if not m.parent_id]
        result = {"root": {"id": "root", "name": "root", "children": [m.id for m in roots], "appID": False,
                           "xmlid": "", "actionID": False, "actionModel": False, "webIcon": None,
                           "webIconData": None, "webIconDataMimetype": None, "backgroundImage": None}}
        app_of = {}
        for menu in menus:
            top = menu
            while top.parent_id and top.parent_id.id in visible:
                top = top.parent_id
            app_of[menu.id] = top.id
        for menu in menus:
            action = menu.action
            icon = menu.read(["web_icon_data"])[0]["web_icon_data"]
            result[menu.id] = {
                "id": menu.id, "name": menu.name,
                "children": [c.id for c in menu.child_id.sorted() if c.id in visible],
                "appID": app_of[menu.id], "xmlid": external.get(menu.id, ""),
                "actionID": action.id if action else False, "actionModel": action._name if action else False,
                "webIcon": menu.web_icon or None, "webIconData": icon or None,
                "webIconDataMimetype": "image/png" if icon else None, "backgroundImage": None,
            }
        return result

    @api.model
    def load_web_menus(self, debug=False) -> dict:
        return self.load_menus(debug)
