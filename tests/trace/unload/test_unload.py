"""dlclose: libux is loaded and unloaded again and again (dlopen/dlclose) by one
thread while another keeps calling libstay, which stays. Every call of both threads
is recorded exactly (values, libraries, callers, parents); libux's records name it
though it is gone when they are written; each reload is hooked again; the calls its
constructor and destructor make are recorded under the dlopen and dlclose that ran
them; dlclose really unloads, as it does untraced (also with RTLD_GLOBAL and lazy
binding); slots and module entries are reused across 2 x MAX_SLOTS cycles at a new
address each time; two threads loading and unloading it at once; a pointer kept
past dlclose fails as it does untraced."""

import os
import re

import impulse_test as it
from impulse_test import args, call_id, child_ids, fn_name, parent_ids

CASE = "unload"
RTLD_NOW, RTLD_LAZY_NOLOAD, RTLD_LAZY_GLOBAL = 2, 1 | 4, 1 | 0x100
A_B = 1000000       # thread A's second argument to stay_add


def tid(rec):
    return rec["payload"]["process"]["tid"]


def base(path):
    return os.path.basename(path or "")


def max_slots():
    with open(os.path.join(it.REPO, "preload", "arch", "x86_64", "frame.h")) as f:
        return int(re.search(r"#define MAX_SLOTS\s+(\d+)", f.read()).group(1))


def expect(rec, name, arguments, output, library, caller):
    what = it.describe(rec)
    if fn_name(rec) != name or args(rec) != arguments or it.output(rec) != output:
        raise AssertionError("%s: expected %s(%s) -> %r" % (what, name, arguments, output))
    fn = rec["payload"]["function"]
    if base(fn["library"]) != library:
        raise AssertionError("%s: library %r, expected %s" % (what, fn["library"], library))
    if base(fn["caller"]) != caller:
        raise AssertionError("%s: caller %r, expected %s" % (what, fn["caller"], caller))
    if rec["payload"]["status"] != "success":
        raise AssertionError("%s: status %s" % (what, rec["payload"]["status"]))


