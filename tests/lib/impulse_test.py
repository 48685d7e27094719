"""impulse_test — what every trace test needs: where things are built, running a
program traced and untraced, reading and checking the records.

The contract checked here is doc/records.md (the record schema). Nothing in this module
is specific to one test case; helpers raise AssertionError with a message that
names the record and the field, so that a failure reads without a debugger.
"""

import collections
import json
import os
import re
import shutil
import subprocess
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(os.environ.get("IMPULSE_BUILD") or os.path.join(REPO, "build"))
LIBIMPULSE = os.path.join(BUILD, "libimpulse.so")
TRACE_SRC = os.path.join(REPO, "tests", "trace")
TRACE_BUILD = os.path.join(BUILD, "tests", "trace")

# Variables the tracer reads; scrubbed from the caller's environment so that a
# developer's own settings cannot change a test's outcome.
_TRACER_ENV = ("IMPULSE_CONFIG", "IMPULSE_LOG_DIR", "IMPULSE_SESSION_ID", "IMPULSE_LOGGER",
               "IMPULSE_VERBOSE", "IMPULSE_STRICT", "IMPULSE_PROTO_DIR", "IMPULSE_CHECK",
               "IMPULSE_MONGO_URI", "IMPULSE_MONGO_DATABASE", "IMPULSE_MONGO_COLLECTION",
               "IMPULSE_DEBUG_BSON_FILE", "IMPULSE_DEBUG_EVENTS", "IMPULSE_ON_FULL", "LD_PRELOAD")

STATUSES = ("success", "error", "incomplete", "unwound", "exception", "crashed")
_DIAG_NAME = re.compile(r"^logs_.+_\d+(_\d+)?\.diag$")
_RFC3339_US = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


# ---------------------------------------------------------------- skipping

class Skip(Exception):
    """Raised by skip(): tests/run_tests.py lists the test as skipped, with the reason."""


def skip(reason):
    """Ends the current test as one that cannot run here, saying why. Never a silent
    return: a test that returns early passes without having checked anything."""
    raise Skip(reason)


def sanitizer_runtime():
    """'AddressSanitizer' or 'ThreadSanitizer' when libimpulse is a sanitizer build
    (its runtime is preloaded first), else None."""
    value = _preload_value()
    if "libasan" in value:
        return "AddressSanitizer"
    if "libtsan" in value:
        return "ThreadSanitizer"
    return None


# ---------------------------------------------------------------- paths

def program(case, name, variant="def"):
    """Absolute path of a test program built by tests/tests.mk."""
    path = os.path.join(TRACE_BUILD, case, variant, name)
    if not os.path.exists(path):
        raise AssertionError("%s is not built (run make test, or make tests-build)" % path)
    return path


def conf(case, name="hooks.conf"):
    """The text of a hooks.conf kept beside a test case's sources."""
    with open(os.path.join(TRACE_SRC, case, name)) as f:
        return f.read()


# ---------------------------------------------------------------- running

class Run:
    """One run of a program: the completed process, its records and where they were."""

    def __init__(self, proc, log_dir, workdir):
        self.proc = proc
        self.log_dir = log_dir
        self.workdir = workdir
        self._records = None

    @property
    def returncode(self):
        return self.proc.returncode

    @property
    def stdout(self):
        return self.proc.stdout

    @property
    def stderr(self):
        return self.proc.stderr

    def log_files(self):
        """The record files (logs_*.json), not the diagnostics beside them."""
        if not os.path.isdir(self.log_dir):
            return []
        return sorted(os.path.join(self.log_dir, n) for n in os.listdir(self.log_dir)
                      if not _DIAG_NAME.match(n))

    def diag_files(self):
        """libimpulse's .diag files (one per process image that said anything)."""
        if not os.path.isdir(self.log_dir):
            return []
        return sorted(os.path.join(self.log_dir, n) for n in os.listdir(self.log_dir)
                      if _DIAG_NAME.match(n))

    def diagnostics(self):
        """Every line of every .diag file, as written ("libimpulse[pid]: text")."""
        lines = []
        for path in self.diag_files():
            with open(path, "rb") as f:
                lines += f.read().decode("utf-8", "replace").splitlines()
        return lines

    def iter_records(self):
        """Every record of every log file, parsed; streams, for very large runs."""
        for path in self.log_files():
            name = os.path.basename(path)
            if not re.match(r"^logs_.+_\d+\.json$", name):
                raise AssertionError("unexpected file in the log dir: %s" % name)
            with open(path, "rb") as f:
                for lineno, line in enumerate(f, 1):
                    try:
                        text = line.decode("utf-8")
                    except UnicodeDecodeError as e:
                        raise AssertionError("%s:%d: not UTF-8: %s" % (name, lineno, e))
                    if not text.endswith("\n"):
                        raise AssertionError("%s:%d: last line not terminated: %r"
                                             % (name, lineno, text[:200]))
                    try:
                        yield json.loads(text)
                    except ValueError as e:
                        raise AssertionError("%s:%d: not JSON (%s): %r"
                                             % (name, lineno, e, text[:300]))

    @property
    def records(self):
        if self._records is None:
            self._records = list(self.iter_records())
        return self._records

    def cleanup(self):
        shutil.rmtree(self.workdir, ignore_errors=True)


