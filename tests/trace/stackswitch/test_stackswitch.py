"""A makecontext coroutine: makecontext does not return twice and stays traceable
(its record exact), swapcontext is refused, and the hooked calls made on the
coroutine's own stack and on main's, in turn, are all recorded, top-level, in order,
with the program's output unchanged, in three link modes."""

import impulse_test as it

CASE = "stackswitch"
ROUNDS = 4


def _variant(variant):
    argv = [it.program(CASE, "stackswitch_main", variant)]
    run, recs = it.check_run(argv, it.conf(CASE), timeout=60)
    mk = recs.one("makecontext")
    if it.args(mk)["argc"] != 2 or mk["payload"]["status"] != "success":
        raise AssertionError("%s: makecontext record %s" % (variant, it.describe(mk)))
    want = []
    for i in range(ROUNDS):
        want += [100 + 10 * i, i]
    want.append(ROUNDS)
    got = [it.args(r)["x"] for r in recs.calls("ss_leaf")]
    if got != want:
        raise AssertionError("%s: ss_leaf calls %s, want %s" % (variant, got, want))
    root = recs.root()
    for r in recs.calls():
        if it.parent_ids(r) != [it.call_id(root)]:
            raise AssertionError("%s: %s is not top-level" % (variant, it.describe(r)))
        if it.fn_name(r) == "ss_leaf" and it.output(r) != it.args(r)["x"] + 1000:
            raise AssertionError("%s: %s" % (variant, it.describe(r)))
    if recs.calls("swapcontext"):
        raise AssertionError("%s: swapcontext recorded" % variant)


def test_coroutine_def():
    _variant("def")


def test_coroutine_O0():
    _variant("O0")


def test_coroutine_now():
    _variant("now")
