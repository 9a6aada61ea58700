{
    "name": "Test auto-install",
    "version": "1.0",
    "depends": ["test_inherit_a", "test_inherit_b"],
    "auto_install": ["test_inherit_b"],
    "license": "LGPL-3",
}
