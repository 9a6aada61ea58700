{
    "name": "Test library",
    "summary": "A library (books, authors, members, loans) written as an Odoo 17 addon, to test the ORM",
    "version": "17.0.1.0.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
