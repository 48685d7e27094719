#!/usr/bin/python3
"""tree_bench.py — `impulse tree` and `impulse tail` on a large record file: wall time,
records/s and peak RSS, with `jq` counting the same records for scale.

    make bench-tree                   # TREE_BENCH_N records (default 1,000,000)
    TREE_BENCH_N=10000000 make bench-tree

The file comes from bench's driver (work_add, N calls on one thread) under libimpulse
with the file logger; it is written to $TMPDIR and removed afterwards. Target (issue
6): >= 1,000,000 records/s and <= 64 MiB. Python 3 standard library only.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time


def measure(argv):
    """(wall s, peak RSS MiB) of one run of argv, its output to /dev/null."""
    t0 = time.monotonic()
    with open(os.devnull, "w") as null:
        p = subprocess.Popen(argv, stdout=null, stderr=subprocess.PIPE)
        err = p.stderr.read()
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = status
    wall = time.monotonic() - t0
    if status:
        raise SystemExit("%s: status %d: %s" % (argv[0], status, err.decode()[-500:]))
    return wall, usage.ru_maxrss / 1024.0


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    n = int(os.environ.get("TREE_BENCH_N", "1000000"))
    tool = os.path.join(build, "impulse")
    driver = os.path.join(build, "bench", "driver")
    tmp = tempfile.mkdtemp(prefix="impulse-tree-bench-")
    try:
        logs = os.path.join(tmp, "logs")
        env = dict(os.environ, LD_PRELOAD=os.path.abspath(os.path.join(build, "libimpulse.so")),
                   IMPULSE_CONFIG=os.path.abspath("bench/work.conf"), IMPULSE_LOG_DIR=logs,
                   IMPULSE_LOGGER="file")
        subprocess.run([driver, "add", str(n), "1"], env=env, check=True)
        files = [os.path.join(logs, f) for f in os.listdir(logs)]
        size = sum(os.path.getsize(f) for f in files)
        records = sum(1 for f in files for _ in open(f, "rb"))
        print("records: %d in %d file(s), %.0f MB" % (records, len(files), size / 1e6))
        rows = [("impulse tree", [tool, "tree", "--no-pager", "--color=never", logs]),
                ("impulse tail -n 10", [tool, "tail", "-n", "10", logs])]
        if shutil.which("jq"):
            rows.append(("jq count", ["jq", "-n", "reduce inputs as $r (0; . + 1)"] + files))
        for name, argv in rows:
            wall, rss = measure(argv)
            print("%-20s %7.2f s  %10.0f records/s  peak RSS %6.1f MiB" %
                  (name, wall, records / wall, rss))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
