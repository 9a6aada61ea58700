from . import addons, home, login, settings
