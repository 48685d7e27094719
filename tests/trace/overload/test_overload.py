"""Overload: what a traced thread does when its buffer is full.

on_full = wait (the default) is lossless: 4 threads making 10 million hooked calls
give exactly 10 million call records, each with its exact arguments and output; a
64K buffer makes the threads wait for the logger and still loses nothing.
on_full = drop: the traced threads never wait (no sched_yield, no futex sleep, seen
with strace), every call is either recorded or counted, and the counts per thread
and hook in the root's arguments.dropped and on stderr are exactly the calls
missing from the log. A dropped call's callee is attached to its caller.

The log of the big runs is checked while it is written by ovl_check (C; it frees what
it has read), because 10 million records are ~13 GB of JSON. The first records and
the root are also parsed here and checked against doc/records.md's record shape.
"""

import importlib.util
import json
import os
import re
import shutil
import subprocess
import tempfile
import time

import impulse_test as it

CASE = "overload"
TIMEOUT = 400
THREADS = 4
# Sanitizer builds run the same checks on a tenth of the calls (ASan's hot path is
# several times slower); said in the test's output.
SANITIZED = os.path.basename(it.BUILD).startswith("build-")
BIG_N = 250_000 if SANITIZED else 2_500_000
SMALL_N = 100_000 if SANITIZED else 200_000
WAITS_RE = re.compile(r"waits of traced threads for room: (\d+)")
DROP_LINE_RE = re.compile(r"libimpulse\[\d+\]: dropped (\d+) calls? of (\w+) on thread (\d+) \(([^)]*)\)")
DROP_TOTAL_RE = re.compile(r"libimpulse\[\d+\]: dropped (\d+) calls? in all")


def expected_stdout(mode, n, threads):
    """overload_main's output, computed: the traced run must print exactly this."""
    lines, calls, total = [], 0, 0
    for t in range(threads):
        # ovl_leaf(t, i) = t * 1000003 + 3 * i summed for i < n, plus 1 per ovl_outer call (odd i) in mix
        s = n * t * 1000003 + 3 * n * (n - 1) // 2 + (n // 2 if mode == "mix" else 0)
        c = n if mode == "leaf" else n + n // 2
        lines.append("thread %d calls %d sum %d" % (t, c, s))
        calls += c
        total += s
    lines.append("total calls %d sum %d" % (calls, total))
    return ("\n".join(lines) + "\n").encode()


