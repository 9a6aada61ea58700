{
    "name": "Test library (ORM API) extension",
    "version": "1.0",
    "summary": "Adds book states with selection_add, to test their ondelete policies at uninstall",
    "depends": ["test_library_api"],
    "license": "LGPL-3",
}
