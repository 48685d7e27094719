"""Nested calls across two libraries: the tree, both ways; the same records in every
link mode; hooks.conf's thread/id/meta/session settings; max_children; a call still
running at exit; logger none; a hook no module uses; ids unique across runs."""

import os

import impulse_test as it
from impulse_test import args, call_id, child_ids, fn_name, output, parent_ids

CASE = "nested"
VARIANTS = ("def", "O0", "noplt", "now", "nopie")


def run(variant="def", extra_args=(), conf=None, env=None, stderr_differs=None):
    prog = it.program(CASE, "nested_main", variant)
    argv = [prog] + list(extra_args)
    return argv, it.check_run(argv, conf if conf is not None else it.conf(CASE), env=env,
                              stderr_differs=stderr_differs)


def check_tree(argv, run_, recs, variant):
    prog = it.realpath(argv[0])
    root = recs.root()
    rid = call_id(root)
    out = it.oracle_lines(run_.stdout)
    top = [r for r in recs.calls() if parent_ids(r) == [rid]]
    # The program's top-level calls, in order, with its own view of args and returns.
    if [fn_name(r) for r in top] != [o[0] for o in out]:
        raise AssertionError("top-level calls %s, program made %s"
                             % ([fn_name(r) for r in top], [o[0] for o in out]))
    for rec, (fn, a, ret) in zip(top, out):
        it.assert_value(dict(a), args(rec), "%s arguments" % fn)
        it.assert_value(ret, output(rec), "%s output" % fn)
        if it.realpath(rec["payload"]["function"]["caller"]) != prog:
            raise AssertionError("%s: caller %r, expected the program %s"
                                 % (it.describe(rec), rec["payload"]["function"]["caller"], prog))
    # The root lists the top-level calls as its children.
    if child_ids(root) != [call_id(r) for r in top]:
        raise AssertionError("root children %s, top-level calls %s"
                             % (child_ids(root), [call_id(r) for r in top]))

    counts = recs.counts()
    want = {"a_outer": 2, "b_inner": 6, "a_recurse": 4, "b_bounce": 3}
    if dict(counts) != want:
        raise AssertionError("call counts %s, expected %s" % (dict(counts), want))

    for x in (1, 2):
        outer = recs.one("a_outer", x=x)
        kids = [r for r in recs.calls("b_inner") if args(r)["x"] == x]
        if [args(k)["k"] for k in kids] != [1, 2]:
            raise AssertionError("b_inner children of a_outer(%d): %s"
                                 % (x, [it.describe(k) for k in kids]))
        if child_ids(outer) != [call_id(k) for k in kids]:
            raise AssertionError("a_outer(%d) children %s, expected %s"
                                 % (x, child_ids(outer), [call_id(k) for k in kids]))
        if outer["payload"]["stack_trace"]["children_omitted"] != 0:
            raise AssertionError("a_outer(%d): children_omitted != 0" % x)
        for k in kids:
            if parent_ids(k) != [rid, call_id(outer)]:
                raise AssertionError("b_inner(%d,%d) parents %s, expected [root, a_outer]"
                                     % (x, args(k)["k"], parent_ids(k)))
            lib = k["payload"]["function"]["library"]
            if not lib or os.path.basename(lib) != "libb.so":
                raise AssertionError("b_inner library %r, expected .../libb.so" % lib)
            caller = k["payload"]["function"]["caller"]
            if not caller or os.path.basename(caller) != "liba.so":
                raise AssertionError("b_inner called from liba: caller %r" % caller)
            if k["payload"]["trace_module"]["thread_id"] != "inner":
                raise AssertionError("b_inner thread_id %r, expected \"inner\""
                                     % k["payload"]["trace_module"]["thread_id"])
        if outer["payload"]["function"]["args"] != ["x"]:
            raise AssertionError("a_outer function.args %r" % outer["payload"]["function"]["args"])
        if os.path.basename(outer["payload"]["function"]["library"] or "") != "liba.so":
            raise AssertionError("a_outer library %r" % outer["payload"]["function"]["library"])
        if outer["payload"]["trace_module"]["hook_id"] != "a_outer":
            raise AssertionError("a_outer hook_id %r" % outer["payload"]["trace_module"]["hook_id"])
        if outer["payload"]["trace_module"]["thread_id"] != "outer":
            raise AssertionError("a_outer thread_id %r"
                                 % outer["payload"]["trace_module"]["thread_id"])

    # The recursion bounces liba -> libb -> liba: depth 3 down to b_inner(0, 0).
    chain = [recs.one("a_recurse", depth=3)]
    for name, d in (("b_bounce", 2), ("a_recurse", 2), ("b_bounce", 1), ("a_recurse", 1),
                    ("b_bounce", 0), ("a_recurse", 0)):
        chain.append(recs.one(name, depth=d))
    chain.append(recs.one("b_inner", x=0, k=0))
    for i, rec in enumerate(chain):
        want_parents = [rid] + [call_id(c) for c in chain[:i]]
        if parent_ids(rec) != want_parents:
            raise AssertionError("%s: parents %s, expected %s"
                                 % (it.describe(rec), parent_ids(rec), want_parents))
        want_children = [call_id(chain[i + 1])] if i + 1 < len(chain) else []
        if child_ids(rec) != want_children:
            raise AssertionError("%s: children %s, expected %s"
                                 % (it.describe(rec), child_ids(rec), want_children))
        if rec["payload"]["status"] != "success":
            raise AssertionError("%s: status" % it.describe(rec))
    for rec, value in zip(chain, (303, 302, 202, 201, 101, 100, 0, 0)):
        it.assert_value(value, output(rec), "%s output" % it.describe(rec))
    # Nested calls start after and end before their parent.
    for rec in recs.calls():
        par = recs.parent(rec)
        if par is None or par["payload"]["trace_module"]["thread_id"] == "root":
            continue
        ts, pts = rec["payload"]["timestamps"], par["payload"]["timestamps"]
        if not (pts["start_ns"] <= ts["start_ns"] <= ts["end_ns"] <= pts["end_ns"]):
            raise AssertionError("%s does not lie within its parent %s"
                                 % (it.describe(rec), it.describe(par)))


