#!/usr/bin/python3
"""fork_latency.py: fork() while 4 threads call a hooked function, untraced and traced.

Run by `make bench` (or alone, `make bench-fork`). bench/fork_latency starts
FORK_THREADS (4) threads calling work_add in a loop and forks FORK_COUNT (200) times,
timing each fork() call; it runs untraced, traced with logger = none and traced with
the file logger (logs under BENCH_SHM, /dev/shm, removed after). Prints a table with
the traced/untraced ratios and writes <bench-dir>/fork_latency.json. Issue 11: the
prepare handler waited for the logger to finish a pass that busy threads kept
long (up to 516 ms a fork, 22.6 s for 200). No pass/fail: figures only.
Python 3 standard library only.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

LINE_RE = re.compile(r"forks=(\d+) total_ms=([\d.]+) median_us=([\d.]+) p99_us=([\d.]+) "
                     r"max_us=([\d.]+) calls=(\d+)")


def run(prog, threads, forks, env):
    p = subprocess.run([prog, str(threads), str(forks)], env=env, capture_output=True,
                       text=True, timeout=600)
    m = LINE_RE.search(p.stdout)
    if p.returncode != 0 or not m:
        return None
    keys = ("forks", "total_ms", "median_us", "p99_us", "max_us", "calls")
    return {k: float(v) for k, v in zip(keys, m.groups())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench-dir", required=True)
    ap.add_argument("--libimpulse", required=True)
    ap.add_argument("--conf", required=True)
    a = ap.parse_args()
    threads = int(os.environ.get("FORK_THREADS", "4"))
    forks = int(os.environ.get("FORK_COUNT", "200"))
    prog = os.path.join(a.bench_dir, "fork_latency")
    base = {k: v for k, v in os.environ.items()
            if not k.startswith("IMPULSE_") and k != "LD_PRELOAD"}
    shm = tempfile.mkdtemp(prefix="impulse-fork-",
                           dir=os.environ.get("BENCH_SHM", "/dev/shm"))
    rows = []
    try:
        rows.append(("untraced", run(prog, threads, forks, base)))
        for logger in ("none", "file"):
            env = dict(base, LD_PRELOAD=a.libimpulse, IMPULSE_CONFIG=os.path.abspath(a.conf),
                       IMPULSE_LOGGER=logger, IMPULSE_LOG_DIR=shm)
            if not os.path.exists(a.libimpulse):
                rows.append(("libimpulse, logger=" + logger, None))
                continue
            rows.append(("libimpulse, logger=" + logger, run(prog, threads, forks, env)))
            shutil.rmtree(shm, ignore_errors=True)
            os.makedirs(shm, exist_ok=True)
    finally:
        shutil.rmtree(shm, ignore_errors=True)
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    print("\nfork() latency, %d threads calling work_add, %d forks (%s, %d CPUs)"
          % (threads, forks, cpu, os.cpu_count() or 0))
    print("%-28s %10s %10s %10s %10s %8s" % ("", "total ms", "median µs", "p99 µs", "max µs",
                                            "× total"))
    ref = rows[0][1]
    for name, r in rows:
        if not r:
            print("%-28s %10s" % (name, "n/a"))
            continue
        ratio = r["total_ms"] / ref["total_ms"] if ref and ref["total_ms"] else float("nan")
        print("%-28s %10.1f %10.1f %10.1f %10.1f %8.1f" % (name, r["total_ms"], r["median_us"],
                                                          r["p99_us"], r["max_us"], ratio))
    with open(os.path.join(a.bench_dir, "fork_latency.json"), "w") as f:
        json.dump({"threads": threads, "forks": forks, "cpu": cpu,
                   "rows": [{"name": n, "result": r} for n, r in rows]}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
