"""impulse stats: per-hook counts and times from record files and MongoDB.

What must hold, checked against an independent computation in Python over the same
records (json module, self time from process tids rather than call ids):
- golden output: the exact table, JSON and CSV for the checked-in fixture
  (fixture/, made by make_fixture.py from real traced runs), with every --by;
- calls, errors (status error, exception, crashed), per-status counts, total and
  self time, min and max exactly; p50/p95/p99 within 1/256 of the exact nearest-rank
  percentile, on the fixture, on a real run of 20,000 calls, and on synthetic records
  whose durations span 1 ns to 100 s;
- --by thread|tid|session group the same numbers; filters keep only what they name
  and do not change the self time of what is kept;
- malformed lines are named FILE:LINE on stderr, skipped and counted; the rest
  gives the same numbers; an unreadable input alone exits 1;
- a gzip file reads as the plain one; records pushed into MongoDB (impulse push, the
  test server) give what the files give;
- hooks sharing a hook_id in two libraries get the library in their label;
- with no input named, the newest file of .impulselogs/ is read.
"""

import copy
import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE_REL = os.path.join("tests", "tools", "stats", "fixture")
FIXTURE = os.path.join(it.REPO, FIXTURE_REL)
GOLDEN = os.path.join(HERE, "golden")
TOOL = os.path.join(it.BUILD, "impulse")
ERROR_STATUSES = ("error", "exception", "crashed")
STATUSES = ("success", "error", "incomplete", "unwound", "exception", "crashed", "other")
BOUND = 1.0 / 256
TIMEOUT = 240

# name -> arguments after "impulse stats FIXTURE"
GOLDEN_CASES = {
    "table": [],
    "by_thread": ["--by", "thread"],
    "by_tid": ["--by", "tid"],
    "by_session": ["--by", "session"],
    "sort_calls": ["--sort", "calls"],
    "sort_self": ["--sort", "self"],
    "filter_thread": ["--thread", "inner"],
    "filter_hook": ["--hook", "score", "--hook", "fetch_context"],
    "filter_session": ["--session", "stats_crash"],
    "json": ["--format", "json"],
    "json_by_tid": ["--format", "json", "--by", "tid"],
    "csv": ["--format", "csv"],
    "csv_by_thread": ["--format", "csv", "--by", "thread"],
}


# ---------------------------------------------------------------- running

def env():
    e = it._base_env({"NO_COLOR": "1"})
    for k in list(e):
        if k.startswith("IMPULSE_"):
            del e[k]
    return e


def stats(args, cwd=it.REPO, check=True, extra_env=None):
    e = env()
    e.update(extra_env or {})
    p = subprocess.run([TOOL, "stats"] + list(args), cwd=cwd, env=e, capture_output=True,
                       timeout=200)
    out, err = p.stdout.decode(), p.stderr.decode()
    if check and p.returncode != 0:
        raise AssertionError("impulse stats %s: status %d\n%s%s" % (args, p.returncode, out, err))
    return p.returncode, out, err


def stats_json(args, **kw):
    _, out, _ = stats(list(args) + ["--format", "json"], **kw)
    return json.loads(out)


# ---------------------------------------------------------------- the oracle

def read_records(paths):
    recs = []
    for path in paths:
        if os.path.isdir(path):
            names = sorted(n for n in os.listdir(path) if n.startswith("logs_"))
            recs += read_records([os.path.join(path, n) for n in names])
            continue
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rt") as f:
            for line in f:
                if line.strip():
                    recs.append(json.loads(line))
    return recs


def is_root(p):
    return p["trace_module"]["hook_id"] == "root" and p["trace_module"]["thread_id"] == "root"


def duration(p):
    return p["timestamps"]["end_ns"] - p["timestamps"]["start_ns"]


