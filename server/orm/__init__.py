"""The ORM: fields, models and recordsets, domains, environments, schema management."""
