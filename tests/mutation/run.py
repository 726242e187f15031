"""Mutation testing of the pure modules: does each module's test suite notice a small change
to its code? `make mutation` (part of `make test`) runs this.

mutmut (configured under [tool.mutmut] in pyproject.toml) changes one thing at a time in
the modules below (`// 12` to `// 13`, `<=` to `<`, "yes" to "XXyesXX"...) and runs the
fast tests that reach the changed function. A mutant is killed when a test fails. This
script starts from a clean mutants/ folder, runs mutmut, leaves out the mutants listed in
equivalent.txt (changes that behave exactly like the original, so no test could fail) and
prints each module's killed/total. It exits non-zero if a module is below FLOOR, or if
equivalent.txt lists a mutant that no longer exists or that the tests now kill.

    .venv/bin/python tests/mutation/run.py          # the whole run (about 3 minutes)
    .venv/bin/mutmut show <mutant name>             # what a surviving mutant changed
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EQUIVALENT = Path(__file__).with_name("equivalent.txt")
FLOOR = 90.0
MODULES = (
    "casemgr/deadlines/engine.py",
    "casemgr/deadlines/calendars.py",
    "casemgr/timeline/dates.py",
    "casemgr/bundles/numbering.py",
    "casemgr/timeline/pinpoints.py",
)
KILLED = {"killed", "timeout"}  # a mutant that makes the tests hang is noticed too


def equivalent_mutants() -> dict[str, str]:
    """Mutant name -> why it behaves as the original, from equivalent.txt."""
    listed = {}
    for line in EQUIVALENT.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            if not reason.strip():
                sys.exit(f"{EQUIVALENT.name}: {name} needs a reason why it is equivalent.")
            listed[name] = reason.strip()
    return listed


def run_mutmut() -> float:
    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    started = time.monotonic()
    mutmut = Path(sys.executable).with_name("mutmut")
    cores = str(os.cpu_count() or 1)
    result = subprocess.run(
        [mutmut, "run", "--max-children", cores],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,  # a progress line redrawn thousands of times
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stderr)
        sys.exit(f"mutmut run failed (exit {result.returncode}).")
    return time.monotonic() - started


def statuses(module: str) -> dict[str, str]:
    from mutmut.stats import status_by_exit_code

    meta = json.loads((ROOT / "mutants" / f"{module}.meta").read_text(encoding="utf-8"))
    return {name: status_by_exit_code[code] for name, code in meta["exit_code_by_key"].items()}


def diff(name: str, module: str) -> str:
    from mutmut.mutation.diff_apply import get_diff_for_mutant

    os.chdir(ROOT)
    try:
        return get_diff_for_mutant(name, path=module)
    except Exception as error:  # noqa: BLE001 (only the report's detail is lost)
        return f"    (no diff: {error})"


def main() -> int:
    listed = equivalent_mutants()
    seconds = run_mutmut()
    failed, seen = [], set()
    print(f"Mutation run of the pure modules: {seconds:.0f} s, floor {FLOOR:.0f}% per module.")
    print(f"{'module':<34} {'killed':>7} {'total':>6} {'score':>7} {'equivalent':>11}")
    for module in MODULES:
        found = statuses(module)
        equivalent = [name for name in found if name in listed]
        seen.update(equivalent)
        counted = {name: status for name, status in found.items() if name not in listed}
        killed = sum(status in KILLED for status in counted.values())
        score = 100.0 * killed / len(counted) if counted else 100.0
        print(f"{module:<34} {killed:>7} {len(counted):>6} {score:>6.1f}% {len(equivalent):>11}")
        survivors = sorted(name for name, status in counted.items() if status not in KILLED)
        if score < FLOOR:
            failed.append(f"{module} is at {score:.1f}%, below {FLOOR:.0f}%.")
        for name in survivors:
            print(f"  {counted[name]}: {name}")
            if score < FLOOR:
                print(diff(name, module))
        for name in equivalent:
            if found[name] in KILLED:
                failed.append(f"{name} is listed as equivalent but the tests kill it.")
    failed += [
        f"{name} is listed as equivalent but no longer exists." for name in listed.keys() - seen
    ]
    for message in failed:
        print(message, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
