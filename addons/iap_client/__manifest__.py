{
    "name": "Books ISBN (IAP client)",
    "version": "1.0",
    "summary": "Fill library books from their ISBN with the ISBN service, paid with IAP credits",
    "description": "The customer side of the ISBN In-App Purchase service: library.book records and their "
                   "'Fetch Book Data' action (fetch_book_data), which calls the provider's /get_book_data with "
                   "this database's IAP account token and a request id persisted before the call, and fills "
                   "title, authors, release date and cover from the answer.",
    "category": "Productivity",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["iap"],
    "external_dependencies": {"python": ["stdnum"]},
    "data": ["security/library_security.xml", "security/ir.model.access.csv"],
    "demo": ["demo/library_book_demo.xml"],
    "installable": True,
    "application": True,
}
