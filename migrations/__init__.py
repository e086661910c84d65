"""Alembic migrations of Garde's database (run with ``garde db upgrade``)."""
