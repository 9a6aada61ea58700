"""``/web/action/load`` and ``/web/action/run``: what Odoo's web client calls to open and run actions."""
from odoo import http
from odoo.exceptions import MissingError, ValidationError
from odoo.http import request


class Action(http.Controller):
    @http.route("/web/action/load", type="json", auth="user", readonly=True)
    def load(self, action_id, additional_context=None):
        """The action ``action_id`` (an id of any action type, or an external id) as the client reads it."""
        action = _find_action(action_id)
        if not action:
            return False
        if action._name != "ir.actions.actions" and "groups_id" in action._fields:
            xmlid = action.get_external_id().get(action.id)
            if xmlid:
                return request.env["ir.actions.actions"]._for_xml_id(xmlid)
        return action._action_dict()

    @http.route("/web/action/run", type="json", auth="user")
    def run(self, action_id, context=None):
        """Run the server action ``action_id`` with ``context`` (its ``active_ids``); the action it returns."""
        action = request.env["ir.actions.server"].with_context(**(context or {})).browse(int(action_id))
        if not action.exists():
            raise MissingError(f"Server action {action_id} does not exist")
        return action.run() or False


def _find_action(action_id):
    """An action by external id or by id (of any type: every action has its row in ``ir_actions``)."""
    env = request.env
    if isinstance(action_id, str) and not action_id.isdigit():
        record = env.ref(action_id if "." in action_id else f"base.{action_id}", raise_if_not_found=False)
        if record is None:
            return None
        if not record._name.startswith("ir.actions."):
            raise ValidationError(f"{action_id} is not an action")
        return record
    try:
        action_id = int(action_id)
    except (TypeError, ValueError):
        raise ValidationError(f"Invalid action id {action_id!r}") from None
    action = env["ir.actions.actions"].sudo().browse(action_id).exists()
    if not action or action.type not in env:
        return None
    return env[action.type].sudo().browse(action_id).exists() or None
