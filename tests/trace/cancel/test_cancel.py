"""Threads leaving hooked calls by pthread_cancel (deferred, blocked in read) and by
pthread_exit (cancel_main.c): the program behaves as untraced (its cleanup handlers
ran and called hooked functions, same output and exit status); the calls the thread
exit left are recorded "unwound" with the exception text naming a thread exit, the
cleanup handlers' calls nest inside the calls still running when they ran, and the
calls of a thread that returns, and of main afterwards, are "success"."""

import impulse_test as it
from impulse_test import call_id, child_ids, parent_ids

CASE = "cancel"
VARIANTS = ("def", "now")
THREAD_EXIT = "thread exit (pthread_exit or pthread_cancel)"

OUTPUT = """A cancelled 1, cleanup 12
B exited with 21, cleanup 22
C cancelled 1, cleanup 32
D returned 42
main 52
"""

# (function, x): (status, exception, output, parents below the root, children)
EXPECTED = {
    # A: cancelled in cn_wait inside cn_call; the handler pushed inside cn_call
    ("cn_call", 10): ("unwound", THREAD_EXIT, None, [], [("cn_wait", 11), ("cn_note", 12)]),
    ("cn_wait", 11): ("unwound", THREAD_EXIT, None, [("cn_call", 10)], []),
    ("cn_note", 12): ("success", None, 12, [("cn_call", 10)], []),
    # B: pthread_exit inside cn_exit inside cn_call
    ("cn_call", 20): ("unwound", THREAD_EXIT, None, [], [("cn_exit", 21), ("cn_note", 22)]),
    ("cn_exit", 21): ("unwound", THREAD_EXIT, None, [("cn_call", 20)], []),
    ("cn_note", 22): ("success", None, 22, [("cn_call", 20)], []),
    # C: cancelled in a top-level hooked call; the handler outside it
    ("cn_wait", 31): ("unwound", THREAD_EXIT, None, [], []),
    ("cn_note", 32): ("success", None, 32, [], []),
    # D and main: ordinary calls afterwards
    ("cn_call", 40): ("success", None, 42, [], [("cn_note", 41)]),
    ("cn_note", 41): ("success", None, 41, [("cn_call", 40)], []),
    ("cn_call", 50): ("success", None, 52, [], [("cn_note", 51)]),
    ("cn_note", 51): ("success", None, 51, [("cn_call", 50)], []),
}


def check(variant):
    # Built with AddressSanitizer, the program itself fails untraced: ASan does not
    # unpoison the stack a cancelled thread leaves, and reports a stack-buffer-
    # underflow in a later thread (its own hint: "a custom stack unwind mechanism").
    if "libasan" in it._preload_value():
        it.skip("AddressSanitizer build: the program fails untraced (ASan does not unpoison "
                "the stack a cancelled thread leaves)")
    argv = [it.program(CASE, "cancel_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if run_.stdout.decode() != OUTPUT or run_.returncode != 3:
        raise AssertionError("program output (same traced and untraced), exit %d:\n%s"
                             % (run_.returncode, run_.stdout.decode()))
    rid = call_id(recs.root())
    main_tid = recs.root()["payload"]["process"]["tid"]

    def one(key):
        return recs.one(key[0], x=key[1])

    for key, (st, exc, out, parents, children) in EXPECTED.items():
        r = one(key)
        what = "%s(%d)" % key
        p = r["payload"]
        if (p["status"], p["exception"]) != (st, exc):
            raise AssertionError("%s: status %r exception %r, expected %r %r"
                                 % (what, p["status"], p["exception"], st, exc))
        it.assert_value(out, it.output(r), what + " output")
        want = [rid] + [call_id(one(k)) for k in parents]
        if parent_ids(r) != want:
            raise AssertionError("%s: parents %s, expected %s (%s)" % (what, parent_ids(r),
                                                                       want, parents))
        want = [call_id(one(k)) for k in children]
        if child_ids(r) != want:
            raise AssertionError("%s: children %s, expected %s (%s)" % (what, child_ids(r),
                                                                        want, children))
        on_main = p["process"]["tid"] == main_tid
        if on_main != (key[1] >= 50):
            raise AssertionError("%s: recorded on thread %d (main %d)"
                                 % (what, p["process"]["tid"], main_tid))
    if len(recs.calls()) != len(EXPECTED):
        raise AssertionError("%d call records, expected %d: %s"
                             % (len(recs.calls()), len(EXPECTED),
                                [it.describe(r) for r in recs.calls()]))


def _variant(v):
    return lambda: check(v)


def tests():
    return [("cancel_" + v, _variant(v)) for v in VARIANTS]
