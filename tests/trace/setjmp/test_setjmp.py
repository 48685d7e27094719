"""The setjmp family, getcontext and swapcontext hooked explicitly: each returns a
second time (longjmp, siglongjmp, setcontext, a later swap), after a trampoline's
frame would be gone. libimpulse refuses each at start and in `impulse check` ("cannot
be hooked: <reason>", counted as installed nowhere), and the program runs as
untraced (was: SIGSEGV for _setjmp, an endless loop for __sigsetjmp), with the
hooked function around them recorded exactly."""

import impulse_test as it

CASE = "setjmp"
REFUSED = ("setjmp", "_setjmp", "__sigsetjmp", "sigsetjmp", "getcontext", "swapcontext")
# sj_leaf's arguments in call order: setjmp rounds, _setjmp, sigsetjmp, getcontext,
# the other context, back.
CALLS = [0, 1, 2, 10, 11, 20, 21, 30, 31, 32, 40, 50]


def _variant(variant):
    argv = [it.program(CASE, "setjmp_main", variant)]
    run, recs = it.check_run(argv, it.conf(CASE), timeout=60)
    got = [(it.args(r)["x"], it.output(r)) for r in recs.calls("sj_leaf")]
    if got != [(x, 2 * x) for x in CALLS]:
        raise AssertionError("%s: sj_leaf records %s" % (variant, got))
    names = sorted(set(it.fn_name(r) for r in recs.calls()))
    if names != ["sj_leaf"]:
        raise AssertionError("%s: recorded functions %s" % (variant, names))


def test_setjmp_family_def():
    _variant("def")


def test_setjmp_family_O0():
    _variant("O0")


def test_setjmp_family_now():
    _variant("now")


def test_setjmp_family_refused():
    it.assert_hooks_refused(it.conf(CASE), [it.program(CASE, "setjmp_main")], REFUSED,
                  "returns a second time")
