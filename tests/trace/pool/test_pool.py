"""The context API (impulse_context_capture/attach/release) with a thread pool: a
task queued inside a hooked call and run by a worker that attaches to the captured
context is recorded on the worker's thread with the queuing call in its parents,
and among the queuing call's children when it ended first; captures are let go
once used, so a pool running 100k tasks leaves nothing behind in the tracer."""

import impulse_test as it
from impulse_test import args, call_id, child_ids, parent_ids

CASE = "pool"
TASKS = 16


def tid(rec):
    return rec["payload"]["process"]["tid"]


def thread_name(rec):
    return rec["payload"]["process"]["thread_name"]


def context_stats(run_):
    """The verbose 'contexts: ...' line of the tracer's own stats."""
    for line in run_.stderr.decode("utf-8", "replace").splitlines():
        if "contexts: " in line:
            return line.split("contexts: ", 1)[1]
    raise AssertionError("no 'contexts:' line with IMPULSE_VERBOSE=1; stderr:\n%s"
                         % run_.stderr.decode("utf-8", "replace")[-2000:])


def test_pool():
    argv = [it.program(CASE, "pool_main")]
    run_, recs = it.check_run(argv, it.conf(CASE), env={"IMPULSE_VERBOSE": "1"},
                              stderr_differs="IMPULSE_VERBOSE=1: the test reads libimpulse's figures there")
    if run_.stdout != b"submitted 1200 sum 36048 attach failures 0\n":
        raise AssertionError("program output %r" % run_.stdout)
    counts = dict(recs.counts())
    want = {"pool_submit": TASKS, "pool_task": TASKS, "pool_leaf": 3 * TASKS, "pool_drop": 1}
    if counts != want:
        raise AssertionError("counts %s, expected %s" % (counts, want))
    root = recs.root()
    rid = call_id(root)
    pid = root["payload"]["process"]["pid"]
    workers = {}
    for k in range(TASKS):
        sub = recs.one("pool_submit", k=k)
        task = recs.one("pool_task", k=k)
        leaves = [recs.one("pool_leaf", k=k, i=i) for i in range(3)]
        it.assert_value(10 * k, it.output(sub), "pool_submit(%d)" % k)
        it.assert_value(300 * k + 3, it.output(task), "pool_task(%d)" % k)
        if tid(sub) != pid or parent_ids(sub) != [rid]:
            raise AssertionError("pool_submit(%d): tid %d parents %s" % (k, tid(sub), parent_ids(sub)))
        # The task's records show the worker's own thread, under the queuing call.
        if tid(task) == pid or not thread_name(task).startswith("pool-w"):
            raise AssertionError("pool_task(%d) on tid %d (%r): expected a worker thread"
                                 % (k, tid(task), thread_name(task)))
        workers.setdefault(tid(task), set()).add(thread_name(task))
        if parent_ids(task) != [rid, call_id(sub)]:
            raise AssertionError("pool_task(%d): parents %s, expected [root, pool_submit(%d)]"
                                 % (k, parent_ids(task), k))
        for i, leaf in enumerate(leaves):
            it.assert_value(100 * k + i, it.output(leaf), "pool_leaf(%d,%d)" % (k, i))
            if parent_ids(leaf) != [rid, call_id(sub), call_id(task)] or tid(leaf) != tid(task):
                raise AssertionError("pool_leaf(%d,%d): parents %s tid %d" % (
                    k, i, parent_ids(leaf), tid(leaf)))
        if child_ids(task) != [call_id(x) for x in leaves]:
            raise AssertionError("pool_task(%d): children %s" % (k, child_ids(task)))
        # Waited for: the task ended before the queuing call, so it is listed.
        if k % 2 == 0 and child_ids(sub) != [call_id(task)]:
            raise AssertionError("pool_submit(%d, wait=1): children %s, expected its task %s"
                                 % (k, child_ids(sub), call_id(task)))
        if k % 2 == 1 and child_ids(sub) not in ([], [call_id(task)]):
            raise AssertionError("pool_submit(%d): children %s" % (k, child_ids(sub)))
    if len(workers) > 4 or any(len(n) != 1 for n in workers.values()) or \
            len({n for ns in workers.values() for n in ns}) != len(workers):
        raise AssertionError("worker threads and names: %s" % workers)
    drop = recs.one("pool_drop", k=99)
    it.assert_value(0, it.output(drop), "pool_drop: impulse_context_release's return")
    # 16 tasks + 1 dropped capture: all used, nothing kept but the root.
    stats = context_stats(run_)
    if stats != "17 captured, 17 used or released, 0 unknown; 1 call kept at exit":
        raise AssertionError("context stats: %s" % stats)


def test_pool_churn_keeps_nothing():
    """100k capture/attach/detach cycles: every capture is let go, and the tracer
    keeps no call beyond the root at the end (not one per queuing call)."""
    argv = [it.program(CASE, "pool_main"), "churn", "100000"]
    run_, recs = it.check_run(argv, it.conf(CASE), env={"IMPULSE_VERBOSE": "1"},
                              stderr_differs="IMPULSE_VERBOSE=1: the test reads libimpulse's figures there", timeout=300)
    if run_.stdout != b"submitted 499500 sum 0 attach failures 0\n":
        raise AssertionError("program output %r" % run_.stdout)
    if dict(recs.counts()) != {"pool_batch": 1000}:
        raise AssertionError("counts %s" % dict(recs.counts()))
    stats = context_stats(run_)
    if stats != "100000 captured, 100000 used or released, 0 unknown; 1 call kept at exit":
        raise AssertionError("context stats after 100k tasks: %s" % stats)


def test_bogus_token_is_harmless():
    """A token no capture made: counted as unknown, the calls go under the root."""
    argv = [it.program(CASE, "pool_main"), "bogus"]
    run_, recs = it.check_run(argv, it.conf(CASE), env={"IMPULSE_VERBOSE": "1"},
                              stderr_differs="IMPULSE_VERBOSE=1: the test reads libimpulse's figures there")
    leaf = recs.one("pool_leaf", k=7, i=7)
    if parent_ids(leaf) != [call_id(recs.root())]:
        raise AssertionError("pool_leaf under a bogus context: parents %s" % parent_ids(leaf))
    it.assert_value(707, it.output(leaf), "pool_leaf(7,7)")
    stats = context_stats(run_)
    if stats != "0 captured, 1 used or released, 1 unknown; 1 call kept at exit" and \
            stats != "0 captured, 0 used or released, 1 unknown; 1 call kept at exit":
        raise AssertionError("context stats: %s" % stats)
