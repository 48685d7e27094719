"""Exits that skip main's return lose no record: _exit and quick_exit (with an
at_quick_exit handler making a hooked call) two hooked calls deep, main ending its
thread with pthread_exit while three threads go on, exit() from a second thread
while others wait inside hooked calls. Calls still running are "incomplete" (for
pthread_exit from main H3's "unwound" is accepted too); the root's output is the
exit status; behaviour and output match the untraced run."""

import impulse_test as it

CASE = "exits"
THREADS, CALLS = 3, 1000


def run(how, **kw):
    argv = [it.program(CASE, "exits_main"), how]
    return it.check_run(argv, it.conf(CASE), **kw)


def check_success(recs, name, arguments, out):
    r = recs.one(name, **arguments)
    if r["payload"]["status"] != "success":
        raise AssertionError("%s: expected success" % it.describe(r))
    it.assert_value(out, it.output(r), "%s%s" % (name, arguments))
    return r


def check_left(recs, chain, statuses=("incomplete",)):
    """chain: [(name, arguments)] outermost first, each the child of the one before,
    all still running when the process ended."""
    parent = None
    for name, arguments in chain:
        r = recs.one(name, **arguments)
        if r["payload"]["status"] not in statuses or r["payload"]["output"] is not None:
            raise AssertionError("%s: expected %s with output null" % (it.describe(r), " or ".join(statuses)))
        if parent is not None and it.parent_ids(r)[-1] != it.call_id(parent):
            raise AssertionError("%s: not a child of %s" % (it.describe(r), it.describe(parent)))
        parent = r


def check_root(recs, status):
    p = recs.root()["payload"]
    if (p["status"], p["output"]) != ("success", status):
        raise AssertionError("root: status %r output %r, expected success, %d" % (p["status"], p["output"], status))


def test__exit():
    run_, recs = run("_exit")
    if run_.returncode != 7:
        raise AssertionError("exit status %d" % run_.returncode)
    check_success(recs, "ex_add", {"a": 1, "b": 2}, 3)
    check_success(recs, "ex_add", {"a": 3, "b": 4}, 7)
    check_left(recs, [("ex_outer", {"mode": 1, "x": 10}), ("ex_inner", {"mode": 1, "x": 11})])
    check_root(recs, 7)
    if len(recs.calls()) != 4:
        raise AssertionError("records: %s" % [it.describe(r) for r in recs.calls()])


def test_quick_exit():
    run_, recs = run("quick_exit")
    if run_.returncode != 5 or b"at_quick_exit: ex_add(40, 2) = 42\n" not in run_.stdout:
        raise AssertionError("exit status %d, stdout %r" % (run_.returncode, run_.stdout))
    check_success(recs, "ex_add", {"a": 1, "b": 2}, 3)
    check_success(recs, "ex_add", {"a": 40, "b": 2}, 42)
    check_root(recs, 5)
    if len(recs.calls()) != 2:
        raise AssertionError("records: %s" % [it.describe(r) for r in recs.calls()])


def test_quick_exit_in_call():
    run_, recs = run("quick_exit-in-call")
    if run_.returncode != 6:
        raise AssertionError("exit status %d" % run_.returncode)
    check_success(recs, "ex_add", {"a": 1, "b": 2}, 3)
    handler = check_success(recs, "ex_add", {"a": 40, "b": 2}, 42)
    check_left(recs, [("ex_outer", {"mode": 2, "x": 10}), ("ex_inner", {"mode": 2, "x": 11})])
    # The handler ran inside quick_exit, inside ex_inner.
    if recs.by_id[it.parent_ids(handler)[-1]]["payload"]["function"]["name"] != "ex_inner":
        raise AssertionError("the handler's call is not under ex_inner: %s" % it.parent_ids(handler))
    check_root(recs, 6)


def test_pthread_exit_from_main():
    """The process ends (status 0) when the last of the other threads does, and
    every call those threads made after main's pthread_exit is recorded."""
    run_, recs = run("pthread_exit", timeout=60)
    check_success(recs, "ex_add", {"a": -1, "b": -2}, -3)
    for t in range(THREADS):
        got = sorted(it.args(r)["a"] for r in recs.calls("ex_add")
                     if it.args(r)["b"] == t and it.output(r) == it.args(r)["a"] + t
                     and r["payload"]["status"] == "success")
        want = list(range(CALLS))
        if got != want:
            raise AssertionError("thread %d: %d ex_add records, expected %d" % (t, len(got), len(want)))
    check_left(recs, [("ex_outer", {"mode": 3, "x": 10}), ("ex_inner", {"mode": 3, "x": 11})],
               statuses=("incomplete", "unwound"))
    check_root(recs, 0)
    if len(recs.calls()) != THREADS * CALLS + 3:
        raise AssertionError("%d records, expected %d" % (len(recs.calls()), THREADS * CALLS + 3))


def test_exit_from_thread():
    """exit(3) on a second thread while main waits inside ex_join and a third
    thread inside ex_block: all of them incomplete, the root's output 3."""
    run_, recs = run("exit-thread")
    if run_.returncode != 3:
        raise AssertionError("exit status %d" % run_.returncode)
    check_success(recs, "ex_add", {"a": 5, "b": 6}, 11)
    check_left(recs, [("ex_outer", {"mode": 4, "x": 30}), ("ex_inner", {"mode": 4, "x": 31})])
    check_left(recs, [("ex_join", {})])
    check_left(recs, [("ex_block", {})])
    check_root(recs, 3)
