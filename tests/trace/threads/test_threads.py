"""Threads: each OS thread's calls form their own tree under the root, and a thread
started by pthread_create inside a hooked call has that call as its calls' parent."""

import impulse_test as it
from impulse_test import args, call_id, child_ids, parent_ids

CASE = "threads"


def tid(rec):
    return rec["payload"]["process"]["tid"]


def test_threads():
    argv = [it.program(CASE, "threads_main")]
    run_, recs = it.check_run(argv, it.conf(CASE))
    rid = call_id(recs.root())
    pid = recs.root()["payload"]["process"]["pid"]
    counts = dict(recs.counts())
    want = {"thr_work": 42, "thr_leaf": 85, "thr_spawn_join": 1}
    if counts != want:
        raise AssertionError("counts %s, expected %s" % (counts, want))

    thread_tids = {}
    for t in range(4):
        works = [r for r in recs.calls("thr_work") if args(r)["t"] == t]
        if [args(w)["i"] for w in works] != list(range(10)):
            raise AssertionError("thread %d: thr_work calls i=%s" % (t, [args(w)["i"] for w in works]))
        tids = {tid(w) for w in works}
        if len(tids) != 1:
            raise AssertionError("thread %d's calls carry several tids: %s" % (t, tids))
        thread_tids[t] = tids.pop()
        for w in works:
            i = args(w)["i"]
            if parent_ids(w) != [rid]:
                raise AssertionError("thr_work(%d,%d): parents %s, expected only the root "
                                     "(the thread began outside any hooked call)"
                                     % (t, i, parent_ids(w)))
            leaves = [r for r in recs.calls("thr_leaf") if args(r)["t"] == t
                      and args(r)["i"] in (2 * i, 2 * i + 1)]
            if child_ids(w) != [call_id(x) for x in leaves] or len(leaves) != 2:
                raise AssertionError("thr_work(%d,%d): children %s, expected its 2 thr_leaf "
                                     "calls %s" % (t, i, child_ids(w), [call_id(x) for x in leaves]))
            for x in leaves:
                if parent_ids(x) != [rid, call_id(w)] or tid(x) != thread_tids[t]:
                    raise AssertionError("thr_leaf(%d,%d): parents %s tid %d"
                                         % (t, args(x)["i"], parent_ids(x), tid(x)))
            it.assert_value(2000 * t + 4 * i + 1, it.output(w), "thr_work(%d,%d)" % (t, i))
    if len(set(thread_tids.values())) != 4 or pid in thread_tids.values():
        raise AssertionError("the four threads' tids are not distinct from each other and "
                             "from the main thread: %s (pid %d)" % (thread_tids, pid))

    # main's own call, after the joins, runs on the main thread.
    mainw = recs.one("thr_work", t=9)
    if tid(mainw) != pid or parent_ids(mainw) != [rid]:
        raise AssertionError("main's thr_work: tid %d parents %s" % (tid(mainw), parent_ids(mainw)))

    # pthread_create inside a hooked call: the new thread's calls are its children.
    spawn = recs.one("thr_spawn_join", t=0)
    if tid(spawn) != thread_tids[0] or parent_ids(spawn) != [rid]:
        raise AssertionError("thr_spawn_join: tid %d parents %s" % (tid(spawn), parent_ids(spawn)))
    it.assert_value(300100, it.output(spawn), "thr_spawn_join output")
    sw = recs.one("thr_work", t=100)
    sl = recs.one("thr_leaf", t=100, i=99)
    for r in (sw, sl):
        if parent_ids(r) != [rid, call_id(spawn)]:
            raise AssertionError("%s on the spawned thread: parents %s, expected [root, "
                                 "thr_spawn_join]" % (it.describe(r), parent_ids(r)))
        if tid(r) in (pid, *thread_tids.values()):
            raise AssertionError("%s: the spawned thread's tid %d is not new" % (it.describe(r), tid(r)))
    if child_ids(spawn) != [call_id(sw), call_id(sl)]:
        raise AssertionError("thr_spawn_join children %s, expected the spawned thread's "
                             "calls %s" % (child_ids(spawn), [call_id(sw), call_id(sl)]))
    for x in (recs.one("thr_leaf", t=100, i=0), recs.one("thr_leaf", t=100, i=1)):
        if parent_ids(x) != [rid, call_id(spawn), call_id(sw)]:
            raise AssertionError("%s: parents %s" % (it.describe(x), parent_ids(x)))


def test_threads_many_runs():
    """The same program ten times: the tree does not depend on scheduling."""
    argv = [it.program(CASE, "threads_main")]
    for _ in range(10):
        _, recs = it.check_run(argv, it.conf(CASE))
        counts = dict(recs.counts())
        if counts != {"thr_work": 42, "thr_leaf": 85, "thr_spawn_join": 1}:
            raise AssertionError("counts %s" % counts)
