from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class LibraryBook(models.Model):
    _name = "test_library.book"
    _description = "Book"
    _order = "name, id"
    _sql_constraints = [
        ("isbn_uniq", "UNIQUE (isbn)", "This ISBN is already registered."),
        ("pages_positive", "CHECK (pages >= 0)", "A book cannot have a negative number of pages."),
    ]

    name = fields.Char("Title", required=True)
    isbn = fields.Char("ISBN")
    pages = fields.Integer()
    price = fields.Float()
    active = fields.Boolean(default=True)
    author_ids = fields.Many2many("test_library.author", string="Authors")
    publisher_id = fields.Many2one("res.partner", "Publisher")
    publisher_country_code = fields.Char(related="publisher_id.country_id.code")
    publisher_city = fields.Char(related="publisher_id.city", readonly=False)
    loan_ids = fields.One2many("test_library.loan", "book_id", "Loans")
    loan_count = fields.Integer(compute="_compute_loan_stats", store=True)
    is_available = fields.Boolean(compute="_compute_loan_stats", store=True)
    author_countries = fields.Char(compute="_compute_author_countries", store=True)
    price_with_tax = fields.Float(compute="_compute_price_with_tax", inverse="_inverse_price_with_tax")
    is_long = fields.Boolean(compute="_compute_is_long", search="_search_is_long")
    display_price = fields.Char(compute="_compute_display_price")

    @api.depends("loan_ids", "loan_ids.state")
    def _compute_loan_stats(self):
        for book in self:
            book.loan_count = len(book.loan_ids)
            book.is_available = not any(loan.state == "ongoing" for loan in book.loan_ids)

    @api.depends("author_ids.country_code")
    def _compute_author_countries(self):
        for book in self:
            book.author_countries = ",".join(sorted(set(filter(None, book.author_ids.mapped("country_code"))))) \
                or False

    @api.depends("price")
    def _compute_price_with_tax(self):
        for book in self:
            book.price_with_tax = round(book.price * 1.2, 2)

    def _inverse_price_with_tax(self):
        for book in self:
            book.price = round(book.price_with_tax / 1.2, 2)

    @api.depends("pages")
    def _compute_is_long(self):
        for book in self:
            book.is_long = book.pages > 500

    def _search_is_long(self, operator, value):
        long = (operator == "=") == bool(value)
        return [("pages", ">" if long else "<=", 500)]

    @api.depends_context("currency_symbol")
    def _compute_display_price(self):
        symbol = self.env.context.get("currency_symbol", "€")
        for book in self:
            book.display_price = f"{book.price:.2f} {symbol}"

    @api.constrains("publisher_country_code")
    def _check_publisher_country(self):
        for book in self:
            if book.publisher_country_code == "KP":
                raise ValidationError("Books from this publisher's country cannot be catalogued.")

    @api.ondelete(at_uninstall=False)
    def _unlink_except_on_loan(self):
        if any(not book.is_available for book in self):
            raise UserError("A book that is on loan cannot be deleted.")
