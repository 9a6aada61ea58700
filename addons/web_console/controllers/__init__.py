from . import addons, crons, home, login, settings
