"""C++ exceptions through hooked frames (cxx_main.cpp, libthrow.cpp): the program
catches them exactly as without the tracer (same output, same exit status), and each
hooked call an exception crossed is recorded with status "exception" and the
exception's demangled type name, at its place in the tree; calls an exception did
not leave are "success". A call left by longjmp is "unwound" with no exception; a
thread cancelled inside hooked calls leaves them "unwound", "thread exit ...", after
running its destructors."""

import subprocess

import impulse_test as it
from impulse_test import call_id, child_ids, parent_ids

CASE = "cxx"
VARIANTS = ("def", "O0", "now")
THREAD_EXIT = "thread exit (pthread_exit or pthread_cancel)"
FOREIGN = "foreign exception (exception class 54455354464f5200)"

OUTPUT = """ok 1
ok 9
caught too big
after 3
deep caught kind 1
my::Error 322
int 333
rethrown kind 1
rethrow_exception my::Error 352
catchall -4
catch_inside 1
guarded kind 4
mix mix
many my::Error 602
foreign caught
cancelled 1, guard 501
threads caught 100 100 100 100
after all 3
"""

RT, MY, LOGIC = "std::runtime_error", "my::Error", "std::logic_error"

# (function, x): (status, exception, output, parents [(function, x)] below the root,
# children [(function, x)] in the order they ended). x=1 is called twice: the later
# call is checked separately.
EXPECTED = {
    ("thrower", 0): ("success", None, 1, [], [("leaf", 0)]),
    ("leaf", 0): ("success", None, 0, [("thrower", 0)], []),
    ("thrower", 4): ("success", None, 9, [], [("leaf", 4)]),
    ("leaf", 4): ("success", None, 4, [("thrower", 4)], []),
    ("thrower", 8): ("exception", RT, None, [], [("leaf", 8)]),
    ("leaf", 8): ("exception", RT, None, [("thrower", 8)], []),
    # three nested hooked frames
    ("thrower", 300): ("exception", RT, None, [], [("thrower", 301)]),
    ("thrower", 301): ("exception", RT, None, [("thrower", 300)], [("thrower", 302)]),
    ("thrower", 302): ("exception", RT, None, [("thrower", 300), ("thrower", 301)],
                       [("throw_kind", 311)]),
    ("throw_kind", 311): ("exception", RT, None,
                          [("thrower", 300), ("thrower", 301), ("thrower", 302)], []),
    # a class in a namespace, an int
    ("thrower", 322): ("exception", MY, None, [], [("throw_kind", 322)]),
    ("throw_kind", 322): ("exception", MY, None, [("thrower", 322)], []),
    ("thrower", 333): ("exception", "int", None, [], [("throw_kind", 333)]),
    ("throw_kind", 333): ("exception", "int", None, [("thrower", 333)], []),
    # catch (...) { note(); throw; }
    ("thrower", 340): ("exception", RT, None, [], [("thrower", 341), ("note", 342)]),
    ("thrower", 341): ("exception", RT, None, [("thrower", 340)], [("throw_kind", 341)]),
    ("throw_kind", 341): ("exception", RT, None, [("thrower", 340), ("thrower", 341)], []),
    ("note", 342): ("success", None, 342, [("thrower", 340)], []),
    # kept with current_exception, then std::rethrow_exception (dependent exception)
    ("thrower", 352): ("exception", MY, None, [], [("throw_kind", 352)]),
    ("throw_kind", 352): ("exception", MY, None, [("thrower", 352)], []),
    ("thrower", 355): ("exception", MY, None, [], []),
    # caught by catch (...) between two hooked frames: the outer one returns
    ("thrower", 360): ("success", None, -4, [], [("thrower", 361)]),
    ("thrower", 361): ("exception", RT, None, [("thrower", 360)], [("throw_kind", 361)]),
    ("throw_kind", 361): ("exception", RT, None, [("thrower", 360), ("thrower", 361)], []),
    # thrown and caught inside the hooked function
    ("catch_inside", 372): ("success", None, 1, [], []),
    # destructors calling a hooked function while the exception unwinds: they run
    # inside the calls not left yet
    ("thrower", 380): ("exception", LOGIC, None, [], [("thrower", 382), ("note", 381)]),
    ("note", 381): ("success", None, 381, [("thrower", 380)], []),
    ("thrower", 382): ("exception", LOGIC, None, [("thrower", 380)],
                       [("throw_kind", 384), ("note", 383)]),
    ("note", 383): ("success", None, 383, [("thrower", 380), ("thrower", 382)], []),
    ("throw_kind", 384): ("exception", LOGIC, None, [("thrower", 380), ("thrower", 382)], []),
    # left by longjmp (no hooked call after it), then an exception out of the outer one
    ("thrower", 390): ("exception", "std::out_of_range", None, [], [("thrower", 391)]),
    ("thrower", 391): ("unwound", None, None, [("thrower", 390)], []),
    # stack arguments, copied for the real call
    ("throw_many", 574): ("exception", MY, None, [], []),
    # not a C++ exception
    ("thrower", 400): ("exception", FOREIGN, None, [], []),
    # a thread cancelled in block_read; a destructor in between calls note(501)
    ("thrower", 500): ("unwound", THREAD_EXIT, None, [], [("block_read", 502), ("note", 501)]),
    ("block_read", 502): ("unwound", THREAD_EXIT, None, [("thrower", 500)], []),
    ("note", 501): ("success", None, 501, [("thrower", 500)], []),
}

