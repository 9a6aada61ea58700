from . import ir_config_parameter, res_company, transfer_answer, transfer_event, transfer_source, transfer_transfer
