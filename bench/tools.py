#!/usr/bin/python3
"""tools.py — `make bench-tools`: the impulse command's readers on a big record file.

Generates, once, a file of N records (TOOLS_RECORDS, default 10,000,000): the
benchmark's own `driver add N 1` (bench/driver.c, work_add through the PLT) run under
libimpulse with bench/work.conf and the file logger, into TOOLS_DIR (default
<bench-dir>/tools-records; kept, and reused while it holds N calls and a root). Then
times, with the peak RSS of the child (/usr/bin/time -f %M):

  - impulse stats FILE > /dev/null
  - impulse tree FILE > /dev/null, when this impulse has a `tree` subcommand
    (otherwise the row says so)
  - jq counting the records per function, for scale: jq -n 'reduce inputs as $r
    ({}; .[$r.payload.function.name] += 1)'. jq reads ~20-50 thousand records/s, so it
    gets the first TOOLS_JQ_RECORDS lines (default 1,000,000; "all" for the whole file)
    and is compared by records/s.

Prints records/s (wall, and per CPU second: the machine may be shared), MiB and the
ratio to jq, checks the targets (>= 1,000,000 records/s
read, <= 64 MiB), and writes <bench-dir>/tools.json. A missing tool gives an n/a row;
a missed target is reported, not fatal.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

TARGET_RATE = 1000000
TARGET_MIB = 64


def run_measured(argv, stdout=subprocess.DEVNULL, env=None):
    """(seconds, peak RSS KiB, CPU seconds (user + sys), status) of one child. Through /usr/bin/time: a child
    forked from Python itself would report Python's RSS (ru_maxrss survives exec)."""
    fd, out = tempfile.mkstemp(prefix="bench-tools-time-")
    os.close(fd)
    try:
        start = time.monotonic()
        p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", out] + argv, stdout=stdout,
                           stderr=subprocess.PIPE, env=env)
        wall = time.monotonic() - start
        with open(out) as f:
            lines = f.read().split()
        try:
            rss, cpu = int(lines[-3]), float(lines[-2]) + float(lines[-1])
        except (IndexError, ValueError):
            rss, cpu = 0, 0.0
    finally:
        os.unlink(out)
    if p.returncode != 0:
        print("bench-tools: %s: status %d: %s" % (" ".join(argv), p.returncode,
                                                  p.stderr.decode("utf-8", "replace")[-500:]),
              file=sys.stderr)
    return wall, rss, cpu, p.returncode


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 24)
            if not block:
                return n
            n += block.count(b"\n")


def record_file(args, n):
    """The N-call file, made once."""
    os.makedirs(args.dir, exist_ok=True)
    stamp = os.path.join(args.dir, "records.stamp")
    files = sorted(f for f in os.listdir(args.dir) if f.startswith("logs_") and f.endswith(".json"))
    if len(files) == 1 and os.path.exists(stamp):
        with open(stamp) as f:
            if f.read().strip() == "%d %d" % (n, os.path.getsize(os.path.join(args.dir, files[0]))):
                return os.path.join(args.dir, files[0])
    for f in os.listdir(args.dir):
        os.unlink(os.path.join(args.dir, f))
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPULSE_")}
    env.update(LD_PRELOAD=args.libimpulse, IMPULSE_CONFIG=args.conf, IMPULSE_LOGGER="file",
               IMPULSE_LOG_DIR=args.dir)
    print("bench-tools: writing %d records into %s (driver add %d 1 under libimpulse)…"
          % (n + 1, args.dir, n), flush=True)
    t = time.monotonic()
    subprocess.run([os.path.join(args.bench_dir, "driver"), "add", str(n), "1"], env=env,
                   check=True)
    files = sorted(f for f in os.listdir(args.dir) if f.startswith("logs_"))
    if len(files) != 1:
        raise SystemExit("bench-tools: expected one record file in %s, got %s" % (args.dir, files))
    path = os.path.join(args.dir, files[0])
    lines = count_lines(path)
    if lines != n + 1:
        raise SystemExit("bench-tools: %s holds %d records, not %d (dropped?)" % (path, lines, n + 1))
    with open(stamp, "w") as f:
        f.write("%d %d\n" % (n, os.path.getsize(path)))
    print("bench-tools: %.1f GB in %.1f s" % (os.path.getsize(path) / 1e9, time.monotonic() - t))
    return path