def _preload_value():
    """LD_PRELOAD for libimpulse; a sanitizer build also needs its runtime first."""
    if not os.path.exists(LIBIMPULSE):
        raise AssertionError("%s is not built" % LIBIMPULSE)
    libs = [LIBIMPULSE]
    try:
        needed = subprocess.run(["readelf", "-d", LIBIMPULSE], capture_output=True,
                                text=True).stdout
    except OSError:
        needed = ""
    for rt in ("libasan.so", "libtsan.so"):
        if rt in needed:
            path = subprocess.run(["gcc", "-print-file-name=" + rt], capture_output=True,
                                  text=True).stdout.strip()
            libs.insert(0, path)
    return " ".join(libs)


def _base_env(extra):
    env = {k: v for k, v in os.environ.items() if k not in _TRACER_ENV}
    env.setdefault("LC_ALL", "C")
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "detect_leaks=0")
    if extra:
        env.update(extra)
    return env


def run_untraced(argv, env=None, cwd=None, timeout=100, input=None):
    """Runs argv without the tracer; returns the CompletedProcess (bytes)."""
    workdir = cwd or tempfile.mkdtemp(prefix="impulse-untraced-")
    try:
        return subprocess.run(argv, env=_base_env(env), cwd=workdir, capture_output=True,
                              timeout=timeout, input=input)
    finally:
        if cwd is None:
            shutil.rmtree(workdir, ignore_errors=True)


def run_traced(argv, conf_text, env=None, timeout=100, log_dir=None, preexec_fn=None,
               input=None, cwd=None):
    """Runs argv under LD_PRELOAD=libimpulse.so with conf_text as its hooks.conf, in a
    fresh temporary directory that holds the config (IMPULSE_CONFIG) and the log
    directory (IMPULSE_LOG_DIR). env entries override; an entry set to None is removed.
    Returns a Run; call run.cleanup() when done (check_run does it for you)."""
    workdir = tempfile.mkdtemp(prefix="impulse-test-")
    conf_path = os.path.join(workdir, "hooks.conf")
    with open(conf_path, "w") as f:
        f.write(conf_text)
    if log_dir is None:
        log_dir = os.path.join(workdir, "logs")
    full = _base_env(None)
    full["LD_PRELOAD"] = _preload_value()
    full["IMPULSE_CONFIG"] = conf_path
    full["IMPULSE_LOG_DIR"] = log_dir
    for k, v in (env or {}).items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    proc = subprocess.run(argv, env=full, cwd=cwd or workdir, capture_output=True,
                          timeout=timeout, preexec_fn=preexec_fn, input=input)
    return Run(proc, log_dir, workdir)


_ADDRESS = re.compile(rb"0x[0-9a-fA-F]+")


def mask_addresses(data):
    """For programs that print addresses: ASLR, LD_PRELOAD and the environment move
    them between runs."""
    return _ADDRESS.sub(b"0x?", data)


