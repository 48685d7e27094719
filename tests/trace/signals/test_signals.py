"""Signals: the program's own SIGSEGV handler installed after start-up still sees its
own faults while bad pointers given to hooked functions stay harmless; a hooked call
made by a signal handler that interrupts a hooked call nests under it."""

import os
import shutil
import tempfile

import impulse_test as it
from impulse_test import call_id, parent_ids

CASE = "signals"


def test_signals():
    argv = [it.program(CASE, "signals_main")]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if "faults seen by the program: 1" not in run_.stdout.decode():
        raise AssertionError("program's handler did not run once:\n" + run_.stdout.decode())
    counts = dict(recs.counts())
    if counts != {"sig_len": 2, "sig_slow": 1, "sig_leaf": 1}:
        raise AssertionError("counts %s" % counts)
    bad = [r for r in recs.calls("sig_len") if it.output(r) == 0]
    if len(bad) != 1 or "unreadable" not in it.args(bad[0])["s"]:
        raise AssertionError("bad pointer argument: %s" % [it.args(r) for r in recs.calls("sig_len")])
    good = [r for r in recs.calls("sig_len") if it.output(r) == 5]
    if len(good) != 1 or it.args(good[0])["s"] != "hello":
        raise AssertionError("good string: %s" % [it.args(r) for r in recs.calls("sig_len")])
    slow = recs.one("sig_slow", x=5)
    leaf = recs.one("sig_leaf", x=41)
    it.assert_value(10, it.output(slow), "sig_slow(5)")
    it.assert_value(42, it.output(leaf), "sig_leaf(41)")
    if parent_ids(leaf)[-1] != call_id(slow):
        raise AssertionError("sig_leaf in the handler should nest under sig_slow: parents %s"
                             % parent_ids(leaf))


def test_sent_segv_kills_as_before():
    """A SIGSEGV sent with kill() (no faulting instruction) still kills the process
    with that signal, as without the tracer."""
    if "libasan" in it._preload_value():
        it.skip("AddressSanitizer's own SIGSEGV handler turns the signal into exit 1")
    argv = ["/bin/sh", "-c", "kill -SEGV $$; echo survived"]
    untraced = it.run_untraced(argv)
    traced = it.run_traced(argv, it.conf(CASE))
    try:
        if (traced.proc.returncode, traced.proc.stdout) != (untraced.returncode, untraced.stdout):
            raise AssertionError("traced: status %d, stdout %r; untraced: status %d, stdout %r"
                                 % (traced.proc.returncode, traced.proc.stdout,
                                    untraced.returncode, untraced.stdout))
        if untraced.returncode != -11:
            raise AssertionError("untraced status %d, expected -11 (SIGSEGV)" % untraced.returncode)
    finally:
        traced.cleanup()


def test_redact():
    """redact = NAME: the parameter is recorded as "[redacted]" and its text never
    reaches the log (the hot path does not even copy it)."""
    conf = "[tracer]\nredact = s, unused_name\n\n" + it.conf(CASE).replace("[thread signals]", "[thread signals]")
    argv = [it.program(CASE, "signals_main")]
    run_ = it.run_traced(argv, conf)
    try:
        recs = it.Records(run_.records)
        lens = recs.calls("sig_len")
        if sorted(it.output(r) for r in lens) != [0, 5] or any(it.args(r)["s"] != "[redacted]" for r in lens):
            raise AssertionError("sig_len records: %s" % [(it.args(r), it.output(r)) for r in lens])
        for name in os.listdir(run_.log_dir):
            with open(os.path.join(run_.log_dir, name), "rb") as f:
                if b"hello" in f.read():
                    raise AssertionError("the redacted string is in %s" % name)
    finally:
        run_.cleanup()


def status(rec):
    return rec["payload"]["status"]


SIGSTACK_OUT = b"""raise_in(1) = 2, handler leaf 111
wait_in(2) = 6, handler leaf 201
alt 3: raise_in 6, pair 603, handler on the alternate stack 1
alt 4: raise_in 8, pair 803, handler on the alternate stack 1
alt 5: left by siglongjmp, then leaf 502
alt 6: raise_in 12, pair 1203, handler on the alternate stack 1
alt 7: left by siglongjmp, then leaf 702
"""


def check_nested(recs, outer, leaf_x, rid):
    """A handler's sig_leaf(leaf_x) nested under the interrupted call outer, which
    completed with its own output."""
    leaf = recs.one("sig_leaf", x=leaf_x)
    it.assert_value(leaf_x + 1, it.output(leaf), "sig_leaf(%d) in the handler" % leaf_x)
    if parent_ids(leaf) != [rid, call_id(outer)] or it.child_ids(outer) != [call_id(leaf)]:
        raise AssertionError("sig_leaf(%d): parents %s; %s children %s" % (
            leaf_x, parent_ids(leaf), it.describe(outer), it.child_ids(outer)))
    if status(outer) != "success" or status(leaf) != "success":
        raise AssertionError("statuses: %s, %s" % (it.describe(outer), it.describe(leaf)))


