"""Settings: the addons' settings forms and the system parameters, with secrets masked and replaceable.

An addon's settings are the fields with ``config_parameter=`` of its ``TransientModel`` (Odoo's
``res.config.settings`` pattern): the page reads them with ``default_get`` and saves them with the
model's own ``create`` + ``execute``/``set_values``, so the model's checks apply.  A secret (see
``masking.is_secret_param``) is never sent back: the page says whether it is set; typing a new value
replaces it, an empty field keeps it, "clear" removes it.
"""
from __future__ import annotations

from dataclasses import dataclass

from odoo import http
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.http import request

from .. import navigation
from ..masking import is_secret_param
from ..pages import Listing, render, require_groups

SYSTEM = "base.group_system"
PARAM_COLUMNS = {"key": "key"}


@dataclass
class SettingField:
    """One input of a settings form, as the template shows it (``value`` is None for a secret)."""

    name: str
    label: str
    help: str
    type: str
    secret: bool
    is_set: bool
    value: object
    choices: list


def settings_models(env) -> list[str]:
    """The transient models with ``config_parameter`` fields that the user may write, by description."""
    found = []
    for name, model in env.registry.models.items():
        if not model._transient or not _parameter_fields(model):
            continue
        if env[name].check_access_rights("write", raise_exception=False):
            found.append(name)
    return sorted(found, key=lambda name: env[name]._description or name)


def _parameter_fields(model) -> list:
    return [f for f in model._fields.values() if getattr(f, "config_parameter", None)]


def form_fields(env, model_name: str) -> list[SettingField]:
    model = env[model_name]
    fields = _parameter_fields(type(model))
    current = model.default_get([f.name for f in fields])
    result = []
    for field in fields:
        secret = is_secret_param(field.config_parameter, env) or is_secret_param(field.name)
        value = current.get(field.name)
        choices = list(field.selection) if field.type == "selection" and isinstance(field.selection, list) else []
        result.append(SettingField(field.name, field.string, field.help or "", field.type, secret,
                                   value not in (False, None, ""), None if secret else value, choices))
    return result


def parse_form(env, model_name: str, form) -> tuple[dict, dict[str, str]]:
    """The values to save from the posted ``form``, and the problems found, by field name."""
    values, errors = {}, {}
    params = env["ir.config_parameter"].sudo()
    for field in _parameter_fields(type(env[model_name])):
        raw = form.get(field.name, "")
        secret = is_secret_param(field.config_parameter, env) or is_secret_param(field.name)
        if secret and form.get(f"{field.name}__clear"):
            values[field.name] = False
        elif secret and not raw:
            values[field.name] = params.get_param(field.config_parameter, False)  # kept, never shown
        else:
            try:
                values[field.name] = _convert(field, raw)
            except ValueError as exc:
                errors[field.name] = str(exc)
    return values, errors


def _convert(field, raw: str):
    text = raw.strip()
    if field.type == "boolean":
        return bool(text)
    if not text:
        return False
    if field.type == "integer":
        if not text.lstrip("-").isdigit():
            raise ValueError(f"{field.string} must be a whole number, not {text!r}")
        return int(text)
    if field.type == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"{field.string} must be a number, not {text!r}") from None
    if field.type == "selection" and isinstance(field.selection, list):
        keys = [key for key, _label in field.selection]
        if text not in keys:
            raise ValueError(f"{field.string} must be one of {', '.join(keys)}, not {text!r}")
    return text


def save_settings(env, model_name: str, values: dict) -> None:
    """Save through the model itself (its constraints and ``set_values``), all or nothing."""
    with env.cr.savepoint():
        record = env[model_name].create(values)
        if hasattr(record, "execute"):
            record.execute()
        else:
            record.set_values()


def parameter_rows(env, listing: Listing) -> list[dict]:
    """The parameters of a page, secrets reduced to whether they are set."""
    rows = []
    for param in listing.records:
        secret = is_secret_param(param.key, env)
        rows.append({"id": param.id, "key": param.key, "secret": secret, "value": None if secret else param.value})
    return rows


@navigation.section("settings", "Settings", "/console/settings", sequence=90, groups=SYSTEM)
class ConsoleSettings(http.Controller):
    @http.route("/console/settings", type="http", auth="user", methods=["GET"], groups=SYSTEM, readonly=True)
    def settings(self, **params):
        return self._page(params)

    def _page(self, params: dict, errors: dict | None = None, notice: str = "", form_model: str = "",
              status: int = 200):
        env = request.env
        forms = [(name, env[name]._description or name, form_fields(env, name)) for name in settings_models(env)]
        parameters = Listing.search(env["ir.config_parameter"], self._param_domain(params), params, PARAM_COLUMNS,
                                    "key")
        return render("web_console/settings.html", {
            "forms": forms, "errors": errors or {}, "form_model": form_model, "notice": notice,
            "parameters": parameters, "parameter_rows": parameter_rows(env, parameters), "search": params.get("q", ""),
        }, status=status, section="settings")

    @staticmethod
    def _param_domain(params: dict) -> list:
        query = (params.get("q") or "").strip()
        return [("key", "ilike", query)] if query else []

    @http.route("/console/settings/form", type="http", auth="user", methods=["POST"])
    def save_form(self, model="", **_ignored):
        require_groups(SYSTEM)
        env = request.env
        if model not in settings_models(env):
            raise AccessError(f"There are no settings named {model!r} that you may change")
        values, errors = parse_form(env, model, request.httprequest.form)
        if not errors:
            try:
                save_settings(env, model, values)
            except (ValidationError, UserError) as exc:
                errors["__all__"] = str(exc)
        if errors:
            return self._page({}, {model: errors}, form_model=model, status=400)
        return request.redirect(f"/console/settings?saved={model}")

    @http.route("/console/settings/parameter", type="http", auth="user", methods=["POST"])
    def save_parameter(self, key="", value="", delete="", **_ignored):
        """Set (or, with ``delete``, remove) one system parameter; an empty secret value keeps the secret."""
        require_groups(SYSTEM)
        params = request.env["ir.config_parameter"]
        key = key.strip()
        problem = self._parameter_problem(key, value, delete, is_secret_param(key, request.env))
        if problem:
            return self._page({}, {"__parameter__": {"key": key, "message": problem}}, status=400)
        try:
            with request.env.cr.savepoint():
                if delete:
                    params.search([("key", "=", key)]).unlink()
                elif value or not is_secret_param(key, request.env):
                    params.set_param(key, value)
        except (ValidationError, UserError) as exc:
            return self._page({}, {"__parameter__": {"key": key, "message": str(exc)}}, status=400)
        return request.redirect(f"/console/settings?q={key}")

    @staticmethod
    def _parameter_problem(key: str, value: str, delete: str, secret: bool) -> str:
        if not key:
            return "A system parameter needs a key."
        if any(char.isspace() for char in key):
            return f"The key {key!r} contains spaces: use dots and underscores."
        if not delete and not value and not secret:
            return f"The value of {key!r} is empty: use Delete to remove the parameter."
        return ""
