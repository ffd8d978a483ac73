"""`naptip plugins check` on rules that used to stall it, against the built-in plan.

    .venv/bin/python -m bench.bench_check [--repeat N]

A plugin folder holds one duty with FREQ=MINUTELY and one with FREQ=SECONDLY over the
plan period. Before issue 7 the MINUTELY rule was expanded into 2.6 million instances
(33 s, then "ok") and SECONDLY never finished. Now both are refused before expansion.

Measured in the same run, each as a fresh process (what a user waits for) and in-process
(without interpreter start-up and imports):

- baseline: `naptip plugins check` on the built-in plan alone;
- bad rules: `naptip --plugins-dir DIR plugins check` with the two duties.

Goals: the bad-rules check under 2 s and within 1.5x the baseline; exactly two error
lines; exit status 1.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

from naptip.cli import cli

UNTIL = "UNTIL=20251231T155959Z"
PLUGIN = '''from naptip import hookimpl, Duty, DutyKind

@hookimpl
def naptip_duties():
    return [Duty(id="{id}", title="{id}", owner="media", kind=DutyKind.MEETING,
                 recurrence="DTSTART;TZID=Asia/Kuala_Lumpur:20210101T000000\\n"
                            "RRULE:FREQ={freq};{until}")]
'''
MAIN = "import sys; from naptip.cli import main; sys.exit(main())"


def write_plugins(folder: Path) -> None:
    for freq in ("MINUTELY", "SECONDLY"):
        (folder / f"{freq.lower()}_duty.py").write_text(
            PLUGIN.format(id=f"{freq.lower()}-duty", freq=freq, until=UNTIL), encoding="utf-8")


def in_process(args: list[str], repeat: int) -> tuple[float, int, list[str]]:
    times, code, lines = [], 0, []
    for _ in range(repeat):
        start = time.perf_counter()
        result = CliRunner().invoke(cli, args)
        times.append(time.perf_counter() - start)
        code, lines = result.exit_code, result.stdout.splitlines()
    return statistics.median(times), code, lines


def fresh_process(args: list[str], repeat: int) -> tuple[float, int, list[str]]:
    times, code, lines = [], 0, []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", MAIN, *args], capture_output=True,
                              text=True, timeout=120, check=False)
        times.append(time.perf_counter() - start)
        code, lines = done.returncode, done.stdout.splitlines()
    return statistics.median(times), code, lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each (median)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_plugins(folder)
        base_args = ["plugins", "check"]
        bad_args = ["--plugins-dir", str(folder), "plugins", "check"]
        ok = True
        for label, measure in (("in-process", in_process), ("fresh process", fresh_process)):
            base_s, base_code, _ = measure(base_args, args.repeat)
            bad_s, bad_code, lines = measure(bad_args, args.repeat)
            errors = [line for line in lines if "finer than daily" in line]
            ratio = bad_s / base_s
            good = bad_code == 1 and len(lines) == 2 == len(errors) and bad_s < 2.0
            ok = ok and good and base_code == 0
            print(f"{label}: built-in plan {base_s * 1000:.0f} ms (exit {base_code}); "
                  f"MINUTELY+SECONDLY {bad_s * 1000:.0f} ms (exit {bad_code}, "
                  f"{len(errors)} error lines); ratio bad/baseline {ratio:.2f}; "
                  f"goal < 2 s with two error lines: {'met' if good else 'NOT met'}")
        for line in lines:
            print(f"  {line}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
