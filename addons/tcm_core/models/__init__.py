from . import tcm_contract, tcm_contract_event, tcm_package, tcm_product  # noqa: F401
