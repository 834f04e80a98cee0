"""The floors (docs/architecture.md): core ← households ← programs ← assistance ← reports ← field, imports
downward only, with no exception (devdata, dev-only, above them all). The contract lives in
pyproject.toml ([tool.importlinter]); these tests run it on the code and on a broken copy. No module
imports another app's private name (`from x import _y`) either."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "households", "programs", "assistance", "projects", "reports", "field", "devdata")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    script = "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())"
    return subprocess.run(
        [sys.executable, "-c", script, "--config", str(cwd / "pyproject.toml"), "--no-cache"],
        cwd=cwd,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_floors_contract_is_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy_of_code(tmp_path):
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("module", "line"),
    [
        ("core/probe.py", "from households.models import Household\n"),
        ("core/probe.py", "from programs.selectors import parameter_value\n"),
        ("households/probe.py", "from programs.selectors import parameter_value\n"),
        ("households/probe.py", "from programs.models import EligibilityResult\n"),
        ("households/probe.py", "from programs.rules import dibao\n"),
        ("households/probe.py", "import assistance.models\n"),
        ("households/probe.py", "from reports import exporting\n"),
        ("programs/probe.py", "from assistance.models import DibaoCase\n"),
        ("programs/probe.py", "import reports.ledgers\n"),
        ("assistance/probe.py", "from reports.models import ExportJob\n"),
        ("reports/probe.py", "from devdata import demo\n"),
        ("reports/probe.py", "from field import selectors\n"),
        ("assistance/probe.py", "import field.views\n"),
        ("field/probe.py", "from devdata import demo\n"),
    ],
)
def test_floors_contract_breaks_on_an_upward_import(copy_of_code, module, line):
    (copy_of_code / module).write_text(line)
    result = lint_imports(copy_of_code)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout


def test_no_app_imports_a_private_name_of_another_app():
    """`from households.workflow.services import _log` couples two floors through a name the owner
    may change at will: the public API (e.g. core.workflow.services.log_event) is the way."""
    offenders = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                    continue
                top = node.module.split(".")[0]
                if top == package or top not in PACKAGES:
                    continue
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private or any(part.startswith("_") for part in node.module.split(".")[1:]):
                    offenders.append(f"{path.relative_to(ROOT)}: from {node.module} import {private}")
    assert offenders == []
