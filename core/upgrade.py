"""Upgrading a database created before the ground floor (`core`) existed.

The user model moved from the registry to core (issue 24), and with it every migration that names the
user model (Django's admin, the API tokens …) now depends on `core.0001_initial`. On a database made
before the move those migrations are applied while `core.0001_initial` is not, and Django refuses to
migrate ("inconsistent history"). `core.0001_initial` only takes the moved models into core's state
(no table is created: they exist, under their old names, since `households.0010`), so recording it as
applied is exactly what running it would do; `core.0002` then renames the tables for real."""

from __future__ import annotations

from importlib import import_module

from django.db import connection

CORE_FIRST = ("core", "0001_initial")


def _last_before_move() -> tuple[str, str]:
    """The registry migration core.0001 takes its models over from."""
    migration = import_module("core.migrations.0001_initial").Migration
    return next(dep for dep in migration.dependencies if dep[0] == "households")


def record_state_only_move() -> bool:
    """Record core.0001 as applied on a pre-move database; True when it did."""
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return False
        cursor.execute("SELECT app, name FROM django_migrations WHERE app IN ('core', 'households')")
        applied = set(cursor.fetchall())
        if CORE_FIRST in applied or _last_before_move() not in applied:
            return False
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, NOW())", list(CORE_FIRST)
        )
        return True
