"""Processes: a fork child is traced into its own file as a process image of its
own, its root linked to the call that forked; programs started by exec,
posix_spawn, system, popen and vfork + exec are traced with their root linked to
the starting call (IMPULSE_TRACEPARENT/IMPULSE_TRACESTATE, never visible to the
programs); trace_exec = false leaves them untraced. Every scenario compares the
exit status and output with an untraced run and checks the exact records."""

import collections
import os

import impulse_test as it

CASE = "procs"
HOWS = {"fork_exec": 0, "posix_spawn": 1, "system": 2, "popen": 3, "vfork_exec": 4,
        "posix_spawnp": 5, "vfork_call_exec": 6, "spawn_own_env": 7}


def run(args, env=None, images=None):
    """Runs procs_main traced and untraced: same behaviour; returns (run, stdout text,
    Records of all, {tracer_id: Records}, roots by tracer id)."""
    argv = [it.program(CASE, "procs_main")] + [str(a) for a in args]
    untraced = it.run_untraced(argv, env=env, timeout=60)
    r = it.run_traced(argv, it.conf(CASE), env=env, timeout=60)
    try:
        it.assert_same_behaviour(r, untraced)
        recs, per = it.check_process_tree(r.records, images)
        files = r.log_files()
        if len(files) != images:
            raise AssertionError("%d log files for %d images: %s" % (len(files), images, files))
        roots = {it.module_of(x): x for x in recs.roots()}
        return r, r.stdout.decode(), recs, per, roots
    finally:
        r.cleanup()


def main_root(roots, argv_tail):
    rs = [x for x in roots.values() if it.args(x)["argv"][1:] == argv_tail]
    if len(rs) != 1:
        raise AssertionError("expected one root with argv %s, found %d" % (argv_tail, len(rs)))
    return rs[0]


def expect(what, got, want):
    if got != want:
        raise AssertionError("%s: %r, expected %r" % (what, got, want))


def link_of(rec):
    """(call_id, fn_name, tracer_id) of a record, as a child root names it."""
    return (it.call_id(rec), it.fn_name(rec), it.module_of(rec))


def leaf_once(recs, x, module, output):
    """The one pr_leaf(x) record across all files, written by module, returning output,
    directly under that image's root."""
    r = recs.one("pr_leaf", x=x)
    expect("pr_leaf(%d) image" % x, it.module_of(r), module)
    expect("pr_leaf(%d) output" % x, it.output(r), output)
    expect("pr_leaf(%d) status" % x, r["payload"]["status"], "success")
    expect("pr_leaf(%d) parents" % x, it.parent_ids(r), [module + "-" + "0" * 16])
    return r


def check_fork_inside(how, status):
    _, out, recs, per, roots = run(["fork_inside", how], images=2)
    expect("stdout", out, "first 11\nchild leaf 21\nfork_inside %d\nlast 31\n" % status)
    parent = [x for x in roots.values() if it.root_parent(x) is None][0]
    child = [x for x in roots.values() if x is not parent][0]
    pm, cm = it.module_of(parent), it.module_of(child)
    fork_call = recs.one("pr_fork_inside")
    expect("pr_fork_inside image", it.module_of(fork_call), pm)
    expect("pr_fork_inside output", it.output(fork_call), status)
    expect("child root's parent", it.root_parent(child), link_of(fork_call))
    expect("child root output (exit status)", it.output(child), status)
    expect("child root argv", it.args(child)["argv"], it.args(parent)["argv"])
    expect("child pid", child["payload"]["process"]["pid"] != parent["payload"]["process"]["pid"], True)
    leaf_once(recs, 1, pm, 11)
    leaf_once(recs, 2, cm, 21)
    leaf_once(recs, 3, pm, 31)
    # The call open at the fork is the parent's only: no record of it in the child.
    expect("child image records", sorted(it.fn_name(r) for r in per[cm]),
           sorted(["pr_leaf", "procs_main"]))
    expect("trace ids", child["payload"]["trace_id"], parent["payload"]["trace_id"])


def test_fork_inside_hooked_call_exit():
    check_fork_inside(0, 5)


def test_fork_inside_hooked_call__exit():
    check_fork_inside(1, 6)


