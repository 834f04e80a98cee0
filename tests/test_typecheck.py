"""Types that are checked (docs/architecture.md, types): mypy runs in CI (`make typecheck`,
.ci/typecheck.py); these tests keep its configuration honest — the money and rules modules stay listed
and strict, the baseline never hides one of their errors and lets no new error through — and keep
ParameterSet's typed accessors true to the kinds the keys are declared with."""

from __future__ import annotations

import ast
import datetime as dt
import importlib.util
import tomllib
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from programs.parameter_keys import KEYS
from programs.rules.params import ParameterMissing, ParamVersion, resolve

ROOT = Path(__file__).resolve().parent.parent
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
STRICT_MODULES = {
    "core.money",
    "core.parameters",
    "households.income",
    "programs.rules",
    "programs.rules.*",
    "assistance.amounts",
}
STRICT_FLAGS = (
    "disallow_any_generics",
    "disallow_subclassing_any",
    "disallow_untyped_calls",
    "disallow_untyped_defs",
    "disallow_incomplete_defs",
    "check_untyped_defs",
    "disallow_untyped_decorators",
    "warn_unused_ignores",
    "warn_return_any",
    "no_implicit_reexport",
    "strict_equality",
    "extra_checks",
)
ACCESSORS = {"decimal", "integer", "boolean", "text", "json"}


def _overrides_of(module: str) -> dict:
    """The options the overrides give a module (later overrides win, as in mypy)."""
    options: dict = {}
    for override in CONFIG["overrides"]:
        modules = override["module"] if isinstance(override["module"], list) else [override["module"]]
        if module in modules:
            options.update({k: v for k, v in override.items() if k != "module"})
    return options


@pytest.mark.parametrize("module", sorted(STRICT_MODULES))
def test_money_and_rules_modules_stay_strict(module):
    options = _overrides_of(module)
    assert {flag: options.get(flag) for flag in STRICT_FLAGS} == dict.fromkeys(STRICT_FLAGS, True)
    assert not options.get("ignore_errors")


def test_the_one_calculator_has_no_any_at_all():
    options = _overrides_of("programs.rules.dibao")
    assert options.get("disallow_any_expr") is True
    assert options.get("disallow_any_explicit") is True


def test_mypy_checks_every_floor_with_django_stubs():
    assert set(CONFIG["files"]) >= {
        "core",
        "households",
        "programs",
        "assistance",
        "projects",
        "reports",
        "devdata",
    }
    assert "mypy_django_plugin.main" in CONFIG["plugins"]
    assert not CONFIG.get("ignore_errors")


def test_the_baseline_holds_no_error_of_a_strict_module():
    prefixes = (
        "core/money.py",
        "core/parameters.py",
        "households/income.py",
        "programs/rules/",
        "assistance/amounts.py",
    )
    baseline = (ROOT / "mypy-baseline.txt").read_text().splitlines()
    assert [line for line in baseline if line.startswith(prefixes)] == []


def _typecheck_script():
    spec = importlib.util.spec_from_file_location("typecheck", ROOT / ".ci" / "typecheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_new_error_fails_and_a_moved_one_does_not():
    typecheck = _typecheck_script()
    before = (
        'assistance/recalc.py:10: error: Need type annotation for "rows"  [var-annotated]\n'
        "assistance/recalc.py:10: note: hint\n"
        'core/backup.py:123: error: Value of type "tuple[Any, ...] | None" is not indexable  [index]\n'
    )
    baseline = typecheck.read_baseline(
        typecheck.HEADER + "".join(f"{k}\n" for k in typecheck.error_keys(before))
    )
    assert sum(baseline.values()) == 2  # notes are not errors

    moved = before.replace(":10:", ":42:")  # lines added above: the same errors
    assert typecheck.compare(typecheck.error_keys(moved), baseline) == ([], [])

    again = (
        before
        + 'core/backup.py:200: error: Value of type "tuple[Any, ...] | None" is not indexable  [index]\n'
    )
    new, gone = typecheck.compare(typecheck.error_keys(again), baseline)
    assert new == ['core/backup.py: [index] Value of type "tuple[Any, ...] | None" is not indexable']
    assert gone == []

    fixed = before.splitlines()[2] + "\n"
    assert typecheck.compare(typecheck.error_keys(fixed), baseline) == (
        [],
        ['assistance/recalc.py: [var-annotated] Need type annotation for "rows"'],
    )
    assert typecheck.error_keys("x.py:3: error: Name already defined on line 7  [no-redef]\n") == Counter(
        {"x.py: [no-redef] Name already defined on line N": 1}
    )


def _typed_reads():
    """(file, line, accessor, key or key prefix) of every `<x>.decimal("key")` … in the code."""
    for package in ("core", "households", "programs", "assistance", "projects", "reports", "devdata"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if not (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ACCESSORS
                    and len(node.args) == 1
                    and isinstance(node.func.value, ast.Name)
                    and node.func.value.id in {"params", "p", "old", "new", "found"}
                ):
                    continue
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield path.relative_to(ROOT), node.lineno, node.func.attr, arg.value, False
                elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
                    yield path.relative_to(ROOT), node.lineno, node.func.attr, arg.values[0].value, True


def test_every_typed_parameter_read_matches_the_declared_kind():
    reads = list(_typed_reads())
    assert len(reads) > 40  # the rules read their parameters this way
    wrong = []
    for path, line, accessor, key, is_prefix in reads:
        kinds = {spec.kind for k, spec in KEYS.items() if (k.startswith(key) if is_prefix else k == key)}
        if kinds != {accessor}:
            wrong.append(f"{path}:{line} params.{accessor}({key!r}) — declared {sorted(kinds) or 'nowhere'}")
    assert wrong == []


def test_typed_accessors_are_the_plain_lookup():
    version = ParamVersion(
        id=1,
        key="dibao.rural_standard_year",
        region_prefix="",
        valid_from=dt.date(2020, 1, 1),
        valid_to=None,
        value=Decimal("4800"),
    )
    params = resolve([version], region_code="211223", as_of=dt.date(2024, 1, 1))
    assert params.decimal("dibao.rural_standard_year") is params["dibao.rural_standard_year"]
    with pytest.raises(ParameterMissing) as missing:
        params.decimal("dibao.asset_multiple")
    assert "人均金融资产上限" in str(missing.value)


def test_ci_checks_the_types_before_the_suite():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "set -euo pipefail" in ci
    assert 0 < ci.index("\nmake typecheck\n") < ci.index("\nmake test\n")
    makefile = (ROOT / "Makefile").read_text()
    assert "typecheck: install\n\t$(PY) .ci/typecheck.py\n" in makefile
    assert ".mypy_cache/" in (ROOT / ".gitignore").read_text().splitlines()
