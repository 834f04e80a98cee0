"""The seed defaults (data migration 0002 and later seed migrations) as loadable data, for test
databases a transactional test has flushed. The migration modules stay the single source of the
figures and citations; an upper app whose own data migration seeds parameters (reports: the
cross-check figures) registers those rows here from its AppConfig.ready()."""

from __future__ import annotations

import importlib

from django.db import transaction

_migration = importlib.import_module("programs.migrations.0002_seed_parameters")
# Later migrations that add seed parameters (each frozen like 0002).
_LATER = (
    "0004_stop_without_phase_out",
    "0005_seed_dates_and_unused_figures",
    "0007_monitoring_parameters",
    "0008_field_visit_parameters",
    "0009_employment_stable_months",
)
_FIXES = importlib.import_module("programs.migrations.0005_seed_dates_and_unused_figures")
_CITES = importlib.import_module("programs.migrations.0006_sources_cite_domain_anchors")
PARAMETERS = [
    (
        key,
        kind,
        value,
        unit,
        _FIXES.corrected_start(key, source, valid_from),
        valid_to,
        _CITES.cited(key, source),
    )
    for key, kind, value, unit, valid_from, valid_to, source in _migration.PARAMETERS
    if key not in _FIXES.REMOVED and key != "monitor.risk_elimination_months"  # renamed in 0007
] + [row for name in _LATER for row in importlib.import_module(f"programs.migrations.{name}").PARAMETERS]
PROGRAMS = _migration.PROGRAMS
_REGISTERED: list[tuple] = []  # rows of other apps' seed migrations (register_seed_parameters)


def register_seed_parameters(rows) -> None:
    """Rows (key, kind, value, unit, valid_from, valid_to, source) an upper app's data migration
    loads as nationwide defaults: restored with ours after a flush."""
    for row in rows:
        if row not in _REGISTERED:
            _REGISTERED.append(tuple(row))


def seed_parameters() -> list[tuple]:
    return PARAMETERS + _REGISTERED


@transaction.atomic
def ensure_defaults() -> bool:
    """Load the catalogue and every seed parameter that is missing (a transactional test flushed
    them); True when it loaded anything. Two queries when nothing is missing."""
    from programs.models import Parameter, Program

    loaded = False
    if not Program.objects.exists():
        Program.objects.bulk_create(
            [
                Program(code=code, name=name, category=category, rule=rule, source=source, sort_order=order)
                for code, name, category, rule, source, order in PROGRAMS
            ],
            ignore_conflicts=True,
        )
        loaded = True
    present = set(Parameter.objects.filter(region_prefix="").values_list("key", "valid_from"))
    missing = [row for row in seed_parameters() if (row[0], row[4]) not in present]
    if missing:
        Parameter.objects.bulk_create(
            [
                Parameter(
                    key=key,
                    region_prefix="",
                    kind=kind,
                    value=value,
                    unit=unit,
                    valid_from=valid_from,
                    valid_to=valid_to,
                    source=source,
                    note="种子默认值",
                )
                for key, kind, value, unit, valid_from, valid_to, source in missing
            ]
        )
        loaded = True
    return loaded
