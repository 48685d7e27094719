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
import os
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
    return [("golden_" + n, case_test(n)) for n in CASES]


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
