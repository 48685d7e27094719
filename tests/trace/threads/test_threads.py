"""Threads: each OS thread's calls form their own tree under the root, and a thread
started by pthread_create inside a hooked call has that call as its calls' parent;
64 threads at once, detached, quiet, exiting and cancelled threads; thousands of
short-lived threads whose buffers are released."""

import os
import shutil
import tempfile

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


def status(rec):
    return rec["payload"]["status"]


def thread_name(rec):
    return rec["payload"]["process"]["thread_name"]


def ns(rec, key):
    return rec["payload"]["timestamps"][key]


def kept_calls(run_):
    """The count of calls the logger still held at exit (IMPULSE_VERBOSE=1 stats)."""
    for line in run_.stderr.decode("utf-8", "replace").splitlines():
        if "calls kept at exit" in line or "call kept at exit" in line:
            return int(line.split(";")[-1].split()[0])
    raise AssertionError("no 'calls kept at exit' in the verbose stats:\n%s"
                         % run_.stderr.decode("utf-8", "replace")[-2000:])


def check_worker(recs, t, calls, name, rid):
    """Thread t's thr_work(t, 0..calls-1), in order, on one thread called name, each
    under the root with its two thr_leaf calls. Returns the thread's tid."""
    works = [r for r in recs.calls("thr_work") if args(r)["t"] == t]
    if [args(w)["i"] for w in works] != list(range(calls)):
        raise AssertionError("thread %s: thr_work calls i=%s" % (name, [args(w)["i"] for w in works]))
    tids = {tid(w) for w in works}
    names = {thread_name(w) for w in works}
    if len(tids) != 1 or names != {name}:
        raise AssertionError("thread %s's calls carry tids %s names %s" % (name, tids, names))
    leaves = {(args(x)["i"]): x for x in recs.calls("thr_leaf") if args(x)["t"] == t}
    if sorted(leaves) != list(range(2 * calls)):
        raise AssertionError("thread %s: thr_leaf i=%s" % (name, sorted(leaves)))
    for w in works:
        i = args(w)["i"]
        mine = [leaves[2 * i], leaves[2 * i + 1]]
        it.assert_value(2000 * t + 4 * i + 1, it.output(w), "%s: thr_work(%d,%d)" % (name, t, i))
        if parent_ids(w) != [rid] or status(w) != "success":
            raise AssertionError("%s: thr_work(%d,%d) parents %s status %s"
                                 % (name, t, i, parent_ids(w), status(w)))
        if child_ids(w) != [call_id(x) for x in mine]:
            raise AssertionError("%s: thr_work(%d,%d) children %s" % (name, t, i, child_ids(w)))
        for x in mine:
            if parent_ids(x) != [rid, call_id(w)] or tid(x) != tid(w) or thread_name(x) != name:
                raise AssertionError("%s: thr_leaf(%d,%d) parents %s tid %d name %r"
                                     % (name, t, args(x)["i"], parent_ids(x), tid(x), thread_name(x)))
    return tids.pop()


def check_ended_inside(recs, fn, t, leaf_i, name, rid):
    """A thread that ended inside the hooked fn (pthread_exit, or cancelled): fn's
    record exists, on that thread, under the root, with its finished thr_leaf child.
    Its status is the forced unwind's ("unwound") or, where that is not recognised,
    "incomplete": never "success", and no made-up output."""
    rec = recs.one(fn, t=t)
    leaf = recs.one("thr_leaf", t=t, i=leaf_i)
    if status(rec) not in ("unwound", "incomplete") or it.output(rec) is not None:
        raise AssertionError("%s: status %s output %r, expected unwound (or incomplete), no output"
                             % (fn, status(rec), it.output(rec)))
    if thread_name(rec) != name or parent_ids(rec) != [rid]:
        raise AssertionError("%s: thread %r parents %s" % (fn, thread_name(rec), parent_ids(rec)))
    if child_ids(rec) != [call_id(leaf)] or parent_ids(leaf) != [rid, call_id(rec)]:
        raise AssertionError("%s: children %s; its thr_leaf's parents %s"
                             % (fn, child_ids(rec), parent_ids(leaf)))
    it.assert_value(1000 * t + leaf_i, it.output(leaf), "thr_leaf in %s" % fn)
    if status(leaf) != "success" or tid(leaf) != tid(rec):
        raise AssertionError("thr_leaf in %s: status %s tid %d" % (fn, status(leaf), tid(leaf)))