def test_fork_outside_hooked_call():
    _, out, recs, per, roots = run(["fork_outside"], images=2)
    expect("stdout", out, "first 11\nchild 41\nchild status 9\nlast 51\n")
    parent = [x for x in roots.values() if it.root_parent(x) is None][0]
    child = [x for x in roots.values() if x is not parent][0]
    expect("child root's parent", it.root_parent(child), link_of(parent))
    expect("child root output", it.output(child), 9)
    leaf_once(recs, 1, it.module_of(parent), 11)
    leaf_once(recs, 4, it.module_of(child), 41)
    leaf_once(recs, 5, it.module_of(parent), 51)


def test_fork_with_threads_mid_call():
    """Three threads sit inside pr_block and a burst of 100 calls has just been made
    when the main thread forks: the child writes none of it, the parent all of it,
    once."""
    _, out, recs, per, roots = run(["fork_threads"], images=2)
    expect("stdout", out, "child leaf 71\nfork_inside 5\nthread 0 block 1\nthread 1 block 1\n"
           "thread 2 block 1\nafter 81\n")
    parent = [x for x in roots.values() if it.root_parent(x) is None][0]
    child = [x for x in roots.values() if x is not parent][0]
    pm, cm = it.module_of(parent), it.module_of(child)
    xs = [200 + t * 20 + i for t in range(3) for i in range(20)] + list(range(1000, 1100))
    for x in xs:
        leaf_once(recs, x, pm, x * 10 + 1)
    blocks = recs.calls("pr_block")
    expect("pr_block records", [(it.module_of(b), it.output(b), b["payload"]["status"]) for b in blocks],
           [(pm, 1, "success")] * 3)
    expect("pr_block threads", len({b["payload"]["process"]["tid"] for b in blocks}), 3)
    fork_call = recs.one("pr_fork_inside")
    expect("child root's parent", it.root_parent(child), link_of(fork_call))
    expect("child image records", sorted(it.fn_name(r) for r in per[cm]), ["pr_leaf", "procs_main"])
    leaf_once(recs, 7, cm, 71)
    leaf_once(recs, 8, pm, 81)
    expect("records in all", len(recs), 1 + 160 + 3 + 1 + 1 + 2)


def check_spawn(how):
    shell = how in ("system", "popen")
    _, out, recs, per, roots = run(["spawn", HOWS[how]], images=3 if shell else 2)
    leaf_line = ("popen read: " if how == "popen" else "") + "leaf 7 71\n"
    expect("stdout", out, "first 11\n" + leaf_line + "spawned 7\nlast 21\n")
    parent = main_root(roots, ["spawn", str(HOWS[how])])
    prog = it.program(CASE, "procs_main")
    child = main_root(roots, ["leaf", "7"])
    expect("child argv[0]", it.args(child)["argv"][0], prog)
    spawn_call = recs.one("pr_spawn")
    expect("pr_spawn image", it.module_of(spawn_call), it.module_of(parent))
    expect("pr_spawn output", it.output(spawn_call), 7)
    expect("child root output", it.output(child), 7)
    leaf_once(recs, 1, it.module_of(parent), 11)
    leaf_once(recs, 2, it.module_of(parent), 21)
    leaf_once(recs, 7, it.module_of(child), 71)
    if shell:
        sh = [x for x in roots.values() if x is not parent and x is not child][0]
        expect("shell argv", it.args(sh)["argv"], ["sh", "-c", "%s leaf 7" % prog])
        expect("shell root's parent", it.root_parent(sh), link_of(spawn_call))
        expect("program's root parent", it.root_parent(child), link_of(sh))
    else:
        expect("child root's parent", it.root_parent(child), link_of(spawn_call))


def test_fork_exec_without_hooked_call_leaves_no_child_file():
    """fork, then execv at once in the child: the fork child writes nothing, and the
    new image links to the call that forked (as if spawned)."""
    check_spawn("fork_exec")


def test_posix_spawn():
    check_spawn("posix_spawn")


def test_posix_spawnp():
    check_spawn("posix_spawnp")


def test_vfork_exec():
    check_spawn("vfork_exec")


