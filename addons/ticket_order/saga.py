"""The ``ticket_order`` saga: the seed's flow, every decision in the orchestrator.

1. ``reserve_tickets``: all the order's tickets or none (out of stock: the order is REJECTED);
   compensated by releasing the reservation.
2. ``request_payment``: ask the provider, then wait for ``payment.result`` (at most
   ``ticket_order.payment_wait_s``, default 900 s); ``declined`` or no answer in time: compensate,
   and the order is PAYMENT_FAILED.
3. ``finish_order``: the reservation becomes a sale, the order COMPLETED.
"""
from __future__ import annotations

from odoo.addons.saga.definition import RetryPolicy, SagaDefinition, register
from odoo.addons.saga.exceptions import SagaFailure

from .models.ticket_inventory import OutOfStock
from .services import inventory, payment

PAYMENT_WAIT_S = 900.0
PAYMENT_WAIT_PARAM = "ticket_order.payment_wait_s"


def payment_wait_s(env) -> float:
    """How long an order waits for its payment result (``ticket_order.payment_wait_s``, default 900)."""
    value = env["ir.config_parameter"].sudo().get_param(PAYMENT_WAIT_PARAM)
    try:
        return float(value) if value else PAYMENT_WAIT_S
    except ValueError:
        return PAYMENT_WAIT_S


def _order(ctx):
    orders = ctx.env["ticket.order"].sudo()
    if ctx.data.get("order_id"):
        return orders.browse(ctx.data["order_id"])
    return orders.search([("uid", "=", ctx.data["order_uid"])], limit=1)


def reserve_tickets(ctx) -> None:
    order = _order(ctx)
    try:
        ctx.data["reserved"] = inventory.reserve(ctx.env, order.uid, order.entries(), ctx.timeout_s, ctx.call)
    except OutOfStock as exc:
        raise SagaFailure(str(exc)) from None


def release_tickets(ctx) -> None:
    ctx.data["released"] = inventory.release(ctx.env, ctx.data["order_uid"], ctx.timeout_s, ctx.call)


def request_payment(ctx) -> None:
    payment.request_payment(ctx.env, _order(ctx), ctx.timeout_s, ctx.call)


def check_payment(ctx, payload: dict) -> None:
    if payload.get("status") != "paid":
        raise SagaFailure(f"payment {payload.get('status') or 'not effected'}: {payload.get('reason') or 'no reason'}")
    ctx.data["payment"] = {key: payload[key] for key in ("status", "transaction") if key in payload}


def finish_order(ctx) -> None:
    inventory.sell(ctx.env, ctx.data["order_uid"], ctx.timeout_s, ctx.call)
    _order(ctx).write({"status": "COMPLETED", "status_reason": False})


def mark_failed(ctx, reason: str) -> None:
    status = "REJECTED" if (reason or "").startswith("reserve_tickets") else "PAYMENT_FAILED"
    _order(ctx).write({"status": status, "status_reason": (reason or "")[:250]})


ticket_order_saga = register(
    SagaDefinition("ticket_order")
    .step("reserve_tickets", reserve_tickets, compensation=release_tickets,
          retry=RetryPolicy(max_attempts=5, backoff_s=1.0), timeout_s=30)
    .step("request_payment", request_payment, retry=RetryPolicy(max_attempts=5, backoff_s=2.0), timeout_s=30,
          wait_for=payment.RESULT_TYPE, wait_timeout_s=payment_wait_s, on_reply=check_payment)
    .step("finish_order", finish_order, retry=RetryPolicy(max_attempts=5), timeout_s=30)
    .on_failure(mark_failed)
)