def check_alt_pair(recs, k, rid):
    """sig_raise_in(k) interrupted by a handler on the alternate stack calling
    sig_pair(100k) (with its two sig_leaf calls): nested, nothing unwound."""
    outer = recs.one("sig_raise_in", x=k)
    pair = recs.one("sig_pair", x=100 * k)
    leaves = [recs.one("sig_leaf", x=100 * k), recs.one("sig_leaf", x=100 * k + 1)]
    it.assert_value(2 * k, it.output(outer), "sig_raise_in(%d)" % k)
    it.assert_value(200 * k + 3, it.output(pair), "sig_pair(%d)" % (100 * k))
    for r in [outer, pair] + leaves:
        if status(r) != "success":
            raise AssertionError("alternate stack %d: %s is not success (the handler's "
                                 "calls must not unwind the call it interrupted)" % (k, it.describe(r)))
    if parent_ids(pair) != [rid, call_id(outer)] or it.child_ids(outer) != [call_id(pair)]:
        raise AssertionError("sig_pair(%d): parents %s, sig_raise_in(%d) children %s"
                             % (100 * k, parent_ids(pair), k, it.child_ids(outer)))
    for x in leaves:
        if parent_ids(x) != [rid, call_id(outer), call_id(pair)]:
            raise AssertionError("%s: parents %s" % (it.describe(x), parent_ids(x)))


def check_alt_jump(recs, k, rid):
    """The handler on the alternate stack left by siglongjmp from sig_longjmp_in(100k):
    it and the interrupted sig_raise_in(k) are unwound; the next call, back on the
    thread's stack, is under the root again."""
    outer = recs.one("sig_raise_in", x=k)
    jump = recs.one("sig_longjmp_in", x=100 * k)
    inner = recs.one("sig_leaf", x=100 * k)
    after = recs.one("sig_leaf", x=100 * k + 1)
    if status(outer) != "unwound" or status(jump) != "unwound":
        raise AssertionError("left by siglongjmp: %s; %s" % (it.describe(outer), it.describe(jump)))
    if parent_ids(jump) != [rid, call_id(outer)] or \
            parent_ids(inner) != [rid, call_id(outer), call_id(jump)] or status(inner) != "success":
        raise AssertionError("alternate stack %d: sig_longjmp_in parents %s, its sig_leaf %s"
                             % (k, parent_ids(jump), parent_ids(inner)))
    if parent_ids(after) != [rid] or status(after) != "success":
        raise AssertionError("sig_leaf(%d) after the siglongjmp: parents %s status %s (the "
                             "frames left on the alternate stack must be closed)"
                             % (100 * k + 1, parent_ids(after), status(after)))


def test_handlers_call_hooked_functions():
    """Handlers (SA_SIGINFO and plain) calling hooked functions while a hooked call
    runs on the same thread: nested under it, on the same stack (a raised signal, a
    timer interrupting sigsuspend) and on alternate stacks (a static array, one
    mapped just above the thread's stack, one just below), and a handler on the
    alternate stack left by siglongjmp above and below."""
    argv = [it.program(CASE, "sigstack_main")]
    run_, recs = it.check_run(argv, it.conf(CASE, "sigstack.conf"))
    if run_.stdout != SIGSTACK_OUT:
        raise AssertionError("program output:\n%s" % run_.stdout.decode())
    want = {"sig_raise_in": 6, "sig_wait_in": 1, "sig_pair": 3, "sig_longjmp_in": 2, "sig_leaf": 12}
    if dict(recs.counts()) != want:
        raise AssertionError("counts %s, expected %s" % (dict(recs.counts()), want))
    rid = call_id(recs.root())
    raised = recs.one("sig_raise_in", x=1)
    it.assert_value(2, it.output(raised), "sig_raise_in(SIGUSR1, 1)")
    check_nested(recs, raised, 110, rid)
    waited = recs.one("sig_wait_in", x=2)
    it.assert_value(6, it.output(waited), "sig_wait_in(2)")
    check_nested(recs, waited, 200, rid)
    check_alt_pair(recs, 3, rid)   # static array, main thread
    check_alt_pair(recs, 4, rid)   # just above the thread's stack
    check_alt_jump(recs, 5, rid)
    check_alt_pair(recs, 6, rid)   # just below it
    check_alt_jump(recs, 7, rid)


