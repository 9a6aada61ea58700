{
    "name": "HTTP test routes, extended",
    "version": "1.0",
    "summary": "Overrides a route of http_test and adds one; installed at run time by the multi-worker tests",
    "license": "LGPL-3",
    "depends": ["http_test"],
    "installable": True,
}
