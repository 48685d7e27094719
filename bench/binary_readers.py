#!/usr/bin/python3
"""binary_readers.py: `make bench-binary-readers`, the readers of format = binary (issue 14).

Writes BINARY_READERS_N records (default 10,000,000) with the benchmark's own driver,
`driver add N/T T` on BINARY_READERS_THREADS threads (default 4: 4 x 2,500,000 calls),
traced by libimpulse with IMPULSE_FORMAT=binary, the file logger and bench/work.conf,
lossless, into a directory on tmpfs (BENCH_SHM, default /dev/shm; removed at the end).
Then, each under bench/runner (wall, CPU = user + sys, peak RSS of the reader alone):

  - `impulse cat DIR`, its JSON Lines counted as they stream by `wc -l` through a pipe
    (as `impulse cat DIR | jq` would read them): records/s; and the lossless check,
    exactly N + 1 records (the calls and the root);
  - `impulse stats --format json FILE...` on the same files: records/s, and its own
    count of records and calls.

With BINARY_READERS_JSON=1 (the default; 0 skips it) the same N calls are traced
again with format = json (~1,070 bytes a record: 10.7 GB on tmpfs for 10 M; skipped
when the tmpfs has not the room) and `impulse cat` counts them: "lossless in both".

Targets (issue 14): impulse cat >= 2,000,000 records/s, impulse stats on binary >=
5,000,000 records/s, both <= 64 MiB peak RSS; exactly N call records from impulse cat
in both formats. They are printed in a "target" column as met / missed, never a failure.
A libimpulse without format = binary (IMPULSE_FORMAT=binary leaves .json files, or
impulse has no `cat`) gives rows that say "n/a (format=binary not supported by this
libimpulse)". Results go to <bench-dir>/binary_readers.json. Python 3 standard
library only; shares bench.py's runner helpers (and its BENCH_LIBIMPULSE, BENCH_IMPULSE).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True	# keep __pycache__ out of the source tree
import bench  # noqa: E402  (bench.py: run, cat_records, files_under, ...)

TARGET_CAT_RATE = 2_000_000	# records/s
TARGET_STATS_RATE = 5_000_000
TARGET_MIB = 64
JSON_BYTES_GUESS = 1100		# bytes a JSON record takes, to check the tmpfs has room


def settings():
    return {
        "n": bench.env_int("BINARY_READERS_N", 10_000_000, 1),
        "threads": bench.env_int("BINARY_READERS_THREADS", 4, 1),
        "json": bench.env_int("BINARY_READERS_JSON", 1, 0) != 0,
        "timeout_s": bench.env_int("BENCH_TIMEOUT", 300, 1),
        "shm": os.environ.get("BENCH_SHM", "/dev/shm"),
    }


def run_counted(argv, timeout_s, scratch):
    """Runs argv under the runner with its stdout piped into `wc -l`: (bench.Run,
    lines). The reader's figures are its own; wc's are not counted."""
    fd, res = tempfile.mkstemp(dir=scratch, prefix="rusage-")
    os.close(fd)
    r, w = os.pipe()
    wc = subprocess.Popen(["wc", "-l"], stdin=r, stdout=subprocess.PIPE, env=bench.BASE_ENV)
    os.close(r)
    with tempfile.TemporaryFile(dir=scratch) as err:
        child = subprocess.Popen([bench.RUNNER, res, "--"] + argv, stdin=subprocess.DEVNULL,
                                 stdout=w, stderr=err, env=bench.BASE_ENV, start_new_session=True)
        os.close(w)
        timed_out = False
        try:
            child.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            bench.kill_group(child.pid)
            child.wait()
        out = wc.communicate()[0]
        err.seek(0)
        text = err.read(1 << 16).decode("utf-8", "replace")
    with open(res) as f:
        fields = f.read().split()
    os.unlink(res)
    lines = int(out.split()[0]) if out.split() else 0
    if timed_out or len(fields) != 4:
        return bench.Run(0, 0, 0, -9 if timed_out else 127, timed_out, text), lines
    wall_ns, cpu_ns, maxrss_kib, status = (int(x) for x in fields)
    return bench.Run(wall_ns, cpu_ns, maxrss_kib, status, False, text), lines


class Readers:
    def __init__(self, args, cfg, scratch):
        self.cfg = cfg
        self.scratch = scratch
        self.driver = os.path.join(args.bench_dir, "driver")
        self.conf = os.path.abspath(args.conf)
        lib = os.path.abspath(os.environ.get("BENCH_LIBIMPULSE", args.libimpulse))	# as bench.py
        self.lib = copy_into(lib, scratch)
        self.tool = copy_into(os.path.abspath(os.environ.get("BENCH_IMPULSE", args.impulse or os.path.join(
            os.path.dirname(lib), "impulse"))), scratch)
        self.rows = []		# what the table prints, in order
        self.checks = []	# lossless checks

    def env(self, log_dir, fmt):
        env = {"LD_PRELOAD": self.lib, "IMPULSE_CONFIG": self.conf, "IMPULSE_LOGGER": "file",
               "IMPULSE_LOG_DIR": log_dir, "IMPULSE_STRICT": "1", "IMPULSE_VERBOSE": "1"}
        if fmt == "binary":
            env["IMPULSE_FORMAT"] = "binary"
        return env

    def trace(self, fmt, per_thread, threads, out):
        """`driver add per_thread threads` traced in format fmt into out: (Run, problem)."""
        result = bench.run([self.driver, "add", str(per_thread), str(threads)],
                           self.env(bench.fresh_dir(out), fmt), self.cfg["timeout_s"], self.scratch)
        problem = result.why()
        if not problem and "libimpulse[" not in result.stderr:
            problem = "libimpulse not active (no 'libimpulse[' line with IMPULSE_VERBOSE=1)"
        return result, problem

    def binary_support(self):
        """'' when this libimpulse writes format = binary and impulse cat reads it back,
        else why not (bench.BINARY_UNSUPPORTED when it is simply too old)."""
        if not os.path.exists(self.lib):
            return f"libimpulse missing ({self.lib})"
        out = os.path.join(self.scratch, "smoke")
        result, problem = self.trace("binary", 1000, 1, out)
        names = sorted(bench.files_under(out))
        if problem:
            return "smoke test (driver add 1000 1): " + problem
        if not names or any(name.endswith(".json") for name in names):
            return bench.BINARY_UNSUPPORTED
        if not bench.has_subcommand(self.tool, "cat"):
            return bench.BINARY_UNSUPPORTED
        lines, status, err = bench.cat_records(self.tool, out, self.cfg["timeout_s"])
        bench.remove(out)
        if status != 0 or lines != 1001:
            return f"smoke test: impulse cat printed {lines} records (expected 1001), status {status}"
        return ""

    def writer_row(self, fmt, result, out, calls):
        size = bench.bytes_under(out)
        self.rows.append({"step": f"write: driver add, format={fmt}", "records": calls + 1,
                          "seconds": result.wall_ns / 1e9, "cpu_s": result.cpu_ns / 1e9,
                          "peak_rss_mib": result.maxrss_kib / 1024,
                          "rate": (calls + 1) / max(result.wall_ns / 1e9, 1e-9),
                          "bytes": size, "bytes_per_call": size / max(calls, 1)})

    def reader_row(self, name, result, records, target_rate):
        row = {"step": name, "records": records, "seconds": result.wall_ns / 1e9,
               "cpu_s": result.cpu_ns / 1e9, "peak_rss_mib": result.maxrss_kib / 1024,
               "rate": records / max(result.wall_ns / 1e9, 1e-9), "status": result.status}
        if not result.ok:
            row["problem"] = result.why()
        if target_rate:
            row["target"] = (f">= {target_rate:,}/s, <= {TARGET_MIB} MiB")
            row["met"] = (not row.get("problem") and row["rate"] >= target_rate
                          and row["peak_rss_mib"] <= TARGET_MIB)
        self.rows.append(row)
        return row

    def lossless(self, fmt, lines, calls, threads):
        self.checks.append({"format": fmt, "calls": calls, "threads": threads, "records": lines,
                            "expected": calls + 1, "met": lines == calls + 1})

    def measure(self):
        cfg = self.cfg
        threads = cfg["threads"]
        per = max(cfg["n"] // threads, 1)
        calls = per * threads
        why = self.binary_support()
        if why:
            return why
        out = os.path.join(self.scratch, "binary")
        print(f"bench-binary-readers: writing {calls:,} calls ({threads} x {per:,}), format=binary",
              file=sys.stderr, flush=True)
        result, problem = self.trace("binary", per, threads, out)
        if problem:
            return "the binary run: " + problem
        self.writer_row("binary", result, out, calls)
        result, lines = run_counted([self.tool, "cat", out], cfg["timeout_s"], self.scratch)
        self.reader_row("impulse cat DIR | wc -l, binary", result, lines, TARGET_CAT_RATE)
        if result.ok:
            self.lossless("binary", lines, calls, threads)
        # The files by name (the writer's extension is its own business); should
        # that fail (a file stats does not take), the directory, as a user would.
        files = sorted(bench.files_under(out))
        result = bench.run([self.tool, "stats", "--format", "json"] + files, None,
                           cfg["timeout_s"], self.scratch)
        name = "impulse stats FILE..., binary"
        if not result.ok:
            result = bench.run([self.tool, "stats", "--format", "json", out], None,
                               cfg["timeout_s"], self.scratch)
            name = "impulse stats DIR, binary"
        counted = stats_counts(result.stdout)
        row = self.reader_row(name, result, counted.get("records") or calls + 1, TARGET_STATS_RATE)
        row["stats_counts"] = counted
        if result.ok and counted.get("records") != calls + 1:
            row["problem"] = f"stats counted {counted.get('records')} records, expected {calls + 1}"
            row["met"] = False
        bench.remove(out)
        if cfg["json"]:
            self.measure_json(per, threads, calls)
        return ""

    def measure_json(self, per, threads, calls):
        need = (calls + 1) * JSON_BYTES_GUESS
        free = shutil.disk_usage(self.scratch).free
        if need > free * 0.8:
            self.checks.append({"format": "json", "problem": f"tmpfs too small: ~{need >> 20} MiB "
                                f"of JSON, {free >> 20} MiB free"})
            return
        out = os.path.join(self.scratch, "json")
        print(f"bench-binary-readers: writing {calls:,} calls, format=json", file=sys.stderr, flush=True)
        result, problem = self.trace("json", per, threads, out)
        if problem:
            self.checks.append({"format": "json", "problem": "the json run: " + problem})
            return
        self.writer_row("json", result, out, calls)
        result, lines = run_counted([self.tool, "cat", out], self.cfg["timeout_s"], self.scratch)
        self.reader_row("impulse cat DIR | wc -l, json", result, lines, None)
        if result.ok:
            self.lossless("json", lines, calls, threads)
        bench.remove(out)


def stats_counts(stdout):
    try:
        doc = json.loads(stdout)
    except ValueError:
        return {}
    return {k: doc.get(k) for k in ("records", "calls", "roots", "skipped_lines")}


def copy_into(path, scratch):
    """A copy in the scratch directory, so that a rebuild meanwhile changes nothing."""
    copy = os.path.join(scratch, os.path.basename(path))
    try:
        shutil.copy2(path, copy)
    except OSError:
        return path
    return copy


def print_report(cfg, readers, why, cpu):
    threads = cfg["threads"]
    per = max(cfg["n"] // threads, 1)
    print()
    print(f"format=binary readers: {per * threads:,} calls ({threads} threads x {per:,}, `driver add`), "
          f"records on tmpfs; {cpu}")
    head = (f"{'step':<36} {'records':>12} {'seconds':>8} {'records/s':>12} {'CPU s':>7}"
            f" {'RSS MiB':>8} {'bytes/call':>10}  target")
    print(head)
    print("-" * len(head))
    if why:
        for name in ("impulse cat DIR | wc -l, binary", "impulse stats FILE..., binary"):
            print(f"{name:<36} n/a ({why})")
    for row in readers.rows:
        if row.get("problem") and "met" not in row:
            print(f"{row['step']:<36} n/a ({row['problem']})")
            continue
        target = ""
        if "target" in row:
            target = f"{row['target']}: {'met' if row['met'] else 'missed'}"
            if row.get("problem"):
                target += f" ({row['problem']})"
        per_call = f"{row['bytes_per_call']:,.1f}" if "bytes_per_call" in row else ""
        print(f"{row['step']:<36} {row['records']:>12,} {row['seconds']:>8.2f} {row['rate']:>12,.0f}"
              f" {row['cpu_s']:>7.2f} {row['peak_rss_mib']:>8.1f} {per_call:>10}  {target}".rstrip())
    print()
    print("Lossless (issue 14: exactly the calls, plus the root record, from impulse cat):")
    if why:
        print(f"  binary: n/a ({why})")
        print("  json  : n/a (needs impulse cat)")
    for check in readers.checks:
        if check.get("problem"):
            print(f"  {check['format']:<6}: n/a ({check['problem']})")
            continue
        print(f"  {check['format']:<6}: {check['threads']} x {check['calls'] // check['threads']:,} calls -> "
              f"{check['records']:,} records (expected {check['expected']:,}): "
              f"{'met' if check['met'] else 'missed'}")
    if not cfg["json"]:
        print("  json  : not run (BINARY_READERS_JSON=0)")
    print("  write rows: the traced run, whole process (runner); bytes/call: the files it left / calls.\n"
          "  cat rows: its JSON Lines go through a pipe to `wc -l` (figures: impulse cat alone).")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bench-dir", required=True)
    ap.add_argument("--libimpulse", required=True)
    ap.add_argument("--conf", default="bench/work.conf")
    ap.add_argument("--impulse", default=None, help="default: beside the library")
    args = ap.parse_args()
    cfg = settings()
    bench.RUNNER = os.path.join(os.path.abspath(args.bench_dir), "runner")
    if not os.access(bench.RUNNER, os.X_OK):
        sys.exit(f"bench-binary-readers: {bench.RUNNER} missing: run 'make bench-progs'")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    scratch = tempfile.mkdtemp(prefix="libimpulse-readers-", dir=cfg["shm"])
    started = time.time()
    try:
        readers = Readers(args, cfg, scratch)
        why = readers.measure()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    cpu = bench.machine()["cpu"]
    print_report(cfg, readers, why, cpu)
    path = os.path.join(args.bench_dir, "binary_readers.json")
    with open(path, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "cpu": cpu,
                   "settings": cfg, "problem": why, "rows": readers.rows, "lossless": readers.checks,
                   "seconds": round(time.time() - started, 1)}, f, indent=1)
        f.write("\n")
    print(f"bench-binary-readers: results in {path} ({time.time() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
