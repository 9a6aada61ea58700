{
    "name": "Test compute assignments",
    "summary": "Compute methods that assign fields computed by other methods, to test the ORM",
    "version": "17.0.1.0.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv"],
    "license": "LGPL-3",
}
