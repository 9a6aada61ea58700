"""The ORM's optional mechanisms, each in its own module, mixed into every model as one base class.

``BaseModel`` derives from ``ModelExtensions``: record rules (``rules.py``),
... Each mixin only adds methods; ``models.py`` calls their hooks by name.
"""
from __future__ import annotations

from .rules import RecordRules


class ModelExtensions(RecordRules):
    """Methods every model has beyond the core recordset protocol of ``models.py``."""
