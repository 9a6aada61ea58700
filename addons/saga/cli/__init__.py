from . import saga