def scratch_dir():
    """Logs on tmpfs when there is one: ovl_check frees what it read as it goes."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    return tempfile.mkdtemp(prefix="impulse-overload-", dir=base)


class Checked:
    """One traced run of overload_main with ovl_check following its log."""

    def __init__(self, mode, n, conf_text, env=None, strace=False):
        self.mode, self.n = mode, n
        self.tmp = scratch_dir()
        log_dir = os.path.join(self.tmp, "logs")
        os.makedirs(log_dir)
        argv = [it.program(CASE, "overload_main"), mode, str(n), str(THREADS)]
        self.argv = argv
        self.strace_file = None
        if strace:
            # Only the two calls a waiting thread makes stop the program (seccomp
            # filter); the tracer is preloaded into the program, not into strace.
            self.strace_file = os.path.join(self.tmp, "strace.txt")
            argv = ["strace", "-f", "-qq", "--seccomp-bpf", "-e", "trace=sched_yield,futex",
                    "-E", "LD_PRELOAD=" + it._preload_value(), "-o", self.strace_file] + argv
            env = dict(env or {}, LD_PRELOAD=None)
        checker = subprocess.Popen([it.program(CASE, "ovl_check"), log_dir, mode, str(n),
                                    str(THREADS), "120"],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env=dict(os.environ, ASAN_OPTIONS="detect_leaks=0"))
        started = time.monotonic()
        try:
            self.run = it.run_traced(argv, conf_text, env=env, timeout=TIMEOUT - 60,
                                     log_dir=log_dir)
            self.seconds = time.monotonic() - started
            out, err = checker.communicate(timeout=180)
        except BaseException:
            checker.kill()
            checker.wait()
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        self.check_out = out.decode("utf-8", "replace")
        self.check_rc = checker.returncode
        self.stderr = self.run.stderr.decode("utf-8", "replace")
        self.threads = {}
        self.root = None
        try:
            self._parse()
        except BaseException:
            self.cleanup()
            raise

    def _parse(self):
        for line in self.check_out.splitlines():
            m = re.match(r"^thread (\d+) tid (\d+) leaf (\d+) outer (\d+)$", line)
            if m:
                t, tid, leaf, outer = (int(x) for x in m.groups())
                self.threads[t] = {"tid": tid, "leaf": leaf, "outer": outer}
            elif line.startswith("root "):
                self.root = json.loads(line[5:])
            elif line.startswith("records "):
                self.records = int(line.split()[1])
            elif line.startswith("bytes "):
                self.bytes = int(line.split()[1])

    def cleanup(self):
        self.run.cleanup()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def check_common(self):
        """Same output and status as untraced (computed), ovl_check found no fault,
        the root is well formed, names the program and counts every call made."""
        want = expected_stdout(self.mode, self.n, THREADS)
        if self.run.returncode != 0 or self.run.stdout != want:
            raise AssertionError("traced run: status %d, stdout %r, expected 0 and %r; stderr:\n%s"
                                 % (self.run.returncode, self.run.stdout[-500:], want[-500:],
                                    self.stderr[-2000:]))
        if self.check_rc != 0 or self.root is None:
            raise AssertionError("ovl_check (exit %d) on the log:\n%s\nstderr:\n%s"
                                 % (self.check_rc, self.check_out[-3000:], self.stderr[-2000:]))
        it.check_record_shape(self.root)
        p = self.root["payload"]
        if p["arguments"]["argv"] != self.argv or p["output"] != 0:
            raise AssertionError("root argv %s output %s" % (p["arguments"]["argv"], p["output"]))
        it.check_dropped_shape(p["arguments"]["dropped"])
        tids = {t["tid"] for t in self.threads.values()}
        if len(self.threads) != THREADS or len(tids) != THREADS or p["process"]["pid"] in tids:
            raise AssertionError("threads seen in the log: %s" % self.threads)

    def calls_made(self):
        return THREADS * (self.n if self.mode == "leaf" else self.n + self.n // 2)


def untraced_same(mode, n):
    """The untraced program prints what expected_stdout computes (the oracle is right)."""
    u = it.run_untraced([it.program(CASE, "overload_main"), mode, str(n), str(THREADS)])
    want = expected_stdout(mode, n, THREADS)
    if u.returncode != 0 or u.stdout != want:
        raise AssertionError("untraced run: status %d stdout %r, expected %r"
                             % (u.returncode, u.stdout[-300:], want[-300:]))


def strace_waits(path):
    """(sched_yield calls, futex sleeps of 2 ms) in an strace -f log: the two ways a
    traced thread waits for room (thread_ctx.c); nothing else in the program makes them."""
    yields = sleeps = 0
    with open(path, errors="replace") as f:
        for line in f:
            if "sched_yield(" in line:
                yields += 1
            elif "futex(" in line and "FUTEX_WAIT" in line and "tv_nsec=2000000" in line:
                sleeps += 1
    return yields, sleeps


def test_lossless_10m():
    """4 threads x 2,500,000 calls: exactly 10,000,000 records, every one exact."""
    untraced_same("leaf", BIG_N)
    r = Checked("leaf", BIG_N, it.conf(CASE))
    try:
        r.check_common()
        for t, c in sorted(r.threads.items()):
            if c["leaf"] != BIG_N or c["outer"] != 0:
                raise AssertionError("thread %d: %d ovl_leaf records, expected %d" % (t, c["leaf"], BIG_N))
        if r.records != THREADS * BIG_N:
            raise AssertionError("%d call records, expected %d" % (r.records, THREADS * BIG_N))
        d = r.root["payload"]["arguments"]["dropped"]
        if d != {"total": 0, "threads": []}:
            raise AssertionError("lossless run: dropped %s" % d)
        st = r.root["payload"]["stack_trace"]
        if len(st["children"]) + st["children_omitted"] != THREADS * BIG_N:
            raise AssertionError("root: %d children listed + %d omitted, expected %d top-level calls"
                                 % (len(st["children"]), st["children_omitted"], THREADS * BIG_N))
        if "dropped" in r.stderr:
            raise AssertionError("a lossless run reports drops:\n" + r.stderr[-2000:])
        print("%d records (%d bytes) checked in %.1f s%s" % (
            r.records, r.bytes, r.seconds, " (sanitizer build: a tenth of the calls)" if SANITIZED else ""))
    finally:
        r.cleanup()


def test_lossless_small_ring():
    """A 64K buffer: the threads wait for the logger (counted, and seen by strace),
    and still every call, nested or not, is recorded exactly once."""
    untraced_same("mix", SMALL_N)
    conf = it.conf(CASE) + "\n[tracer]\nbuffer_size = 64K\n"
    use_strace = shutil.which("strace") is not None
    r = Checked("mix", SMALL_N, conf, env={"IMPULSE_VERBOSE": "1"}, strace=use_strace)
    try:
        r.check_common()
        for t, c in sorted(r.threads.items()):
            if c["leaf"] != SMALL_N or c["outer"] != SMALL_N // 2:
                raise AssertionError("thread %d: %s, expected %d leaf and %d outer"
                                     % (t, c, SMALL_N, SMALL_N // 2))
        if r.root["payload"]["arguments"]["dropped"] != {"total": 0, "threads": []}:
            raise AssertionError("dropped %s" % r.root["payload"]["arguments"]["dropped"])
        m = WAITS_RE.search(r.stderr)
        if not m or int(m.group(1)) == 0:
            raise AssertionError("the 64K ring never made a thread wait (the test proves "
                                 "nothing):\n" + r.stderr[-2000:])
        if use_strace:
            yields, sleeps = strace_waits(r.strace_file)
            if yields == 0:
                raise AssertionError("strace saw no sched_yield although threads waited: the "
                                     "drop test's strace check would prove nothing")
            print("waits %s, strace: %d sched_yield, %d 2 ms futex sleeps" % (m.group(1), yields, sleeps))
        if DROP_TOTAL_RE.search(r.stderr):
            raise AssertionError("a lossless run reports drops:\n" + r.stderr[-2000:])
    finally:
        r.cleanup()


def check_drop_run(r, why):
    """Every call recorded or counted, the counts exactly the missing calls per thread
    and hook, on stderr too, and no thread ever waited."""
    r.check_common()
    d = r.root["payload"]["arguments"]["dropped"]
    made = r.calls_made()
    if d["total"] == 0:
        raise AssertionError("%s: nothing dropped, the test proves nothing" % why)
    if r.records + d["total"] != made:
        raise AssertionError("%s: %d records + %d dropped != %d calls made"
                             % (why, r.records, d["total"], made))
    by_tid = {e["thread_id"]: e for e in d["threads"]}
    want_lines = set()
    for t, c in sorted(r.threads.items()):
        outer_made = r.n // 2 if r.mode == "mix" else 0
        missing = {"ovl_leaf": r.n - c["leaf"], "ovl_outer": outer_made - c["outer"]}
        missing = {k: v for k, v in missing.items() if v}
        e = by_tid.get(c["tid"])
        if not missing:
            if e:
                raise AssertionError("%s: thread %d dropped nothing but is listed: %s" % (why, t, e))
            continue
        if not e or e["hooks"] != missing or e["thread_name"] != "ovl-%d" % t:
            raise AssertionError("%s: thread %d (tid %d) is missing %s from the log, root says %s"
                                 % (why, t, c["tid"], missing, e))
        for hook, n in missing.items():
            want_lines.add((n, hook, c["tid"], "ovl-%d" % t))
    if set(by_tid) - {c["tid"] for c in r.threads.values()}:
        raise AssertionError("%s: drops of unknown threads: %s" % (why, d["threads"]))
    got_lines = {(int(n), h, int(tid), name) for n, h, tid, name in DROP_LINE_RE.findall(r.stderr)}
    if got_lines != want_lines:
        raise AssertionError("%s: stderr lines %s, expected %s\n%s"
                             % (why, sorted(got_lines), sorted(want_lines), r.stderr[-3000:]))
    m = DROP_TOTAL_RE.search(r.stderr)
    if not m or int(m.group(1)) != d["total"]:
        raise AssertionError("%s: no 'dropped %d calls in all' line:\n%s" % (why, d["total"], r.stderr))
    m = WAITS_RE.search(r.stderr)
    if not m or m.group(1) != "0":
        raise AssertionError("%s: a traced thread waited for room: %s" % (why, m and m.group(0)))
    if r.strace_file:
        yields, sleeps = strace_waits(r.strace_file)
        if yields or sleeps:
            raise AssertionError("%s: strace saw %d sched_yield and %d 2 ms futex sleeps"
                                 % (why, yields, sleeps))
    print("%s: %d recorded + %d dropped = %d calls" % (why, r.records, d["total"], made))


def test_drop_mode():
    """on_full = drop in hooks.conf, a 64K buffer and nested calls: exact accounting,
    and strace sees no thread wait."""
    untraced_same("mix", SMALL_N)
    conf = it.conf(CASE) + "\n[tracer]\non_full = drop\nbuffer_size = 64K\n"
    r = Checked("mix", SMALL_N, conf, env={"IMPULSE_VERBOSE": "1"},
                strace=shutil.which("strace") is not None)
    try:
        check_drop_run(r, "on_full = drop")
    finally:
        r.cleanup()


def test_drop_env():
    """IMPULSE_ON_FULL=drop overrides the file; a bad value is said and ignored."""
    conf = it.conf(CASE) + "\n[tracer]\non_full = wait\nbuffer_size = 64K\n"
    r = Checked("leaf", SMALL_N, conf, env={"IMPULSE_VERBOSE": "1", "IMPULSE_ON_FULL": "drop"})
    try:
        check_drop_run(r, "IMPULSE_ON_FULL=drop")
    finally:
        r.cleanup()
    r = Checked("leaf", 20_000, conf, env={"IMPULSE_ON_FULL": "never"})
    try:
        r.check_common()
        want = "libimpulse[%d]: IMPULSE_ON_FULL: invalid value 'never' for 'on_full' (wait or drop) (ignored)" \
            % r.root["payload"]["process"]["pid"]
        # Said in the .diag file and the root record, never on the program's stderr.
        if want not in r.run.diagnostics():
            raise AssertionError("expected %r in the .diag file:\n%s" % (want, r.run.diagnostics()))
        if want.split(": ", 1)[1] not in r.root["payload"]["arguments"]["diagnostics"]["messages"]:
            raise AssertionError("not in the root's diagnostics: %r" % (want,))
        if r.stderr:
            raise AssertionError("libimpulse wrote on the program's stderr: %r" % r.stderr[:500])
        if r.root["payload"]["arguments"]["dropped"]["total"] != 0 or r.records != THREADS * 20_000:
            raise AssertionError("a bad IMPULSE_ON_FULL did not leave the run lossless: %d records, %s"
                                 % (r.records, r.root["payload"]["arguments"]["dropped"]))
    finally:
        r.cleanup()


def test_drop_bson():
    """The root's "dropped" as a BSON document (the Mongo logger's form) holds the
    same values as the JSON one."""
    spec = importlib.util.spec_from_file_location(
        "test_bson", os.path.join(it.TRACE_SRC, "bson", "test_bson.py"))
    tb = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tb)
    conf = it.conf(CASE) + "\n[tracer]\non_full = drop\nbuffer_size = 64K\n"
    argv = [it.program(CASE, "overload_main"), "mix", "20000", str(THREADS)]
    from collections import Counter
    stats = Counter()
    for pid, (recs, docs) in tb.run_both(argv, conf).items():
        if len(recs) != len(docs):
            raise AssertionError("%d JSON records, %d BSON documents" % (len(recs), len(docs)))
        root = [r for r in recs if r["payload"]["trace_module"]["thread_id"] == "root"]
        if len(root) != 1 or root[0]["payload"]["arguments"]["dropped"]["total"] == 0:
            raise AssertionError("expected one root with drops: %s" % [r["payload"]["arguments"] for r in root])
        if len(recs) - 1 + root[0]["payload"]["arguments"]["dropped"]["total"] != 4 * 30000:
            raise AssertionError("records + dropped != calls made")
        for i, (rec, doc) in enumerate(zip(recs, docs)):
            tb.check_types(doc)
            tb.compare(rec, doc, "record %d" % i, stats)
        # compare() walked the root's arguments.dropped too: the last document.
        if recs[-1] is not root[0]:
            raise AssertionError("the root is not the last record")
