"""The ``odoo.addons`` namespace: its search path is the configured addons path.

``set_addons_path`` is called whenever a configuration is loaded, so that
``import odoo.addons.<name>`` finds every addon directory, the base addon's
included.
"""
from __future__ import annotations

from pathlib import Path

__path__ = [str(Path(__file__).parent)]


def set_addons_path(paths) -> None:
    """Make ``odoo.addons.<name>`` resolve in ``paths`` (the base addon's directory stays first)."""
    for path in paths:
        text = str(path)
        if text not in __path__:
            __path__.append(text)
