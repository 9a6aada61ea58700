"""Actions as data: what a client opens (windows, URLs, client actions, reports) and what the
server runs (server actions with Python code).

As in Odoo, every action type shares the fields of ``ir.actions.actions`` (name, type, binding) and
its ids: each type has a table of its own, and every action also has a row in ``ir_actions`` under
the same id (Odoo gets this from PostgreSQL table inheritance).  So ``ir.actions.actions.browse(id)``
finds an action of any type, reads its common fields, and a many2one to ``ir.actions.actions``
(``res.users.action_id``) holds any action.  Writing or deleting through ``ir.actions.actions``
writes or deletes the action of its type.
"""
import base64
import datetime
import logging
import time

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tools.safe_eval import safe_eval, safe_exec

from . import ir_actions_ids
from .ir_actions_ids import ACTIONS, TYPES, common_values

_logger = logging.getLogger(__name__)
ACTION_MODELS = ("ir.actions.act_window", "ir.actions.act_url", "ir.actions.client", "ir.actions.report",
                 "ir.actions.server")
# What Odoo's web client reads of each action type (its ``_get_readable_fields``).
COMMON_READABLE = ("binding_model_id", "binding_type", "binding_view_types", "display_name", "help", "id",
                   "name", "type", "xml_id")


def user_group_ids(env) -> frozenset:
    """The ids of the current user's groups, implied ones included."""
    return env.registry.access.user_groups(env)


