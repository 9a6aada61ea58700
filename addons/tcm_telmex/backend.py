"""How tcm_telmex plugs into tcm_core: handlers that log, and no representation of its own.

Without a representation, Telmex contracts show ``"backend": "telmex"``.
"""
from __future__ import annotations

import logging

from odoo.addons.tcm_core.backends import backend_handler, on_contract_cancel, on_contract_create

_logger = logging.getLogger(__name__)
BACKEND = "telmex"


@backend_handler(on_contract_create, BACKEND)
def created(contract, backend: str) -> None:
    """Log the creation; Telmex is activated by hand (``action_activate``) once it confirms."""
    _logger.info("TELMEX handles %s creation", contract.name)


@backend_handler(on_contract_cancel, BACKEND)
def cancelled(contract, backend: str) -> None:
    _logger.info("TELMEX handles %s cancel", contract.name)
