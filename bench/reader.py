#!/usr/bin/python3
"""reader.py — the record reader's throughput (make bench-reader).

Writes READER_RECORDS (default 10,000,000) records with libimpulse — `driver add N 1`
under the preload with bench/work.conf, the file logger into READER_DIR (default
$BENCH_DIR/reader; kept between runs, rewritten when the count differs) — plus the
root: N + 1 lines of about 1,070 bytes. Then reads the file end to end with
reader_bench (tools/reader/reader.c, counting records per hook), measured by `runner` (wall,
CPU, peak RSS), READER_REPEAT times (default 3; the best wall time is reported, the
largest RSS); and, for scale, jq counting the same per hook
(`reduce inputs as $r ({}; .[$r.payload.trace_module.hook_id] += 1)`) on the first
READER_JQ_RECORDS lines (default 1,000,000: jq reads ~25,000 records/s here, so the
whole file would take minutes). The file is read once before timing so that it is
in the page cache, as a file just written is. Targets (issue 6): >= 1,000,000
records/s and <= 64 MiB. Prints a table and writes $BENCH_DIR/reader.json.
"""

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

TARGET_RATE = 1000000
TARGET_RSS_MIB = 64


def measure(runner, argv, stdout_path):
    """(wall s, cpu s, peak RSS KiB, stdout text) of argv run by runner."""
    with tempfile.NamedTemporaryFile(prefix="reader-bench-", delete=False) as res:
        result = res.name
    try:
        with open(stdout_path, "wb") as out:
            r = subprocess.run([runner, result, "--"] + argv, stdout=out)
        if r.returncode != 0:
            raise SystemExit("runner failed for %s" % argv)
        wall_ns, cpu_ns, rss, status = open(result).read().split()
        if int(status) != 0:
            raise SystemExit("%s exited %s" % (argv, status))
        with open(stdout_path) as f:
            return int(wall_ns) / 1e9, int(cpu_ns) / 1e9, int(rss), f.read()
    finally:
        os.unlink(result)


def make_file(opts, n, d):
    """The record file of `driver add n 1`, reused when it has n + 1 lines."""
    stamp = os.path.join(d, "records")
    files = glob.glob(os.path.join(d, "logs_*.json"))
    if len(files) == 1 and os.path.exists(stamp) and open(stamp).read().strip() == str(n + 1):
        return files[0]
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IMPULSE_")}
    env.update(LD_PRELOAD=opts.libimpulse, IMPULSE_CONFIG=opts.conf, IMPULSE_LOG_DIR=d,
               IMPULSE_LOGGER="file")
    print("bench-reader: writing %d records with libimpulse into %s ..." % (n + 1, d), flush=True)
    subprocess.run([os.path.join(opts.bench_dir, "driver"), "add", str(n), "1"], env=env,
                   check=True)
    files = glob.glob(os.path.join(d, "logs_*.json"))
    lines = 0
    with open(files[0], "rb") as f:
        while True:
            chunk = f.read(1 << 24)
            if not chunk:
                break
            lines += chunk.count(b"\n")
    if lines != n + 1:
        raise SystemExit("expected %d records, the file has %d" % (n + 1, lines))
    with open(stamp, "w") as f:
        f.write("%d\n" % lines)
    return files[0]


def warm(path):
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", required=True)
    ap.add_argument("--libimpulse", required=True)
    ap.add_argument("--conf", required=True)
    opts = ap.parse_args()
    n = int(os.environ.get("READER_RECORDS", "10000000"))
    repeat = int(os.environ.get("READER_REPEAT", "3"))
    jq_n = int(os.environ.get("READER_JQ_RECORDS", "1000000"))
    d = os.environ.get("READER_DIR") or os.path.join(opts.bench_dir, "reader")
    runner = os.path.join(opts.bench_dir, "runner")
    path = make_file(opts, n, d)
    size = os.path.getsize(path)
    warm(path)
    out = os.path.join(d, "out.txt")

    best = None
    for _ in range(repeat):
        wall, cpu, rss, text = measure(runner, [os.path.join(opts.bench_dir, "reader_bench"), path],
                                       out)
        m = re.search(r"reader: (\d+) records, (\d+) malformed", text)
        if not m or int(m.group(1)) != n + 1 or int(m.group(2)) != 0:
            raise SystemExit("reader_bench read wrongly:\n%s" % text)
        counts = dict((name, int(c)) for c, name in re.findall(r"^\s*(\d+) (\S+)$", text, re.M))
        if counts != {"work_add": n, "root": 1}:
            raise SystemExit("per-hook counts %s" % counts)
        run = {"wall_s": wall, "cpu_s": cpu, "rss_kib": rss}
        if best is None or wall < best["wall_s"]:
            best = dict(run, rss_kib=max(rss, best["rss_kib"]) if best else rss)
        else:
            best["rss_kib"] = max(best["rss_kib"], rss)

    jq = None
    if jq_n > 0 and shutil.which("jq"):
        part = os.path.join(d, "head.json")
        with open(path, "rb") as src, open(part, "wb") as dst:
            for i, line in enumerate(src):
                if i == jq_n:
                    break
                dst.write(line)
        jq_lines = min(jq_n, n + 1)
        wall, cpu, rss, text = measure(runner, ["jq", "-c", "-n",
                                                "reduce inputs as $r ({}; .[$r.payload.trace_module.hook_id] += 1)",
                                                part], out)
        got = json.loads(text)
        if sum(got.values()) != jq_lines:
            raise SystemExit("jq counted %s" % got)
        jq = {"records": jq_lines, "wall_s": wall, "cpu_s": cpu, "rss_kib": rss}
        os.unlink(part)
    os.unlink(out)

    rate = (n + 1) / best["wall_s"]
    rss_mib = best["rss_kib"] / 1024
    print()
    print("record reader, %d records (%.2f GB, %d bytes each), best of %d, file in the page cache"
          % (n + 1, size / 1e9, size // (n + 1), repeat))
    print("%-34s %12s %10s %10s %12s" % ("", "records/s", "wall s", "CPU s", "peak RSS"))
    print("%-34s %12s %10.2f %10.2f %9.1f MiB  %s %s" % (
        "tools/reader/reader.c (count per hook)", format(int(rate), ","), best["wall_s"], best["cpu_s"],
        rss_mib, "ok" if rate >= TARGET_RATE else "MISS",
        "ok" if rss_mib <= TARGET_RSS_MIB else "MISS"))
    if jq:
        print("%-34s %12s %10.2f %10.2f %9.1f MiB  (first %d records)" % (
            "jq, the same count", format(int(jq["records"] / jq["wall_s"]), ","), jq["wall_s"],
            jq["cpu_s"], jq["rss_kib"] / 1024, jq["records"]))
        print("reader / jq: %.0fx" % (rate / (jq["records"] / jq["wall_s"])))
    print("targets: >= %s records/s, <= %d MiB" % (format(TARGET_RATE, ","), TARGET_RSS_MIB))
    with open(os.path.join(opts.bench_dir, "reader.json"), "w") as f:
        json.dump({"records": n + 1, "bytes": size, "reader": dict(best, records_per_s=rate),
                   "jq": jq}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
