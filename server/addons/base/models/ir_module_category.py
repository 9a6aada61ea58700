"""Application categories (``ir.module.category``): where addons and groups are filed.

Categories come from Odoo's usual external ids (``base.module_category_hidden``...) in
``data/ir_module_category_data.xml``, and from each addon's manifest ``category``
(``"Sales/CRM"`` gives ``base.module_category_sales`` and ``base.module_category_sales_crm``)
when base is installed or upgraded and when the module list is refreshed (``update_list``),
as Odoo names them.
"""
from odoo import api, fields, models


def category_xmlid(path: list[str]) -> str:
    """``['Sales', 'CRM']`` -> ``'module_category_sales_crm'`` (Odoo's naming)."""
    return "module_category_" + "_".join(part.lower() for part in path).replace("&", "and").replace(" ", "_")


class IrModuleCategory(models.Model):
    _name = "ir.module.category"
    _description = "Application"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True, index=True)
    parent_id = fields.Many2one("ir.module.category", "Parent Application", index=True)
    child_ids = fields.One2many("ir.module.category", "parent_id", "Child Applications")
    module_ids = fields.Many2many("ir.module.module", compute="_compute_module_ids", string="Modules")
    description = fields.Text(translate=True)
    sequence = fields.Integer()
    visible = fields.Boolean(default=True)
    exclusive = fields.Boolean()
    xml_id = fields.Char("External ID", compute="_compute_xml_id")

    def _compute_xml_id(self):
        names = self.get_external_id()
        for category in self:
            category.xml_id = names.get(category.id) or False

    def _compute_module_ids(self):
        modules = self.env["ir.module.module"].sudo().search([])
        for category in self:
            category.module_ids = modules.filtered(lambda m, c=category: m.category_id == c)

    @api.model
    def _sync_manifest_categories(self) -> None:
        """Create the categories every addon's manifest names (run by base's data and ``update_list``)."""
        for manifest in self.env.registry.manifests.values():
            self._for_manifest_category(manifest.get("category") or "Uncategorized")

    @api.model
    def _for_manifest_category(self, category: str):
        """The category of a manifest's ``category`` path, created (with its parents) if need be."""
        parts = [part.strip() for part in (category or "").split("/") if part.strip()]
        record = self.browse()
        data = self.env["ir.model.data"].sudo()
        for depth in range(1, len(parts) + 1):
            name = category_xmlid(parts[:depth])
            found = self.env.ref(f"base.{name}", raise_if_not_found=False)
            if found is None:
                found = self.sudo().create({"name": parts[depth - 1], "parent_id": record.id or False})
                data.create({"module": "base", "name": name, "model": self._name, "res_id": found.id,
                             "noupdate": True})
            record = found
        return record


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    # Computed from the manifest rather than stored: the module list is read and refreshed before
    # base's own tables are migrated, so it must not gain columns.
    category_id = fields.Many2one("ir.module.category", "Category", compute="_compute_category_id")

    def _compute_category_id(self):
        categories = self.env["ir.module.category"]
        for module in self:
            manifest = self.env.registry.manifests.get(module.name) or {}
            path = [p.strip() for p in (manifest.get("category") or "Uncategorized").split("/") if p.strip()]
            module.category_id = categories.env.ref(f"base.{category_xmlid(path)}", raise_if_not_found=False) \
                or categories

    @api.model
    def update_list(self):
        result = super().update_list()
        self.env["ir.module.category"]._sync_manifest_categories()
        return result

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "installed" and "ir.module.category" in self.env \
                and self.env.cr.database.table_exists("ir_module_category"):
            for module in self:  # an addon found after base was installed gets its category on install
                manifest = self.env.registry.manifests.get(module.name) or {}
                self.env["ir.module.category"]._for_manifest_category(manifest.get("category") or "Uncategorized")
        return result


class ResGroups(models.Model):
    _inherit = "res.groups"

    category_id = fields.Many2one("ir.module.category", "Application", index=True)
    full_name = fields.Char("Group Name", compute="_compute_full_name")
    share = fields.Boolean("Share Group", help="Group of external users (portal, public).")

    def _compute_full_name(self):
        for group in self:
            group.full_name = f"{group.category_id.name} / {group.name}" if group.category_id else group.name
