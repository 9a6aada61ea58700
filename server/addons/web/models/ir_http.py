"""``ir.http``: what the web endpoints tell a client about its session (addons extend ``session_info``)."""
from odoo import api, models
from odoo.service.common import version_info

MAX_FILE_UPLOAD_SIZE = 128 * 1024 * 1024


class IrHttp(models.AbstractModel):
    _name = "ir.http"
    _description = "HTTP Routing"

    @api.model
    def session_info(self) -> dict:
        """Odoo 17's ``session_info()`` keys, for the current user; never ``session_id`` (sent as a cookie)."""
        env = self.env
        user = env.user
        version = version_info()
        info = {
            "uid": user.id,
            "is_system": user.has_group("base.group_system"),
            "is_admin": user.has_group("base.group_erp_manager") or user.has_group("base.group_system"),
            "is_internal_user": user.has_group("base.group_user"),
            "user_context": user.with_user(user.id).context_get(),
            "db": env.cr.dbname,
            "user_settings": {},
            "server_version": version["server_version"],
            "server_version_info": version["server_version_info"],
            "support_url": "https://www.odoo.com/help",
            "name": user.name,
            "username": user.login,
            "partner_display_name": user.partner_id.display_name or False,
            "partner_id": user.partner_id.id or False,
            "company_id": user.company_id.id or False,
            "web.base.url": env["ir.config_parameter"].sudo().get_param("web.base.url", default=""),
            "active_ids_limit": 20000,
            "profile_session": False,
            "profile_collectors": False,
            "profile_params": False,
            "max_file_upload_size": MAX_FILE_UPLOAD_SIZE,
            "home_action_id": False,
            "cache_hashes": {},
            "currencies": {},
            "bundle_params": {"lang": user.lang or "en_US"},
        }
        if info["is_internal_user"]:
            info.update(self._company_info(user))
        return info

    @api.model
    def _company_info(self, user) -> dict:
        company = user.company_id
        allowed = {company.id: {"id": company.id, "name": company.name, "sequence": 10, "parent_id": False,
                                "child_ids": []}} if company else {}
        return {
            "user_companies": {"current_company": company.id or False, "allowed_companies": allowed,
                               "disallowed_ancestor_companies": {}},
            "show_effect": True,
            "display_switch_company_menu": False,
        }
