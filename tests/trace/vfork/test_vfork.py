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
        # Two images: this program and the /bin/true it exec'd in the vfork child.
        recs, _ = it.check_process_tree(run_.records, 2)
        main = [r for r in recs.roots() if r["payload"]["function"]["name"] == "vfork_main"][0]
        true = [r for r in recs.roots() if r["payload"]["function"]["name"] == "true"][0]
        # vfork + execv in main, outside any hooked call: /bin/true names main's root.
        if it.root_parent(true) != (it.call_id(main), "vfork_main", it.module_of(main)):
            raise AssertionError("/bin/true's root parent %s" % (it.root_parent(true),))
        got = sorted((it.args(r)["x"], it.output(r)) for r in recs.calls("vf_leaf"))
        if got != [(1, 101), (2, 102)]:
            raise AssertionError("vf_leaf records %s" % got)
    finally:
        run_.cleanup()
