"""dlopen and dlsym: a library opened after start has its functions hooked (called
through dlsym'd pointers) and its own calls to an already loaded library hooked
too (through its PLT/GOT); a pointer from dlsym(RTLD_DEFAULT) is traced; after
dlclose and a second dlopen, the same again. In three link modes."""

import os

import impulse_test as it
from impulse_test import args, call_id, child_ids, fn_name, parent_ids

CASE = "dlopen"
VARIANTS = ("def", "noplt", "now")


def check(variant):
    argv = [it.program(CASE, "dlopen_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE))
    prog = it.realpath(argv[0])
    rid = call_id(recs.root())
    top = [r for r in recs.calls() if parent_ids(r) == [rid]]
    want_top = [("help_add", {"a": 1, "b": 2}, 3),
                ("plug_run", {"x": 10}, 31), ("plug_leaf", {"x": 10}, -10),
                ("help_add", {"a": 10, "b": 10}, 20),    # from plug_quiet, not hooked
                ("help_add", {"a": 5, "b": 6}, 11),      # dlsym(RTLD_DEFAULT) pointer
                ("plug_run", {"x": 20}, 61), ("plug_leaf", {"x": 20}, -20),
                ("help_add", {"a": 20, "b": 20}, 40),
                ("help_mul", {"a": 3, "b": 4}, 12)]
    got_top = [(fn_name(r), args(r), it.output(r)) for r in top]
    if got_top != want_top:
        raise AssertionError("top-level calls:\n  %s\nexpected:\n  %s"
                             % ("\n  ".join(map(str, got_top)), "\n  ".join(map(str, want_top))))
    # Every oracle line is among them, in order.
    oracle = [(fn, dict(a), ret) for fn, a, ret in it.oracle_lines(run_.stdout)]
    if [t for t in want_top if t in oracle] != oracle:
        raise AssertionError("the program's calls %s are not those recorded" % oracle)

    for rec, (_, _, _) in zip(top, want_top):
        lib = os.path.basename(rec["payload"]["function"]["library"] or "")
        want_lib = "libplugin.so" if fn_name(rec).startswith("plug_") else "libhelper.so"
        if lib != want_lib:
            raise AssertionError("%s: library %r, expected %s" % (it.describe(rec), lib, want_lib))
        caller = rec["payload"]["function"]["caller"]
        from_plugin = fn_name(rec) == "help_add" and args(rec)["a"] == args(rec)["b"]
        if from_plugin:
            if os.path.basename(caller or "") != "libplugin.so":
                raise AssertionError("%s: caller %r, expected libplugin.so"
                                     % (it.describe(rec), caller))
        elif it.realpath(caller) != prog:
            raise AssertionError("%s: caller %r, expected the program" % (it.describe(rec), caller))

    for x in (10, 20):
        run_rec = recs.one("plug_run", x=x)
        kids = [recs.one("help_add", a=x, b=1), recs.one("help_mul", a=x, b=2)]
        if child_ids(run_rec) != [call_id(k) for k in kids]:
            raise AssertionError("plug_run(%d): children %s, expected help_add, help_mul %s"
                                 % (x, child_ids(run_rec), [call_id(k) for k in kids]))
        for k in kids:
            if parent_ids(k) != [rid, call_id(run_rec)]:
                raise AssertionError("%s: parents %s" % (it.describe(k), parent_ids(k)))
            if os.path.basename(k["payload"]["function"]["caller"] or "") != "libplugin.so":
                raise AssertionError("%s: caller %r, expected libplugin.so"
                                     % (it.describe(k), k["payload"]["function"]["caller"]))
    if len(recs.calls()) != len(top) + 4:
        raise AssertionError("%d records besides the root, expected %d"
                             % (len(recs.calls()), len(top) + 4))


def _variant(v):
    return lambda: check(v)


def tests():
    return [("dlopen_" + v, _variant(v)) for v in VARIANTS]
