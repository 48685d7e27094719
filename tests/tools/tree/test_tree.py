"""test_tree.py — `impulse tree` on records of real test programs (fixtures/*.json,
made once by make_fixtures.py under libimpulse and checked in, so ids and times are
fixed): the exact output (--color=never --no-pager, not a terminal) against
golden/<case>.txt, for plain runs, filters, folding; a malformed line reported as
FILE:LINE with the rest shown; gzip input the same as plain; a child process's file
alone gets a note; the tree from MongoDB (records pushed with `impulse push` to the
test server) equals the tree from the file; a random forest of 200,000 calls over
4 interleaved threads (larger than the spool's cache) comes out exactly in order.

Regenerate the goldens after a deliberate change of the output:
    IMPULSE_BUILD=$PWD/build /usr/bin/python3 tests/tools/tree/test_tree.py --regen
and read the diff.
"""
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import impulse_test as it

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
GOLDEN = os.path.join(HERE, "golden")
TOOL = os.path.join(it.BUILD, "impulse")

# name: (fixture, extra arguments)
CASES = {
    "nested": ("nested", []),
    "threads": ("threads", []),
    "procs": ("procs", []),
    "crash": ("crash", []),
    "api": ("api", []),
    "capture": ("capture", []),
    "nested_hook": ("nested", ["--hook", "b_inner"]),
    "nested_thread": ("nested", ["--thread", "inner"]),
    "nested_depth": ("nested", ["--depth", "2"]),
    "threads_min": ("threads", ["--min-duration", "100ns"]),
    "threads_hook_depth": ("threads", ["--hook=thr_spawn_join", "--depth=1"]),
    "capture_errors_hook": ("capture", ["--hook", "cap_open"]),
}


def env():
    e = it._base_env(None)
    for k in list(e):
        if k.startswith("IMPULSE_"):
            del e[k]
    e.pop("NO_COLOR", None)
    return e


def tree(args, cwd=None):
    p = subprocess.run([TOOL, "tree", "--color=never", "--no-pager"] + args,
                       capture_output=True, env=env(), cwd=cwd or it.REPO, timeout=60)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def golden(name):
    with open(os.path.join(GOLDEN, name + ".txt")) as f:
        return f.read()


def same(what, got, want):
    if got != want:
        import difflib
        raise AssertionError("%s differs:\n%s" % (what, "".join(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True), "expected", "got"))))


def case_test(name):
    fixture, args = CASES[name]

    def test():
        rc, out, err = tree([os.path.join(FIX, fixture + ".json")] + args)
        if rc != 0 or err:
            raise AssertionError("exit %d, stderr %r" % (rc, err))
        same(name, out, golden(name))
    return test


def tests():
    return [("golden_" + n, case_test(n)) for n in CASES] + _oracle_tests()


def test_colour_always_marks_errors_red():
    rc, out, err = tree([os.path.join(FIX, "capture.json"), "--color=always"])
    red = [l for l in out.splitlines() if "\033[31m" in l]
    if not red or not all("error" in l for l in red):
        raise AssertionError("red lines: %r" % red)
    if "\033[31m" in "".join(l for l in out.splitlines() if "error" not in l and "crash" not in l):
        raise AssertionError("red on a successful call")


def test_malformed_line_reported_rest_shown():
    tmp = tempfile.mkdtemp(prefix="impulse-tree-")
    try:
        with open(os.path.join(FIX, "nested.json")) as f:
            lines = f.readlines()
        path = os.path.join(tmp, "logs_bad.json")
        with open(path, "w") as f:
            f.writelines(lines[:3] + ["{not a record\n"] + lines[3:])
        rc, out, err = tree([path])
        if rc != 1:     # records read, something skipped
            raise AssertionError("exit %d" % rc)
        if "impulse tree: %s:4: " % path not in err:
            raise AssertionError("no FILE:LINE message: %r" % err)
        if "1 malformed line" not in err:
            raise AssertionError("no count of skipped lines: %r" % err)
        same("tree with a malformed line", out, golden("nested"))
    finally:
        shutil.rmtree(tmp)