class IrActions(models.Model):
    _name = "ir.actions.actions"
    _description = "Actions"
    _table = "ir_actions"
    _order = "name, id"

    name = fields.Char("Action Name", required=True, translate=True)
    type = fields.Char("Action Type", required=True)
    xml_id = fields.Char("External ID", compute="_compute_xml_id")
    help = fields.Html("Action Description", translate=True)
    binding_model_id = fields.Many2one("ir.model", "Binding Model", ondelete="cascade",
                                       help="The model whose records offer this action (Action menu).")
    binding_type = fields.Selection([("action", "Action"), ("report", "Report")], required=True,
                                    default="action")
    binding_view_types = fields.Char(default="list,form")

    # -- one id for each action, whatever its type ------------------------------------------------------
    def _insert_rows(self, rows: list[dict]):
        """Give each new action of a type the id of its new ``ir_actions`` row (its common fields)."""
        if self._name not in TYPES:  # ir.actions.actions itself, or a model copying an action type's fields
            return super()._insert_rows(rows)
        index = self.env[ACTIONS].sudo()
        shared = [{**common_values(index, row), "type": self._name} for row in rows]
        ids = index._insert_rows(shared)._ids
        return super()._insert_rows([{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])

    def write(self, vals):
        if self._name in TYPES:
            result = super().write(vals)
            shared = common_values(self.env[ACTIONS], vals)
            if shared:
                super(IrActions, self.env[ACTIONS].sudo().browse(self.ids)).write(shared)
            return result
        if self._name != ACTIONS:
            return super().write(vals)
        for action in self._by_type():
            action.write(vals)
        return True

    def unlink(self):
        if self._name in TYPES:
            ids = self.ids
            result = super().unlink()
            super(IrActions, self.env[ACTIONS].sudo().browse(ids).exists()).unlink()
            return result
        if self._name != ACTIONS:
            return super().unlink()
        for action in self._by_type():
            action.unlink()
        return super(IrActions, self.exists()).unlink()

    def _by_type(self) -> list:
        """These actions as records of their own types (those without a type of their own left out)."""
        types: dict[str, list[int]] = {}
        for action in self.exists():
            types.setdefault(action.type, []).append(action.id)
        return [self.env[name].browse(ids) for name, ids in types.items() if name != ACTIONS and name in self.env]

    def init(self) -> None:
        if self._name == ACTIONS:
            ir_actions_ids.give_legacy_actions_shared_ids(self.env)

    def _compute_xml_id(self):
        names = self.get_external_id()
        for action in self:
            action.xml_id = names.get(action.id) or False

    @api.model
    def _for_xml_id(self, full_xml_id: str) -> dict:
        """The action behind ``module.name``, read as the client wants it; AccessError if its groups
        do not include the current user."""
        record = self.env.ref(full_xml_id)
        if not record._name.startswith("ir.actions."):
            raise ValidationError(f"{full_xml_id} is a {record._name}, not an action")
        groups = record._fields.get("groups_id")
        if groups is not None and record.sudo().groups_id and not self.env.su:
            if not set(record.sudo().groups_id.ids) & user_group_ids(self.env):
                raise AccessError(f"You may not open the action {full_xml_id}")
        return record.sudo()._action_dict()

    def _readable_fields(self) -> tuple:
        return COMMON_READABLE

    def _action_dict(self) -> dict:
        self.ensure_one()
        names = [n for n in self._readable_fields() if n in self._fields and n != "id"]
        values = self.read(names)[0]
        return {k: v for k, v in values.items() if k in self._readable_fields()}

    @api.model
    def get_bindings(self, model_name: str) -> dict:
        """``{'action': [...], 'report': [...]}``: the actions bound to ``model_name`` the user may run."""
        result: dict[str, list] = {}
        model = self.env["ir.model"].sudo().search([("model", "=", model_name)], limit=1)
        if not model:
            return result
        user_groups = user_group_ids(self.env)
        for action_model in ACTION_MODELS:
            if action_model not in self.env:
                continue
            for action in self.env[action_model].sudo().search([("binding_model_id", "=", model.id)]):
                groups = action.groups_id if "groups_id" in action._fields else action.browse()
                if groups and not self.env.su and not set(groups.ids) & user_groups:
                    continue
                result.setdefault(action.binding_type, []).append(
                    action.read(["name", "binding_view_types", "type"])[0] | {"binding_type": action.binding_type})
        return result


class IrActionsActWindow(models.Model):
    _name = "ir.actions.act_window"
    _description = "Action Window"
    _inherit = "ir.actions.actions"
    _table = "ir_act_window"
    _order = "name, id"

    type = fields.Char(default="ir.actions.act_window")
    view_id = fields.Many2one("ir.ui.view", "View Ref.", ondelete="set null")
    domain = fields.Char("Domain Value", help="Optional domain filtering the destination data, as Python.")
    context = fields.Char("Context Value", default="{}", required=True)
    res_id = fields.Integer("Record ID")
    res_model = fields.Char("Destination Model", required=True)
    target = fields.Selection([("current", "Current Window"), ("new", "New Window"), ("inline", "Inline Edit"),
                               ("fullscreen", "Full Screen"), ("main", "Main action of Current Window")],
                              default="current", string="Target Window")
    view_mode = fields.Char(required=True, default="tree,form")
    mobile_view_mode = fields.Char(default="kanban")
    usage = fields.Char("Action Usage")
    view_ids = fields.One2many("ir.actions.act_window.view", "act_window_id", "No of Views")
    views = fields.Json(compute="_compute_views")
    limit = fields.Integer(default=80)
    groups_id = fields.Many2many("res.groups", "ir_act_window_group_rel", "act_id", "gid", "Groups")
    search_view_id = fields.Many2one("ir.ui.view", "Search View Ref.")
    filter = fields.Boolean()

    def _compute_views(self):
        """``[[view_id or False, view_type], ...]``: the explicit views first, then the modes left."""
        for action in self:
            views = [[line.view_id.id or False, line.view_mode] for line in action.view_ids.sorted("sequence")]
            modes = [mode.strip() for mode in (action.view_mode or "").split(",") if mode.strip()]
            missing = [mode for mode in modes if mode not in {v[1] for v in views}]
            if action.view_id and missing and missing[0] == modes[0]:
                views.append([action.view_id.id, missing.pop(0)])
            views += [[False, mode] for mode in missing]
            action.views = views

    @api.constrains("res_model", "binding_model_id")
    def _check_model(self):
        for action in self:
            if action.res_model not in self.env:
                raise ValidationError(f"Invalid model name {action.res_model!r} in action {action.name!r}")

    def _readable_fields(self) -> tuple:
        return COMMON_READABLE + ("context", "mobile_view_mode", "domain", "filter", "groups_id", "limit",
                                  "res_id", "res_model", "search_view_id", "target", "view_id", "view_mode",
                                  "views", "flags")


class IrActionsActWindowView(models.Model):
    _name = "ir.actions.act_window.view"
    _description = "Action Window View"
    _order = "sequence, id"
    _rec_name = "view_id"

    sequence = fields.Integer()
    view_id = fields.Many2one("ir.ui.view", "View")
    view_mode = fields.Selection([("tree", "Tree"), ("form", "Form"), ("graph", "Graph"), ("pivot", "Pivot"),
                                  ("calendar", "Calendar"), ("gantt", "Gantt"), ("kanban", "Kanban"),
                                  ("search", "Search"), ("qweb", "QWeb"), ("activity", "Activity")],
                                 string="View Type", required=True)
    act_window_id = fields.Many2one("ir.actions.act_window", "Action", ondelete="cascade")
    multi = fields.Boolean("On Multiple Doc.")


class IrActionsActUrl(models.Model):
    _name = "ir.actions.act_url"
    _description = "Action URL"
    _inherit = "ir.actions.actions"
    _table = "ir_act_url"

    type = fields.Char(default="ir.actions.act_url")
    url = fields.Text("Action URL", required=True)
    target = fields.Selection([("new", "New Window"), ("self", "This Window"), ("download", "Download")],
                              string="Action Target", default="new", required=True)

    def _readable_fields(self) -> tuple:
        return COMMON_READABLE + ("target", "url")


class IrActionsClient(models.Model):
    _name = "ir.actions.client"
    _description = "Client Action"
    _inherit = "ir.actions.actions"
    _table = "ir_act_client"

    type = fields.Char(default="ir.actions.client")
    tag = fields.Char("Client action tag", required=True,
                      help="The client's action to run (a key of its action registry).")
    target = fields.Selection([("current", "Current Window"), ("new", "New Window"), ("fullscreen", "Full Screen"),
                               ("main", "Main action of Current Window")], default="current")
    res_model = fields.Char("Destination Model")
    context = fields.Char("Context Value", default="{}", required=True)
    params_store = fields.Text("Params (as Python)", help="Parameters given to the client action, as Python.")
    params = fields.Json(compute="_compute_params")

    def _compute_params(self):
        for action in self:
            action.params = safe_eval(action.params_store) if action.params_store else False

    def _readable_fields(self) -> tuple:
        return COMMON_READABLE + ("context", "params", "res_model", "tag", "target")


class IrActionsReport(models.Model):
    """A report declaration, stored so addons and clients find it; rendering is not implemented."""

    _name = "ir.actions.report"
    _description = "Report Action"
    _inherit = "ir.actions.actions"
    _table = "ir_act_report_xml"
    _order = "name, id"

    type = fields.Char(default="ir.actions.report")
    binding_type = fields.Selection([("action", "Action"), ("report", "Report")], required=True,
                                    default="report")
    model = fields.Char("Model Name", required=True)
    report_type = fields.Selection([("qweb-html", "HTML"), ("qweb-pdf", "PDF"), ("qweb-text", "Text")],
                                   required=True, default="qweb-pdf")
    report_name = fields.Char("Template Name", required=True)
    report_file = fields.Char("Report File")
    groups_id = fields.Many2many("res.groups", "res_groups_report_rel", "uid", "gid", "Groups")
    multi = fields.Boolean("On Multiple Doc.")
    paperformat_id = fields.Integer("Paper Format")
    print_report_name = fields.Char("Printed Report Name")
    attachment_use = fields.Boolean("Reload from Attachment")
    attachment = fields.Char("Save as Attachment Prefix")

    def _readable_fields(self) -> tuple:
        return COMMON_READABLE + ("context", "data", "report_name", "report_type", "report_file", "model")

    def render(self, res_ids, data=None):
        raise UserError(f"Report {self.report_name!r}: rendering reports (QWeb, PDF) is not supported by this server")

    _render = render


class IrActionsServer(models.Model):
    """Python code (or a record write) the server runs on records: bound to a model's Action menu,
    called by ``run()``, and behind every scheduled action."""

    _name = "ir.actions.server"
    _description = "Server Actions"
    _inherit = "ir.actions.actions"
    _table = "ir_act_server"
    _order = "sequence, name, id"

    type = fields.Char(default="ir.actions.server")
    usage = fields.Selection([("ir_actions_server", "Server Action"), ("ir_cron", "Scheduled Action")],
                             default="ir_actions_server", required=True)
    state = fields.Selection([("code", "Execute Python Code"), ("object_write", "Update the Record"),
                              ("multi", "Execute several actions")], "Action To Do", default="object_write",
                             required=True)
    sequence = fields.Integer(default=5)
    model_id = fields.Many2one("ir.model", "Model", required=True, ondelete="cascade")
    model_name = fields.Char("Model Name", compute="_compute_model_name")
    code = fields.Text("Python Code", default="# Available variables: env, model, record, records, log, "
                                              "time, datetime, UserError, uid, user\n")
    child_ids = fields.Many2many("ir.actions.server", "rel_server_actions", "server_id", "action_id",
                                 "Child Actions")
    update_values = fields.Json("Values to write",
                                help="For 'Update the Record': the values written on the records.")
    groups_id = fields.Many2many("res.groups", "ir_act_server_group_rel", "act_id", "gid", "Allowed Groups")

    def _compute_model_name(self):
        for action in self:
            action.model_name = action.model_id.model or False

    @api.constrains("code", "state")
    def _check_code(self):
        for action in self.sudo():
            if action.state == "code" and action.code:
                try:
                    compile(action.code, f"server action {action.name}", "exec")
                except SyntaxError as exc:
                    raise ValidationError(f"Server action {action.name!r}: invalid Python code, line "
                                          f"{exc.lineno}: {exc.msg}") from None

    def _readable_fields(self) -> tuple:
        return COMMON_READABLE

    def _get_eval_context(self, records) -> dict:
        """The names server action code sees, as in Odoo."""
        action_logger = logging.getLogger(f"odoo.addons.base.server_action.{self.id}")

        def log(message, level="info"):
            getattr(action_logger, level if level in ("debug", "info", "warning", "error") else "info")(
                "%s", message)

        model = self.env[self.model_name]
        return {
            "env": self.env, "model": model, "record": records[:1] if records else records,
            "records": records, "uid": self.env.uid, "user": self.env.user, "log": log, "_logger": action_logger,
            "time": time, "datetime": datetime, "timedelta": datetime.timedelta,
            "UserError": UserError, "ValidationError": ValidationError, "AccessError": AccessError,
            "b64encode": base64.b64encode, "b64decode": base64.b64decode, "Command": Command,
            "context": self.env.context,
        }

    def _target_records(self):
        """The records the action runs on: ``active_ids``/``active_id`` of the context, if of its model."""
        context = self.env.context
        model = self.env[self.model_name]
        if context.get("active_model", self.model_name) != self.model_name:
            return model
        ids = context.get("active_ids") or ([context["active_id"]] if context.get("active_id") else [])
        return model.browse(ids)

    def run(self):
        """Run each action on the context's active records; return the last action dict the code set
        (``action = {...}``), or False."""
        result = False
        for action in self.sudo():
            if action.groups_id and not self.env.su and not set(action.groups_id.ids) & user_group_ids(self.env):
                raise AccessError(f"You may not run the server action {action.name!r}")
            if action.model_name not in self.env:
                raise UserError(f"Server action {action.name!r}: model {action.model_name!r} is not installed")
            bound = action.with_env(self.env)
            records = bound._target_records()
            outcome = getattr(bound, f"_run_action_{action.state}")(records)
            result = outcome if outcome else result
        return result

    def _run_action_code(self, records):
        scope = safe_exec(self.sudo().code or "", self._get_eval_context(records))
        return scope.get("action") or False

    def _run_action_object_write(self, records):
        if not self.update_values:
            raise UserError(f"Server action {self.name!r}: no values to write")
        records.write(dict(self.update_values))
        return False

    def _run_action_multi(self, records):
        result = False
        for child in self.child_ids.with_env(self.env):
            result = child.run() or result
        return result