def test_sa_restart_unchanged():
    """A read() on a pipe interrupted by a handler (which writes the byte it waits
    for): restarted with SA_RESTART, EINTR without, as untraced; with read and write
    hooked, the handler's write is recorded inside the interrupted read."""
    argv = [it.program(CASE, "restart_main")]
    run_, recs = it.check_run(argv, it.conf(CASE, "restart.conf"))
    want_out = (b"SA_RESTART: read 1 (no error) byte x\n"
                b"no SA_RESTART: read -1 (Interrupted system call) byte -\n"
                b"then read 1 byte x\n")
    if run_.stdout != want_out:
        raise AssertionError("program output:\n%s" % run_.stdout.decode())
    rid = call_id(recs.root())
    reads = recs.calls("read")
    writes = [w for w in recs.calls("write") if it.args(w)["count"] == 1 and it.args(w)["buf"] == "x"]
    if len(reads) != 3 or len(writes) != 2:
        raise AssertionError("reads %s writes %s" % ([it.describe(r) for r in reads],
                                                       [it.describe(w) for w in writes]))
    restarted, interrupted, drained = reads
    it.assert_value(1, it.output(restarted), "read with SA_RESTART")
    it.assert_value(-1, it.output(interrupted), "read without SA_RESTART")
    it.assert_value(1, it.output(drained), "the read after EINTR")
    if (status(restarted), status(interrupted), status(drained)) != ("success", "error", "success") \
            or not (interrupted["payload"]["exception"] or "").startswith("EINTR"):
        raise AssertionError("read statuses %s, exception %r" % (
            [status(r) for r in reads], interrupted["payload"]["exception"]))
    for rd, wr in ((restarted, writes[0]), (interrupted, writes[1])):
        it.assert_value(1, it.output(wr), "the handler's write")
        if parent_ids(wr) != [rid, call_id(rd)] or it.child_ids(rd) != [call_id(wr)]:
            raise AssertionError("the handler's write: parents %s; read children %s"
                                 % (parent_ids(wr), it.child_ids(rd)))
    if it.child_ids(drained) != [] or any(parent_ids(r) != [rid] for r in reads):
        raise AssertionError("reads' parents %s" % [parent_ids(r) for r in reads])


def reentrant_of(recs, hook):
    """(dropped calls of hook, of which reentrant) in the root's arguments.dropped."""
    d = recs.root()["payload"]["arguments"]["dropped"]
    it.check_dropped_shape(d)
    return (sum(t["hooks"].get(hook, 0) for t in d["threads"]),
            sum(t.get("reentrant", {}).get(hook, 0) for t in d["threads"]))


def test_signal_storm_every_handler_call_counted():
    """Issue 12 point 1: 20,000 SIGUSR1s to a main thread making hooked calls in a
    tight loop, each handler making one hooked call (sig_len). A handler that lands
    while main runs inside libimpulse cannot record (its event would cut the one
    being written): such calls are counted, per thread and hook, as "reentrant" in
    the root's arguments.dropped (and in the end-of-run message). Recorded + counted = 20,000 exactly,
    and main's sig_leaf calls are all recorded."""
    tmp = tempfile.mkdtemp(prefix="impulse-storm-")
    try:
        res_t = os.path.join(tmp, "traced")
        argv = [it.program(CASE, "storm_main")]
        run_, recs = it.check_run(argv, it.conf(CASE, "storm.conf"), timeout=300,
                                  env={"STORM_RESULTS": res_t},
                                  untraced_env={"STORM_RESULTS": os.path.join(tmp, "untraced")})
        with open(res_t) as f:
            main_calls = int(f.read())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if run_.stdout != b"20000 signals handled, sum matches calls: 1\n":
        raise AssertionError("program output %r" % run_.stdout)
    counts = dict(recs.counts())
    dropped_len, reentrant_len = reentrant_of(recs, "sig_len")
    dropped_leaf, _ = reentrant_of(recs, "sig_leaf")
    if counts.get("sig_len", 0) + dropped_len != 20000 or reentrant_len != dropped_len:
        raise AssertionError("sig_len: %d recorded + %d counted (%d reentrant) != 20000"
                             % (counts.get("sig_len", 0), dropped_len, reentrant_len))
    if counts.get("sig_leaf", 0) + dropped_leaf != main_calls or dropped_leaf:
        raise AssertionError("sig_leaf: %d recorded, %d counted, main made %d"
                             % (counts.get("sig_leaf", 0), dropped_leaf, main_calls))
    print("sig_len: %d recorded, %d counted reentrant; sig_leaf: %d"
          % (counts.get("sig_len", 0), reentrant_len, main_calls))
