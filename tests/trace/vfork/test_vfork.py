"""vfork: a child that execs or calls _exit shares the parent's memory; it must
neither stop the parent's tracing nor hang on the parent's logger."""

import impulse_test as it

CASE = "vfork"


def test_vfork():
    argv = [it.program(CASE, "vfork_main")]
    untraced = it.run_untraced(argv, timeout=30)
    run_ = it.run_traced(argv, it.conf(CASE), timeout=30)
    try:
        it.assert_same_behaviour(run_, untraced)
        recs = it.Records(run_.records)
        # Two processes: this program and the /bin/true it exec'd in the vfork child.
        recs.check_all(roots=2)
        got = sorted((it.args(r)["x"], it.output(r)) for r in recs.calls("vf_leaf"))
        if got != [(1, 101), (2, 102)]:
            raise AssertionError("vf_leaf records %s" % got)
    finally:
        run_.cleanup()