def oracle(recs, group=None, keep=None):
    """{(group, hook_id, function, library): figures} computed from parsed records.
    Self time: duration minus the durations of the direct children on the same OS
    thread (pid, tid), found by call_id over the whole input."""
    by_id = {}
    for r in recs:
        p = r["payload"]
        by_id[p["call_id"]] = p
    children = {}
    for r in recs:
        p = r["payload"]
        if is_root(p) or not p["stack_trace"]["parents"]:
            continue
        parent = by_id.get(p["stack_trace"]["parents"][-1]["call_id"])
        if parent is None or is_root(parent):
            continue
        if (parent["process"]["pid"], parent["process"]["tid"]) != \
                (p["process"]["pid"], p["process"]["tid"]):
            continue
        children[parent["call_id"]] = children.get(parent["call_id"], 0) + duration(p)
    out = {}
    for r in recs:
        p = r["payload"]
        if is_root(p) or (keep and not keep(p)):
            continue
        g = group(p) if group else None
        key = (g, p["trace_module"]["hook_id"], p["function"]["name"], p["function"].get("library"))
        f = out.setdefault(key, {"calls": 0, "errors": 0, "total_ns": 0, "self_ns": 0,
                                 "durations": [], "status": {s: 0 for s in STATUSES}})
        d = duration(p)
        f["calls"] += 1
        f["errors"] += p["status"] in ERROR_STATUSES
        f["status"][p["status"] if p["status"] in STATUSES else "other"] += 1
        f["total_ns"] += d
        f["self_ns"] += d - children.get(p["call_id"], 0)
        f["durations"].append(d)
    return out


