#!/usr/bin/python3
"""bench.py: libimpulse side by side with an untraced run, uftrace and ltrace.

libimpulse is measured in both record formats (format = json, the default, and
format = binary through IMPULSE_FORMAT=binary, read back with `impulse cat`); a
libimpulse without the binary format gives binary rows that say so (n/a).

Run by `make bench` (bench/bench.mk); the method is in bench/README.md. Prints a table
and writes <bench-dir>/results.json. Python 3 standard library only.

It never fails on a missed target, nor when libimpulse is missing or broken (its rows
are then "n/a"): it exits 0 after reporting, and non-zero only for its own misuse
(missing bench programs, bad settings). Every output goes under one directory on
tmpfs (/dev/shm), removed at the end, and every child run has a timeout.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True	# keep __pycache__ out of the source tree
from report import CASES, median, print_report, summarise, targets  # noqa: E402

WROTE_RE = re.compile(r"wrote (\d+) records? .* in ([0-9.]+) s of logger time")
BYTES_RE = re.compile(r"wrote \d+ records? \((\d+) bytes?\)")
DROPPED_RE = re.compile(r"dropped (\d+)")
# driver's line with DRIVER_THREAD_CPU=1 (bench/driver.c)
THREAD_RE = re.compile(r"thread_cpu_ns_per_call=([0-9.]+) thread_wall_ns_per_call=([0-9.]+)"
                       r"(?: thread_minflt_per_call=([0-9.]+))?")
HOT_BUFFER = "1G"		# IMPULSE_BUFFER_SIZE of the hot-path rows: holds every event
HOT_BYTES_PER_CALL = 160	# bytes a call takes in the ring, rounded up (~110 add, ~150 len);
				# report.CASES[mode]["ring_bytes"] overrides it per case
HOT_RING_FILL = 600 << 20	# at most this much of the 1 GiB ring per thread
RECORD_BYTES_GUESS = 1200	# bytes per record on disk, to refuse runs tmpfs cannot hold

RUNNER = None	# <bench-dir>/runner, set by main()
BINARY_UNSUPPORTED = "format=binary not supported by this libimpulse"
# Every driver run times its own call loop (bench/driver.c), so each row also gives the
# traced thread's own ns/call; the cost is two clock reads and one line on stdout.
DRIVER_TIMED = {"DRIVER_THREAD_CPU": "1"}
# The environment of every run: ours without the tracer's variables.
BASE_ENV = {k: v for k, v in os.environ.items()
            if not k.startswith("IMPULSE_") and k not in ("LD_PRELOAD", "LD_AUDIT")}

def env_int(name, default, minimum=0):
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw.replace("_", ""))
    except ValueError:
        sys.exit(f"bench: {name}={raw!r} is not an integer")
    if value < minimum:
        sys.exit(f"bench: {name} must be >= {minimum}")
    return value


def ring_bytes(mode):
    return CASES[mode].get("ring_bytes", HOT_BYTES_PER_CALL)


def hot_n():
    n = env_int("BENCH_HOT_N", 1_000_000, 1)
    most = max(ring_bytes(mode) for mode in CASES)
    if n * most > HOT_RING_FILL:
        sys.exit(f"bench: BENCH_HOT_N={n}: at most {HOT_RING_FILL // most:,} calls per "
                 f"thread, so that every event fits in the {HOT_BUFFER} ring")
    return n


def settings():
    threads = os.environ.get("BENCH_THREADS", "1,4")
    try:
        thread_list = [int(t) for t in threads.split(",") if t.strip()]
    except ValueError:
        sys.exit(f"bench: BENCH_THREADS={threads!r}: want a comma-separated list")
    if not thread_list or min(thread_list) < 1 or max(thread_list) > 64:
        sys.exit("bench: BENCH_THREADS: counts from 1 to 64")
    return {
        "n": env_int("BENCH_N", 2_000_000, 1),
        "hot_n": hot_n(),
        "hot_repeat": env_int("BENCH_HOT_REPEAT", 7, 1),
        "repeat": env_int("BENCH_REPEAT", 5, 1),
        "threads": thread_list,
        "ltrace_n": env_int("BENCH_LTRACE_N", 10_000, 0),
        "ltrace_repeat": env_int("BENCH_LTRACE_REPEAT", 3, 1),
        "mem_n": env_int("BENCH_MEM_N", 100_000, 1),
        "mem_threads": env_int("BENCH_MEM_THREADS", 8, 1),
        "mem_repeat": env_int("BENCH_MEM_REPEAT", 3, 1),
        "startup_runs": env_int("BENCH_STARTUP_RUNS", 30, 1),
        "timeout_s": env_int("BENCH_TIMEOUT", 120, 1),
        "slow_s": env_int("BENCH_SLOW", 20, 1),
        "long_s": env_int("BENCH_LONG", 6, 0),
        "long_repeat": env_int("BENCH_LONG_REPEAT", 3, 1),
        "shm": os.environ.get("BENCH_SHM", "/dev/shm"),
    }


# ---------------------------------------------------------------- running children

class Run:
    """One finished child: whole-process wall and CPU (user+sys, its threads and
    reaped children), peak RSS, exit status and what it wrote to stderr."""

    def __init__(self, wall_ns, cpu_ns, maxrss_kib, status, timed_out, stderr, stdout=""):
        self.wall_ns = wall_ns
        self.cpu_ns = cpu_ns
        self.maxrss_kib = maxrss_kib
        self.status = status		# exit code, or -signal
        self.timed_out = timed_out
        self.stderr = stderr
        self.stdout = stdout

    @property
    def ok(self):
        return self.status == 0 and not self.timed_out

    def why(self):
        if self.timed_out:
            return "timed out"
        if self.status < 0:
            return f"killed by signal {-self.status}"
        if self.status != 0:
            line = first_line(self.stderr)
            return f"exit status {self.status}" + (f" ({line})" if line else "")
        return ""


def first_line(text):
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def run(argv, child_env, timeout_s, scratch):
    """Runs argv under the runner (bench/runner.c), which forks it, reaps it with
    wait4 and writes wall, CPU (the child's and its reaped children's) and peak RSS.
    Python only waits, and kills the whole process group after timeout_s. The
    runner exists because a child forked from Python inherits Python's RSS as the
    starting point of its ru_maxrss. child_env: variables added for the program only
    (LD_PRELOAD must not trace the runner); the runner gets BASE_ENV."""
    sets = []
    for name, value in (child_env or {}).items():
        sets += ["-e", f"{name}={value}"]
    with tempfile.TemporaryFile(dir=scratch) as err, tempfile.TemporaryFile(dir=scratch) as out, \
            tempfile.NamedTemporaryFile(dir=scratch, prefix="rusage-") as res:
        child = subprocess.Popen([RUNNER, res.name] + sets + ["--"] + argv, env=BASE_ENV, stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err,
                                 start_new_session=True)
        timed_out = False
        try:
            child.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(child.pid)	# the runner, the program, a tracer's children
            child.wait()
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
        out.seek(0)
        stdout = out.read(1 << 16).decode("utf-8", "replace")
        fields = open(res.name).read().split()
    if timed_out or len(fields) != 4:
        return Run(0, 0, 0, -9 if timed_out else 127, timed_out,
                   text or f"runner exited with status {child.returncode}")
    wall_ns, cpu_ns, maxrss_kib, status = (int(f) for f in fields)
    return Run(wall_ns, cpu_ns, maxrss_kib, status, False, text, stdout)


def kill_group(pgid):
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def fresh_dir(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, mode=0o700)
    return path


def count_lines(directory):
    """Lines in every file under directory (the logger's JSON Lines files)."""
    total = 0
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                while True:
                    chunk = f.read(64 << 20)
                    if not chunk:
                        break
                    total += chunk.count(b"\n")
    return total


def logger_figures(stderr):
    """The exit line of IMPULSE_VERBOSE=1: records, logger seconds, bytes, dropped."""
    figures = {}
    match = WROTE_RE.search(stderr)
    if match:
        figures["records"] = int(match.group(1))
        figures["logger_s"] = float(match.group(2))
        line = stderr[match.start():].splitlines()[0]
        b = BYTES_RE.search(line)
        d = DROPPED_RE.search(line)
        if b:
            figures["bytes"] = int(b.group(1))
        if d:
            figures["dropped"] = int(d.group(1))
    return figures


def thread_figures(stdout):
    """driver's DRIVER_THREAD_CPU=1 line: the call loop's own thread CPU and wall, and
    its minor page faults, per call; None when it is missing."""
    match = THREAD_RE.search(stdout)
    if not match:
        return None
    return {"thread_cpu_ns": float(match.group(1)), "thread_wall_ns": float(match.group(2)),
            "thread_minflt": float(match.group(3)) if match.group(3) else None}


# ---------------------------------------------------------------- the benchmark

class Bench:
    def __init__(self, args, cfg, scratch):
        self.cfg = cfg
        self.scratch = scratch
        self.driver = os.path.join(args.bench_dir, "driver")
        self.startup = os.path.join(args.bench_dir, "startup")
        self.conf_dir = os.path.abspath(args.conf_dir)
        self.lib = os.path.abspath(os.environ.get("BENCH_LIBIMPULSE", args.libimpulse))
        self.uftrace = shutil.which("uftrace")
        self.ltrace = shutil.which("ltrace")
        self.impulse = {"path": self.lib, "status": "unknown", "reason": ""}
        self.tool = os.path.abspath(os.environ.get("BENCH_IMPULSE", args.impulse or
                                                   os.path.join(os.path.dirname(self.lib), "impulse")))
        # format = binary: "ok", "unsupported" (this libimpulse writes JSON whatever
        # IMPULSE_FORMAT says, or impulse has no cat), "failed", or "unknown" (not tried)
        self.binary = {"status": "unknown", "reason": ""}
        self.notes = []

    # -- environments and command lines

    def impulse_env(self, logger, log_dir, conf, verbose=True, fmt=None):
        """The variables a libimpulse run adds for the traced program. fmt: None for
        the default format (json), or "binary"."""
        env = {"LD_PRELOAD": self.lib, "IMPULSE_CONFIG": conf,
               "IMPULSE_LOGGER": logger, "IMPULSE_LOG_DIR": log_dir,
               "IMPULSE_STRICT": "1"}
        if fmt:
            env["IMPULSE_FORMAT"] = fmt
        if verbose:
            env["IMPULSE_VERBOSE"] = "1"
        return env

    def hot_env(self):
        """What every run of a hot-path pair adds, untraced or not: the driver times its
        own call loop (DRIVER_PREFAULT is added for hot-prefault traced runs only)."""
        return {"DRIVER_THREAD_CPU": "1"}

    def command(self, variant, mode, n, threads, out):
        """argv and added variables of one run; out is a scratch path it may write to."""
        driver = [self.driver, mode, str(n), str(threads)]
        conf = os.path.join(self.conf_dir, "work.conf")
        if variant == "untraced":
            return driver, None
        if variant in ("hot-fresh", "hot-prefault"):
            env = self.impulse_env("none", fresh_dir(out), conf)
            env.update(self.hot_env(), IMPULSE_BUFFER_SIZE=HOT_BUFFER)
            if variant == "hot-prefault":
                # Each ring's part the calls will write, with a margin (bench/driver.c).
                env["DRIVER_PREFAULT"] = str(min(2 * n * ring_bytes(mode) + (1 << 20), 1 << 30))
            return driver, env
        if variant == "impulse-none":
            return driver, dict(self.impulse_env("none", fresh_dir(out), conf), **DRIVER_TIMED)
        if variant == "impulse-file":
            return driver, dict(self.impulse_env("file", fresh_dir(out), conf), **DRIVER_TIMED)
        if variant == "impulse-binary":
            return driver, dict(self.impulse_env("file", fresh_dir(out), conf, fmt="binary"),
                                **DRIVER_TIMED)
        # The peers pass their environment on to the driver they start.
        if variant == "uftrace":
            shutil.rmtree(out, ignore_errors=True)
            argv = [self.uftrace, "record", "--force", "-d", out] + CASES[mode]["uftrace"]
            return argv + driver, dict(DRIVER_TIMED)
        if variant == "ltrace":
            return [self.ltrace, "-e", CASES[mode]["fn"], "-o", out] + driver, dict(DRIVER_TIMED)
        raise ValueError(variant)

    def impulse_problem(self, result):
        """Why an impulse run does not count, or '' when it does."""
        if not result.ok:
            return result.why()
        if "cannot be preloaded" in result.stderr:
            return "ld.so could not preload it: " + first_line(result.stderr)
        if "libimpulse[" not in result.stderr:
            return "not active: no 'libimpulse[' line on stderr with IMPULSE_VERBOSE=1"
        return ""

    # -- libimpulse present and working?

    def snapshot(self):
        """Measures a copy of the library in the scratch directory, so that a rebuild of
        build/libimpulse.so during the run (make in another shell) cannot change or
        remove what is measured half way through."""
        copy = os.path.join(self.scratch, "libimpulse.so")
        try:
            shutil.copy2(self.lib, copy)
        except OSError:
            return
        self.lib = copy

    def smoke_test(self):
        if not os.path.exists(self.lib):
            self.impulse.update(status="missing", reason=f"{self.lib} does not exist")
            return
        self.snapshot()
        self.snapshot_tool()
        out = os.path.join(self.scratch, "smoke")
        argv, env = self.command("impulse-file", "add", 1000, 1, out)
        result = run(argv, env, self.cfg["timeout_s"], self.scratch)
        problem = self.impulse_problem(result)
        if problem:
            self.impulse.update(status="failed", reason="smoke test (driver add 1000 1): " + problem)
        else:
            lines = count_lines(out)
            if lines != expected_records(1000, 1):
                self.impulse.update(status="ok", reason=f"smoke test wrote {lines} lines, "
                                    f"expected {expected_records(1000, 1)}")
            else:
                self.impulse.update(status="ok")
        shutil.rmtree(out, ignore_errors=True)
        if self.impulse["status"] == "ok":
            self.smoke_test_binary()

    def snapshot_tool(self):
        """The impulse command, copied for the same reason as the library."""
        copy = os.path.join(self.scratch, "impulse")
        try:
            shutil.copy2(self.tool, copy)
        except OSError:
            return
        self.tool = copy

    def smoke_test_binary(self):
        """Does this libimpulse write format = binary, and does `impulse cat` read it
        back? 1,000 calls with IMPULSE_FORMAT=binary must leave no .json file and
        files from which `impulse cat` prints 1,002 records (expected_records). A libimpulse from before
        the format ignores the variable and writes JSON: "unsupported", its rows n/a
        (the reason says BINARY_UNSUPPORTED; the detail goes to the header line)."""
        out = os.path.join(self.scratch, "smoke-binary")
        argv, env = self.command("impulse-binary", "add", 1000, 1, out)
        result = run(argv, env, self.cfg["timeout_s"], self.scratch)
        problem = self.impulse_problem(result)
        names = sorted(files_under(out))
        if problem:
            self.binary.update(status="failed", reason="smoke test (driver add 1000 1): " + problem)
        elif not names or any(name.endswith(".json") for name in names):
            self.binary.update(status="unsupported", reason=BINARY_UNSUPPORTED, detail=(
                "IMPULSE_FORMAT=binary wrote JSON" if names else "no file written"))
        elif not has_subcommand(self.tool, "cat"):
            self.binary.update(status="unsupported", reason=BINARY_UNSUPPORTED,
                               detail=f"{self.tool} has no 'cat' subcommand")
        else:
            lines, status, err = cat_records(self.tool, out, self.cfg["timeout_s"])
            if status != 0 or lines != expected_records(1000, 1):
                self.binary.update(status="failed", reason=f"smoke test: impulse cat printed {lines} "
                                   f"records (expected {expected_records(1000, 1)}), exit status {status}"
                                   + (f": {first_line(err)}" if err.strip() else ""))
            else:
                self.binary.update(status="ok")
        shutil.rmtree(out, ignore_errors=True)

    # -- per-call cost

    def call_plan(self):
        """(mode, threads, variant, calls per thread, repeats) for every row."""
        cfg = self.cfg
        plan = []
        for mode in CASES:
            for threads in cfg["threads"]:
                if CASES[mode].get("hot_only"):
                    if self.impulse["status"] == "ok":
                        plan.append((mode, threads, "hot-prefault", cfg["hot_n"], cfg["hot_repeat"]))
                    continue
                plan.append((mode, threads, "untraced", cfg["n"], cfg["repeat"]))
                if self.impulse["status"] == "ok":
                    plan.append((mode, threads, "impulse-none", cfg["n"], cfg["repeat"]))
                    plan.append((mode, threads, "impulse-file", cfg["n"], cfg["repeat"]))
                    if self.binary["status"] == "ok":
                        plan.append((mode, threads, "impulse-binary", cfg["n"], cfg["repeat"]))
                    plan.append((mode, threads, "hot-prefault", cfg["hot_n"], cfg["hot_repeat"]))
                    plan.append((mode, threads, "hot-fresh", cfg["hot_n"], cfg["hot_repeat"]))
                if self.uftrace:
                    plan.append((mode, threads, "uftrace", cfg["n"], cfg["repeat"]))
                if self.ltrace and threads == 1 and cfg["ltrace_n"] > 0:
                    plan.append((mode, threads, "ltrace", cfg["ltrace_n"], cfg["ltrace_repeat"]))
        return plan

    def measure_calls(self):
        rows = {}
        plan = self.call_plan()
        for mode, threads, variant, n, repeats in plan:
            rows[(mode, threads, variant)] = {
                "case": mode, "function": CASES[mode]["label"], "threads": threads,
                "tracer": variant, "calls_per_thread": n, "calls": n * threads,
                "pairs": [], "problem": "", "notes": []}
        max_repeat = max(r for *_, r in plan) if plan else 0
        # Interleave the repeats so slow drift of the machine spreads over all rows.
        for rep in range(max_repeat):
            for mode, threads, variant, n, repeats in plan:
                row = rows[(mode, threads, variant)]
                if rep >= repeats or row["problem"] or row.get("once"):
                    continue
                if len(row["pairs"]) >= row.get("cap", repeats):
                    continue
                self.measure_pair(row, mode, threads, variant, n, rep)
            print(f"bench: call runs, repeat {rep + 1}/{max_repeat} done", file=sys.stderr, flush=True)
        return list(rows.values())

    def measure_pair(self, row, mode, threads, variant, n, rep):
        """One untraced run and, right after it, one run of variant: a pair."""
        hot = variant.startswith("hot-")
        base = run([self.driver, mode, str(n), str(threads)], self.hot_env() if hot else DRIVER_TIMED,
                   self.cfg["timeout_s"], self.scratch)
        if not base.ok:
            row["notes"].append(f"repeat {rep + 1}: untraced run failed: {base.why()}")
            return
        if hot and thread_figures(base.stdout) is None:
            row["notes"].append(f"repeat {rep + 1}: untraced run printed no thread_cpu line")
            return
        if variant == "untraced":
            pair = {"base": vars_of(base), "traced": vars_of(base)}
            pair["base"].update(thread_figures(base.stdout) or {})
            row["pairs"].append(pair)
            return
        out = os.path.join(self.scratch, f"out-{variant}")
        if variant == "impulse-file":
            need = n * threads * RECORD_BYTES_GUESS
            free = shutil.disk_usage(self.scratch).free
            if need > free * 0.8:
                row["problem"] = f"tmpfs too small: ~{need >> 20} MiB of records, {free >> 20} MiB free"
                return
        argv, env = self.command(variant, mode, n, threads, out)
        traced = run(argv, env, self.cfg["timeout_s"], self.scratch)
        if variant.startswith(("impulse", "hot-")):
            problem = self.impulse_problem(traced)
        else:
            problem = traced.why()
        if hot and not problem and thread_figures(traced.stdout) is None:
            problem = "no thread_cpu line from the driver on stdout"
        pair = {"base": vars_of(base), "traced": vars_of(traced)}
        # Every driver run prints its loop's own clocks (DRIVER_TIMED); a peer's too.
        pair["base"].update(thread_figures(base.stdout) or {})
        if not problem:
            pair["traced"].update(thread_figures(traced.stdout) or {})
            if not hot and variant != "impulse-none":
                pair["traced"]["disk_bytes"] = bytes_under(out)
        if problem:
            if not row["pairs"]:
                row["problem"] = problem	# failed on its first run: n/a
            else:
                row["notes"].append(f"repeat {rep + 1} left out: {problem}")
            remove(out)
            return
        if variant.startswith(("impulse", "hot-")):
            pair["logger"] = logger_figures(traced.stderr)
        if variant == "impulse-file" and "log_lines" not in row:
            # Cheap correctness check, once per row: one line per call plus the root.
            row["log_lines"] = count_lines(out)
            row["log_lines_expected"] = expected_records(n, threads)
        if variant == "impulse-binary" and "log_lines" not in row:
            # The same check, on what `impulse cat` renders from the binary files.
            lines, status, err = cat_records(self.tool, out, self.cfg["timeout_s"])
            row["log_lines"] = lines
            row["log_lines_expected"] = expected_records(n, threads)
            if status != 0:
                row["notes"].append(f"impulse cat exit status {status}: {first_line(err)}")
        if variant == "ltrace" and "trace_lines" not in row:
            row["trace_lines"] = count_lines_file(out)
        remove(out)
        row["pairs"].append(pair)
        if traced.wall_ns > self.cfg["slow_s"] * 1e9 and len(row["pairs"]) == 1:
            row["once"] = True
            row["notes"].append(f"first run took {traced.wall_ns / 1e9:.1f} s (> BENCH_SLOW="
                                f"{self.cfg['slow_s']} s): measured once")
        elif (traced.wall_ns > self.cfg["long_s"] * 1e9 and len(row["pairs"]) == 1
              and variant != "ltrace" and self.cfg["long_repeat"] < self.cfg["repeat"]):
            # The 4-thread file rows (~10 s a run here): fewer pairs keep make bench short.
            row["cap"] = self.cfg["long_repeat"]
            row["notes"].append(f"first run took {traced.wall_ns / 1e9:.1f} s (> BENCH_LONG="
                                f"{self.cfg['long_s']} s): {self.cfg['long_repeat']} pairs")

    # -- memory

    def measure_memory(self):
        cfg = self.cfg
        n, threads = cfg["mem_n"], cfg["mem_threads"]
        result = {"threads": threads, "calls_per_thread": n, "rows": []}
        if self.impulse["status"] != "ok":
            result["problem"] = f"libimpulse {self.impulse['status']}"
            return result
        variants = ("impulse-none", "impulse-file") + (
            ("impulse-binary",) if self.binary["status"] == "ok" else ())
        for variant in variants:
            row = {"tracer": variant, "deltas_kib": [], "base_kib": [], "traced_kib": [], "problem": ""}
            for _ in range(cfg["mem_repeat"]):
                base = run([self.driver, "add", str(n), str(threads)], DRIVER_TIMED,
                           cfg["timeout_s"], self.scratch)
                out = os.path.join(self.scratch, "out-mem")
                argv, env = self.command(variant, "add", n, threads, out)
                traced = run(argv, env, cfg["timeout_s"], self.scratch)
                remove(out)
                problem = base.why() or self.impulse_problem(traced)
                if problem:
                    row["problem"] = problem
                    break
                row["base_kib"].append(base.maxrss_kib)
                row["traced_kib"].append(traced.maxrss_kib)
                row["deltas_kib"].append(traced.maxrss_kib - base.maxrss_kib)
            delta = median(row["deltas_kib"])
            row["added_mib"] = None if row["problem"] or delta is None else delta / 1024
            result["rows"].append(row)
        print("bench: memory runs done", file=sys.stderr, flush=True)
        return result

    # -- start-up

    def measure_startup(self):
        cfg = self.cfg
        result = {"runs": cfg["startup_runs"], "rows": []}
        if self.impulse["status"] != "ok":
            result["problem"] = f"libimpulse {self.impulse['status']}"
            return result
        confs = {"100 unused functions": "startup_unused.conf",
                 "100 libc functions": "startup_libc.conf"}
        rows = {name: {"hooks": name, "conf": conf, "deltas_ns": [], "problem": ""}
                for name, conf in confs.items()}
        base_walls = []
        for i in range(cfg["startup_runs"]):
            for name, conf in confs.items():
                row = rows[name]
                if row["problem"]:
                    continue
                base = run([self.startup], None, cfg["timeout_s"], self.scratch)
                out = fresh_dir(os.path.join(self.scratch, "out-startup"))
                env = self.impulse_env("file", out, os.path.join(self.conf_dir, conf), verbose=False)
                traced = run([self.startup], env, cfg["timeout_s"], self.scratch)
                problem = base.why() or traced.why()
                if not problem and i == 0:
                    row["records_first_run"] = count_lines(out)
                    if row["records_first_run"] < 1:
                        problem = "no root record written: libimpulse not active?"
                    if traced.stderr.strip():
                        row["stderr_first_run"] = first_line(traced.stderr)
                remove(out)
                if problem:
                    row["problem"] = problem
                    continue
                base_walls.append(base.wall_ns)
                row["deltas_ns"].append(traced.wall_ns - base.wall_ns)
        result["untraced_ms"] = median(base_walls) / 1e6 if base_walls else None
        for row in rows.values():
            delta = median(row["deltas_ns"])
            row["added_ms"] = None if row["problem"] or delta is None else delta / 1e6
            result["rows"].append(row)
        print("bench: start-up runs done", file=sys.stderr, flush=True)
        return result


def vars_of(result):
    return {"wall_ns": result.wall_ns, "cpu_ns": result.cpu_ns, "maxrss_kib": result.maxrss_kib}


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.exists(path):
        os.unlink(path)


def expected_records(n, threads):
    """Records of a traced `driver MODE n threads` run with DRIVER_TIMED: each thread's
    n calls and its one untimed call, and the root record."""
    return (n + 1) * threads + 1


def files_under(directory):
    """Paths of the files under directory (none when it does not exist)."""
    for root, _, files in os.walk(directory):
        for name in files:
            yield os.path.join(root, name)


def bytes_under(path):
    """Bytes written: the size of a file, or of every file under a directory."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    return sum(os.path.getsize(f) for f in files_under(path))


def has_subcommand(tool, name):
    try:
        return subprocess.run([tool, name, "--help"], capture_output=True, timeout=30,
                              env=BASE_ENV).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def cat_records(tool, directory, timeout_s):
    """(records, exit status, stderr) of `impulse cat DIRECTORY`: its lines, counted as
    they stream (the JSON of millions of records is not kept)."""
    with tempfile.TemporaryFile() as err:
        child = subprocess.Popen([tool, "cat", directory], stdout=subprocess.PIPE, stderr=err,
                                 stdin=subprocess.DEVNULL, env=BASE_ENV, start_new_session=True)
        lines = 0
        deadline = time.monotonic() + timeout_s
        for chunk in iter(lambda: child.stdout.read(1 << 20), b""):
            lines += chunk.count(b"\n")
            if time.monotonic() > deadline:
                kill_group(child.pid)
                break
        status = child.wait()
        err.seek(0)
        return lines, status, err.read(4096).decode("utf-8", "replace")


def count_lines_file(path):
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))


def tool_version(tool):
    if not tool:
        return None
    try:
        out = subprocess.run([tool, "--version"], capture_output=True, text=True, timeout=10)
        return first_line(out.stdout or out.stderr)
    except (OSError, subprocess.TimeoutExpired):
        return None


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "kernel": platform.release(),
            "libc": " ".join(platform.libc_ver())}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", required=True, help="where driver, startup live; results.json goes")
    parser.add_argument("--libimpulse", required=True, help="the preload library (BENCH_LIBIMPULSE overrides)")
    parser.add_argument("--conf-dir", required=True, help="folder of work.conf and startup_*.conf")
    parser.add_argument("--impulse", help="the impulse command (default: beside the library; "
                        "BENCH_IMPULSE overrides)")
    args = parser.parse_args()
    cfg = settings()
    global RUNNER
    RUNNER = os.path.join(os.path.abspath(args.bench_dir), "runner")
    for prog in ("driver", "startup", "runner"):
        if not os.access(os.path.join(args.bench_dir, prog), os.X_OK):
            sys.exit(f"bench: {args.bench_dir}/{prog} missing: run 'make bench'")
    if not os.path.isdir(cfg["shm"]):
        sys.exit(f"bench: {cfg['shm']} is not a directory (set BENCH_SHM to a tmpfs)")

    # SIGTERM and SIGHUP unwind like Ctrl-C, so the scratch directory is removed.
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    scratch = tempfile.mkdtemp(prefix="libimpulse-bench-", dir=cfg["shm"])
    try:
        bench = Bench(args, cfg, scratch)
        bench.smoke_test()
        print(f"bench: libimpulse {bench.impulse['status']}"
              + (f": {bench.impulse['reason']}" if bench.impulse["reason"] else "")
              + f"; format=binary {bench.binary['status']}"
              + (f": {bench.binary['reason']}" if bench.binary["reason"] else "")
              + (f" ({bench.binary['detail']})" if bench.binary.get("detail") else ""),
              file=sys.stderr, flush=True)
        started = time.time()
        rows = bench.measure_calls()
        memory = bench.measure_memory()
        startup = bench.measure_startup()
        elapsed = time.time() - started
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    by_key = summarise(rows)
    goals = targets(by_key, cfg, memory, startup)
    meta = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "machine": machine(), "settings": cfg, "libimpulse": bench.impulse,
            "binary": bench.binary,
            "peers": {"uftrace": tool_version(bench.uftrace), "ltrace": tool_version(bench.ltrace)},
            "seconds": round(elapsed, 1)}
    print_report(meta, rows, by_key, memory, startup, goals)
    for row in rows:
        row.pop("once", None)
        row.pop("cap", None)
    results = {"meta": meta, "calls": rows, "memory": memory, "startup": startup, "targets": goals}
    path = os.path.join(args.bench_dir, "results.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    print(f"\nbench: {len(goals)} targets: "
          f"{sum(g['result'] == 'PASS' for g in goals)} PASS, "
          f"{sum(g['result'] == 'MISS' for g in goals)} MISS, "
          f"{sum(g['result'] == 'n/a' for g in goals)} n/a; results in {path} "
          f"({elapsed:.0f} s of runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
