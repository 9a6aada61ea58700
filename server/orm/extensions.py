"""The ORM's optional mechanisms, each in its own module, mixed into every model as one base class.

``BaseModel`` derives from ``ModelExtensions``: record rules (``rules.py``), field groups
(``field_access.py``), grouped reads (``read_group.py``),
everyday recordset methods (``recordset_api.py``), field-spec reads (``web_read.py``),
new records and onchange (``onchange.py``).
Each mixin only adds methods; ``models.py`` calls their hooks by name.
"""
from __future__ import annotations

from .field_access import FieldAccess
from .onchange import Onchange
from .read_group import ReadGroup
from .recordset_api import RecordsetApi
from .rules import RecordRules
from .web_read import WebRead


class ModelExtensions(RecordRules, FieldAccess, ReadGroup, RecordsetApi, WebRead, Onchange):
    """Methods every model has beyond the core recordset protocol of ``models.py``."""
