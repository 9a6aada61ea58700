"""How tcm_smt plugs into tcm_core: lifecycle handlers and the representation of SMT contracts."""
from __future__ import annotations

import logging

from odoo.addons.tcm_core.backends import (
    backend_handler,
    backend_representation,
    on_contract_cancel,
    on_contract_create,
)

_logger = logging.getLogger(__name__)
BACKEND = "smt"


@backend_handler(on_contract_create, BACKEND)
def created(contract, backend: str) -> None:
    """Activate the contract at once (as the seed does) and queue its SMT subscription for after the commit."""
    contract.activated = True
    contract.env["tcm.smt.subscription"].sudo().request_status(contract, "active")
    _logger.info("SMT handles %s creation", contract.name)


@backend_handler(on_contract_cancel, BACKEND)
def cancelled(contract, backend: str) -> None:
    """Deactivate the contract and queue the cancellation of its SMT subscription."""
    contract.activated = False
    contract.env["tcm.smt.subscription"].sudo().request_status(contract, "cancelled")
    _logger.info("SMT handles %s cancel", contract.name)


@backend_representation(BACKEND)
def get_model_repr(contract) -> dict:
    """What an SMT contract shows under ``backend`` (the seed's ``smt/model.py``)."""
    return {"name": BACKEND, "contract": contract.name}