def test_tree():
    argv, (run_, recs) = run("def")
    check_tree(argv, run_, recs, "def")


def _variant_test(variant):
    def body():
        argv, (run_, recs) = run(variant)
        check_tree(argv, run_, recs, variant)
        _, (_, base) = run("def")
        got, want = it.normalise(recs), it.normalise(base)
        if got != want:
            diff = [g for g in got if g not in want][:5]
            raise AssertionError("%s records differ from the default build's; first "
                                 "differing:\n  %s" % (variant, "\n  ".join(diff)))
    return body


def test_settings():
    conf = """
[tracer]
session_id = nested_session_1
session_metadata = {"user": "abc"}
tracer_metadata = {"env": "test", "n": 2}

[thread outer]
int a_outer(int x) [id=outer_hook] [meta={"layer": "a", "depth": 1}];

[thread inner]
int b_inner(int x, int k)
"""
    _, (run_, recs) = run("def", conf=conf)
    if dict(recs.counts()) != {"a_outer": 2, "b_inner": 6}:
        raise AssertionError("counts %s" % dict(recs.counts()))
    tracer_ids = {r["payload"]["trace_module"]["tracer_id"] for r in recs}
    if len(tracer_ids) != 1:
        raise AssertionError("one process, one tracer_id: %s" % tracer_ids)
    for r in recs.calls():
        tm = r["payload"]["trace_module"]
        if tm["session_id"] != "nested_session_1":
            raise AssertionError("%s: session_id %r" % (it.describe(r), tm["session_id"]))
        it.assert_value({"user": "abc"}, tm["session_metadata"], "session_metadata")
        it.assert_value({"env": "test", "n": 2}, tm["tracer_metadata"], "tracer_metadata")
        if fn_name(r) == "a_outer":
            want = ("outer", "outer_hook", {"layer": "a", "depth": 1})
        else:
            want = ("inner", "b_inner", None)
        got = (tm["thread_id"], tm["hook_id"], tm["hook_metadata"])
        if not it.values_equal(list(want), list(got)):
            raise AssertionError("%s: thread_id, hook_id, hook_metadata %s, expected %s"
                                 % (it.describe(r), got, want))
    # The parents' and children's trace_module entries are the records' own.
    for r in recs.calls("b_inner"):
        ptm = r["payload"]["stack_trace"]["parents"][-1]["trace_module"]
        par = recs.parent(r)
        if par and ptm.get("hook_id") != par["payload"]["trace_module"]["hook_id"]:
            raise AssertionError("parents[-1].trace_module %s is not its parent's" % ptm)

    # IMPULSE_SESSION_ID overrides the file.
    _, (_, recs2) = run("def", conf=conf, env={"IMPULSE_SESSION_ID": "from_env"})
    for r in recs2.calls():
        if r["payload"]["trace_module"]["session_id"] != "from_env":
            raise AssertionError("IMPULSE_SESSION_ID ignored: %s"
                                 % r["payload"]["trace_module"]["session_id"])


