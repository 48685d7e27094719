"""Thread churn (issue 12 point 2): 10 waves of 600 live threads with 64 KiB stacks,
each making 100 hooked calls. Ended threads' slots come back once the logger has
drained them, and a thread finding the table full waits for one (lossless) while
some slot belongs to an ended thread: records + counted losses = 600,000 exactly,
and with the default buffer settings nothing is counted lost. The 600,000 records
are streamed (too many to hold), the values checked as they go."""

import os
import shutil
import tempfile

import impulse_test as it

CASE = "churn"
WAVES, THREADS, CALLS = 10, 600, 100


def test_churn_every_call_recorded_or_counted():
    argv = [it.program(CASE, "churn_main")]
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    tmp = tempfile.mkdtemp(prefix="impulse-churn-", dir=base)
    try:
        log_dir = os.path.join(tmp, "logs")
        os.makedirs(log_dir)
        untraced = it.run_untraced(argv, timeout=120)
        run_ = it.run_traced(argv, it.conf(CASE), timeout=240, log_dir=log_dir)
        it.assert_same_behaviour(run_, untraced)
        want = ("%d threads, %d calls, sum %d\n" % (WAVES * THREADS, WAVES * THREADS * CALLS,
                sum(t * 100 + i for t in range(WAVES * THREADS) for i in range(CALLS)))).encode()
        if run_.stdout != want:
            raise AssertionError("program output %r, expected %r" % (run_.stdout, want))
        roots, leaves, bad, per_thread = [], 0, [], {}
        for r in run_.iter_records():
            p = r["payload"]
            if p["function"]["name"] == "churn_leaf":
                a = it.args(r)
                if it.output(r) != a["t"] * 100 + a["i"] or p["status"] != "success":
                    bad.append(it.describe(r))
                per_thread[a["t"]] = per_thread.get(a["t"], 0) + 1
                leaves += 1
            else:
                roots.append(r)
        run_.cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if len(roots) != 1 or bad:
        raise AssertionError("%d roots; wrong records: %s" % (len(roots), bad[:5]))
    d = roots[0]["payload"]["arguments"]["dropped"]
    it.check_dropped_shape(d)
    counted = sum(t["hooks"].get("churn_leaf", 0) for t in d["threads"])
    if leaves + counted != WAVES * THREADS * CALLS:
        raise AssertionError("%d recorded + %d counted != %d: dropped %s"
                             % (leaves, counted, WAVES * THREADS * CALLS, d))
    if counted or len(per_thread) != WAVES * THREADS or set(per_thread.values()) != {CALLS}:
        raise AssertionError("lossless by default: %d counted lost (%s), %d threads recorded"
                             % (counted, d, len(per_thread)))
    print("churn: %d recorded, %d counted" % (leaves, counted))
