"""Every citation resolves to an anchor of docs/domain.md (issue 24; syntax in domain.md#citations).

A citation is a key of a numbered series written bare (S002, N3, P14, R9, "scenario 27") or
domain.md#<anchor>. Scanned: the comments and string literals of the application code (every
Python file outside tests/ and migrations/), the sources of the seeded parameters and programmes
(what the data migrations store), and the scenario numbers in test names (scenario_NN). The old
references (domain.md followed by a section letter, INTERFACES.md, shared/domain.md) point outside
the repository and are reported too.
"""

from __future__ import annotations

import importlib
import io
import re
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = ROOT / "docs" / "domain.md"
SKIPPED_DIRS = {"tests", "migrations", "node_modules", "__pycache__", "test-results", "build", "dist"}

ANCHOR_TAG = re.compile(r'<a id="([A-Za-z0-9-]+)"></a>')
NOT_KEY_BEFORE = r"(?<![A-Za-z0-9_#/.-])"
NOT_KEY_AFTER = r"(?![A-Za-z0-9_])"
# Seeds are S000–S009; the bandit codes of noqa comments (S603 …) are S1xx and never match.
KEY = re.compile(NOT_KEY_BEFORE + r"(S0\d\d|N\d{1,2}|P\d{1,2}|R\d{1,2})" + NOT_KEY_AFTER)
NOQA = re.compile(r"#\s*(noqa|type:|fmt:|pragma)\b.*")
SECTION = re.compile(r"domain\.md#([A-Za-z0-9_-]+)")
SCENARIO = re.compile(r"(?i)(?<![A-Za-z])scenarios?[ _](\d+)(?:\s*[–-]\s*(\d+))?")
# References to documents that are not in the repository, or to domain.md without an anchor (a
# bare docs/domain.md names the whole file and is fine).
STALE = re.compile(r"INTERFACES\.md|shared/domain\.md|(?<![\w/])domain\.md(?!#)")
TEST_NAME_SCENARIO = re.compile(r"def (test_\w*?scenario_(\d+)\w*)")


def anchors() -> set[str]:
    return set(ANCHOR_TAG.findall(DOMAIN.read_text(encoding="utf-8")))


def citations(text: str) -> list[str]:
    """The anchors a piece of text cites, and a marker for each stale reference."""
    found = KEY.findall(text) + SECTION.findall(text)
    for first, last in SCENARIO.findall(text):
        found += [f"scenario-{int(n)}" for n in (first, last) if n]
    found += [f"<{m.group(0)}>" for m in STALE.finditer(text)]
    return found


def application_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not any(part in SKIPPED_DIRS or part.startswith(".") for part in path.relative_to(ROOT).parts)
    )


def comments_and_strings(path: Path):
    """(line, text) of every comment and string literal (docstrings included) of a Python file."""
    source = path.read_text(encoding="utf-8")
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], NOQA.sub("", token.string)
        elif token.type == tokenize.STRING:
            yield token.start[0], token.string


def unresolved(found: list[str], known: set[str]) -> list[str]:
    return [c for c in found if c not in known]


def test_domain_md_anchors_are_unique():
    ids = ANCHOR_TAG.findall(DOMAIN.read_text(encoding="utf-8"))
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_citation_in_the_application_code_resolves_to_an_anchor():
    known = anchors()
    failures = []
    files = application_files()
    for path in files:
        for line, text in comments_and_strings(path):
            for cited in unresolved(citations(text), known):
                failures.append(f"{path.relative_to(ROOT)}:{line}: {cited}")
    assert len(files) > 100, "the scan found too few files to be looking at the application"
    assert not failures, "citations without an anchor in docs/domain.md:\n" + "\n".join(failures)


def _seeded_sources() -> list[tuple[str, str]]:
    """(where, text) of every source and rule text the data migrations store: the programs seed as
    the migrations leave it (programs.seed), and the PARAMETERS of the other apps' migrations."""
    seed = importlib.import_module("programs.seed")
    rows = [(f"programs seed {key}", source) for key, *_, source in seed.PARAMETERS]
    rows += [
        (f"programs seed programme {code}", f"{rule} {source}")
        for code, _, _, rule, source, _ in seed.PROGRAMS
    ]
    for path in sorted(ROOT.glob("*/migrations/0*.py")):
        if path.parts[-3] == "programs":
            continue
        module = importlib.import_module(f"{path.parts[-3]}.migrations.{path.stem}")
        for row in getattr(module, "PARAMETERS", ()):
            rows += [
                (f"{path.relative_to(ROOT)} {row[0]}", text) for text in row[1:] if isinstance(text, str)
            ]
    return rows


def test_every_citation_in_the_seeded_parameter_sources_resolves_to_an_anchor():
    known = anchors()
    rows = _seeded_sources()
    failures = [f"{where}: {cited}" for where, text in rows for cited in unresolved(citations(text), known)]
    assert len(rows) > 100
    assert not failures, "seeded sources citing no anchor of docs/domain.md:\n" + "\n".join(failures)


def test_every_scenario_test_names_a_scenario_of_domain_md():
    known = anchors()
    failures = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for name, number in TEST_NAME_SCENARIO.findall(path.read_text(encoding="utf-8")):
            if f"scenario-{int(number)}" not in known:
                failures.append(f"{path.relative_to(ROOT)}: {name}")
    assert not failures, "scenario tests without their scenario in docs/domain.md:\n" + "\n".join(failures)


def test_the_scan_recognises_the_citation_forms():
    known = {"R9", "S002", "P14", "ledger-5", "scenario-27", "scenario-30"}
    assert unresolved(citations("R9, S002 二(三)1（P14）"), known) == []
    assert unresolved(citations("see domain.md#ledger-5 and scenarios 27–30"), known) == []
    assert unresolved(citations("正安县S002、R9"), known) == []
    assert unresolved(citations("R99 and domain.md#nowhere"), known) == ["R99", "nowhere"]
    assert unresolved(citations("the " + "domain.md (c) table"), known) == ["<domain.md>"]
    assert unresolved(citations("docs/domain.md as a whole"), known) == []
    assert unresolved(citations("P95 latency"), known) == ["P95"]
    assert citations("ROUND_HALF_UP R1C1 XR9 R9x") == []
