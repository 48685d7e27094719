"""The setjmp family, getcontext and swapcontext hooked explicitly: each returns a
second time (longjmp, siglongjmp, setcontext, a later swap), after a trampoline's
frame would be gone. libimpulse refuses each at start and in `impulse check` ("cannot
be hooked: <reason>", counted as installed nowhere), and the program runs as
untraced (was: SIGSEGV for _setjmp, an endless loop for __sigsetjmp), with the
hooked function around them recorded exactly."""

import os
import subprocess

import impulse_test as it

CASE = "setjmp"
IMPULSE = os.path.join(it.BUILD, "impulse")
REFUSED = ("setjmp", "_setjmp", "__sigsetjmp", "sigsetjmp", "getcontext", "swapcontext")
# sj_leaf's arguments in call order: setjmp rounds, _setjmp, sigsetjmp, getcontext,
# the other context, back.
CALLS = [0, 1, 2, 10, 11, 20, 21, 30, 31, 32, 40, 50]


def check_refused(conf_text, argv, names, reason_words=None):
    """impulse check and a verbose start both say each of names cannot be hooked."""
    workdir = it.tempfile.mkdtemp(prefix="impulse-refused-")
    conf = os.path.join(workdir, "hooks.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    try:
        r = subprocess.run([IMPULSE, "check", "-c", conf] + argv, capture_output=True, timeout=60,
                           env=dict(os.environ, LC_ALL="C",
                                    ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=0"))
    finally:
        it.shutil.rmtree(workdir, ignore_errors=True)
    out = r.stdout.decode("utf-8", "replace")
    for name in names:
        lines = [l for l in out.splitlines() if l.startswith("hook %s " % name)]
        if len(lines) != 1 or ": cannot be hooked: " not in lines[0] or "installed in" in lines[0]:
            raise AssertionError("impulse check on %s:\n%s%s" % (name, out, r.stderr.decode()))
        if reason_words and reason_words not in lines[0]:
            raise AssertionError("reason for %s: %s" % (name, lines[0]))
    if r.returncode != 1:
        raise AssertionError("impulse check exited %d (1: some hook installed nowhere):\n%s"
                             % (r.returncode, out))
    run = it.run_traced(argv, conf_text, env={"IMPULSE_VERBOSE": "1"}, timeout=120)
    try:
        err = run.stderr.decode("utf-8", "replace")
        for name in names:
            if "%s cannot be hooked (" % name not in err:
                raise AssertionError("no refusal of %s at start:\n%s" % (name, err[-3000:]))
            if "hook %s installed" % name in err:
                raise AssertionError("%s installed:\n%s" % (name, err[-3000:]))
    finally:
        run.cleanup()


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
    check_refused(it.conf(CASE), [it.program(CASE, "setjmp_main")], REFUSED,
                  "returns a second time")