def test_vfork_child_calls_are_not_recorded():
    """A hooked call made in a vfork child before it execs (it shares the parent's
    memory and thread state): no record of it anywhere, the parent's records intact."""
    check_spawn("vfork_call_exec")
    # check_spawn's leaf_once calls found exactly x = 1, 2, 7; x = 9 must not exist:
    _, out, recs, per, roots = run(["spawn", HOWS["vfork_call_exec"]], images=2)
    expect("pr_leaf(9) records", len([r for r in recs.calls("pr_leaf") if it.args(r)["x"] == 9]), 0)
    expect("pr_leaf records", sorted(it.args(r)["x"] for r in recs.calls("pr_leaf")), [1, 2, 7])


def test_system_shell_and_command():
    check_spawn("system")


def test_popen_shell_and_command():
    check_spawn("popen")


def test_fork_exec_outside_hooked_call():
    _, out, recs, per, roots = run(["fork_exec_outside"], images=2)
    expect("stdout", out, "first 11\nleaf 8 81\nspawned 8\n")
    parent = main_root(roots, ["fork_exec_outside"])
    child = main_root(roots, ["leaf", "8"])
    expect("child root's parent", it.root_parent(child), link_of(parent))
    leaf_once(recs, 8, it.module_of(child), 81)


def check_environ(how):
    """Parent and child print their environ and main's envp (what the harness sets
    apart): identical to the untraced run; the variables never visible."""
    shell = how in ("system", "popen")
    _, out, recs, per, roots = run(["env", HOWS[how]], images=3 if shell else 2)
    expect("getenv lines", out.count("getenv traceparent: unset, tracestate: unset"), 2)
    for var in ("IMPULSE_TRACEPARENT=", "IMPULSE_TRACESTATE="):
        expect(var + " in output", var in out, False)


def test_environ_untraced_child_gets_no_variables():
    """posix_spawn with an environment without LD_PRELOAD: the child is not traced
    and its environment is exactly the one passed (no lineage variables)."""
    _, out, recs, per, roots = run(["env", HOWS["spawn_own_env"]], images=1)
    expect("child environment", out.split("environ:\n")[2], "  ONLY=1\nenvp:\n  ONLY=1\n"
           "getenv traceparent: unset, tracestate: unset\nspawned 0\n")


def test_environ_unchanged_fork_exec():
    check_environ("fork_exec")


def test_environ_unchanged_posix_spawn():
    check_environ("posix_spawn")


def test_environ_unchanged_system():
    check_environ("system")


def test_environ_unchanged_popen():
    check_environ("popen")


def test_environ_unchanged_vfork_exec():
    check_environ("vfork_exec")


def check_trace_exec_false(how, env_var):
    """trace_exec = false: the started program runs untraced (no records, no file),
    libimpulse gone from its LD_PRELOAD, other preloaded libraries kept."""
    libc = "/lib/x86_64-linux-gnu/libc.so.6"
    argv = [it.program(CASE, "procs_main"), "preload", str(HOWS[how])]
    conf = it.conf(CASE)
    env = {"IMPULSE_TRACE_EXEC": "0"} if env_var else None
    if not env_var:
        conf = "[tracer]\ntrace_exec = false\n[thread procs]\n" + conf
    # The harness's LD_PRELOAD and libc after it (a library other than ours; a
    # sanitizer's runtime must stay first).
    env = dict(env or {}, LD_PRELOAD=it._preload_value() + ":" + libc)
    r = it.run_traced(argv, conf, env=env, timeout=60)
    try:
        if r.returncode != 0:
            raise AssertionError("exit status %d: %s" % (r.returncode, r.stderr[-2000:]))
        out = r.stdout.decode()
        prefix = "popen read: " if how == "popen" else ""
        others = [line for line in out.splitlines() if line.startswith(prefix + "preload others:")]
        expect("child preload line", len(others), 1)
        if "libc.so.6" not in others[0].split():
            raise AssertionError("other preloaded library dropped: %r" % others[0])
        expect("child libimpulse", prefix + "preload libimpulse: no" in out.splitlines(), True)
        expect("spawned", out.splitlines()[-1], "spawned 0")
        recs, per = it.check_process_tree(r.records, 1)
        expect("log files", len(r.log_files()), 1)
        expect("records", sorted(it.fn_name(x) for x in recs), ["pr_spawn", "procs_main"])
    finally:
        r.cleanup()


