import importlib

import pytest


@pytest.fixture(autouse=True)
def _seeded_catalogue(request):
    """Transactional tests (transaction=True) flush the tables, data-migration rows included, and
    --reuse-db keeps that state: put the programs catalogue and seed parameters back when missing."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    from django.apps import apps

    from programs.models import Program

    if not Program.objects.filter(pk="dibao").exists():
        seed = importlib.import_module("programs.migrations.0002_seed_parameters")
        seed.load(apps, None)


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
