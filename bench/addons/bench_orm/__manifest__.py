{
    "name": "ORM benchmark models",
    "summary": "Order lines with two stored computes, for bench/orm.py",
    "version": "17.0.1.0.0",
    "depends": ["base"],
    "license": "LGPL-3",
}
