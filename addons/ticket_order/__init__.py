from . import controllers, models, saga
