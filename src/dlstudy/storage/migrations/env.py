"""Alembic environment: migrations always run on the connection dlstudy hands over."""

from alembic import context

from dlstudy.storage.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
