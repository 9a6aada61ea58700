{
    "name": "IAP ISBN service",
    "version": "1.0",
    "summary": "Sell book data (title, authors, release date, cover) by ISBN for IAP credits",
    "description": "An In-App Purchase service provider: the JSON-RPC routes /get_book_data and "
                   "/get_books_data answer from the book.info catalogue inside iap_charge, as the seed's "
                   "provider does: one credit per book found, books not found released. Odoo's protocol, one "
                   "round trip with the capture deferred, or credit quotas (a setting). ISBNs are validated "
                   "before any credit is touched, and a retried request (same request_id) is answered again "
                   "without a second charge.",
    "category": "Hidden/Tools",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["iap", "web"],
    "external_dependencies": {"python": ["stdnum"]},
    "data": ["security/ir.model.access.csv", "data/isbn_service_cron.xml"],
    "demo": ["demo/res.partner.csv", "demo/book.info.csv", "demo/isbn_service_demo.xml"],
    "installable": True,
    "application": True,
}