def check_cycles(variant, extra, cycles, calls):
    argv = [it.program(CASE, "unload_main", variant), "cycles", str(cycles), str(calls)] + extra
    run_, recs = it.check_run(argv, it.conf(CASE), timeout=300,
                              stderr_differs="the program prints how many distinct addresses its "
                              "library was loaded at, which ASLR decides anew in each run")
    out = run_.stdout.decode()
    if "unloaded %d" % cycles not in out or "constructor ran %d" % cycles not in out:
        raise AssertionError("the program saw libux not unloaded or not initialised:\n" + out)
    prog = os.path.basename(argv[0])
    rid = call_id(recs.root())

    # Thread A: stay_add(i, A_B) for every i, once, in order, at top level.
    a_calls = [r for r in recs.calls("stay_add") if args(r)["b"] == A_B]
    if [args(r)["a"] for r in a_calls] != list(range(calls)):
        raise AssertionError("thread A: %d stay_add records, expected %d in order"
                             % (len(a_calls), calls))
    tid_a = {tid(r) for r in a_calls}
    if len(tid_a) != 1:
        raise AssertionError("thread A's calls carry several tids: %s" % tid_a)
    tid_a = tid_a.pop()
    for i, r in enumerate(a_calls):
        expect(r, "stay_add", {"a": i, "b": A_B}, i + A_B, "libstay.so", prog)
        if parent_ids(r) != [rid]:
            raise AssertionError("%s: parents %s" % (it.describe(r), parent_ids(r)))

    # Thread B: per cycle, four top-level calls in this order.
    b_top = [r for r in recs.calls() if parent_ids(r) == [rid] and tid(r) != tid_a]
    if len({tid(r) for r in b_top}) != 1:
        raise AssertionError("thread B's calls carry several tids")
    open_flags = RTLD_LAZY_GLOBAL if "global" in extra else RTLD_NOW
    if len(b_top) != 4 * cycles:
        raise AssertionError("thread B: %d top-level records, expected %d" % (len(b_top), 4 * cycles))
    for c in range(cycles):
        op, tw, cl, probe = b_top[4 * c:4 * c + 4]
        lib = os.path.join(os.path.dirname(argv[0]), "libux.so")
        if (fn_name(op), args(op).get("file"), args(op).get("flags")) != ("dlopen", lib, open_flags):
            raise AssertionError("cycle %d: %s, expected dlopen(%s, %d)" % (c, it.describe(op), lib, open_flags))
        handle = it.output(op)
        if not handle:
            raise AssertionError("cycle %d: dlopen returned %r" % (c, handle))
        # The constructor ran inside dlopen: its call through libstay is the child.
        kids = recs.children(op)
        if len(kids) != 1:
            raise AssertionError("cycle %d: dlopen has children %s" % (c, [it.describe(k) for k in kids]))
        expect(kids[0], "stay_event", {"code": 7}, 21, "libstay.so", "libstay.so")

        expect(tw, "x_twice", {"x": c}, 2 * c + 1, "libux.so", prog)
        kids = recs.children(tw)
        if len(kids) != 2:
            raise AssertionError("cycle %d: x_twice has children %s" % (c, [it.describe(k) for k in kids]))
        expect(kids[0], "stay_add", {"a": c, "b": c}, 2 * c, "libstay.so", "libux.so")
        expect(kids[1], "x_inner", {"v": 2 * c}, 2 * c + 1, "libux.so", "libux.so")

        if fn_name(cl) != "dlclose" or args(cl) != {"handle": handle} or it.output(cl) != 0:
            raise AssertionError("cycle %d: %s, expected dlclose(%s) -> 0" % (c, it.describe(cl), handle))
        # The destructor ran inside dlclose, through libux's own patched PLT.
        kids = recs.children(cl)
        if len(kids) != 1:
            raise AssertionError("cycle %d: dlclose has children %s" % (c, [it.describe(k) for k in kids]))
        expect(kids[0], "stay_event", {"code": -7}, -21, "libstay.so", "libux.so")

        if (fn_name(probe), args(probe).get("flags"), it.output(probe)) != ("dlopen", RTLD_LAZY_NOLOAD, None):
            raise AssertionError("cycle %d: %s, expected dlopen(..., RTLD_LAZY|RTLD_NOLOAD) -> "
                                 "NULL (unloaded)" % (c, it.describe(probe)))
        if recs.children(probe):
            raise AssertionError("cycle %d: the RTLD_NOLOAD probe has children" % c)

    want = {"stay_add": calls + cycles, "stay_event": 2 * cycles, "x_twice": cycles,
            "x_inner": cycles, "dlopen": 2 * cycles, "dlclose": cycles}
    if dict(recs.counts()) != want:
        raise AssertionError("counts %s, expected %s" % (dict(recs.counts()), want))


def check_slots(variant):
    n = 2 * max_slots()
    argv = [it.program(CASE, "unload_main", variant), "cycles", str(n), "10", "move"]
    run_, recs = it.check_run(argv, it.conf(CASE, "slots.conf"), timeout=600,
                              stderr_differs="the program prints how many distinct addresses its "
                              "library was loaded at, which ASLR decides anew in each run")
    err = run_.stderr.decode()
    m = re.search(r"distinct load addresses: (\d+)", err)
    # Without reuse, x_twice (a dlsym result) and x_inner (libux's own PLT) would
    # need a slot per load address, and libux a module entry per load.
    if not m or int(m.group(1)) <= max_slots():
        raise AssertionError("libux was loaded at %s distinct addresses, expected more than %d"
                             % (m and m.group(1), max_slots()))
    if "too many" in err or "later ones are not traced" in err:
        raise AssertionError("the tracer ran out of room:\n" + err[-2000:])
    prog = os.path.basename(argv[0])
    twice = recs.calls("x_twice")
    if [args(r)["x"] for r in twice] != list(range(n)):
        raise AssertionError("%d x_twice records, expected x = 0..%d in order" % (len(twice), n - 1))
    for c, r in enumerate(twice):
        expect(r, "x_twice", {"x": c}, 2 * c + 1, "libux.so", prog)
        kids = recs.children(r)
        if len(kids) != 1:
            raise AssertionError("%s: children %s" % (it.describe(r), [it.describe(k) for k in kids]))
        expect(kids[0], "x_inner", {"v": 2 * c}, 2 * c + 1, "libux.so", "libux.so")
    if dict(recs.counts()) != {"x_twice": n, "x_inner": n}:
        raise AssertionError("counts %s" % dict(recs.counts()))


