{
    "name": "Test inheritance A",
    "version": "1.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
