from . import tcm_contract, tcm_smt_subscription  # noqa: F401
