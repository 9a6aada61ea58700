from . import action, binary, database, database_manager, dataset, home, session, webclient