def test_gzip_same_as_plain():
    tmp = tempfile.mkdtemp(prefix="impulse-tree-")
    try:
        path = os.path.join(tmp, "logs_x.json.gz")
        with open(os.path.join(FIX, "threads.json"), "rb") as src, gzip.open(path, "wb") as dst:
            shutil.copyfileobj(src, dst)
        rc, out, err = tree([path])
        if rc != 0 or err:
            raise AssertionError("exit %d, %r" % (rc, err))
        same("gzip", out, golden("threads"))
    finally:
        shutil.rmtree(tmp)


def test_child_process_alone_gets_a_note():
    """The fork child's records without its parent's: at top level, with a note."""
    tmp = tempfile.mkdtemp(prefix="impulse-tree-")
    try:
        with open(os.path.join(FIX, "procs.json")) as f:
            lines = f.readlines()
        roots = [l for l in lines if '"trace_id"' in l]
        child_tracer = None
        for l in roots:
            if '"parents": [{' in l or '"parents":[{' in l:
                import json
                child_tracer = json.loads(l)["payload"]["trace_module"]["tracer_id"]
        if not child_tracer:
            raise AssertionError("no child root in the fixture")
        path = os.path.join(tmp, "child.json")
        with open(path, "w") as f:
            f.writelines(l for l in lines if child_tracer in l.split('"call_id"')[1][:40])
        rc, out, err = tree([path])
        first = out.splitlines()[0]
        if rc != 0 or "process procs_main" not in first or "(started by call" not in first \
                or "not shown)" not in first:
            raise AssertionError("exit %d:\n%s%s" % (rc, out, err))
    finally:
        shutil.rmtree(tmp)


def test_no_input_is_an_error():
    tmp = tempfile.mkdtemp(prefix="impulse-tree-")
    try:
        rc, out, err = tree([], cwd=tmp)
        if rc != 2 or ".impulselogs" not in err:
            raise AssertionError("exit %d, %r" % (rc, err))
        rc, out, err = tree(["--min-duration", "3parsecs", os.path.join(FIX, "nested.json")])
        if rc != 2 or "unit" not in err:
            raise AssertionError("exit %d, %r" % (rc, err))
    finally:
        shutil.rmtree(tmp)


def test_default_input_is_newest_file():
    tmp = tempfile.mkdtemp(prefix="impulse-tree-")
    try:
        os.mkdir(os.path.join(tmp, ".impulselogs"))
        shutil.copy(os.path.join(FIX, "crash.json"),
                    os.path.join(tmp, ".impulselogs", "logs_20260101T000000Z_1.json"))
        shutil.copy(os.path.join(FIX, "nested.json"),
                    os.path.join(tmp, ".impulselogs", "logs_20260101T000001Z_2.json"))
        rc, out, err = tree([], cwd=tmp)
        same("default input", out, golden("nested"))
    finally:
        shutil.rmtree(tmp)


def test_mongo_same_as_file():
    from mongo_server import MongoServer
    server = MongoServer()
    server.start()
    tmp = tempfile.mkdtemp(prefix="impulse-tree-")
    try:
        path = os.path.join(FIX, "procs.json")
        p = subprocess.run([TOOL, "push", "--mongo", server.uri, "--collection", "t", path],
                           capture_output=True, env=env(), cwd=tmp, timeout=60)
        if p.returncode != 0:
            raise AssertionError("push: %s" % p.stderr.decode())
        rc, out, err = tree(["--mongo", server.uri, "--collection", "t"], cwd=tmp)
        if rc != 0:
            raise AssertionError("exit %d: %s" % (rc, err))
        same("tree from MongoDB", out, golden("procs"))
    finally:
        server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__" and "--regen" in sys.argv:
    os.makedirs(GOLDEN, exist_ok=True)
    for n, (fixture, args) in CASES.items():
        rc, out, err = tree([os.path.join(FIX, fixture + ".json")] + args)
        with open(os.path.join(GOLDEN, n + ".txt"), "w") as f:
            f.write(out)
        print(n, rc, err.strip())


