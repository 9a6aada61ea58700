from . import script, signal_log
