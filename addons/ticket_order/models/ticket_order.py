"""``ticket.order``: the seed's order (``customerId``, ``amount``, ``items``, ``status``), started as a saga.

Amounts are exact: they arrive as JSON numbers with at most two decimals, are kept in integer
cents, and go back out as numbers.  An order is validated whole before anything is written
(``parse_order``); a refused order starts no saga.
"""
from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from odoo import api, fields, models
from odoo.exceptions import ValidationError

STATUSES = [("PENDING", "Pending"), ("COMPLETED", "Completed"), ("REJECTED", "Rejected"),
            ("PAYMENT_FAILED", "Payment failed")]
MAX_ITEMS = 100
MAX_QUANTITY = 10_000


class InvalidOrder(ValidationError):
    """An order refused before anything is written; ``field`` names the offending part (``items[0].id``)."""

    def __init__(self, field: str | None, message: str):
        super().__init__(message)
        self.field = field


def to_cents(value, field: str) -> int:
    """A JSON number of money with at most two decimals -> integer cents (ValidationError naming ``field``)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InvalidOrder(field, f"{field} must be a number")
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise InvalidOrder(field, f"{field} must be a number") from None
    if not amount.is_finite() or amount <= 0 or amount > Decimal("1e9"):
        raise InvalidOrder(field, f"{field} must be a positive amount below 1,000,000,000")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidOrder(field, f"{field} has more than two decimals: {value}")
    return int(amount * 100)


def from_cents(cents: int) -> float:
    return float(Decimal(cents) / 100)


def parse_order(body) -> dict:
    """Validate the seed's ``CreateOrderRequest``; return clean values or raise ValidationError."""
    if not isinstance(body, dict):
        raise InvalidOrder(None, "the order must be a JSON object")
    customer = body.get("customerId")
    if not isinstance(customer, str) or not customer.strip() or len(customer) > 128:
        raise InvalidOrder("customerId", "customerId must be a non-empty string of at most 128 characters")
    items = body.get("items")
    if not isinstance(items, list) or not items or len(items) > MAX_ITEMS:
        raise InvalidOrder("items", f"items must be a list of 1 to {MAX_ITEMS} items")
    return {"customer_id": customer.strip(), "amount_cents": to_cents(body.get("amount"), "amount"),
            "items": [_parse_item(item, index) for index, item in enumerate(items)]}


def _parse_item(item, index: int) -> dict:
    where = f"items[{index}]"
    if not isinstance(item, dict):
        raise InvalidOrder(where, f"{where} must be an object")
    code = item.get("id")
    if not isinstance(code, str) or not code.strip():
        raise InvalidOrder(f"{where}.id", f"{where}.id must be a non-empty string")
    quantity = item.get("quantity")
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= MAX_QUANTITY:
        raise InvalidOrder(f"{where}.quantity", f"{where}.quantity must be an integer from 1 to {MAX_QUANTITY}")
    name = item.get("name")
    if name is not None and not isinstance(name, str):
        raise InvalidOrder(f"{where}.name", f"{where}.name must be a string")
    return {"code": code.strip(), "name": name or "", "quantity": quantity,
            "unit_cents": to_cents(item.get("amount"), f"{where}.amount")}


class TicketOrder(models.Model):
    _name = "ticket.order"
    _description = "Ticket Order"
    _order = "id desc"
    _rec_name = "uid"

    uid = fields.Char(required=True, readonly=True, index=True, default=lambda self: str(uuid.uuid4()))
    customer_id = fields.Char(required=True, readonly=True)
    amount_cents = fields.Integer(required=True, readonly=True)
    status = fields.Selection(STATUSES, required=True, default="PENDING", readonly=True, index=True)
    status_reason = fields.Char(readonly=True)
    line_ids = fields.One2many("ticket.order.line", "order_id", readonly=True)

    _sql_constraints = [("uid_uniq", "unique(uid)", "An order with this id already exists.")]

    @api.model
    def place(self, body: dict) -> str:
        """Create an order from the seed's request body and start its saga; return the order id.

        :raise InvalidOrder: a ValidationError naming the first invalid field (nothing is written)
        """
        self.check_access_rights("create")
        values = parse_order(body)
        self._check_catalogue(values["items"])
        order = self.sudo().create({
            "customer_id": values["customer_id"], "amount_cents": values["amount_cents"],
            "line_ids": [(0, 0, {"code": i["code"], "name": i["name"], "quantity": i["quantity"],
                                 "unit_cents": i["unit_cents"]}) for i in values["items"]],
        })
        data = {"order_uid": order.uid, "order_id": order.id}
        self.env["saga.instance"].sudo().start("ticket_order", order.uid, data)
        return order.uid

    def _check_catalogue(self, items: list[dict]) -> None:
        """Every item names a known ticket at its catalogue price (the amount that must match)."""
        tickets = {t.code: t for t in self.env["ticket.inventory"].sudo().search(
            [("code", "in", [i["code"] for i in items])])}
        for index, item in enumerate(items):
            ticket = tickets.get(item["code"])
            if ticket is None:
                raise InvalidOrder(f"items[{index}].id", f"items[{index}].id: unknown ticket {item['code']!r}")
            if ticket.price_cents != item["unit_cents"]:
                raise InvalidOrder(f"items[{index}].amount", f"items[{index}].amount: {from_cents(item['unit_cents'])} "
                                   f"does not match the price of {item['code']} ({from_cents(ticket.price_cents)})")

    def as_response(self) -> list[dict]:
        """The seed's ``OrderResponse`` of each order: id, customerId, amount, items, status."""
        return [{
            "id": order.uid, "customerId": order.customer_id, "amount": from_cents(order.amount_cents),
            "status": order.status, "reason": order.status_reason or None,
            "items": [{"id": line.code, "name": line.name, "amount": from_cents(line.unit_cents),
                       "quantity": line.quantity} for line in order.line_ids],
        } for order in self]

    def entries(self) -> dict[str, int]:
        self.ensure_one()
        totals: dict[str, int] = {}
        for line in self.line_ids:
            totals[line.code] = totals.get(line.code, 0) + line.quantity
        return totals


class TicketOrderLine(models.Model):
    _name = "ticket.order.line"
    _description = "Ticket Order Item"
    _order = "id"

    order_id = fields.Many2one("ticket.order", required=True, ondelete="cascade", index=True)
    code = fields.Char(required=True, string="Ticket id")
    name = fields.Char()
    quantity = fields.Integer(required=True)
    unit_cents = fields.Integer(required=True)
