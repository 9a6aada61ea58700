{
    "name": "Test inheritance A",
    "version": "1.0",
    "depends": ["base"],
    "data": ["security/ir.model.access.csv", "data/thing_data.xml"],
    "pre_init_hook": "before_install",
    "license": "LGPL-3",
}
