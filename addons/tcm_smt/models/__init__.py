from . import ir_config_parameter, tcm_contract, tcm_smt_subscription  # noqa: F401
