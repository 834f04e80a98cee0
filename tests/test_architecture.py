"""The four floors (docs/architecture.md): households ← programs ← assistance ← reports, imports
downward only; the registry reads nothing of programs but the dated-parameter reader. The contract
lives in pyproject.toml ([tool.importlinter]); these tests run it on the code and on a broken copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("households", "programs", "assistance", "reports")


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
        ("households/probe.py", "from programs.models import EligibilityResult\n"),
        ("households/probe.py", "from programs.rules import dibao\n"),
        ("households/probe.py", "import assistance.models\n"),
        ("households/probe.py", "from reports import exporting\n"),
        ("programs/probe.py", "from assistance.models import DibaoCase\n"),
        ("programs/probe.py", "import reports.ledgers\n"),
        ("assistance/probe.py", "from reports.models import ExportJob\n"),
    ],
)
def test_floors_contract_breaks_on_an_upward_import(copy_of_code, module, line):
    (copy_of_code / module).write_text(line)
    result = lint_imports(copy_of_code)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert module.replace("/", ".").removesuffix(".py") in result.stdout


def test_the_registry_may_read_dated_parameters(copy_of_code):
    (copy_of_code / "households/probe.py").write_text("from programs.selectors import parameter_value\n")
    assert lint_imports(copy_of_code).returncode == 0