def assert_same_behaviour(traced, untraced, what="", compare_stderr=True, mask=None,
                          stderr_differs=None):
    """The traced run's exit status, stdout and stderr equal the untraced run's (all
    passed through mask, if given, e.g. mask_addresses). libimpulse writes nothing on
    the program's descriptors by default (doc/diagnostics.md), so stderr is
    compared too; a test whose stderr legitimately differs says why in
    stderr_differs="reason" (compare_stderr=False is kept for callers that
    compare stderr themselves)."""
    t = traced.proc if isinstance(traced, Run) else traced
    if t.returncode != untraced.returncode:
        raise AssertionError("%sexit status traced %d, untraced %d; traced stderr:\n%s"
                             % (what, t.returncode, untraced.returncode, _tail(t.stderr)))
    tout, uout = t.stdout, untraced.stdout
    if mask:
        tout, uout = mask(tout), mask(uout)
    if tout != uout:
        raise AssertionError("%sstdout differs traced vs untraced:\n%s\ntraced stderr:\n%s"
                             % (what, _first_difference(tout, uout), _tail(t.stderr)))
    if compare_stderr and stderr_differs is None:
        terr, uerr = _sanitizer_neutral(t.stderr), _sanitizer_neutral(untraced.stderr)
        if mask:
            terr, uerr = mask(terr), mask(uerr)
        if terr != uerr:
            raise AssertionError("%sstderr differs traced vs untraced (libimpulse must write "
                                 "nothing there; pass stderr_differs=\"why\" if the program's "
                                 "own stderr legitimately differs):\n%s"
                                 % (what, _first_difference(terr, uerr)))


# A sanitizer runtime's own lines start with "==PID==", a different pid in each run;
# ASan also warns when a stack switch it cannot follow (libimpulse's clone wrapper
# gives the child a frame of ours) makes it ignore __asan_handle_no_return.
_SAN_PID = re.compile(rb"^==\d+==", re.M)
_SAN_NO_RETURN = re.compile(rb"^==PID==WARNING: ASan is ignoring requested __asan_handle_no_return:.*\n"
                            rb"(?:False positive error reports may follow\n)?(?:For details see .*\n)?", re.M)


def _sanitizer_neutral(data):
    """stderr as compared between a traced and an untraced run: the sanitizer
    runtime's pids made equal, and its no-return warning (a sanitizer build only)
    left out. Without a sanitizer runtime nothing matches, so nothing changes."""
    data = _SAN_PID.sub(b"==PID==", data)
    return _SAN_NO_RETURN.sub(b"", data)


