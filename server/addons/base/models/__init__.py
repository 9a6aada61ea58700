from . import (  # noqa: F401
    ir_actions,
    ir_autovacuum,
    ir_config_parameter,
    ir_cron,
    ir_model,
    ir_model_access,
    ir_model_data,
    ir_module_module,
    ir_rule,
    ir_sequence,
    ir_ui_menu,
    ir_ui_view,
    res_company,
    res_config,
    res_country,
    res_groups,
    res_partner,
    res_users,
    res_users_apikeys,
    res_users_login,
)

# isort: split
from . import ir_module_category  # noqa: F401  (extends ir.module.module and res.groups: after them)
