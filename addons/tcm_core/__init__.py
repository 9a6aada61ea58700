"""TCM core: contracts, their lifecycle signals and the plugin API (``backends``).

``controllers`` holds the ``/tcm/`` JSON routes.  ``cli`` is imported by the command line when the addon is
installed in the ``-d`` database.
"""
from . import backends, controllers, models  # noqa: F401
