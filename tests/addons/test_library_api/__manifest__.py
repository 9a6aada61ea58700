{
    "name": "Test library (ORM API)",
    "version": "1.0",
    "summary": "A small library used by the ORM API tests: record rules, field groups, read_group, onchange",
    "depends": ["base"],
    "data": [
        "security/library_security.xml",
        "security/ir.model.access.csv",
    ],
    "license": "LGPL-3",
}