def test_default_thread_and_session():
    conf = "int b_inner(int x, int k);\n"
    _, (_, recs) = run("def", conf=conf)
    sessions = {r["payload"]["trace_module"]["session_id"] for r in recs}
    if len(sessions) != 1:
        raise AssertionError("one process, one fresh session id: %s" % sessions)
    for r in recs.calls():
        if r["payload"]["trace_module"]["thread_id"] != "default":
            raise AssertionError("outside a [thread] section thread_id must be \"default\": %s"
                                 % r["payload"]["trace_module"]["thread_id"])
    # A second run: a fresh session, tracer and call ids.
    _, (_, recs2) = run("def", conf=conf)
    if sessions & {r["payload"]["trace_module"]["session_id"] for r in recs2}:
        raise AssertionError("two runs share a session id")
    if set(recs.by_id) & set(recs2.by_id):
        raise AssertionError("two runs share call ids: %s" % (set(recs.by_id) & set(recs2.by_id)))


def test_max_children():
    conf = "[tracer]\nmax_children = 3\n" + it.conf(CASE)
    _, (run_, recs) = run("def", ["many", "10"], conf=conf)
    many = recs.one("a_many", n=10)
    kids = recs.calls("b_inner")
    if len(kids) != 10:
        raise AssertionError("%d b_inner records, expected 10" % len(kids))
    for k in kids:
        if parent_ids(k)[-1] != call_id(many):
            raise AssertionError("%s: parent is not a_many" % it.describe(k))
    st = many["payload"]["stack_trace"]
    if len(st["children"]) != 3 or st["children_omitted"] != 7:
        raise AssertionError("a_many: %d children listed, %d omitted; expected 3 and 7"
                             % (len(st["children"]), st["children_omitted"]))
    if child_ids(many) != [call_id(k) for k in kids[:3]]:
        raise AssertionError("a_many should list its first 3 children")


def test_exit_inside_hook():
    _, (run_, recs) = run("def", ["exit", "3"])
    if run_.returncode != 3:
        raise AssertionError("exit status %d" % run_.returncode)
    ex = recs.one("a_exit", code=3)
    if ex["payload"]["status"] != "incomplete":
        raise AssertionError("a call still running at exit: status %r, expected incomplete"
                             % ex["payload"]["status"])
    inner = recs.one("b_inner", x=3, k=0)
    if inner["payload"]["status"] != "success" or parent_ids(inner)[-1] != call_id(ex):
        raise AssertionError("b_inner inside a_exit: %s" % it.describe(inner))
    if output(recs.root()) != 3:
        raise AssertionError("root output %r, expected 3" % output(recs.root()))


def test_logger_none():
    argv = [it.program(CASE, "nested_main")]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, it.conf(CASE), env={"IMPULSE_LOGGER": "none"})
    try:
        it.assert_same_behaviour(run_, untraced)
        if run_.records:
            raise AssertionError("IMPULSE_LOGGER=none wrote %d records" % len(run_.records))
    finally:
        run_.cleanup()


def test_unused_hook_is_not_an_error():
    conf = it.conf(CASE) + "\n[thread extra]\nint no_such_function_here(int x);\n"
    _, (run_, recs) = run("def", conf=conf, env={"IMPULSE_VERBOSE": "1"},
                          stderr_differs="IMPULSE_VERBOSE=1: the test reads libimpulse's lines")
    if dict(recs.counts()) != {"a_outer": 2, "b_inner": 6, "a_recurse": 4, "b_bounce": 3}:
        raise AssertionError("counts %s" % dict(recs.counts()))
    err = run_.stderr.decode("utf-8", "replace")
    if "no_such_function_here" not in err:
        raise AssertionError("IMPULSE_VERBOSE=1 should report the unused hook; stderr:\n%s"
                             % err[-2000:])
    if "a_outer" not in err:
        raise AssertionError("IMPULSE_VERBOSE=1 should say where a_outer was installed; "
                             "stderr:\n%s" % err[-2000:])


def tests():
    return [("link_mode_" + v, _variant_test(v)) for v in VARIANTS if v != "def"]
