"""The books the service sells data about, one per ISBN (stored as its ISBN-13)."""
from __future__ import annotations

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.isbn import normalize_isbn


class BookInfo(models.Model):
    _name = "book.info"
    _description = "Book data sold by ISBN"
    _order = "name, id"
    _sql_constraints = [("isbn_uniq", "unique(isbn)", "Another book already has this ISBN: each ISBN names one "
                         "book (ISBN-10 and ISBN-13 forms count as the same).")]

    name = fields.Char("Title", required=True)
    isbn = fields.Char("ISBN", required=True, index=True,
                       help="Stored as the ISBN-13 without hyphens; an ISBN-10 is converted on save.")
    date_release = fields.Date("Release Date")
    cover_image = fields.Binary("Cover")
    author_ids = fields.Many2many("res.partner", string="Authors")

    @api.model_create_multi
    def create(self, vals_list):
        """Create books with their ISBN normalized, so that lookups by any form of it find them."""
        return super().create([_with_normalized_isbn(vals) for vals in vals_list])

    def write(self, vals):
        return super().write(_with_normalized_isbn(vals))

    # -- lookups ------------------------------------------------------------------------------------
    @api.model
    def _books_data_by_isbn(self, isbn: str) -> dict:
        """The cookbook's answer for one ISBN: ``{'status': 'found', 'data': {...}}`` or ``{'status': 'not found'}``.

        Any form of the ISBN is accepted; an invalid one is simply not found (callers that must refuse
        it validate first, see ``book.data.request``).
        """
        try:
            isbn = normalize_isbn(isbn)
        except UserError:
            return {"status": "not found"}
        book = self.search([("isbn", "=", isbn)], limit=1)
        return {"status": "found", "data": book._book_data()} if book else {"status": "not found"}

    @api.model
    def _books_data_by_isbns(self, isbns: list[str]) -> dict[str, dict]:
        """``{isbn13: data}`` for the books found among ``isbns`` (ISBN-13s), in one query."""
        books = self.search([("isbn", "in", list(isbns))])
        return {book.isbn: book._book_data() for book in books}

    def _book_data(self) -> dict:
        """The fields a client receives (the cookbook's keys; the cover is base64 text)."""
        self.ensure_one()
        cover = self.cover_image
        return {
            "name": self.name,
            "isbn": self.isbn,
            "date_release": fields.Date.to_string(self.date_release),
            "cover_image": cover.decode() if cover else False,
            "authors": self.author_ids.mapped("name"),
        }


def _with_normalized_isbn(vals: dict) -> dict:
    """``vals`` with its ISBN as an ISBN-13; ValidationError naming the book if the ISBN is invalid."""
    if not vals.get("isbn"):
        return vals
    try:
        return {**vals, "isbn": normalize_isbn(vals["isbn"])}
    except UserError as exc:
        title = vals.get("name") or "this book"
        raise ValidationError(f"Cannot save {title!r}: {exc}") from None
