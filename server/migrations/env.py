"""Alembic environment. Run through `server.core.migrate`, which hands over an open connection
already switched to the owner role, so every object created here is owned by that role."""

from __future__ import annotations

from alembic import context

from server.models import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
