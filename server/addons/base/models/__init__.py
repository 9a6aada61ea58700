from . import (  # noqa: F401
    decimal_precision,
    ir_actions,
    ir_attachment,
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
    res_lang,
    res_partner,
    res_users,
    res_users_apikeys,
    res_users_login,
)

# isort: split
from . import (  # noqa: F401  (extensions: after the models they extend)
    ir_module_category,
    res_company_logo,
    res_country_state,
    res_currency,
    res_users_fields,
)