def check_race():
    # Two threads opening, calling and closing libux at once: whichever dlclose
    # unloads it, the other thread's next dlopen loads a fresh copy (often at the
    # same place), which must be patched again before its calls.
    n = 1000
    argv = [it.program(CASE, "unload_main"), "race", str(n)]
    run_, recs = it.check_run(argv, it.conf(CASE, "slots.conf"), timeout=300)
    prog = os.path.basename(argv[0])
    twice = sorted(recs.calls("x_twice"), key=lambda r: args(r)["x"])
    if [args(r)["x"] for r in twice] != list(range(2 * n)):
        raise AssertionError("%d x_twice records, expected x = 0..%d once each"
                             % (len(twice), 2 * n - 1))
    for r in twice:
        x = args(r)["x"]
        expect(r, "x_twice", {"x": x}, 2 * x + 1, "libux.so", prog)
        kids = recs.children(r)
        if len(kids) != 1:
            raise AssertionError("%s: children %s (a copy left unpatched?)"
                                 % (it.describe(r), [it.describe(k) for k in kids]))
        expect(kids[0], "x_inner", {"v": 2 * x}, 2 * x + 1, "libux.so", "libux.so")
    tids = {tid(r) for r in twice}
    by_tid = {t: sorted(args(r)["x"] // n for r in twice if tid(r) == t) for t in tids}
    if len(tids) != 2 or any(len(set(v)) != 1 or len(v) != n for v in by_tid.values()):
        raise AssertionError("calls per thread: %s" % {t: len(v) for t, v in by_tid.items()})
    if dict(recs.counts()) != {"x_twice": 2 * n, "x_inner": 2 * n}:
        raise AssertionError("counts %s" % dict(recs.counts()))


def check_stale():
    argv = [it.program(CASE, "unload_main"), "stale"]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, it.conf(CASE))
    try:
        if it.sanitizer_runtime():
            # AddressSanitizer reports the deliberate stale call with its addresses and
            # a stack through libimpulse's frames: the status and stdout still match
            it.assert_same_behaviour(run_, untraced, stderr_differs="the sanitizer's own "
                                     "report of the program's deliberate SEGV")
        else:
            it.assert_same_behaviour(run_, untraced)
        recs = it.Records(run_.records)
    finally:
        run_.cleanup()
    # SIGSEGV (-11); under AddressSanitizer its report and exit status 1.
    if untraced.returncode == 0 or b"after dlclose" in untraced.stdout:
        raise AssertionError("untraced exit status %d: the stale call should have failed"
                             % untraced.returncode)
    # Records of a process killed by a signal are crash handling's business; when
    # they are written, the call made before dlclose is among them, as it was.
    prog = os.path.basename(argv[0])
    if recs.roots():
        expect(recs.one("x_twice", x=1), "x_twice", {"x": 1}, 3, "libux.so", prog)
    # The stale call itself dies with the process; when a record of it is written
    # (crash handling), it must not claim to have returned.
    for r in recs.calls("x_twice"):
        if args(r)["x"] == 2 and r["payload"]["status"] in ("success", "error"):
            raise AssertionError("%s: a call into unmapped code returned?" % it.describe(r))


def tests():
    return [
        ("unload_cycles_def", lambda: check_cycles("def", [], 200, 20000)),
        ("unload_cycles_now", lambda: check_cycles("now", [], 200, 20000)),
        # -fno-plt: libux's calls go through GOT entries, and their caller is named
        # by return address, inside a library unloaded by the time of the record.
        ("unload_cycles_noplt", lambda: check_cycles("noplt", [], 200, 20000)),
        ("unload_global_def", lambda: check_cycles("def", ["global"], 100, 1000)),
        ("unload_slots_def", lambda: check_slots("def")),
        ("unload_slots_noplt", lambda: check_slots("noplt")),
        ("unload_race_def", check_race),
        ("unload_stale_def", check_stale),
    ]