def exact_percentile(values, pct):
    v = sorted(values)
    rank = max(1, -(-pct * len(v) // 100))
    return v[rank - 1]


def check_hook(key, got, want):
    for field in ("calls", "errors", "total_ns", "self_ns"):
        if got[field] != want[field]:
            raise AssertionError("%s: %s is %s, expected %s" % (key, field, got[field], want[field]))
    if got["status"] != want["status"]:
        raise AssertionError("%s: status %s, expected %s" % (key, got["status"], want["status"]))
    d = want["durations"]
    if got["min_ns"] != min(d) or got["max_ns"] != max(d):
        raise AssertionError("%s: min/max %s/%s, expected %s/%s"
                             % (key, got["min_ns"], got["max_ns"], min(d), max(d)))
    if got["mean_ns"] != want["total_ns"] // want["calls"]:
        raise AssertionError("%s: mean %s" % (key, got["mean_ns"]))
    for pct in (50, 95, 99):
        exact = exact_percentile(d, pct)
        value = got["p%d_ns" % pct]
        if exact < 128 and value != exact:
            raise AssertionError("%s: p%d %d, exact %d (below 128 ns: must be exact)"
                                 % (key, pct, value, exact))
        if abs(value - exact) > exact * BOUND:
            raise AssertionError("%s: p%d %d, exact %d: off by %.4f%% > 1/256"
                                 % (key, pct, value, exact, 100.0 * abs(value - exact) / exact))


def check_against_oracle(doc, recs, by=None, keep=None):
    groupers = {
        None: None,
        "thread": lambda p: p["trace_module"]["thread_id"],
        "session": lambda p: p["trace_module"]["session_id"],
        "tid": lambda p: (p["process"]["pid"], p["process"]["tid"]),
    }
    want = oracle(recs, groupers[by], keep)
    got = {}
    if by is None:
        for h in doc["hooks"]:
            got[(None, h["hook_id"], h["function"], h["library"])] = h
    else:
        for g in doc["groups"]:
            gk = (g["pid"], g["tid"]) if by == "tid" else g[by]
            # the group's own figures against the records, not against its hooks' rows
            # (which come from the same counter)
            mine = [w for k, w in want.items() if k[0] == gk]
            for field in ("calls", "errors", "self_ns"):
                expected = sum(w[field] for w in mine)
                if g[field] != expected:
                    raise AssertionError("group %s: %s %d, the records say %d"
                                         % (gk, field, g[field], expected))
            for h in g["hooks"]:
                got[(gk, h["hook_id"], h["function"], h["library"])] = h
    if set(got) != set(want):
        raise AssertionError("hooks differ:\n  only in impulse stats: %s\n  only in the oracle: %s"
                             % (sorted(map(str, set(got) - set(want))),
                                sorted(map(str, set(want) - set(got)))))
    for key in want:
        check_hook(key, got[key], want[key])
    # sorted by total time, largest first
    lists = [doc["hooks"]] if by is None else [g["hooks"] for g in doc["groups"]]
    for hooks in lists:
        totals = [h["total_ns"] for h in hooks]
        if totals != sorted(totals, reverse=True):
            raise AssertionError("not sorted by total: %s" % totals)


# ---------------------------------------------------------------- golden output

def golden_path(name):
    return os.path.join(GOLDEN, name + (".json" if name.startswith("json") else
                                        ".csv" if name.startswith("csv") else ".txt"))


def golden_case(name):
    def test():
        _, out, err = stats([FIXTURE_REL] + GOLDEN_CASES[name])
        path = golden_path(name)
        if os.environ.get("STATS_UPDATE_GOLDEN"):
            # never a pass: a run that rewrites the golden files compares nothing
            os.makedirs(GOLDEN, exist_ok=True)
            with open(path, "w") as f:
                f.write(out)
            raise AssertionError("%s rewritten (STATS_UPDATE_GOLDEN is set): review the diff, "
                                 "then run again without it" % os.path.relpath(path, it.REPO))
        with open(path) as f:
            want = f.read()
        if out != want:
            raise AssertionError("output differs from %s:\n--- got\n%s--- expected\n%s"
                                 % (os.path.relpath(path, it.REPO), out, want))
        if err:
            raise AssertionError("stderr not empty: %r" % err)
    return test


def tests():
    return [("test_golden_" + name, golden_case(name)) for name in GOLDEN_CASES]


# ---------------------------------------------------------------- exact figures

def test_fixture_against_oracle():
    recs = read_records([FIXTURE])
    for by in (None, "thread", "tid", "session"):
        args = [FIXTURE_REL] + (["--by", by] if by else [])
        doc = stats_json(args)
        check_against_oracle(doc, recs, by)
    doc = stats_json([FIXTURE_REL])
    roots = [r["payload"] for r in recs if is_root(r["payload"])]
    assert doc["records"] == len(recs), doc["records"]
    assert doc["roots"] == len(roots) == doc["processes"]["count"]
    assert doc["calls"] == len(recs) - len(roots)
    assert doc["errors_are"] == list(ERROR_STATUSES)
    # frames in flight: at most the deepest nesting (a_recurse 3: 7 levels) at once
    assert 1 <= doc["self_frames_peak"] <= 7, doc["self_frames_peak"]
    assert doc["sessions"] == len({r["payload"]["trace_module"]["session_id"] for r in recs})
    assert doc["threads"] == len({(r["payload"]["process"]["pid"], r["payload"]["process"]["tid"])
                                  for r in recs if not is_root(r["payload"])})
    assert doc["span"]["start_ns"] == min(r["payload"]["timestamps"]["start_ns"] for r in recs)
    assert doc["span"]["end_ns"] == max(r["payload"]["timestamps"]["end_ns"] for r in recs)
    assert doc["dropped"] == sum(p["arguments"]["dropped"]["total"] for p in roots)
    outcomes = {(o["program"], o["outcome"], o["exit_status"]): o["count"]
                for o in doc["processes"]["outcomes"]}
    assert outcomes == {("demo_app", "exit", 0): 1, ("nested_main", "exit", 0): 2,
                        ("crash_main", "crashed", None): 1}, outcomes
    crashed = [o for o in doc["processes"]["outcomes"] if o["outcome"] == "crashed"][0]
    assert crashed["detail"].startswith("SIGSEGV"), crashed
    # the fixture has what the tests need: errors, crashes, nesting, threads
    by_hook = {h["hook_id"]: h for h in doc["hooks"]}
    assert by_hook["b_inner"]["status"]["error"] > 0
    assert by_hook["cr_inner"]["status"]["crashed"] == 1
    assert by_hook["a_recurse"]["self_ns"] < by_hook["a_recurse"]["total_ns"]
    # retrieve runs on worker threads: its parent, pipeline_run, keeps it in its self time
    pr = by_hook["pipeline_run"]
    want = oracle(recs)[(None, "pipeline_run", "pipeline_run", pr["library"])]
    assert pr["self_ns"] == want["self_ns"]


def real_run_file(tmp, n=20000):
    """A real traced run: nested_main many N, N b_inner calls under one a_many."""
    conf = "[thread outer]\nint a_many(int n);\n[thread inner]\nint b_inner(int x, int k) [error=ret > 219990];\n"
    r = it.run_traced([it.program("nested", "nested_main"), "many", str(n)], conf)
    try:
        assert r.returncode == 0, r.stderr
        files = r.log_files()
        assert len(files) == 1, files
        path = os.path.join(tmp, os.path.basename(files[0]))
        shutil.copy(files[0], path)
        return path
    finally:
        r.cleanup()


def test_real_run_against_oracle():
    tmp = tempfile.mkdtemp(prefix="impulse-stats-")
    try:
        path = real_run_file(tmp)
        recs = read_records([path])
        doc = stats_json([path])
        check_against_oracle(doc, recs)
        b = [h for h in doc["hooks"] if h["hook_id"] == "b_inner"][0]
        assert b["calls"] == 20000 and b["errors"] == 9, b
        # self time held one frame at a time (a_many's), whatever the number of calls
        assert doc["self_frames_peak"] == 1, doc["self_frames_peak"]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def synthetic(template, durations, hook="synth", library="/lib/libsynth.so", tid_offset=0):
    """Records copied from a real one, with the given durations, one after another."""
    out = []
    t = 1795000000000000000
    for i, d in enumerate(durations):
        r = copy.deepcopy(template)
        p = r["payload"]
        p["trace_module"]["hook_id"] = hook
        p["function"]["name"] = hook
        p["function"]["library"] = library
        p["call_id"] = "%s-%016x" % (p["trace_module"]["tracer_id"], (5 << 40) + tid_offset + i + 1)
        p["timestamps"]["start_ns"] = t
        p["timestamps"]["end_ns"] = t + d
        p["process"]["tid"] += tid_offset
        t += d + 10
        out.append(r)
    return out


def write_lines(path, recs):
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r, separators=(",", ":")) + "\n")


