"""Helpers shared by the framework and addons, as ``odoo.tools`` offers them.

``from odoo import tools`` then ``tools.float_compare(...)``, ``tools.ormcache``,
``tools.config``, ``tools.html_escape``, ``tools.SQL``; the submodules addons
import from directly exist too (``odoo.tools.misc``, ``float_utils``,
``date_utils``, ``safe_eval``, ``translate``, ``sql``, ``mail``).
"""
from . import date_utils, float_utils, misc, sql  # noqa: F401
from .cache import ormcache, ormcache_context  # noqa: F401
from .config import config  # noqa: F401
from .float_utils import (  # noqa: F401
    float_compare,
    float_is_zero,
    float_repr,
    float_round,
    float_split,
    float_split_str,
    json_float_round,
)
from .misc import (  # noqa: F401
    DEFAULT_SERVER_DATE_FORMAT,
    DEFAULT_SERVER_DATETIME_FORMAT,
    DEFAULT_SERVER_TIME_FORMAT,
    Markup,
    OrderedSet,
    clean_context,
    file_open,
    file_path,
    format_amount,
    format_date,
    format_datetime,
    formatLang,
    frozendict,
    get_lang,
    groupby,
    html_escape,
    human_size,
    mute_logger,
    partition,
    split_every,
    str2bool,
    unique,
    ustr,
)
from .safe_eval import safe_eval  # noqa: F401
from .sql import SQL  # noqa: F401
from .translate import _, _lt, html_translate, xml_translate  # noqa: F401
