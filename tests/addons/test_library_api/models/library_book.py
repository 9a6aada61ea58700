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
    paid_loan_ids = fields.One2many("test_library_api.loan", "book_id", "Paid loans", domain=[("fee", ">", 0)])
    summary = fields.Char(compute="_compute_summary")
    cover = fields.Image(max_width=64, max_height=32)
    description = fields.Html()
    raw_notes = fields.Html(sanitize=False)
    weight = fields.Float(digits="Library Weight")
    source = fields.Reference([("res.partner", "Partner"), ("test_library_api.member", "Member")])
    res_model = fields.Char()
    res_id = fields.Many2oneReference(model_field="res_model")
    currency_id = fields.Many2one("res.currency", default=lambda self: self.env.ref("base.USD"))
    list_price = fields.Monetary()
    deposit = fields.Monetary(currency_field="deposit_currency_id")
    deposit_currency_id = fields.Many2one("res.currency")
    price_with_tax = fields.Monetary(compute="_compute_price_with_tax", store=True, precompute=True)

    @api.depends("list_price")
    def _compute_price_with_tax(self):
        for book in self:
            book.price_with_tax = book.list_price * 1.2051

    @api.depends("name", "pages")
    def _compute_summary(self):
        for book in self:
            book.summary = f"{book.name} ({book.pages} pages)"

    @api.onchange("pages")
    def _onchange_pages(self):
        if self.pages and self.pages > 1000:
            self.state = "hidden"
            return {"warning": {"title": "Long book", "message": "Over 1000 pages: hidden until reviewed."}}
