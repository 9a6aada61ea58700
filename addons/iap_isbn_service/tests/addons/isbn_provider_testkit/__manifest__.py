{
    "name": "ISBN service test kit",
    "version": "1.0",
    "summary": "Test and benchmark helpers for iap_isbn_service; never install in production",
    "description": "The cookbook's provider route written exactly as the seed does (with iap.charge), an "
                   "uncharged lookup route for the benchmark, and a pause after capture to simulate a slow "
                   "provider whose client times out.",
    "category": "Hidden/Tests",
    "author": "Odoo-style addon server",
    "license": "LGPL-3",
    "depends": ["iap_isbn_service"],
    "installable": True,
}