def has_subcommand(impulse, name):
    try:
        return subprocess.run([impulse, name, "--help"], capture_output=True).returncode == 0
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bench-dir", required=True)
    ap.add_argument("--libimpulse", required=True)
    ap.add_argument("--conf", default="bench/work.conf")
    ap.add_argument("--impulse", default=None)
    ap.add_argument("--dir", default=os.environ.get("TOOLS_DIR"))
    args = ap.parse_args()
    args.impulse = args.impulse or os.path.join(os.path.dirname(args.libimpulse), "impulse")
    args.dir = args.dir or os.path.join(args.bench_dir, "tools-records")
    n = int(os.environ.get("TOOLS_RECORDS", "10000000"))
    jq_n = os.environ.get("TOOLS_JQ_RECORDS", "1000000")

    path = record_file(args, n)
    size = os.path.getsize(path)
    records = n + 1
    rows = []

    def measure(name, argv, nrec, nbytes):
        wall, rss, cpu, status = run_measured(argv)
        row = {"tool": name, "command": " ".join(argv), "records": nrec, "bytes": nbytes,
               "seconds": round(wall, 3), "records_per_s": round(nrec / wall) if wall else None,
               "mb_per_s": round(nbytes / wall / 1e6, 1) if wall else None,
               "peak_rss_mib": round(rss / 1024.0, 1), "cpu_seconds": round(cpu, 2),
               "records_per_cpu_s": round(nrec / cpu) if cpu else None, "status": status}
        rows.append(row)
        return row

    measure("impulse stats", [args.impulse, "stats", path], records, size)
    if has_subcommand(args.impulse, "tree"):
        measure("impulse tree", [args.impulse, "tree", path], records, size)
    else:
        rows.append({"tool": "impulse tree", "status": "n/a: no 'tree' subcommand in this impulse"})
    jq = shutil.which("jq")
    if jq:
        jq_path, jq_records = path, records
        if jq_n != "all" and int(jq_n) < records:
            jq_records = int(jq_n)
            jq_path = os.path.join(args.dir, "head_%d.json" % jq_records)
            if not os.path.exists(jq_path):
                with open(path, "rb") as src, open(jq_path + ".tmp", "wb") as dst:
                    for i, line in enumerate(src):
                        if i == jq_records:
                            break
                        dst.write(line)
                os.rename(jq_path + ".tmp", jq_path)
        measure("jq (count per function)",
                [jq, "-n", "reduce inputs as $r ({}; .[$r.payload.function.name] += 1)", jq_path],
                jq_records, os.path.getsize(jq_path))
    else:
        rows.append({"tool": "jq", "status": "n/a: jq not installed (apt-get install jq)"})

    jq_rate = next((r["records_per_s"] for r in rows if r["tool"].startswith("jq") and
                    r.get("records_per_s")), None)
    print("\n%d records, %.2f GB (%d bytes/record), one file\n" % (records, size / 1e9, size // records))
    print("| tool | records | seconds | records/s | MB/s | CPU s | records/CPU s | peak RSS MiB | vs jq |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if "seconds" not in r:
            print("| %s | %s | | | | | | | |" % (r["tool"], r["status"]))
            continue
        ratio = "%.0fx" % (r["records_per_s"] / jq_rate) if jq_rate else "n/a"
        r["vs_jq"] = round(r["records_per_s"] / jq_rate, 1) if jq_rate else None
        print("| %s | %s | %.2f | %s | %.0f | %.2f | %s | %.1f | %s |"
              % (r["tool"], "{:,}".format(r["records"]), r["seconds"],
                 "{:,}".format(r["records_per_s"]), r["mb_per_s"], r["cpu_seconds"],
                 "{:,}".format(r["records_per_cpu_s"] or 0), r["peak_rss_mib"], ratio))
    print()
    for r in rows:
        if r["tool"].startswith("impulse") and "seconds" in r:
            ok_rate = r["records_per_s"] >= TARGET_RATE
            ok_mem = r["peak_rss_mib"] <= TARGET_MIB
            print("%s: %s records/s (target >= %s: %s), %.1f MiB (target <= %d: %s)"
                  % (r["tool"], "{:,}".format(r["records_per_s"]), "{:,}".format(TARGET_RATE),
                     "met" if ok_rate else "MISSED", r["peak_rss_mib"], TARGET_MIB,
                     "met" if ok_mem else "MISSED"))
    with open(os.path.join(args.bench_dir, "tools.json"), "w") as f:
        json.dump({"file": path, "records": records, "bytes": size, "rows": rows}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