def _random_forest(seed, calls, threads):
    """Records of a random call forest over several interleaved threads of one process,
    in completion order, and the lines `impulse tree` must print for it (unique names:
    no folding), as (records, expected "name" lines in order)."""
    import json
    import random
    rnd = random.Random(seed)
    tracer = "%016x" % rnd.getrandbits(64)
    root_id = tracer + "-" + "0" * 16
    per_thread = {t: [] for t in range(threads)}
    expected = {t: [] for t in range(threads)}
    seq = [0]

    def make(t, parents, clock, depth):
        seq[0] += 1
        cid = "%s-%016x" % (tracer, seq[0])
        name = "f%d" % seq[0]
        start = clock[0]
        clock[0] += 1
        expected[t].append((depth, name))
        kids = rnd.choice([0, 0, 0, 1, 2, 3]) if depth < 25 and seq[0] < calls else 0
        for _ in range(kids):
            make(t, parents + [cid], clock, depth + 1)
        clock[0] += 1
        per_thread[t].append(json.dumps({"payload": {
            "function": {"name": name},
            "trace_module": {"tracer_id": tracer, "session_id": "s", "thread_id": "g",
                             "hook_id": name},
            "call_id": cid, "status": "success", "exception": None, "output": None,
            "arguments": {},
            "timestamps": {"start_ns": 10**18 + start * 1000, "end_ns": 10**18 + clock[0] * 1000},
            "stack_trace": {"parents": [{"call_id": p} for p in parents]},
            "trace_logs": [],
            "process": {"pid": 100, "tid": 100 + t, "thread_name": "t%d" % t}}}))

    for t in range(threads):
        clock = [t]
        while seq[0] < calls * (t + 1) // threads:
            make(t, [root_id], clock, 0)
    # interleave the threads' completion-ordered streams at random
    import collections
    streams = [collections.deque(v) for v in per_thread.values()]
    out = []
    while any(streams):
        s = rnd.choice([s for s in streams if s])
        out.append(s.popleft())
    return out, expected


def test_large_random_forest_exact_order():
    """200,000 calls, depth up to 25, 4 interleaved threads: more than the spool's 4 MiB
    cache, so blocks are evicted and read back; every call printed once, parents first,
    children in start order, indented by depth."""
    recs, expected = _random_forest(6, 200000, 4)
    tmp = tempfile.mkdtemp(prefix="impulse-tree-")
    try:
        path = os.path.join(tmp, "big.json")
        with open(path, "w") as f:
            f.write("\n".join(recs) + "\n")
        rc, out, err = tree([path])
        if rc != 0:
            raise AssertionError("exit %d: %s" % (rc, err[-2000:]))
        got = {}
        thread = None
        for line in out.splitlines():
            body = line[11:]
            if body.startswith("  thread "):
                thread = int(body.split()[1]) - 100
                got[thread] = []
            elif body.startswith("    "):
                text = body[4:]
                depth = (len(text) - len(text.lstrip(" "))) // 2
                got[thread].append((depth, text.strip().split("(")[0]))
        for t in expected:
            if got.get(t) != expected[t]:
                a, b = got.get(t, []), expected[t]
                i = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
                raise AssertionError("thread %d differs at line %d: %r vs expected %r"
                                     % (t, i, a[i:i + 3], b[i:i + 3]))
    finally:
        shutil.rmtree(tmp)


# ---------------------------------------------------------------- an independent oracle

FOLD_MIN = 5    # doc/impulse.md: more than 5 consecutive like siblings are folded into one line


