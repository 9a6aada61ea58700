from . import book_data_request, book_info, ir_config_parameter, isbn_service_settings
