"""An idle day's work: a second ``naptip run --as-of D`` with nothing new to send, against
``naptip status --as-of D`` on the same store, both as fresh processes.

    .venv/bin/python -m bench.bench_idle_run [--contacts N] [--samples N] [--as-of DATE]

A SQLite store is synced with the built-in plan and given a contact directory of
``--contacts`` people (leads, chairs and members of every committee, one secretariat);
a first ``naptip run --as-of D`` sends what is due and publishes every feed (whole plan,
committees, one per contact). Then, interleaved, ``--samples`` times each: the same run
again (it must send nothing and rewrite no feed) and ``naptip status``. Medians of CPU
time (user + system of the child) and of wall time, and the ratio run/status.
Goal (issue 18): an idle run costs at most 1.5x ``status``. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

COMMITTEES = ("legislative", "enforcement", "victim-care", "media", "forced-labour",
              "monitoring", "nso-mapo")
ROLES = ("lead", "chair", "member")


def naptip() -> list[str]:
    """The command line, as the installed entry point runs it (a fresh process)."""
    return [sys.executable, "-c", "from naptip.cli import main; main()"]


def contacts_csv(path: Path, n: int) -> None:
    """``n`` people: one secretariat, the others leads, chairs and members in turn."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["name", "email", "language", "state", "roles", "urls"])
        out.writerow(["Secretariat", "secretariat@mapo.example.gov.my", "en", "putrajaya",
                      "secretariat:nso-mapo lead:nso-mapo", ""])
        for i in range(n - 1):
            committee, role = COMMITTEES[i % len(COMMITTEES)], ROLES[(i // 7) % len(ROLES)]
            out.writerow([f"Person {i}", f"person{i}@{committee}.example.gov.my",
                          "ms" if i % 4 == 0 else "en", "putrajaya", f"{role}:{committee}",
                          ""])


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(CPU seconds of the child, wall seconds, its stdout); a failure stops the bench."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd[3:])} exited {done.returncode}: "
                         f"{done.stderr.strip()[-500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, done.stdout


def outbox_count(folder: Path) -> int:
    return sum(1 for _ in folder.rglob("*.eml")) if folder.exists() else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--contacts", type=int, default=100)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--as-of", dest="as_of", type=date.fromisoformat,
                        default=date(2025, 6, 30))
    args = parser.parse_args(argv)
    if args.contacts < 1 or args.samples < 1:
        parser.error("--contacts and --samples must be at least 1")
    with tempfile.TemporaryDirectory(prefix="naptip-bench-") as tmp:
        root = Path(tmp)
        env = {**os.environ, "NAPTIP_DATABASE_URL": f"sqlite:///{root / 'naptip.db'}",
               "NAPTIP_BLOB_DIR": str(root / "blobs"), "NAPTIP_OUTBOX_DIR": str(root / "outbox"),
               "NAPTIP_CALENDAR_DIR": str(root / "calendars"), "COLUMNS": "80"}
        for key in ("NAPTIP_AS_OF", "NAPTIP_CONFIG", "NAPTIP_PLUGINS_DIR"):
            env.pop(key, None)
        day = ["--as-of", args.as_of.isoformat()]
        contacts_csv(root / "contacts.csv", args.contacts)
        timed([*naptip(), "sync", *day], env)
        timed([*naptip(), "contacts", "import", str(root / "contacts.csv")], env)
        timed([*naptip(), "run", *day], env)
        feeds = len(list((root / "calendars").glob("*.ics")))
        sent = outbox_count(root / "outbox")
        print(f"store: built-in plan, {args.contacts} contacts, {feeds} feeds; first run on "
              f"{args.as_of}: {sent} message(s) in the outbox")
        runs: list[tuple[float, float]] = []
        statuses: list[tuple[float, float]] = []
        last = ""
        for _ in range(args.samples):
            cpu, wall, last = timed([*naptip(), "run", *day], env)
            runs.append((cpu, wall))
            cpu, wall, _out = timed([*naptip(), "status", *day], env)
            statuses.append((cpu, wall))
        idle = outbox_count(root / "outbox") == sent
        print(f"idle run sent nothing new: {'yes' if idle else 'NO'}")
        for line in last.splitlines():
            print(f"    {line}")
    run_cpu = statistics.median(c for c, _w in runs)
    run_wall = statistics.median(w for _c, w in runs)
    st_cpu = statistics.median(c for c, _w in statuses)
    st_wall = statistics.median(w for _c, w in statuses)
    ratio = run_cpu / st_cpu
    print(f"idle run:  CPU {run_cpu:.2f} s, wall {run_wall:.2f} s (median of {args.samples})")
    print(f"status:    CPU {st_cpu:.2f} s, wall {st_wall:.2f} s (median of {args.samples})")
    print(f"ratio idle run/status: CPU {ratio:.2f}x, wall {run_wall / st_wall:.2f}x "
          f"(goal <= 1.5x: {'met' if ratio <= 1.5 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
