"""The renderer is one library: `impulse render-events` renders, from what the
logger's renderer was fed (IMPULSE_DEBUG_EVENTS), the same records byte for byte as
the process wrote, root record included. A threaded program with nested calls,
notes, a failed call and pattern-hooked calls, and sqlite3 (a real program)."""

import glob
import os
import shutil
import stat
import subprocess
import tempfile

import impulse_test as it
from impulse_test import args, call_id, parent_ids

CASE = "render_events"
TOOL = os.path.join(it.BUILD, "impulse")

SQLITE_CONF = """
int sqlite3_open_v2(const char *filename, void **ppDb, int flags, const char *zVfs);
int sqlite3_prepare_v2(void *db, const char *zSql, int nByte, void **ppStmt, const char **pzTail);
int sqlite3_step(void *stmt) [error=ret != 100 && ret != 101];
int sqlite3_finalize(void *stmt);
sqlite3_column_*
"""
SQL = "create table t(a); insert into t values(1),(2); select sum(a) from t; select * from nope;"


def traced_with_events(argv, conf, **kw):
    """Runs argv traced with IMPULSE_DEBUG_EVENTS; returns (records, the record
    file's bytes, the events file, the directory to remove)."""
    tmp = tempfile.mkdtemp(prefix="impulse-render-events-")
    # The tool reads the hooks.conf the process read, where it was: kept here.
    conf_path = os.path.join(tmp, "hooks.conf")
    with open(conf_path, "w") as f:
        f.write(conf)
    env = {"IMPULSE_DEBUG_EVENTS": os.path.join(tmp, "events.%p"), "IMPULSE_CONFIG": conf_path}
    _, recs = it.check_run(argv, conf, env=env, log_dir=os.path.join(tmp, "logs"), **kw)
    logs = sorted(glob.glob(os.path.join(tmp, "logs", "logs_*.json")))
    events = glob.glob(os.path.join(tmp, "events.*"))
    if len(logs) != 1 or len(events) != 1:
        raise AssertionError("expected one record file and one events file, got %s and %s"
                             % (logs, events))
    pid = recs.root()["payload"]["process"]["pid"]
    if events[0] != os.path.join(tmp, "events.%d" % pid):
        raise AssertionError("events file %s, expected events.%d (%%p is the pid)" % (events[0], pid))
    mode = stat.S_IMODE(os.stat(events[0]).st_mode)
    if mode != 0o600:
        raise AssertionError("events file mode %o, expected 600" % mode)
    with open(logs[0], "rb") as f:
        return recs, f.read(), events[0], tmp


# A sanitizer build's tool keeps what the records point at until it exits, as it means to.
TOOL_ENV = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "detect_leaks=0"))


def render(events):
    r = subprocess.run([TOOL, "render-events", events], capture_output=True, timeout=120, env=TOOL_ENV)
    if r.returncode != 0:
        raise AssertionError("impulse render-events exited %d: %s" % (r.returncode, r.stderr.decode()))
    return r.stdout


def assert_same_bytes(rendered, logged):
    if rendered == logged:
        return
    a, b = rendered.splitlines(True), logged.splitlines(True)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            raise AssertionError("line %d differs:\n tool:   %r\n logger: %r" % (i + 1, x[:400], y[:400]))
    raise AssertionError("the tool rendered %d lines, the logger wrote %d" % (len(a), len(b)))


def test_render_events_threads_notes_errors_patterns():
    argv = [it.program(CASE, "rev_main")]
    recs, logged, events, tmp = traced_with_events(argv, it.conf(CASE))
    try:
        rendered = render(events)
        assert_same_bytes(rendered, logged)
        # Not two empty files: the records are the ones this run made.
        want = {"rev_spawn_join": 1, "rev_work": 16, "rev_leaf": 32, "rev_fail": 1,
                "rev_pat_one": 1, "rev_pat_two": 1}
        if dict(recs.counts()) != want:
            raise AssertionError("counts %s, expected %s" % (dict(recs.counts()), want))
        if rendered.count(b"\n") != sum(want.values()) + 1:
            raise AssertionError("%d lines rendered" % rendered.count(b"\n"))
        fail = recs.one("rev_fail")
        if (it.payload(fail)["status"], it.payload(fail)["exception"], args(fail)) != \
                ("error", "ENOENT: No such file or directory", {"what": "missing"}):
            raise AssertionError("rev_fail: %s %s %s" % (it.payload(fail)["status"],
                                                         it.payload(fail)["exception"], args(fail)))
        spawn = recs.one("rev_spawn_join")
        work = [r for r in recs.calls("rev_work") if args(r)["t"] == 1 and args(r)["i"] == 3]
        if len(work) != 1 or parent_ids(work[0]) != [call_id(recs.root()), call_id(spawn)]:
            raise AssertionError("rev_work(1,3) is not a child of rev_spawn_join")
        if [n["payload"] for n in it.payload(work[0])["trace_logs"]] != ["work t=1 i=3"]:
            raise AssertionError("rev_work(1,3)'s notes: %s" % it.payload(work[0])["trace_logs"])
        root_logs = [n["payload"] for n in it.payload(recs.root())["trace_logs"]]
        if root_logs != [{"phase": "done", "n": 3}]:
            raise AssertionError("the root's notes: %s" % root_logs)
        if it.payload(recs.one("rev_pat_two"))["stack_trace"]["parents"][0]["fn_name"] != "rev_main":
            raise AssertionError("rev_pat_two's parent is not the root")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_render_events_sqlite3():
    if not os.path.exists("/usr/bin/sqlite3"):
        it.skip("/usr/bin/sqlite3 is not installed (Debian package sqlite3)")
    argv = ["/usr/bin/sqlite3", ":memory:", SQL]
    recs, logged, events, tmp = traced_with_events(argv, SQLITE_CONF)
    try:
        assert_same_bytes(render(events), logged)
        counts = dict(recs.counts())
        if counts.get("sqlite3_open_v2") != 1 or counts.get("sqlite3_prepare_v2", 0) < 4:
            raise AssertionError("sqlite3's counts: %s" % counts)
        sqls = [args(r)["zSql"] for r in recs.calls("sqlite3_prepare_v2")]
        if not any(s.startswith("select sum(a) from t;") for s in sqls if isinstance(s, str)):
            raise AssertionError("no prepare of the select: %s" % sqls)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_render_events_refuses_other_files():
    tmp = tempfile.mkdtemp(prefix="impulse-render-events-")
    try:
        path = os.path.join(tmp, "not-events")
        with open(path, "wb") as f:
            f.write(b'{"payload": {}}\n' * 4)
        r = subprocess.run([TOOL, "render-events", path], capture_output=True, timeout=60, env=TOOL_ENV)
        if r.returncode != 125 or b"not a binary record file" not in r.stderr or r.stdout:
            raise AssertionError("render-events on a record file: exit %d, stdout %r, stderr %r"
                                 % (r.returncode, r.stdout[:200], r.stderr))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
