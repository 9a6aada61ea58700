"""``ticket.inventory`` (stock per ticket) and ``ticket.reservation`` (what an order holds).

Reserving and releasing are idempotent per order: the reservation rows are unique per order and
ticket, so a step that runs again after a crashed worker finds its own reservation and reserves
nothing twice; releasing an order that reserved nothing is a no-op.  Stock is changed by a single
guarded ``UPDATE ... WHERE available >= qty``, so concurrent orders can never drive it negative.
"""
from __future__ import annotations

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class OutOfStock(Exception):
    """Not enough tickets of one kind: the order is refused (nothing is reserved)."""

    def __init__(self, code: str, wanted: int, available: int):
        super().__init__(f"out of stock: {code} ({wanted} wanted, {available} available)")
        self.code, self.wanted, self.available = code, wanted, available


class TicketInventory(models.Model):
    _name = "ticket.inventory"
    _description = "Ticket Stock"
    _order = "code"
    _rec_name = "code"

    code = fields.Char(required=True, index=True, help="The ticket id clients send in an order's items")
    name = fields.Char(required=True)
    price_cents = fields.Integer(required=True, help="Unit price in cents (exact money)")
    available = fields.Integer(required=True, default=0, help="Tickets left to reserve")
    reserved = fields.Integer(default=0, readonly=True, help="Tickets reserved by orders not finished yet")
    sold = fields.Integer(default=0, readonly=True)

    _sql_constraints = [
        ("code_uniq", "unique(code)", "A ticket with this code already exists."),
        ("available_positive", "CHECK (available >= 0)", "Stock cannot be negative."),
    ]

    @api.model
    def reserve(self, order_uid: str, entries: dict[str, int]) -> dict:
        """Reserve ``{code: quantity}`` for ``order_uid``, all or nothing; return ``{code: quantity}``.

        :raise OutOfStock: a ticket has not enough left (nothing is reserved)
        :raise ValidationError: an unknown code or a quantity that is not a positive integer
        """
        self.check_access_rights("write")
        reservations = self.env["ticket.reservation"].sudo()
        if reservations.search_count([("order_uid", "=", order_uid)]):
            return {r.ticket_id.code: r.quantity for r in reservations.search([("order_uid", "=", order_uid)])}
        tickets = self._by_code(entries)
        with self.env.cr.savepoint():
            for code, quantity in sorted(entries.items()):
                self._take(tickets[code], quantity)
                reservations.create({"order_uid": order_uid, "ticket_id": tickets[code].id, "quantity": quantity})
        return dict(entries)

    @api.model
    def release(self, order_uid: str) -> int:
        """Give back what ``order_uid`` reserved and has not bought; return the tickets released."""
        self.check_access_rights("write")
        held = self.env["ticket.reservation"].sudo().search([("order_uid", "=", order_uid), ("state", "=", "reserved")])
        for reservation in held:
            self.env.cr.execute("UPDATE ticket_inventory SET available = available + %s, reserved = reserved - %s "
                                "WHERE id = %s", (reservation.quantity, reservation.quantity, reservation.ticket_id.id))
        held.write({"state": "released"})
        self.invalidate_model()
        return sum(held.mapped("quantity"))

    @api.model
    def sell(self, order_uid: str) -> int:
        """Turn ``order_uid``'s reservations into sales; return the tickets sold."""
        self.check_access_rights("write")
        held = self.env["ticket.reservation"].sudo().search([("order_uid", "=", order_uid), ("state", "=", "reserved")])
        for reservation in held:
            self.env.cr.execute("UPDATE ticket_inventory SET reserved = reserved - %s, sold = sold + %s "
                                "WHERE id = %s", (reservation.quantity, reservation.quantity, reservation.ticket_id.id))
        held.write({"state": "sold"})
        self.invalidate_model()
        return sum(held.mapped("quantity"))

    def _by_code(self, entries: dict[str, int]) -> dict:
        for code, quantity in entries.items():
            if not isinstance(quantity, int) or isinstance(quantity, bool) or quantity <= 0:
                raise ValidationError(f"quantity of {code!r} must be a positive integer, not {quantity!r}")
        tickets = {t.code: t for t in self.sudo().search([("code", "in", list(entries))])}
        unknown = sorted(set(entries) - set(tickets))
        if unknown:
            raise ValidationError(f"unknown ticket: {', '.join(unknown)}")
        return tickets

    def _take(self, ticket, quantity: int) -> None:
        cursor = self.env.cr.execute(
            "UPDATE ticket_inventory SET available = available - %s, reserved = reserved + %s "
            "WHERE id = %s AND available >= %s", (quantity, quantity, ticket.id, quantity))
        if cursor.rowcount != 1:
            ticket.invalidate_recordset()
            raise OutOfStock(ticket.code, quantity, ticket.available)
        ticket.invalidate_recordset()


class TicketReservation(models.Model):
    _name = "ticket.reservation"
    _description = "Ticket Reservation"
    _order = "id"

    order_uid = fields.Char(required=True, index=True)
    ticket_id = fields.Many2one("ticket.inventory", required=True, ondelete="restrict")
    quantity = fields.Integer(required=True)
    state = fields.Selection([("reserved", "Reserved"), ("released", "Released"), ("sold", "Sold")],
                             default="reserved", required=True)

    _sql_constraints = [("order_ticket_uniq", "unique(order_uid, ticket_id)", "This order already holds this ticket.")]
