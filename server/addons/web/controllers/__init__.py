from . import action, binary, database, dataset, home, session, webclient
