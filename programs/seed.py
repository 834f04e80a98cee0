"""The seed defaults (data migration 0002) as loadable data, for test databases a transactional
test has flushed. The migration module stays the single source of the figures and citations."""

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


@transaction.atomic
def ensure_defaults() -> bool:
    """Load the catalogue and seed parameters when the tables are empty; True when it loaded them."""
    from programs.models import Parameter, Program

    if Program.objects.exists() and Parameter.objects.exists():
        return False
    Program.objects.bulk_create(
        [
            Program(code=code, name=name, category=category, rule=rule, source=source, sort_order=order)
            for code, name, category, rule, source, order in PROGRAMS
        ],
        ignore_conflicts=True,
    )
    if not Parameter.objects.exists():
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
                for key, kind, value, unit, valid_from, valid_to, source in PARAMETERS
            ]
        )
    return True
