from . import flows, models