def oracle_outline(path):
    """The tree's outline recomputed from the records with Python's json, knowing
    nothing of impulse tree's code: [(indent, text)] where text is "process PROGRAM",
    'thread TID (N calls)', the called function's name, or "… ×N more NAME". Processes
    sit under the call that started them, threads in their process (main thread first,
    then by first call), calls under their parent in the same thread, siblings by start
    time, runs of more than FOLD_MIN like siblings (name and status) folded."""
    with open(path) as f:
        recs = [json.loads(line)["payload"] for line in f if line.strip()]
    roots = {p["trace_module"]["tracer_id"]: p for p in recs if not p["stack_trace"]["parents"]
             or p["trace_module"]["hook_id"] == "root"}
    roots = {t: p for t, p in roots.items() if p["trace_module"]["hook_id"] == "root"}
    calls = [p for p in recs if p["trace_module"]["hook_id"] != "root"]
    by_id = {p["call_id"]: p for p in calls}
    where = lambda p: (p["process"]["pid"], p["process"]["tid"])
    children, top = {}, {}
    for p in calls:
        parent = by_id.get(p["stack_trace"]["parents"][-1]["call_id"]) if p["stack_trace"]["parents"] else None
        if parent is not None and where(parent) == where(p):
            children.setdefault(parent["call_id"], []).append(p)
        else:
            top.setdefault((p["trace_module"]["tracer_id"], where(p)), []).append(p)
    procs_under = {}
    for t, r in roots.items():
        parents = r["stack_trace"]["parents"]
        if parents:
            procs_under.setdefault(parents[-1]["call_id"], []).append(r)
    start = lambda p: p["timestamps"]["start_ns"]
    out = []

    def call_list(items, indent):
        items = sorted(items, key=start)
        i = 0
        while i < len(items):
            j = i
            key = lambda p: (p["function"]["name"], p["status"])
            while j < len(items) and key(items[j]) == key(items[i]):
                j += 1
            one_call(items[i], indent)
            if j - i > FOLD_MIN:
                out.append((indent, "… ×%d more %s" % (j - i - 1, items[i]["function"]["name"])))
            else:
                for p in items[i + 1:j]:
                    one_call(p, indent)
            i = j

    def one_call(p, indent):
        out.append((indent, p["function"]["name"]))
        # child calls and the processes this call started, in start order
        subs = [(start(c), 0, c) for c in children.get(p["call_id"], [])]
        subs += [(start(r), 1, r) for r in procs_under.get(p["call_id"], [])]
        if not procs_under.get(p["call_id"]):
            call_list(children.get(p["call_id"], []), indent + 1)
            return
        for _, kind, x in sorted(subs, key=lambda s: (s[0], s[1])):
            if kind:
                process(x, indent + 1)
            else:
                call_list([x], indent + 1)

    def process(r, indent):
        out.append((indent, "process " + r["function"]["name"]))
        tracer = r["trace_module"]["tracer_id"]
        threads = [k for k in top if k[0] == tracer]
        pid = r["process"]["pid"]
        threads.sort(key=lambda k: (k[1][1] != pid, min(start(p) for p in top[k]), k[1][1]))
        for k in threads:
            n = sum(1 for p in calls if p["trace_module"]["tracer_id"] == tracer and where(p) == k[1])
            out.append((indent + 1, "thread %d (%d call%s)" % (k[1][1], n, "" if n == 1 else "s")))
            call_list(top[k], indent + 2)

    for r in sorted(roots.values(), key=start):
        if not r["stack_trace"]["parents"] or r["stack_trace"]["parents"][-1]["call_id"] not in by_id:
            process(r, 0)
    return out


_TREE_LINE = re.compile(r"^\s*\S+ \S+  ( *)(.*)$")


def tree_outline(text):
    """impulse tree's lines as [(indent, text)] in oracle_outline()'s terms (trace
    logs, which the oracle does not model, left out)."""
    out = []
    for line in text.splitlines():
        m = _TREE_LINE.match(line)
        if not m or m.group(2).startswith("\u00bb"):
            continue
        indent, body = len(m.group(1)) // 2, m.group(2)
        if body.startswith("process "):
            body = "process " + body.split()[1]
        elif body.startswith("thread "):
            body = "thread %s %s" % (body.split()[1], body[body.rindex("("):])
        elif body.startswith("\u2026 "):
            body = body[:body.index(" (")] if " (" in body else body
        else:
            body = body[:body.index("(")]
        out.append((indent, body))
    return out


def oracle_case(fixture):
    def test():
        path = os.path.join(FIX, fixture + ".json")
        rc, out, err = tree([path])
        if rc != 0:
            raise AssertionError("exit %d: %s" % (rc, err))
        got, want = tree_outline(out), oracle_outline(path)
        if got != want:
            for i, (g, w) in enumerate(zip(got + [None] * len(want), want + [None] * len(got))):
                if g != w:
                    raise AssertionError("%s: line %d: tree %r, records say %r\n%s"
                                         % (fixture, i + 1, g, w, out))
    return test


def _oracle_tests():
    return [("test_oracle_" + f, oracle_case(f))
            for f in ("nested", "threads", "procs", "crash", "api", "capture")]
