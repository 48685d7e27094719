#!/usr/bin/python3
"""soak.py: libimpulse under sustained overload, with the file logger.

Run by `make bench` after bench.py, or alone by `make bench-soak`. bench/soak (4
threads calling work_add at full speed) runs traced for SOAK_SECONDS (default 60),
twice: lossless (on_full = wait, the default) and on_full = drop. Each second it
samples the program's resident memory (VmRSS, /proc/PID/status) and the log file;
the log's pages are freed as it grows (fallocate PUNCH_HOLE) but for its last 4 MiB,
where the root record ends it, so that a minute of records (tens of GB) never fills
the tmpfs. Prints a table and writes <bench-dir>/soak.json.

Fails (exit 1) when the lossless run drops a call (records written, as the logger
counts them, != calls the program made, or a non-zero drop count in the logger's line
or the root record), when its memory is not flat (the last half's peak RSS more
than SOAK_RSS_SLACK_MIB, default 16, above the first half's), when a drop-mode run
does not account for every call (records + dropped != calls), or when a run fails.

Settings: SOAK_SECONDS (60), SOAK_THREADS (4), SOAK_RSS_SLACK_MIB (16), BENCH_SHM
(/dev/shm: where the logs go, removed at the end). Python 3 standard library only.
"""

import argparse
import ctypes
import ctypes.util
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

WROTE_RE = re.compile(r"wrote (\d+) records? \((\d+) bytes?\) .* dropped (\d+)")
WAITS_RE = re.compile(r"waits of traced threads for room: (\d+)")
FALLOC_FL_KEEP_SIZE = 1
FALLOC_FL_PUNCH_HOLE = 2

_libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
_libc.fallocate.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_long, ctypes.c_long]


def env_int(name, default, minimum=1):
    raw = os.environ.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        sys.exit(f"soak: {name}={raw!r} is not an integer")
    if value < minimum:
        sys.exit(f"soak: {name} must be >= {minimum}")
    return value


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class LogTrimmer:
    """Frees (punches out) the log file's pages as it grows, all but its last
    KEEP_TAIL bytes: the root record, written last, stays readable. Reading a minute
    of records back would take more CPU than the two cores can spare, so the counts
    come from the logger's own line, checked against the program's and the root's."""

    KEEP_TAIL = 4 << 20

    def __init__(self, directory):
        self.directory = directory
        self.fd = -1
        self.punched = 0
        self.size = 0
        self.disk_peak = 0

    def _open(self):
        # The record file only: a .diag file (libimpulse's messages, e.g. about drops)
        # may appear beside it first.
        for name in os.listdir(self.directory):
            if name.startswith("logs_") and name.endswith(".json"):
                self.fd = os.open(os.path.join(self.directory, name), os.O_RDWR)
                return

    def poll(self, trim=True):
        if self.fd < 0:
            self._open()
            if self.fd < 0:
                return
        st = os.fstat(self.fd)
        self.size = st.st_size
        self.disk_peak = max(self.disk_peak, st.st_blocks * 512)
        end = (self.size - self.KEEP_TAIL) & ~4095
        if trim and end > self.punched:
            if _libc.fallocate(self.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
                               self.punched, end - self.punched) == 0:
                self.punched = end

    def last_line(self):
        """The file's last line (the root record), parsed; None if it is not JSON."""
        if self.fd < 0:
            return None
        tail = os.pread(self.fd, self.size - self.punched, self.punched)
        if not tail.endswith(b"\n"):
            return None
        try:
            return json.loads(tail[:-1].rsplit(b"\n", 1)[-1])
        except ValueError:
            return None

    def close(self):
        if self.fd >= 0:
            os.close(self.fd)


