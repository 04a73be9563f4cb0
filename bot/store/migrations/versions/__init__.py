"""Alembic revision scripts of the store."""
