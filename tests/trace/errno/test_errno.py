"""errno: the program sees the errno the hooked function set, after every call, also
when the traced thread had to wait for the logger (a 64 KiB ring) and on a thread's
first traced call."""

import impulse_test as it

CASE = "errno"


def test_errno_preserved():
    argv = [it.program(CASE, "errno_main")]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if b"errno mismatches: main 0, thread 0" not in run_.stdout:
        raise AssertionError(run_.stdout.decode())
    counts = dict(recs.counts())
    if counts != {"set_errno": 100000}:
        raise AssertionError("counts %s" % counts)
