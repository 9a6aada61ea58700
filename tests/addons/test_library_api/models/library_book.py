from odoo import api, fields, models


class LibraryBook(models.Model):
    _name = "test_library_api.book"
    _description = "Library Book"
    _order = "name"

    name = fields.Char(required=True)
    isbn = fields.Char(copy=False)
    pages = fields.Integer(group_operator="avg")
    price = fields.Float(digits=(16, 2))
    purchase_price = fields.Float(groups="test_library_api.group_librarian",
                                  help="What the library paid: librarians only.")
    state = fields.Selection([("draft", "Draft"), ("available", "Available"), ("hidden", "Hidden")],
                             default="draft")
    published = fields.Date()
    active = fields.Boolean(default=True)
    author_id = fields.Many2one("res.partner", "Author")
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    loan_ids = fields.One2many("test_library_api.loan", "book_id", "Loans")
    summary = fields.Char(compute="_compute_summary")

    @api.depends("name", "pages")
    def _compute_summary(self):
        for book in self:
            book.summary = f"{book.name} ({book.pages} pages)"

    @api.onchange("pages")
    def _onchange_pages(self):
        if self.pages and self.pages > 1000:
            self.state = "hidden"
            return {"warning": {"title": "Long book", "message": "Over 1000 pages: hidden until reviewed."}}
