from odoo import api, fields, models


class Folder(models.Model):
    """Each compute method here also assigns a field that another method computes, as addons
    written for Odoo do (a display name that fills the full path on the way)."""

    _name = "test_compute_assign.folder"
    _description = "Folder"

    name = fields.Char(required=True)
    parent_id = fields.Many2one("test_compute_assign.folder", ondelete="cascade")
    # non-stored, computed by its own method, also assigned by _compute_display_name
    complete_name = fields.Char(compute="_compute_complete_name", recursive=True)
    # stored, computed by its own method, also assigned by _compute_summary
    depth = fields.Integer(compute="_compute_depth", store=True)
    summary = fields.Char(compute="_compute_summary", store=True)
    # non-stored; the method forgets the root folders: reading one fails as in Odoo
    parent_name = fields.Char(compute="_compute_parent_name")
    # the same forgetful method, but not readonly (an inverse): the root folders read False
    editable_parent_name = fields.Char(compute="_compute_editable_parent_name", inverse="_inverse_noop")

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for folder in self:
            parent = folder.parent_id
            folder.complete_name = f"{parent.complete_name}/{folder.name}" if parent else folder.name

    def _compute_display_name(self):
        for folder in self:
            folder.complete_name = folder._path(" / ")
            folder.display_name = folder.complete_name

    def _path(self, separator="/") -> str:
        return f"{self.parent_id._path(separator)}{separator}{self.name}" if self.parent_id else self.name

    @api.depends("parent_id.depth")
    def _compute_depth(self):
        for folder in self:
            folder.depth = folder.parent_id.depth + 1 if folder.parent_id else 0

    @api.depends("name", "parent_id")
    def _compute_summary(self):
        for folder in self:
            folder.depth = len(folder._path().split("/")) - 1
            folder.summary = f"{folder.name} at depth {folder.depth}"

    @api.depends("parent_id.name")
    def _compute_parent_name(self):
        for folder in self.filtered("parent_id"):
            folder.parent_name = folder.parent_id.name

    @api.depends("parent_id.name")
    def _compute_editable_parent_name(self):
        for folder in self.filtered("parent_id"):
            folder.editable_parent_name = folder.parent_id.name

    def _inverse_noop(self):
        pass
