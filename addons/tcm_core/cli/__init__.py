"""Commands of tcm_core, found by ``odoo-bin.py`` when the addon is installed in the ``-d`` database."""
from . import tcm_demo  # noqa: F401
