from . import action, database, dataset, home, session, webclient
