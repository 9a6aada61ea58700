"""Service ``common``: version, login, authenticate, about (Odoo's ``odoo/service/common.py``)."""
from __future__ import annotations

from .. import release
from ..exceptions import AccessDenied
from ..orm.environment import SUPERUSER_ID, Environment


def version_info() -> dict:
    """``RPC_VERSION_1``: clients branch on ``server_version`` (OdooRPC needs >= 10)."""
    return {"server_version": release.version, "server_version_info": list(release.version_info),
            "server_serie": release.serie, "protocol_version": 1}


def exp_version(ctx) -> dict:
    return version_info()


def exp_login(ctx, db, login, password):
    return exp_authenticate(ctx, db, login, password, None)


def exp_authenticate(ctx, db, login, password, user_agent_env=None):
    """The uid of ``login`` if ``password`` (or an API key) is theirs, else False (never a fault).

    ``user_agent_env`` as Odoo's: a ``base_location`` sent by a system administrator becomes
    ``web.base.url`` (unless frozen); anything but a dict is ignored.
    """
    registry = ctx.registry(db)
    env_given = user_agent_env if isinstance(user_agent_env, dict) else None
    with registry.cursor() as cr:
        try:
            return Environment(cr, SUPERUSER_ID, {})["res.users"].authenticate(login, password, env_given)
        except AccessDenied:
            return False


def exp_about(ctx, extended=False):
    info = "See http://openerp.com"
    return [info, release.version] if extended else info


METHODS = {"version": exp_version, "login": exp_login, "authenticate": exp_authenticate, "about": exp_about}


def dispatch(ctx, method: str, params: list):
    function = METHODS.get(method)
    if function is None:
        raise AttributeError(f"Method not found: {method}: service common has {', '.join(METHODS)}")
    return function(ctx, *params)
