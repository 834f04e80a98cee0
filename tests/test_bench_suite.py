"""make bench's table (bench/suite.py): a run rewrites its benches' rows between the markers of
docs/benchmarks.md and nothing else; rows of benches not run stay. No timing here (bench/ holds
the figures); this is the bookkeeping around them."""

from __future__ import annotations

import datetime as dt
import importlib
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench"


@pytest.fixture(scope="module")
def suite():
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("suite")
    finally:
        sys.path.remove(str(BENCH))


def result(suite, name: str, figures: list[dict], returncode: int = 0):
    bench = next(b for b in suite.BENCHES if b.name == name)
    started = dt.datetime(2026, 12, 7, 9, 30, tzinfo=dt.UTC)
    return suite.Result(
        bench, f"python bench/{name}.py --x 1", started, (1.5, 2.25), figures, returncode, 3.0
    )


def test_every_registered_bench_is_a_script_and_its_arguments_take_the_sizes(suite):
    size = suite.sizes(10_000)
    for bench in suite.BENCHES:
        assert (BENCH / f"{bench.name}.py").exists(), bench.name
        bench.args.format(**size)  # no unknown placeholder
    assert suite.BENCHES[0].name == "generate"
    assert len({b.name for b in suite.BENCHES}) == len(suite.BENCHES)


def test_figures_print_and_read_back(suite, capsys):
    from figures import figure, read

    figure("roll generation", 12.3456, "s", target="≤ 30 s")
    line = capsys.readouterr().out.strip()
    assert read(line) == {"name": "roll generation", "value": 12.3, "unit": "s", "target": "≤ 30 s"}
    assert read("roll generation (first): 7.4 s") is None


def test_a_run_rewrites_its_rows_keeps_the_others_and_nothing_outside_the_markers(suite, tmp_path):
    doc = tmp_path / "benchmarks.md"
    doc.write_text(
        f"# Benchmarks\nintro\n\n{suite.BEGIN}\n(not yet run)\n{suite.END}\n\n## Journal\nold run\n"
    )
    roll = result(suite, "roll", [{"name": "roll generation", "value": 7.4, "unit": "s", "target": "≤ 30 s"}])
    gen = result(suite, "generate", [{"name": "generate", "value": 33.7, "unit": "s", "target": ""}])
    suite.write_table(
        {"roll": suite.rows(roll, "x86_64"), "generate": suite.rows(gen, "x86_64")}, "run 1", doc
    )
    again = result(
        suite,
        "roll",
        [
            {"name": "roll generation", "value": 6.9, "unit": "s", "target": "≤ 30 s"},
            {"name": "versus the loop", "value": 97.0, "unit": "×", "target": ""},
        ],
    )
    suite.write_table({"roll": suite.rows(again, "x86_64")}, "run 2", doc)
    text = doc.read_text()
    assert text.startswith("# Benchmarks\nintro\n\n")
    assert text.endswith(f"{suite.END}\n\n## Journal\nold run\n")
    table = text.split(suite.BEGIN)[1].split(suite.END)[0]
    assert "run 2" in table
    assert "run 1" not in table
    assert "(not yet run)" not in table
    lines = [line for line in table.splitlines() if line.startswith("| ") and not line.startswith("| bench")]
    assert lines[0].startswith("| generate · ")
    assert "33.7 s" in lines[0]
    assert lines[1].startswith("| roll · ")
    assert "6.90 s" in lines[1]
    assert "`python bench/roll.py --x 1`" in lines[1]
    assert "2026-12-07 09:30" in lines[1]
    assert "1.5 → 2.2" in lines[1]
    assert lines[2].startswith("|  | versus the loop | 97.0× |")
    assert len(lines) == 3


def test_a_failed_script_says_so_in_its_row(suite):
    (line,) = suite.rows(result(suite, "roll", [], returncode=1), "x86_64")
    assert "**failed**" in line
    assert "exit 1" in line
    assert ".data/bench/roll.log" in line