def assert_hooks_refused(conf_text, argv, names, reason_words=None):
    """`impulse check` and a verbose start both say that each of names cannot be
    hooked (with reason_words in the reason when given), never "installed"; check
    exits 1 (some hook installed nowhere)."""
    workdir = tempfile.mkdtemp(prefix="impulse-refused-")
    conf = os.path.join(workdir, "hooks.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    try:
        r = subprocess.run([os.path.join(BUILD, "impulse"), "check", "-c", conf] + argv, capture_output=True, timeout=60,
                           env=dict(os.environ, LC_ALL="C",
                                    ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=0"))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    out = r.stdout.decode("utf-8", "replace")
    for name in names:
        lines = [l for l in out.splitlines() if l.startswith("hook %s " % name)]
        if len(lines) != 1 or ": cannot be hooked: " not in lines[0] or "installed in" in lines[0]:
            raise AssertionError("impulse check on %s:\n%s%s" % (name, out, r.stderr.decode()))
        if reason_words and reason_words not in lines[0]:
            raise AssertionError("reason for %s: %s" % (name, lines[0]))
    if r.returncode != 1:
        raise AssertionError("impulse check exited %d (1: some hook installed nowhere):\n%s"
                             % (r.returncode, out))
    run = run_traced(argv, conf_text, env={"IMPULSE_VERBOSE": "1"}, timeout=120)
    try:
        err = run.stderr.decode("utf-8", "replace")
        for name in names:
            if "%s cannot be hooked (" % name not in err:
                raise AssertionError("no refusal of %s at start:\n%s" % (name, err[-3000:]))
            if "hook %s installed" % name in err:
                raise AssertionError("%s installed:\n%s" % (name, err[-3000:]))
    finally:
        run.cleanup()


def _tail(data, n=2000):
    if isinstance(data, bytes):
        data = data.decode("utf-8", "replace")
    return data[-n:]


def _first_difference(a, b):
    al = a.decode("utf-8", "replace").splitlines()
    bl = b.decode("utf-8", "replace").splitlines()
    for i in range(max(len(al), len(bl))):
        x = al[i] if i < len(al) else "<none>"
        y = bl[i] if i < len(bl) else "<none>"
        if x != y:
            return "  line %d traced:   %r\n  line %d untraced: %r" % (i + 1, x, i + 1, y)
    return "  (same lines, different bytes)"


def check_run(argv, conf_text, env=None, timeout=100, untraced_env=None, mask=None,
              stderr_differs=None, **kw):
    """The usual test body: runs argv untraced and traced, checks that behaviour is
    unchanged (exit status, stdout and stderr; see assert_same_behaviour for
    stderr_differs) and that the records are well formed and one consistent tree
    with one root whose argv is argv. Returns (run, Records)."""
    untraced = run_untraced(argv, env=untraced_env if untraced_env is not None else env,
                            timeout=timeout)
    run = run_traced(argv, conf_text, env=env, timeout=timeout, **kw)
    try:
        assert_same_behaviour(run, untraced, mask=mask, stderr_differs=stderr_differs)
        recs = Records(run.records)
        recs.check_all(argv=argv, exit_status=untraced.returncode)
        return run, recs
    finally:
        run.cleanup()


# ---------------------------------------------------------------- records

def payload(rec):
    return rec["payload"]


def fn_name(rec):
    return rec["payload"]["function"]["name"]


def call_id(rec):
    return rec["payload"]["call_id"]


def args(rec):
    return rec["payload"]["arguments"]


def output(rec):
    return rec["payload"]["output"]


def parent_ids(rec):
    return [p["call_id"] for p in rec["payload"]["stack_trace"]["parents"]]


def child_ids(rec):
    return [c["call_id"] for c in rec["payload"]["stack_trace"]["children"]]


def describe(rec):
    """A short text naming a record, for messages."""
    p = rec.get("payload", {})
    return "%s(%s) call_id=%s status=%s" % (
        p.get("function", {}).get("name"), json.dumps(p.get("arguments"))[:200],
        p.get("call_id"), p.get("status"))


def check_record_shape(rec):
    """One record has doc/records.md's fields, with its types."""
    where = describe(rec)

    def need(cond, msg):
        if not cond:
            raise AssertionError("%s: %s\n  record: %s" % (where, msg, json.dumps(rec)[:1500]))

    need(isinstance(rec, dict) and set(rec) >= {"payload", "log_metadata"},
         "top level must hold payload and log_metadata")
    lm = rec["log_metadata"]
    need(isinstance(lm, dict) and lm.get("tracer") == "libimpulse", "log_metadata.tracer")
    p = rec["payload"]
    for key in ("function", "trace_module", "call_id", "timestamps", "arguments", "status",
                "exception", "output", "stack_trace", "trace_logs", "process"):
        need(key in p, "payload.%s missing" % key)
    f = p["function"]
    need(f.get("type") == "Function", "function.type")
    need(isinstance(f.get("name"), str) and f["name"], "function.name")
    need(isinstance(f.get("args"), list) and all(isinstance(a, str) for a in f["args"]),
         "function.args must be a list of names")
    tm = p["trace_module"]
    for key in ("tracer_id", "session_id", "thread_id", "hook_id", "tracer_metadata",
                "session_metadata", "hook_metadata"):
        need(key in tm, "trace_module.%s missing" % key)
    for key in ("tracer_id", "session_id", "thread_id", "hook_id"):
        need(isinstance(tm[key], str) and tm[key], "trace_module.%s must be a string" % key)
    for key in ("tracer_metadata", "session_metadata", "hook_metadata"):
        need(tm[key] is None or isinstance(tm[key], dict),
             "trace_module.%s must be an object or null" % key)
    need(isinstance(p["call_id"], str) and p["call_id"].startswith(tm["tracer_id"] + "-"),
         "call_id must be <tracer_id>-<sequence>")
    ts = p["timestamps"]
    need(isinstance(ts.get("start"), str) and _RFC3339_US.match(ts["start"]),
         "timestamps.start must be RFC 3339 UTC with microseconds")
    need(isinstance(ts.get("start_ns"), int) and isinstance(ts.get("end_ns"), int),
         "timestamps.start_ns/end_ns must be integers")
    need(isinstance(ts.get("start_to_end_seconds"), (int, float)),
         "timestamps.start_to_end_seconds")
    if p["status"] == "success":
        need(isinstance(ts.get("end"), str) and _RFC3339_US.match(ts["end"]),
             "timestamps.end must be RFC 3339 UTC with microseconds")
        need(ts["end_ns"] >= ts["start_ns"], "end_ns before start_ns")
        need(abs(ts["start_to_end_seconds"] - (ts["end_ns"] - ts["start_ns"]) / 1e9) < 2e-6,
             "start_to_end_seconds disagrees with end_ns - start_ns")
        need(p["exception"] is None, "exception must be null on success")
    need(p["status"] in STATUSES, "status must be one of %s" % (STATUSES,))
    need(isinstance(p["arguments"], dict), "arguments must be an object")
    st = p["stack_trace"]
    need(isinstance(st.get("parents"), list) and isinstance(st.get("children"), list),
         "stack_trace.parents/children must be lists")
    need(isinstance(st.get("children_omitted"), int) and st["children_omitted"] >= 0,
         "stack_trace.children_omitted must be a count")
    for e in st["parents"] + st["children"]:
        need(isinstance(e, dict) and isinstance(e.get("call_id"), str)
             and isinstance(e.get("fn_name"), str) and isinstance(e.get("trace_module"), dict),
             "parents/children entries are {fn_name, call_id, trace_module}")
    need(isinstance(p["trace_logs"], list), "trace_logs must be a list")
    for n in p["trace_logs"]:
        need(isinstance(n, dict) and "payload" in n and isinstance(n.get("timestamp"), str)
             and _RFC3339_US.match(n["timestamp"]), "trace_logs entries are {timestamp, payload}")
    pr = p["process"]
    need(isinstance(pr.get("pid"), int) and isinstance(pr.get("tid"), int)
         and isinstance(pr.get("thread_name"), str), "process.pid/tid/thread_name")


class Records:
    """The records of one run, indexed."""

    def __init__(self, records):
        self.all = list(records)
        self.by_id = {}
        self.dup_ids = []
        self._calls = None
        for r in self.all:
            cid = r.get("payload", {}).get("call_id")
            if cid in self.by_id:
                self.dup_ids.append(cid)
            self.by_id[cid] = r

    def __len__(self):
        return len(self.all)

    def __iter__(self):
        return iter(self.all)

    def roots(self):
        return [r for r in self.all if r["payload"]["trace_module"]["thread_id"] == "root"]

    def root(self, pid=None):
        rs = [r for r in self.roots() if pid is None or r["payload"]["process"]["pid"] == pid]
        if len(rs) != 1:
            raise AssertionError("expected exactly one root record, found %d" % len(rs))
        return rs[0]

    def calls(self, name=None):
        """Non-root records, optionally of one function, in start order (a new list)."""
        if self._calls is None:
            self._calls = {}
            rs = [r for r in self.all if r["payload"]["trace_module"]["thread_id"] != "root"]
            rs.sort(key=lambda r: (r["payload"]["timestamps"]["start_ns"], call_id(r)))
            self._calls[None] = rs
            for r in rs:
                self._calls.setdefault(fn_name(r), []).append(r)
        return list(self._calls.get(name, []))

    def one(self, name, **argmatch):
        """The one call of name whose arguments include argmatch."""
        rs = [r for r in self.calls(name)
              if all(args(r).get(k) == v for k, v in argmatch.items())]
        if len(rs) != 1:
            raise AssertionError("expected one %s%s record, found %d: %s" % (
                name, argmatch or "", len(rs), [describe(r) for r in rs][:10]))
        return rs[0]

    def parent(self, rec):
        ids = parent_ids(rec)
        return self.by_id.get(ids[-1]) if ids else None

    def children(self, rec):
        return [self.by_id[c] for c in child_ids(rec)]

    def counts(self):
        return collections.Counter(fn_name(r) for r in self.calls())

    def check_all(self, argv=None, exit_status=None, roots=1):
        """Every record well formed; ids unique; every id referenced exists; the
        parent/child links agree both ways; exactly `roots` root records (one per
        process), each first in its calls' parents."""
        for r in self.all:
            check_record_shape(r)
        if self.dup_ids:
            raise AssertionError("duplicate call_ids: %s" % self.dup_ids[:10])
        rts = self.roots()
        if len(rts) != roots:
            raise AssertionError("expected %d root record(s), found %d" % (roots, len(rts)))
        pids = collections.Counter(r["payload"]["process"]["pid"] for r in rts)
        if any(n > 1 for n in pids.values()):
            raise AssertionError("more than one root record in one process: %s" % pids)
        root_of_pid = {r["payload"]["process"]["pid"]: r for r in rts}
        for rt in rts:
            p = rt["payload"]
            if p["trace_module"]["hook_id"] != "root":
                raise AssertionError("root record hook_id must be \"root\": %s" % describe(rt))
            if p["stack_trace"]["parents"]:
                raise AssertionError("root record must have no parents: %s" % describe(rt))
            if set(p["arguments"]) - {"diagnostics"} != {"argv", "dropped"}:
                raise AssertionError("root arguments must be {\"argv\": [...], \"dropped\": "
                                     "{...}[, \"diagnostics\": {...}]}: %s" % p["arguments"])
            check_dropped_shape(p["arguments"]["dropped"])
            if "diagnostics" in p["arguments"]:
                check_diagnostics_shape(p["arguments"]["diagnostics"])
        if argv is not None and len(rts) == 1:
            got = rts[0]["payload"]["arguments"]["argv"]
            if got != list(argv):
                raise AssertionError("root argv %r, program ran with %r" % (got, list(argv)))
            name = rts[0]["payload"]["function"]["name"]
            if name not in (argv[0], os.path.basename(argv[0])):
                raise AssertionError("root function.name %r is not the program %r"
                                     % (name, argv[0]))
        if exit_status is not None and len(rts) == 1:
            if rts[0]["payload"]["output"] != exit_status:
                raise AssertionError("root output %r, exit status %r"
                                     % (rts[0]["payload"]["output"], exit_status))
        for r in self.all:
            p = r["payload"]
            for cid in child_ids(r):
                c = self.by_id.get(cid)
                if c is None:
                    raise AssertionError("%s lists child %s, which has no record"
                                         % (describe(r), cid))
                if not parent_ids(c) or parent_ids(c)[-1] != p["call_id"]:
                    raise AssertionError("%s lists child %s whose immediate parent is %s"
                                         % (describe(r), describe(c), parent_ids(c)[-1:]))
            if p["trace_module"]["thread_id"] == "root":
                continue
            pids_ = parent_ids(r)
            if not pids_:
                raise AssertionError("%s has no parents (the root must be first)" % describe(r))
            rt = root_of_pid.get(p["process"]["pid"])
            if rt is not None and pids_[0] != call_id(rt):
                raise AssertionError("%s: first parent %s is not the root %s"
                                     % (describe(r), pids_[0], call_id(rt)))
            for pid_ in pids_:
                if pid_ not in self.by_id:
                    raise AssertionError("%s: parent %s has no record" % (describe(r), pid_))
            # The immediate parent's own parents are this record's parents less one.
            par = self.by_id[pids_[-1]]
            if parent_ids(par) != pids_[:-1]:
                raise AssertionError("%s: parents %s, but its parent %s has parents %s"
                                     % (describe(r), pids_, describe(par), parent_ids(par)))
            # Completed before the parent did, so listed (up to max_children) or counted.
            # A thread started inside a call (a hooked pthread_create) may outlive it,
            # and across threads the logger may see the parent end first: same thread only.
            pst = par["payload"]["stack_trace"]
            done = ("success", "error")
            same_thread = p["process"]["tid"] == par["payload"]["process"]["tid"]
            if (call_id(r) not in child_ids(par) and pst["children_omitted"] == 0 and same_thread
                    and par["payload"]["status"] in done and p["status"] in done):
                raise AssertionError("%s is not among the children of its parent %s"
                                     % (describe(r), describe(par)))
        for r in self.all:
            st = r["payload"]["stack_trace"]
            listed = len(st["children"])
            if len(set(child_ids(r))) != listed:
                raise AssertionError("%s lists a child twice" % describe(r))


# ---------------------------------------------------------------- values

_HEX_ESC = re.compile(r"\\x([0-9A-Fa-f]{2})")


def _norm_escapes(s):
    return _HEX_ESC.sub(lambda m: "\\x" + m.group(1).lower(), s)


def values_equal(expected, actual):
    """Compares a recorded value with the expected one: integers exactly and as
    integers, floats numerically, bools as bools, "0x…" pointers numerically, the
    \\xHH escapes of invalid UTF-8 case-insensitively, objects key by key."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if expected is None:
        return actual is None
    if isinstance(expected, int):
        return type(actual) is int and actual == expected
    if isinstance(expected, float):
        return isinstance(actual, (int, float)) and float(actual) == expected
    if isinstance(expected, str):
        if not isinstance(actual, str):
            return False
        if re.match(r"^0x[0-9a-fA-F]+$", expected) and re.match(r"^0x[0-9a-fA-F]+$", actual):
            return int(expected, 16) == int(actual, 16)
        return expected == actual
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(expected) != set(actual):
            return False
        if expected.get("invalid_utf8") is True and isinstance(expected.get("value"), str):
            expected = dict(expected, value=_norm_escapes(expected["value"]))
            if isinstance(actual.get("value"), str):
                actual = dict(actual, value=_norm_escapes(actual["value"]))
        return all(values_equal(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list):
        return (isinstance(actual, list) and len(expected) == len(actual)
                and all(values_equal(e, a) for e, a in zip(expected, actual)))
    return expected == actual


def assert_value(expected, actual, what):
    if not values_equal(expected, actual):
        raise AssertionError("%s: expected %s, recorded %s"
                             % (what, json.dumps(expected), json.dumps(actual)))


# ---------------------------------------------------------------- normalising

def normalise(records):
    """Records reduced to what must not change between builds of the same program:
    ids renumbered by first appearance, timestamps, pids, tids, addresses, tracer and
    session ids, library and caller paths removed. Returns a sorted list of JSON texts."""
    ids = {}

    def nid(cid):
        if cid not in ids:
            ids[cid] = "#%d" % len(ids)
        return ids[cid]

    ordered = sorted(records, key=lambda r: (r["payload"]["timestamps"]["start_ns"],
                                             r["payload"]["call_id"]))
    for r in ordered:
        nid(r["payload"]["call_id"])
    out = []
    for r in ordered:
        p = r["payload"]
        entry = {
            "name": p["function"]["name"],
            "args": p["function"]["args"],
            "thread_id": p["trace_module"]["thread_id"],
            "hook_id": p["trace_module"]["hook_id"],
            "call_id": nid(p["call_id"]),
            "arguments": _strip_addresses(p["arguments"]),
            "status": p["status"],
            "output": _strip_addresses(p["output"]),
            "parents": [nid(x["call_id"]) for x in p["stack_trace"]["parents"]],
            "children": [nid(x["call_id"]) for x in p["stack_trace"]["children"]],
            "children_omitted": p["stack_trace"]["children_omitted"],
            "trace_logs": [n["payload"] for n in p["trace_logs"]],
        }
        if entry["thread_id"] == "root":
            entry["arguments"] = {"argv": len(p["arguments"].get("argv", []))}
            entry["name"] = os.path.basename(entry["name"])
        out.append(json.dumps(entry, sort_keys=True))
    return out


def _strip_addresses(v):
    if isinstance(v, str) and re.match(r"^0x[0-9a-fA-F]+$", v):
        return "0x…"
    if isinstance(v, dict):
        return {k: _strip_addresses(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_strip_addresses(x) for x in v]
    return v


def oracle_lines(stdout, tag="CALL"):
    """Parses a test program's own account of its calls: lines
    'CALL<TAB>function<TAB>{arguments as JSON}<TAB>return value as JSON'."""
    out = []
    for line in stdout.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        if parts[0] != tag:
            continue
        if len(parts) != 4:
            raise AssertionError("bad oracle line: %r" % line)
        out.append((parts[1], json.loads(parts[2], object_pairs_hook=collections.OrderedDict),
                    json.loads(parts[3])))
    return out


def realpath(p):
    return os.path.realpath(p) if p else p


# ---------------------------------------------------------------- drops (on_full)

def check_diagnostics_shape(d):
    """The root's arguments.diagnostics: {"messages": [text, ...], "omitted": N}, at
    least one message (the field is left out when there is none), at most 32."""
    if (not isinstance(d, dict) or set(d) != {"messages", "omitted"}
            or not isinstance(d["messages"], list) or not d["messages"]
            or len(d["messages"]) > 32
            or not all(isinstance(m, str) and m and not m.startswith("libimpulse[")
                       for m in d["messages"])
            or not isinstance(d["omitted"], int) or d["omitted"] < 0):
        raise AssertionError("root arguments.diagnostics malformed: %r" % (d,))


def check_dropped_shape(d):
    """The root's arguments.dropped: {"total": N, "threads": [{"thread_id", "thread_name",
    "total", "hooks": {name: n}}]}, only threads that dropped listed, every total the
    sum of its parts."""
    def need(cond, msg):
        if not cond:
            raise AssertionError("root arguments.dropped: %s: %s" % (msg, json.dumps(d)[:1500]))

    need(isinstance(d, dict) and set(d) == {"total", "threads"}, "must be {total, threads}")
    need(type(d["total"]) is int and d["total"] >= 0, "total must be a count")
    need(isinstance(d["threads"], list), "threads must be a list")
    for t in d["threads"]:
        need(isinstance(t, dict) and set(t) - {"reentrant"} == {"thread_id", "thread_name", "total", "hooks"},
             "thread entries are {thread_id, thread_name, total, hooks[, reentrant]}")
        # reentrant: the part of hooks made by signal handlers inside libimpulse
        need(all(type(n) is int and 0 < n <= t["hooks"].get(k, 0)
                 for k, n in t.get("reentrant", {}).items()), "reentrant counts are part of hooks")
        need(type(t["thread_id"]) is int and isinstance(t["thread_name"], str), "thread id/name")
        need(type(t["total"]) is int and t["total"] > 0, "a listed thread dropped something")
        need(isinstance(t["hooks"], dict) and all(type(n) is int and n > 0
                                                  for n in t["hooks"].values()), "hooks counts")
        need(sum(t["hooks"].values()) == t["total"], "a thread's total is the sum of its hooks")
    need(sum(t["total"] for t in d["threads"]) == d["total"], "total is the sum of the threads'")
# ---------------------------------------------------------------- process trees

def module_of(rec):
    """The tracer id of the process image that wrote rec."""
    return rec["payload"]["trace_module"]["tracer_id"]


def check_process_tree(records, images):
    """The records of several process images (fork children, exec'd and spawned
    programs): `images` images, each one consistent tree (Records.check_all, its
    root's link to the image that started it set aside); call ids unique across
    all; every root's parents [] or exactly one entry naming a record of another
    image (same call_id, fn_name, trace_module.tracer_id); one trace_id for all.
    Returns (Records of everything, {tracer_id: Records of that image})."""
    import copy
    everything = Records(records)
    if everything.dup_ids:
        raise AssertionError("call ids recorded twice: %s" % everything.dup_ids[:10])
    groups = collections.OrderedDict()
    for r in records:
        groups.setdefault(module_of(r), []).append(r)
    if len(groups) != images:
        raise AssertionError("expected %d process images, found %d: %s"
                             % (images, len(groups), [[describe(r) for r in g if
                                                       r["payload"]["trace_module"]["thread_id"]
                                                       == "root"] for g in groups.values()]))
    per = {}
    trace_ids = set()
    for mod, recs in groups.items():
        stripped = []
        for r in recs:
            if r["payload"]["trace_module"]["thread_id"] == "root":
                trace_ids.add(r["payload"].get("trace_id"))
                link = r["payload"]["stack_trace"]["parents"]
                if len(link) > 1:
                    raise AssertionError("root %s has %d parents" % (describe(r), len(link)))
                for p in link:
                    target = everything.by_id.get(p["call_id"])
                    if target is None:
                        raise AssertionError("root %s: parent %s has no record"
                                             % (describe(r), p["call_id"]))
                    if (p["fn_name"] != fn_name(target)
                            or p["trace_module"].get("tracer_id") != module_of(target)
                            or module_of(target) == mod):
                        raise AssertionError("root %s: parent entry %s does not name %s"
                                             % (describe(r), p, describe(target)))
                r = copy.deepcopy(r)
                r["payload"]["stack_trace"]["parents"] = []
            stripped.append(r)
        per[mod] = Records(stripped)
        per[mod].check_all(roots=1)
    if len(trace_ids) != 1 or None in trace_ids:
        raise AssertionError("roots do not share one trace_id: %s" % trace_ids)
    return everything, per


def root_parent(rec):
    """The record a root names as its parent (in another image), as (call_id, fn_name,
    tracer_id), or None."""
    ps = rec["payload"]["stack_trace"]["parents"]
    if not ps:
        return None
    return (ps[0]["call_id"], ps[0]["fn_name"], ps[0]["trace_module"].get("tracer_id"))
