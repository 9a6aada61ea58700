"""``odoo.tools.config``: the running server's options, read like Odoo's ``configmanager``.

The framework binds it to each configuration it opens a registry with
(``config.use``); before that it answers the defaults.  Addons read options
(``config['data_dir']``, ``config.get('test_enable')``) and their own sections
of the configuration file (``config.misc['my_section']``).
"""
from __future__ import annotations


class ConfigProxy:
    """Reads through to the configuration in use, so that importing it early is harmless."""

    def __init__(self):
        self._config = None

    def use(self, config) -> None:
        """Answer ``config``'s options from now on (called when a registry is opened)."""
        self._config = config

    @property
    def current(self):
        if self._config is None:
            from ..config import Config

            self._config = Config()
        return self._config

    def __getitem__(self, key: str):
        if key == "data_dir":
            return str(self.current.data_dir)
        return self.current.options.get(key)

    def __setitem__(self, key: str, value) -> None:
        self.current.options[key] = value

    def __contains__(self, key: str) -> bool:
        return key in self.current.options

    def get(self, key: str, default=None):
        value = self[key]
        return default if value is None else value

    @property
    def options(self) -> dict:
        return self.current.options

    @property
    def misc(self) -> dict:
        return self.current.misc

    @property
    def addons_data_dir(self) -> str:
        return str(self.current.data_dir / "addons")

    @property
    def session_dir(self) -> str:
        return str(self.current.data_dir / "sessions")

    def filestore(self, dbname: str) -> str:
        return str(self.current.data_dir / "filestore" / dbname)


config = ConfigProxy()
