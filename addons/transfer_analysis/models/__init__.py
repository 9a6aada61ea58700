from . import res_company, transfer_answer, transfer_event, transfer_source, transfer_transfer
