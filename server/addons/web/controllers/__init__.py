from . import database, dataset, home, session, webclient
