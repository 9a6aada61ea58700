{
    "name": "IAP ISBN service",
    "version": "1.0",
    "summary": "Sell book data (title, authors, release date, cover) by ISBN for IAP credits",
    "description": "An In-App Purchase service provider: the JSON-RPC routes /get_book_data and "
                   "/get_books_data answer from the book.info catalogue and charge the client's IAP account "
                   "one credit per book found, in one sale at the platform (iap_sell). ISBNs are validated "
                   "before any credit is touched, books not found cost nothing and ask nothing of the "
                   "platform, and a retried request (same request_id) is answered again without a second "
                   "charge.",
    "category": "Hidden/Tools",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["iap", "web"],
    "external_dependencies": {"python": ["stdnum"]},
    "data": ["security/ir.model.access.csv"],
    "demo": ["demo/res.partner.csv", "demo/book.info.csv", "demo/isbn_service_demo.xml"],
    "installable": True,
    "application": True,
}
