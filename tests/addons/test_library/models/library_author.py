from odoo import api, fields, models


class LibraryAuthor(models.Model):
    _name = "test_library.author"
    _description = "Author"
    _order = "name"

    name = fields.Char(required=True)
    country_id = fields.Many2one("res.country")
    country_code = fields.Char(related="country_id.code", store=True)
    book_ids = fields.Many2many("test_library.book", string="Books")
    book_count = fields.Integer(compute="_compute_book_count", store=True)

    @api.depends("book_ids")
    def _compute_book_count(self):
        for author in self:
            author.book_count = len(author.book_ids)