def test_64_threads_and_ending_threads():
    """64 threads at once, detached threads ending meanwhile, threads without hooked
    calls, a thread ending in pthread_exit inside a hooked call, a thread cancelled
    inside one: exact counts per thread, trees per thread, distinct tids and names."""
    argv = [it.program(CASE, "threads_many")]
    run_, recs = it.check_run(argv, it.conf(CASE, "many.conf"))
    out = run_.stdout.decode()
    for line in ("nocall threads 16", "x0 exit value 2001", "c0 cancelled 1"):
        if line not in out:
            raise AssertionError("program output lacks %r:\n%s" % (line, out))
    counts = dict(recs.counts())
    want = {"thr_work": 64 * 50 + 8 * 20, "thr_leaf": 2 * (64 * 50 + 8 * 20) + 2,
            "thr_spawn_nocall": 1, "thr_exit_in": 1, "thr_block": 1}
    if counts != want:
        raise AssertionError("counts %s, expected %s" % (counts, want))
    rid = call_id(recs.root())
    pid = recs.root()["payload"]["process"]["pid"]
    tids = {}
    for t in range(64):
        tids["t%02d" % t] = check_worker(recs, t, 50, "t%02d" % t, rid)
    for d in range(8):
        tids["d%02d" % d] = check_worker(recs, 1000 + d, 20, "d%02d" % d, rid)
    if len(set(tids.values())) != 72 or pid in tids.values():
        raise AssertionError("the 72 threads' tids are not distinct (or one is the main "
                             "thread's %d): %s" % (pid, sorted(tids.values())))
    # The detached threads ended while the 64 ran: the 64 wait halfway for posts
    # that only the detached threads' ends make, so calls of the 64 come after.
    last_detached = max(ns(r, "end_ns") for r in recs.calls("thr_work") if args(r)["t"] >= 1000)
    if max(ns(r, "end_ns") for r in recs.calls("thr_work") if args(r)["t"] < 64) <= last_detached:
        raise AssertionError("the 64 threads' calls all ended before the detached threads' did")
    nocall = recs.one("thr_spawn_nocall", n=16)
    it.assert_value(16, it.output(nocall), "thr_spawn_nocall(16)")
    if child_ids(nocall) != [] or parent_ids(nocall) != [rid] or tid(nocall) != pid:
        raise AssertionError("thr_spawn_nocall: children %s parents %s tid %d"
                             % (child_ids(nocall), parent_ids(nocall), tid(nocall)))
    check_ended_inside(recs, "thr_exit_in", 2000, 7, "x00", rid)
    check_ended_inside(recs, "thr_block", 3000, 8, "c00", rid)


def test_thread_buffers_released():
    """5000 short-lived traced threads in waves of 100, and 1000 threads started
    inside hooked calls that make none: each ended thread's buffers are unmapped
    (the process's VmSize after the last wave is within 64 MiB of the first wave's,
    where 4900 kept 1 MiB rings would add 4.9 GB), the 4096 thread slots are reused
    (every call is recorded), and no creating call is kept once its threads ended."""
    tmp = tempfile.mkdtemp(prefix="impulse-waves-")
    try:
        res_t = os.path.join(tmp, "traced")
        res_u = os.path.join(tmp, "untraced")
        argv = [it.program(CASE, "threads_waves")]
        run_, recs = it.check_run(argv, it.conf(CASE, "many.conf"), timeout=300,
                                  env={"WAVES_RESULTS": res_t, "IMPULSE_VERBOSE": "1"},
                                  untraced_env={"WAVES_RESULTS": res_u},
                                  stderr_differs="IMPULSE_VERBOSE=1: libimpulse's figures")
        mem, mem_u = {}, {}
        for path, d in ((res_t, mem), (res_u, mem_u)):
            with open(path) as f:
                d.update((k, int(v)) for k, v in (line.split() for line in f))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if run_.stdout != b"5000 threads, sum 122747500, 1000 threads without calls\n":
        raise AssertionError("program output %r" % run_.stdout)
    counts = dict(recs.counts())
    if counts != {"thr_leaf": 5000, "thr_spawn_nocall": 50}:
        raise AssertionError("counts %s" % counts)
    rid = call_id(recs.root())
    seen = set()
    by_wave = {}
    for r in recs.calls("thr_leaf"):
        w, i = args(r)["t"], args(r)["i"]
        seen.add((w, i))
        by_wave.setdefault(w, set()).add(tid(r))
        it.assert_value(1000 * w + i, it.output(r), "thr_leaf(%d,%d)" % (w, i))
        if parent_ids(r) != [rid]:
            raise AssertionError("thr_leaf(%d,%d): parents %s" % (w, i, parent_ids(r)))
    if len(seen) != 5000 or any(len(t) != 100 for t in by_wave.values()):
        raise AssertionError("%d distinct calls; tids per wave %s"
                             % (len(seen), sorted(len(t) for t in by_wave.values())))
    # Against the untraced run's own growth (a sanitizer runtime's per-thread
    # bookkeeping grows RSS by itself): what the tracer adds must stay flat.
    grow_size = mem["last_vmsize_kb"] - mem["first_vmsize_kb"]
    grow_rss = (mem["last_rss_kb"] - mem["first_rss_kb"]) - \
        max(0, mem_u["last_rss_kb"] - mem_u["first_rss_kb"])
    if grow_size > 64 * 1024 or grow_rss > 32 * 1024:
        raise AssertionError("memory grew with the number of threads: VmSize +%d kB, VmRSS "
                             "+%d kB more than untraced after 49 more waves (traced %s, "
                             "untraced %s)" % (grow_size, grow_rss, mem, mem_u))
    if kept_calls(run_) != 1:
        raise AssertionError("calls kept at exit: %d, expected only the root (the creating "
                             "calls of threads without hooked calls must be let go)"
                             % kept_calls(run_))