def fixture_template():
    for r in read_records([FIXTURE]):
        if r["payload"]["trace_module"]["hook_id"] == "score":
            return r
    raise AssertionError("no score record in the fixture")


def test_percentiles_synthetic():
    """Durations log-uniform from 1 ns to 100 s, and a few hooks with small counts:
    every percentile within 1/256 of the exact one, exact below 128 ns."""
    import random
    rng = random.Random(6)
    template = fixture_template()
    recs = []
    for k, n in enumerate((20000, 1000, 100, 7, 2, 1)):
        durs = [int(10 ** rng.uniform(0, 11)) for _ in range(n)]
        recs += synthetic(template, durs, hook="synth%d" % k, tid_offset=k * 1000000)
    recs += synthetic(template, [rng.randint(0, 127) for _ in range(500)], hook="small")
    recs += synthetic(template, [123456789] * 50, hook="same")
    tmp = tempfile.mkdtemp(prefix="impulse-stats-")
    try:
        path = os.path.join(tmp, "synthetic.json")
        write_lines(path, recs)
        doc = stats_json([path])
        check_against_oracle(doc, recs)
        same = [h for h in doc["hooks"] if h["hook_id"] == "same"][0]
        assert same["p50_ns"] == same["p99_ns"] == 123456789, same
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_same_hook_id_two_libraries():
    template = fixture_template()
    recs = synthetic(template, [100, 200], hook="dup", library="/usr/lib/liba.so.1")
    recs += synthetic(template, [300], hook="dup", library="/opt/libb.so", tid_offset=10)
    tmp = tempfile.mkdtemp(prefix="impulse-stats-")
    try:
        path = os.path.join(tmp, "dup.json")
        write_lines(path, recs)
        doc = stats_json([path])
        labels = sorted(h["hook"] for h in doc["hooks"])
        assert labels == ["dup (liba.so.1)", "dup (libb.so)"], labels
        _, out, _ = stats([path])
        assert "dup (libb.so)" in out and "dup (liba.so.1)" in out, out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---------------------------------------------------------------- filters

def test_filters():
    recs = read_records([FIXTURE])
    full = {h["hook_id"]: h for h in stats_json([FIXTURE_REL])["hooks"]}
    cases = [
        (["--thread", "inner"], lambda p: p["trace_module"]["thread_id"] == "inner"),
        (["--hook", "tokenizer", "--hook", "strlen"],
         lambda p: p["trace_module"]["hook_id"] == "tokenizer" or p["function"]["name"] == "strlen"),
        (["--session", "stats_nested", "--thread", "outer"],
         lambda p: p["trace_module"]["session_id"] == "stats_nested" and
         p["trace_module"]["thread_id"] == "outer"),
    ]
    for args, keep in cases:
        doc = stats_json([FIXTURE_REL] + args)
        check_against_oracle(doc, recs, keep=keep)
        assert doc["matched_calls"] == sum(1 for r in recs if not is_root(r["payload"]) and
                                           keep(r["payload"])), args
        for h in doc["hooks"]:
            assert h["self_ns"] == full[h["hook_id"]]["self_ns"], (args, h["hook_id"])
    # --session leaves out everything else, header included
    doc = stats_json([FIXTURE_REL, "--session", "stats_crash"])
    assert doc["roots"] == 1 and doc["sessions"] == 1, doc
    assert doc["processes"]["outcomes"][0]["outcome"] == "crashed"


def test_usage_errors():
    for args in (["--by", "nothing"], ["--sort", "name"], ["--format", "xml"], ["--bogus"],
                 ["--hook"]):
        status, out, err = stats([FIXTURE_REL] + args, check=False)
        assert status == 2, (args, status, err)
        assert err.startswith("impulse stats: ") and ("--help" in err or "choices" in err), err
    status, out, _ = stats(["--help"])
    assert "1/256" in out and "error, exception or crashed" in out, out


