from . import (  # noqa: F401
    ir_config_parameter,
    ir_model,
    ir_model_access,
    ir_model_data,
    ir_module_module,
    ir_rule,
    res_company,
    res_country,
    res_groups,
    res_partner,
    res_users,
    res_users_apikeys,
)
