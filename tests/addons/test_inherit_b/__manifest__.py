{
    "name": "Test inheritance B",
    "version": "1.0",
    "depends": ["test_inherit_a"],
    "license": "LGPL-3",
    "uninstall_hook": "forget_colour",
}