# ---------------------------------------------------------------- inputs

def test_malformed_lines_skipped():
    tmp = tempfile.mkdtemp(prefix="impulse-stats-")
    try:
        src = sorted(os.listdir(FIXTURE))[2]
        with open(os.path.join(FIXTURE, src)) as f:
            lines = f.readlines()
        bad = list(lines)
        bad.insert(3, "this is not JSON\n")
        bad.insert(10, '{"payload": {"function": {}}}\n')
        bad.insert(20, lines[5][: len(lines[5]) // 2] + "\n")
        path = os.path.join(tmp, src)
        with open(path, "w") as f:
            f.writelines(bad)
        status, out, err = stats([path, "--format", "json"], check=False)
        assert status == 1, (status, err)     # records read, something skipped
        shown = path    # outside the current directory: shown as given
        for line in (4, 11, 21):
            if not re.search(r"^impulse stats: %s:%d(:\d+)?: .+" % (re.escape(shown), line), err, re.M):
                raise AssertionError("no message for line %d in:\n%s" % (line, err))
        assert "impulse stats: 3 malformed lines skipped" in err, err
        doc = json.loads(out)
        assert doc["skipped_lines"] == 3
        check_against_oracle(doc, read_records([os.path.join(FIXTURE, src)]))
        # the table says it too
        _, out, _ = stats([path], check=False)
        assert re.search(r"^skipped +3 malformed lines$", out, re.M), out
        # nothing readable at all: status 2
        status, out, err = stats([os.path.join(tmp, "missing.json")], check=False)
        assert status == 2 and "missing.json" in err, (status, err)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_gzip_same_as_plain():
    tmp = tempfile.mkdtemp(prefix="impulse-stats-")
    try:
        for name in os.listdir(FIXTURE):
            with open(os.path.join(FIXTURE, name), "rb") as f, \
                    gzip.open(os.path.join(tmp, name + ".gz"), "wb") as g:
                g.write(f.read())
        plain = stats_json([FIXTURE_REL])
        gz = stats_json([tmp])
        for doc in (plain, gz):
            doc.pop("inputs")
        assert plain == gz, "gzip differs"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_default_input_newest_file():
    tmp = tempfile.mkdtemp(prefix="impulse-stats-")
    try:
        logs = os.path.join(tmp, ".impulselogs")
        os.makedirs(logs)
        names = sorted(os.listdir(FIXTURE))
        for name in names:
            shutil.copy(os.path.join(FIXTURE, name), logs)
        doc = stats_json([], cwd=tmp)
        assert doc["inputs"] == [".impulselogs/" + names[-1]], doc["inputs"]
        assert doc["roots"] == 1 and doc["processes"]["outcomes"][0]["program"] == "crash_main"
        # IMPULSE_LOG_DIR names another directory
        other = os.path.join(tmp, "other")
        os.makedirs(other)
        shutil.copy(os.path.join(FIXTURE, names[0]), other)
        doc = stats_json([], cwd=tmp, extra_env={"IMPULSE_LOG_DIR": other})
        assert doc["processes"]["outcomes"][0]["program"] == "demo_app", doc
        status, _, err = stats([], cwd=os.path.join(tmp, "other"), check=False)
        assert status == 2 and "no record file in .impulselogs" in err, err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_mongo_same_as_file():
    from mongo_server import MongoServer
    srv = MongoServer()
    srv.start()
    try:
        e = env()
        p = subprocess.run([TOOL, "push", "--mongo", srv.uri, "--collection", "stats", FIXTURE],
                           cwd=it.REPO, env=e, capture_output=True, timeout=120)
        assert p.returncode == 0, p.stderr.decode()
        for by in (None, "thread"):
            extra = ["--by", by] if by else []
            from_file = stats_json([FIXTURE_REL] + extra)
            from_db = stats_json(["--mongo", srv.uri, "--collection", "stats"] + extra)
            assert from_db["mongo"] and from_db["inputs"] == [], from_db["inputs"]
            for doc in (from_file, from_db):
                doc.pop("inputs")
                doc.pop("mongo")
            if from_file != from_db:
                raise AssertionError("MongoDB differs from the files:\n%s\n%s"
                                     % (json.dumps(from_file)[:3000], json.dumps(from_db)[:3000]))
        one = stats_json(["--mongo", srv.uri, "--collection", "stats", "--session", "stats_nested"])
        assert one["sessions"] == 1 and one["roots"] == 2, one
    finally:
        srv.stop()