def soak_run(args, mode, seconds, threads, scratch):
    """One traced run; returns its figures."""
    log_dir = os.path.join(scratch, f"logs-{mode}")
    os.makedirs(log_dir)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("IMPULSE_") and k not in ("LD_PRELOAD", "LD_AUDIT")}
    env.update(LD_PRELOAD=args.libimpulse, IMPULSE_CONFIG=os.path.abspath(args.conf),
               IMPULSE_LOGGER="file", IMPULSE_LOG_DIR=log_dir, IMPULSE_VERBOSE="1",
               IMPULSE_STRICT="1", IMPULSE_ON_FULL=mode)
    err_path = os.path.join(scratch, f"stderr-{mode}")
    follower = LogTrimmer(log_dir)
    samples = []
    started = time.monotonic()
    with open(err_path, "wb") as err:
        proc = subprocess.Popen([os.path.join(args.bench_dir, "soak"), str(seconds), str(threads)],
                                env=env, stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            next_sample = started + 1.0
            while proc.poll() is None:
                follower.poll()
                now = time.monotonic()
                if now >= next_sample:
                    samples.append({"t": round(now - started, 1), "rss_kib": rss_kib(proc.pid),
                                    "log_bytes": follower.size,
                                    "log_on_tmpfs": follower.disk_peak})
                    next_sample += 1.0
                if now - started > seconds + 300:
                    os.killpg(proc.pid, signal.SIGKILL)
                    break
                time.sleep(0.05)
            out = proc.communicate()[0].decode("utf-8", "replace")
        except BaseException:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            raise
    wall = time.monotonic() - started
    follower.poll(trim=False)
    root = follower.last_line()
    follower.close()
    stderr = open(err_path, encoding="utf-8", errors="replace").read()
    shutil.rmtree(log_dir, ignore_errors=True)
    calls = re.search(r"^calls (\d+)$", out, re.M)
    wrote = WROTE_RE.search(stderr)
    waits = WAITS_RE.search(stderr)
    rss = [s["rss_kib"] for s in samples if s["rss_kib"] is not None]
    half = len(rss) // 2
    root_args = root["payload"]["arguments"] if root and "dropped" in root["payload"].get("arguments", {}) else None
    result = {
        "mode": mode, "seconds": seconds, "threads": threads, "wall_s": round(wall, 1),
        "status": proc.returncode, "calls": int(calls.group(1)) if calls else None,
        "records": int(wrote.group(1)) - 1 if wrote else None,	# less the root
        "bytes_written": follower.size, "logger_bytes": int(wrote.group(2)) if wrote else None,
        "disk_peak_bytes": follower.disk_peak,
        "dropped": int(wrote.group(3)) if wrote else None,
        "root_dropped": root_args["dropped"]["total"] if root_args else None,
        "waits": int(waits.group(1)) if waits else None,
        "rss_first_half_max_kib": max(rss[:half]) if half else None,
        "rss_last_half_max_kib": max(rss[half:]) if half else None,
        "samples": samples, "problems": [],
    }
    if root_args is None:
        result["problems"].append("the log does not end with the root record")
    if proc.returncode != 0 or not calls or not wrote:
        result["problems"].append(f"run failed: status {proc.returncode}; stderr: {stderr[-600:]!r}")
    return result


def judge(r, slack_kib):
    """Adds the problems that fail the soak."""
    p = r["problems"]
    if p:
        return
    if r["logger_bytes"] != r["bytes_written"]:
        p.append(f"the log holds {r['bytes_written']:,} bytes, the logger says it wrote {r['logger_bytes']:,}")
    if r["root_dropped"] != r["dropped"]:
        p.append(f"the root record says {r['root_dropped']:,} calls dropped, the logger {r['dropped']:,}")
    if r["mode"] == "wait":
        if r["dropped"] != 0 or r["records"] != r["calls"]:
            p.append(f"lossless run lost calls: {r['calls']:,} made, {r['records']:,} recorded, "
                     f"{r['dropped']:,} dropped")
        if r["rss_first_half_max_kib"] is None:
            p.append("too short to judge memory (SOAK_SECONDS >= 4)")
        elif r["rss_last_half_max_kib"] > r["rss_first_half_max_kib"] + slack_kib:
            p.append(f"memory grows: peak RSS {r['rss_first_half_max_kib']:,} KiB in the first half, "
                     f"{r['rss_last_half_max_kib']:,} KiB in the last")
    elif r["records"] + r["dropped"] != r["calls"]:
        p.append(f"drop mode does not account for every call: {r['records']:,} recorded + "
                 f"{r['dropped']:,} dropped != {r['calls']:,} made")


def print_table(results, slack_kib):
    print()
    print(f"Soak: {results[0]['threads']} threads calling work_add at full speed for "
          f"{results[0]['seconds']} s, file logger on tmpfs (log pages freed as written)")
    head = (f"{'on_full':<8} {'calls':>14} {'records':>14} {'records/s':>11} {'dropped':>14} "
            f"{'drop %':>7} {'RSS 1st half':>13} {'RSS 2nd half':>13} {'log bytes':>16} {'result':>7}")
    print(head)
    print("-" * len(head))
    for r in results:
        if r["calls"] is None:
            print(f"{r['mode']:<8} {'n/a':>14}  {'; '.join(r['problems'])}")
            continue
        rate = r["records"] / r["seconds"]
        drop_pct = 100.0 * r["dropped"] / r["calls"] if r["calls"] else 0.0
        first = r["rss_first_half_max_kib"]
        last = r["rss_last_half_max_kib"]
        print(f"{r['mode']:<8} {r['calls']:>14,} {r['records']:>14,} {rate:>11,.0f} {r['dropped']:>14,} "
              f"{drop_pct:>6.2f}% {fmt_kib(first):>13} {fmt_kib(last):>13} {r['bytes_written']:>16,} "
              f"{'FAIL' if r['problems'] else 'ok':>7}")
    print()
    print(f"  records/s: records written / run time; RSS: peak VmRSS of the traced program "
          f"sampled each second,\n  first and last half of the run (flat: within {slack_kib // 1024} MiB); "
          f"log bytes: written to the log file (its pages are freed as it grows;\n  the file's "
          f"peak on tmpfs: {', '.join(fmt_kib(r['disk_peak_bytes'] // 1024) for r in results)})")
    for r in results:
        print(f"  {r['mode']}: traced threads waited for room {r['waits']} times; wall {r['wall_s']} s")
        for problem in r["problems"]:
            print(f"  FAIL ({r['mode']}): {problem}")


def fmt_kib(kib):
    return "n/a" if kib is None else f"{kib / 1024:,.1f} MiB"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-dir", required=True, help="where soak is built; soak.json goes")
    parser.add_argument("--libimpulse", required=True, help="the preload library")
    parser.add_argument("--conf", required=True, help="hooks.conf hooking work_add")
    args = parser.parse_args()
    args.libimpulse = os.path.abspath(os.environ.get("BENCH_LIBIMPULSE", args.libimpulse))
    seconds = env_int("SOAK_SECONDS", 60)
    threads = env_int("SOAK_THREADS", 4)
    slack_kib = env_int("SOAK_RSS_SLACK_MIB", 16, 0) * 1024
    shm = os.environ.get("BENCH_SHM", "/dev/shm")
    for path in (os.path.join(args.bench_dir, "soak"), args.libimpulse):
        if not os.path.exists(path):
            sys.exit(f"soak: {path} missing: run 'make bench-soak'")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(1))
    scratch = tempfile.mkdtemp(prefix="libimpulse-soak-", dir=shm if os.path.isdir(shm) else None)
    results = []
    try:
        for mode in ("wait", "drop"):
            print(f"soak: on_full = {mode}, {seconds} s ...", file=sys.stderr, flush=True)
            r = soak_run(args, mode, seconds, threads, scratch)
            judge(r, slack_kib)
            results.append(r)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print_table(results, slack_kib)
    path = os.path.join(args.bench_dir, "soak.json")
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
        f.write("\n")
    failed = [r for r in results if r["problems"]]
    print(f"\nsoak: {'FAIL' if failed else 'PASS'}; figures and per-second samples in {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