THREADS, PER_THREAD = 4, 100


def status(rec):
    return rec["payload"]["status"]


def exception(rec):
    return rec["payload"]["exception"]


def check(variant):
    argv = [it.program(CASE, "cxx_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if run_.stdout.decode() != OUTPUT:
        raise AssertionError("program output (same traced and untraced):\n%s\nexpected:\n%s"
                             % (run_.stdout.decode(), OUTPUT))
    rid = call_id(recs.root())
    by_key = {}
    for r in recs.calls():
        by_key.setdefault((it.fn_name(r), it.args(r)["x"]), []).append(r)

    # x=1 twice (before and after everything): both success, leaf(1) inside each.
    firsts = by_key.pop(("thrower", 1)), by_key.pop(("leaf", 1))
    if len(firsts[0]) != 2 or len(firsts[1]) != 2:
        raise AssertionError("thrower(1)/leaf(1): %d/%d records, expected 2/2"
                             % (len(firsts[0]), len(firsts[1])))
    for outer, inner in zip(*firsts):
        if (status(outer), it.output(outer), status(inner), it.output(inner)) != \
                ("success", 3, "success", 1):
            raise AssertionError("thrower(1) %s, leaf(1) %s" % (it.describe(outer),
                                                                it.describe(inner)))
        if parent_ids(inner) != [rid, call_id(outer)] or child_ids(outer) != [call_id(inner)]:
            raise AssertionError("leaf(1) not the child of thrower(1)")

    def one(key):
        rs = by_key.get(key, [])
        if len(rs) != 1:
            raise AssertionError("%s(%d): %d records, expected 1" % (key[0], key[1], len(rs)))
        return rs[0]

    for key, (st, exc, out, parents, children) in EXPECTED.items():
        r = one(key)
        what = "%s(%d)" % key
        if (status(r), exception(r)) != (st, exc):
            raise AssertionError("%s: status %r exception %r, expected %r %r"
                                 % (what, status(r), exception(r), st, exc))
        it.assert_value(out, it.output(r), what + " output")
        want_parents = [rid] + [call_id(one(p)) for p in parents]
        if parent_ids(r) != want_parents:
            raise AssertionError("%s: parents %s, expected %s (%s)"
                                 % (what, parent_ids(r), want_parents, parents))
        want_children = [call_id(one(c)) for c in children]
        if child_ids(r) != want_children:
            raise AssertionError("%s: children %s, expected %s (%s)"
                                 % (what, child_ids(r), want_children, children))

    # Exceptions on four threads at once: every frame crossed is named.
    for t in range(THREADS):
        for i in range(PER_THREAD):
            x = 10000 + t * 1000 + i * 10 + 1
            outer, inner = one(("thrower", x)), one(("throw_kind", x))
            for r in (outer, inner):
                if (status(r), exception(r)) != ("exception", RT):
                    raise AssertionError("thread %d: %s exception %r" % (t, it.describe(r),
                                                                        exception(r)))
            if parent_ids(inner) != [rid, call_id(outer)] or parent_ids(outer) != [rid]:
                raise AssertionError("thread %d: throw_kind(%d) parents %s, thrower parents %s"
                                     % (t, x, parent_ids(inner), parent_ids(outer)))
            if outer["payload"]["process"]["tid"] == recs.root()["payload"]["process"]["tid"]:
                raise AssertionError("thrower(%d) recorded on the main thread" % x)
    total = len(recs.calls())
    want = len(EXPECTED) + 4 + 2 * THREADS * PER_THREAD
    if total != want:
        raise AssertionError("%d call records, expected %d" % (total, want))


def check_no_unwinder_linked():
    """The personality routine takes the unwinder's functions from the unwinder that
    calls it: libimpulse.so needs neither libgcc_s nor libstdc++, and a traced C
    program that never unwinds does not load them."""
    out = subprocess.run(["readelf", "-d", it.LIBIMPULSE], capture_output=True, text=True).stdout
    for lib in ("libgcc_s", "libstdc++"):
        if lib in out:
            raise AssertionError("libimpulse.so needs %s:\n%s" % (lib, out))
    if "libasan" in it._preload_value():
        it.skip("AddressSanitizer build: its runtime, preloaded first, needs libgcc_s and "
                "libstdc++ itself (libimpulse.so's own needs were checked above)")
    run = it.run_traced(["/bin/sh", "-c", "grep -c -e libgcc_s -e libstdc /proc/$$/maps || true"],
                        "int puts(const char *s);\n")
    try:
        if run.stdout.strip() != b"0":
            raise AssertionError("a traced shell maps libgcc_s or libstdc++: %r" % run.stdout)
    finally:
        run.cleanup()


def _variant(v):
    return lambda: check(v)


def tests():
    return [("cxx_" + v, _variant(v)) for v in VARIANTS] + \
        [("cxx_no_unwinder_linked", check_no_unwinder_linked)]
