from . import book_data_request, book_info, isbn_service_settings
