"""Odoo's identity check: security-sensitive methods (making an API key) ask for the password again.

A method decorated with ``check_identity`` runs at once when the session's password was confirmed
in the last ten minutes; otherwise it answers the action of a ``res.users.identitycheck`` wizard.
The client writes the password on the wizard and calls ``run_check``, which checks it (the
password itself: an API key does not confirm an identity), remembers the time in the session and
runs the method it stands for.  As in Odoo, this works over HTTP only.
"""
import functools
import json
import time

from odoo import fields, models
from odoo.exceptions import AccessDenied, UserError
from odoo.http import request

IDENTITY_CHECK_SECONDS = 10 * 60
SESSION_KEY = "identity-check-last"


def _jsonable(value) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def check_identity(method):
    """Run ``method`` if the session confirmed the password lately, else answer the wizard's action."""

    @functools.wraps(method)
    def wrapped(self):
        if not request:
            raise UserError("This method can only be accessed over HTTP")
        if request.session.get(SESSION_KEY, 0) > time.time() - IDENTITY_CHECK_SECONDS:
            return method(self)
        context = {key: value for key, value in self.env.context.items() if _jsonable(value)}
        wizard = self.env["res.users.identitycheck"].sudo().create(
            {"request": json.dumps([context, self._name, self.ids, method.__name__])})
        return {"type": "ir.actions.act_window", "res_model": "res.users.identitycheck", "res_id": wizard.id,
                "name": "Security Control", "target": "new", "views": [[False, "form"]]}

    wrapped.__has_check_identity = True
    return wrapped


class ResUsersIdentitycheck(models.TransientModel):
    _name = "res.users.identitycheck"
    _description = "Password Check Wizard"

    request = fields.Char(readonly=True, secret=True)
    password = fields.Char(secret=True)

    def run_check(self):
        """Check the password written on the wizard, then run the method it was made for."""
        self.ensure_one()
        if not request:
            raise UserError("This method can only be accessed over HTTP")
        wizard = self.sudo()
        if wizard.create_uid.id != self.env.uid:
            raise AccessDenied()
        password = wizard.password
        wizard.password = False
        try:
            wizard.create_uid._check_password(password or "")
        except AccessDenied:
            raise UserError("Incorrect Password, try again or click on Forgot Password to reset your "
                            "password.") from None
        request.session[SESSION_KEY] = time.time()
        context, model, ids, name = json.loads(wizard.request)
        method = getattr(self.env(context=context)[model].browse(ids), name)
        if not getattr(method, "__has_check_identity", False):
            raise AccessDenied()
        return method()
