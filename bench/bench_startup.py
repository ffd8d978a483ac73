"""Start-up of commands that need little: `plan show`, and `status` on a synced store.

    .venv/bin/python -m bench.bench_startup [--samples N]

Each command runs as a fresh process (what a user waits for), the commands interleaved
sample by sample, medians reported, wall time and CPU time (user + system of the child,
from ``resource.getrusage(RUSAGE_CHILDREN)``), each as a ratio to a baseline measured in
the same run:

- baseline: ``python -c "import click, sqlalchemy, pluggy, rich"`` (the libraries any
  naptip command needs);
- ``naptip plan show`` (the whole tree, to a pipe, 80 columns); goal: ≤ 1.2× the
  baseline;
- ``naptip status --as-of 2024-06-01`` on a SQLite store synced beforehand;
- the same ``status`` with Alembic imported first, as every store-reading command did
  before issue 18: the difference is what checking the schema with Alembic costs.

The processes run with byte-code caching on (``PYTHONDONTWRITEBYTECODE`` removed, one
warm-up run each) and a user cache folder of their own, warmed by that run: the figures
are those of an installed naptip run a second time, not of its first run.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter

MAIN = "import sys; from naptip.cli import main; sys.exit(main())"
ALEMBIC_FIRST = ("import alembic.command, alembic.script, alembic.runtime.migration; "
                 + MAIN)
BASELINE = "import click, sqlalchemy, pluggy, rich"
#: which heavy modules a command imported, printed at exit by a separate (untimed) run
PROBE = ("import atexit, sys; atexit.register(lambda: sys.stderr.write("
         "'imported: ' + ' '.join(m for m in ('alembic', 'rich', 'prefect') "
         "if m in sys.modules) + '\\n')); " + MAIN)
AS_OF = "2024-06-01"


@dataclass
class Command:
    label: str
    argv: list[str]
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def run(self, env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = perf_counter()
        done = subprocess.run(self.argv, capture_output=True, text=True, env=env,
                              timeout=300, check=False)
        wall = perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if check and done.returncode != 0:
            raise SystemExit(f"{self.label} failed (exit {done.returncode}): "
                             f"{done.stderr.strip().splitlines()[-1:]}")
        self.wall.append(wall)
        self.cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        return done

    @property
    def wall_s(self) -> float:
        return statistics.median(self.wall)

    @property
    def cpu_s(self) -> float:
        return statistics.median(self.cpu)


def environment(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONDONTWRITEBYTECODE", "NAPTIP_AS_OF", "NAPTIP_CONFIG",
                        "NAPTIP_PLUGINS_DIR")}
    env.update(COLUMNS="80", NAPTIP_DATABASE_URL=f"sqlite:///{folder / 'naptip.db'}",
               NAPTIP_BLOB_DIR=str(folder / "blobs"), XDG_CACHE_HOME=str(folder / "cache"),
               XDG_CONFIG_HOME=str(folder / "config"), XDG_DATA_HOME=str(folder / "data"),
               NAPTIP_OUTBOX_DIR=str(folder / "outbox"))
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=7, help="runs of each (median)")
    args = parser.parse_args(argv)
    if args.samples < 1:
        parser.error("--samples must be at least 1")
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        env = environment(Path(tmp))
        sync = Command("sync", [py, "-c", MAIN, "--as-of", AS_OF, "sync"])
        sync.run(env)
        status_args = ["status", "--as-of", AS_OF]
        baseline = Command("baseline", [py, "-c", BASELINE])
        show = Command("plan show", [py, "-c", MAIN, "plan", "show"])
        status = Command("status", [py, "-c", MAIN, *status_args])
        alembic = Command("status + alembic", [py, "-c", ALEMBIC_FIRST, *status_args])
        commands = [baseline, show, status, alembic]
        lines = {c.label: c.run(env).stdout.count("\n") for c in commands}  # warm-up
        for c in commands:
            c.wall.clear()
            c.cpu.clear()
        for n in range(args.samples):
            for c in commands[n % len(commands):] + commands[:n % len(commands)]:
                c.run(env)
        probes = {}
        for label, cmd in (("plan show", ["plan", "show"]), ("status", status_args)):
            done = subprocess.run([py, "-c", PROBE, *cmd], capture_output=True, text=True,
                                  env=env, timeout=300, check=False)
            probes[label] = next((line.removeprefix("imported: ") for line in
                                  done.stderr.splitlines() if line.startswith("imported:")),
                                 "?") or "none of alembic, rich, prefect"
    print(f"fresh processes, {args.samples} interleaved samples each, medians "
          f"(wall / CPU user+system):")
    for c in commands:
        print(f"  {c.label:<17} {c.wall_s * 1000:6.0f} ms / {c.cpu_s * 1000:6.0f} ms CPU"
              f"   ({lines[c.label]} lines out)")
    for label, ratio_of, to in (("plan show / baseline", show, baseline),
                                ("status / baseline", status, baseline),
                                ("status + alembic / status", alembic, status)):
        print(f"ratio {label}: {ratio_of.wall_s / to.wall_s:.2f} wall, "
              f"{ratio_of.cpu_s / to.cpu_s:.2f} CPU")
    for what, ratio in (("wall", show.wall_s / baseline.wall_s),
                        ("CPU", show.cpu_s / baseline.cpu_s)):
        print(f"goal plan show ≤ 1.2× baseline ({what}): {'met' if ratio <= 1.2 else 'NOT met'}")
    for label, imported in probes.items():
        print(f"{label} imports: {imported}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
