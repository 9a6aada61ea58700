from . import (
    ir_config_parameter,
    res_company,
    transfer_answer,
    transfer_event,
    transfer_source,
    transfer_transfer,
    transfer_transfer_jobs,  # extends transfer.transfer: imported after it
)
