"""Signals: the program's own SIGSEGV handler installed after start-up still sees its
own faults while bad pointers given to hooked functions stay harmless; a hooked call
made by a signal handler that interrupts a hooked call nests under it."""

import os

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
        return  # AddressSanitizer's own SIGSEGV handler turns the signal into exit 1
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
