"""The database: engine and sessions, table models, migrations, the idempotent review store."""
