"""SQLite through sqlite-utils (schema, migrations, repositories) and the content-addressed file vault."""