def tests():
    out = []
    for how in ("fork_exec", "posix_spawn", "system", "popen", "vfork_exec"):
        for env_var in (True, False):
            out.append(("trace_exec_false_%s_%s" % (how, "env" if env_var else "conf"),
                        (lambda h=how, e=env_var: lambda: check_trace_exec_false(h, e))()))
    return out + tests_lineage()


def _bson_case():
    """trace/bson's JSON-against-BSON comparison (the Mongo logger's form)."""
    import importlib.util
    path = os.path.join(it.TRACE_SRC, "bson", "test_bson.py")
    spec = importlib.util.spec_from_file_location("procs_bson_check", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_bson_root_parents_and_trace_id():
    """The BSON records (Mongo logger) of a fork child and a spawned program equal
    their JSON lines, root parents and trace_id included."""
    bson = _bson_case()
    prog = it.program(CASE, "procs_main")
    for args in (["fork_inside", "0"], ["spawn", str(HOWS["posix_spawn"])]):
        runs = bson.run_both([prog] + args, it.conf(CASE))
        expect("processes with BSON files", len(runs), 2)
        linked = 0
        for pid, (recs, docs) in runs.items():
            for rec, doc in zip(recs, docs):
                bson.compare(rec, doc, "%s %s" % (args, it.describe(rec)), collections.Counter())
                if rec["payload"]["trace_module"]["thread_id"] == "root" and it.root_parent(rec):
                    # BSON documents read as lists of (key, value) pairs.
                    payload = dict(dict(doc)["payload"])
                    parent = dict(dict(payload["stack_trace"])["parents"][0])
                    linked += 1
                    expect("BSON root parent", (parent["call_id"], parent["fn_name"]),
                           it.root_parent(rec)[:2])
                    expect("BSON trace_id", payload["trace_id"], rec["payload"]["trace_id"])
        expect("linked roots", linked, 1)


TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
MODULE = "0123456789abcdef"


def check_lineage_env(tp, ts, want_parent, want_trace):
    """A program started with the variables set (as a traced parent would): its
    root's parent and trace id come from them when they are well formed, and the
    program never sees them (its output equals an untraced run without them)."""
    argv = [it.program(CASE, "procs_main"), "leaf", "env"]
    untraced = it.run_untraced(argv)
    env = {k: v for k, v in (("IMPULSE_TRACEPARENT", tp), ("IMPULSE_TRACESTATE", ts)) if v}
    r = it.run_traced(argv, it.conf(CASE), env=env)
    try:
        it.assert_same_behaviour(r, untraced)
        recs = it.Records(r.records)
        root = recs.root()
        expect("root parents", root["payload"]["stack_trace"]["parents"], want_parent)
        trace_id = root["payload"]["trace_id"]
        if want_trace:
            expect("trace_id", trace_id, want_trace)
        elif trace_id == TRACE or len(trace_id) != 32 or set(trace_id) - set("0123456789abcdef"):
            raise AssertionError("trace_id %r: expected a new one" % trace_id)
    finally:
        r.cleanup()


def tests_lineage():
    tp = "00-%s-00000000000000ab-01" % TRACE
    link = [{"fn_name": "run_job", "call_id": MODULE + "-00000000000000ab",
             "trace_module": {"tracer_id": MODULE}}]
    return [
        ("lineage_env_valid", lambda: check_lineage_env(tp, "impulse=%s:run_job" % MODULE, link, TRACE)),
        ("lineage_env_among_other_vendors", lambda: check_lineage_env(
            tp, "other=x,impulse=%s:run_job,more=y" % MODULE, link, TRACE)),
        ("lineage_env_traceparent_only", lambda: check_lineage_env(tp, None, [], TRACE)),
        ("lineage_env_bad_state", lambda: check_lineage_env(tp, "impulse=%s-run_job" % MODULE, [], TRACE)),
        ("lineage_env_uppercase", lambda: check_lineage_env(tp.upper(), "impulse=%s:f" % MODULE, [], None)),
        ("lineage_env_zero_trace", lambda: check_lineage_env(
            "00-%s-00000000000000ab-01" % ("0" * 32), "impulse=%s:f" % MODULE, [], None)),
        ("lineage_env_short", lambda: check_lineage_env(tp[:-1], "impulse=%s:f" % MODULE, [], None)),
        ("lineage_env_state_only", lambda: check_lineage_env(None, "impulse=%s:f" % MODULE, [], None)),
    ]


def check_exec_fail(how):
    """A failed exec: the program sees the real errno and its own environ; the
    image's records were written before the exec was tried, and it goes on
    untraced (pr_leaf(2) after the failure has no record)."""
    _, out, recs, per, roots = run(["exec_fail", how], images=1)
    expect("stdout", out, "first 11\nexec rc -1 errno 2 environ same\nafter 21\n")
    leaf_once(recs, 1, it.module_of(recs.root()), 11)
    expect("pr_leaf records", [it.args(r)["x"] for r in recs.calls("pr_leaf")], [1])
    expect("root output (exit status unknown at the exec)", it.output(recs.root()), None)


def test_exec_fail_execv():
    check_exec_fail(0)


def test_exec_fail_execvp():
    check_exec_fail(1)


def test_fork_itself_hooked():
    """fork hooked too: the parent's fork record returns the child's pid, and the
    child's root names that record; fork's return in the child records nothing."""
    argv = [it.program(CASE, "procs_main"), "fork_outside"]
    untraced = it.run_untraced(argv)
    r = it.run_traced(argv, it.conf(CASE) + "pid_t fork(void);\n")
    try:
        it.assert_same_behaviour(r, untraced)
        recs, per = it.check_process_tree(r.records, 2)
        fork_call = recs.one("fork")
        parent = [x for x in recs.roots() if it.root_parent(x) is None][0]
        child = [x for x in recs.roots() if x is not parent][0]
        expect("fork image", it.module_of(fork_call), it.module_of(parent))
        expect("fork output (the child's pid)", it.output(fork_call), child["payload"]["process"]["pid"])
        expect("child root's parent", it.root_parent(child), link_of(fork_call))
        expect("child image records", sorted(it.fn_name(x) for x in per[it.module_of(child)]),
               ["pr_leaf", "procs_main"])
        leaf_once(recs, 4, it.module_of(child), 41)
    finally:
        r.cleanup()


def test_fork_child_of_mongo_logger_writes_a_file():
    """logger = mongo (server unreachable: the parent spills): the fork child does
    not touch the parent's libmongoc client; its records go to its own logs_ file."""
    import glob
    import json
    argv = [it.program(CASE, "procs_main"), "fork_inside", "0"]
    untraced = it.run_untraced(argv)
    r = it.run_traced(argv, it.conf(CASE), env={"IMPULSE_LOGGER": "mongo",
                                                "IMPULSE_MONGO_URI": "mongodb://127.0.0.1:1"})
    try:
        it.assert_same_behaviour(r, untraced)
        logs = glob.glob(os.path.join(r.log_dir, "logs_*.json"))
        expect("logs_ files (the child's only)", len(logs), 1)
        with open(logs[0]) as f:
            child = [json.loads(line) for line in f]
        # Its root names a call of the parent, whose records are in the spill file.
        root = [x for x in child if x["payload"]["trace_module"]["thread_id"] == "root"][0]
        link = root["payload"]["stack_trace"]["parents"]
        root["payload"]["stack_trace"]["parents"] = []
        recs = it.Records(child)
        recs.check_all()
        root["payload"]["stack_trace"]["parents"] = link
        expect("child records", sorted((it.fn_name(x), it.output(x)) for x in recs),
               [("pr_leaf", 21), ("procs_main", 5)])
        spills = glob.glob(os.path.join(r.log_dir, "spill_*.json"))
        expect("spill files (the parent's)", len(spills), 1)
        with open(spills[0]) as f:
            parent = it.Records(json.loads(line) for line in f)
        expect("child root's parent", it.root_parent(recs.root()), link_of(parent.one("pr_fork_inside")))
    finally:
        r.cleanup()
