from . import models

PRE_INIT_CALLS: list[str] = []


def before_install(env):
    """pre_init_hook: runs on a new install only, before the addon's tables exist."""
    PRE_INIT_CALLS.append(env.registry.db_name)
    assert not env.registry.database.table_exists("test_thing")
