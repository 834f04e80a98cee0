"""`make typecheck`: mypy (with django-stubs) over the code, against a baseline of known errors.

The money modules and the rules are checked strictly (pyproject.toml, [[tool.mypy.overrides]]) and
have no baseline: every error there fails. The rest is checked at mypy's default level and may keep
the errors listed in mypy-baseline.txt — no other: an error that is not in it fails the run.

An error is keyed by its file, code and message, without the line number (editing a file above an
error does not move it out of the baseline); the baseline lists a key as often as it occurs. A listed
error that is gone is only reported: `make typecheck-baseline` rewrites the file (review the diff,
it should only shrink).

    python .ci/typecheck.py            check (exit 1 on a new error)
    python .ci/typecheck.py --update   rewrite mypy-baseline.txt from the current errors
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "mypy-baseline.txt"
HEADER = (
    "# mypy errors the code had when type checking began (`make typecheck` fails on any other).\n"
    "# One line per error: file, [code], message (no line number). Shrink it: fix, then\n"
    "# `make typecheck-baseline`. Strict modules (pyproject.toml) never appear here.\n"
)
ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<message>.*?)(?:  \[(?P<code>[a-z-]+)\])?$")


def error_keys(mypy_output: str) -> Counter[str]:
    """The errors of a mypy run (notes left out), keyed without line numbers."""
    keys: Counter[str] = Counter()
    for line in mypy_output.splitlines():
        match = ERROR.match(line)
        if match:
            message = re.sub(r"\bline \d+\b", "line N", match["message"])
            keys[f"{match['path']}: [{match['code'] or 'misc'}] {message}"] += 1
    return keys


def read_baseline(text: str) -> Counter[str]:
    return Counter(line for line in text.splitlines() if line and not line.startswith("#"))


def compare(current: Counter[str], baseline: Counter[str]) -> tuple[list[str], list[str]]:
    """(new errors, baselined errors that are gone), each key repeated by how many."""
    return sorted((current - baseline).elements()), sorted((baseline - current).elements())


def run_mypy() -> tuple[str, int]:
    # The django-stubs plugin imports the settings; with DATABASE_URL unset they would start the
    # embedded PostgreSQL. Nothing connects: any URL will do.
    os.environ.setdefault("DATABASE_URL", "postgres://typecheck@127.0.0.1:9/typecheck")
    os.chdir(ROOT)
    from mypy import api

    stdout, stderr, status = api.run(["--no-error-summary", "--no-pretty", "--show-error-codes"])
    if status not in (0, 1):  # 2: mypy could not check (a blocking error, a crash)
        sys.stderr.write(stdout + stderr)
        raise SystemExit(f"mypy failed to run (exit {status})")
    if stderr.strip():  # warnings, e.g. from the settings the plugin imports
        sys.stderr.write(stderr)
    return stdout, status


def main(argv: list[str]) -> int:
    started = time.monotonic()
    output, _ = run_mypy()
    current = error_keys(output)
    if "--update" in argv:
        BASELINE.write_text(HEADER + "".join(f"{key}\n" for key in sorted(current.elements())))
        print(f"mypy-baseline.txt: {sum(current.values())} errors")
        return 0
    baseline = read_baseline(BASELINE.read_text()) if BASELINE.exists() else Counter()
    new, gone = compare(current, baseline)
    seconds = time.monotonic() - started
    if gone:
        print(f"{len(gone)} baselined errors are fixed; `make typecheck-baseline` removes them:")
        print("".join(f"  {key}\n" for key in gone), end="")
    if new:
        keys = set(new)
        print(
            "".join(line + "\n" for line in output.splitlines() if ERROR.match(line) and _key(line) in keys)
        )
        print(f"mypy: {len(new)} new errors (not in mypy-baseline.txt) — {seconds:.1f} s")
        return 1
    print(f"mypy: no new errors ({sum(baseline.values())} baselined) — {seconds:.1f} s")
    return 0


def _key(line: str) -> str:
    return next(iter(error_keys(line)))


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)  # as mypy's own command does: no teardown of its large heap
