"""Functions called through pointers taken in the program and in another library
are traced, with the caller named by where the call returns; and a function's
address compares equal across modules, traced as untraced."""

import os

import impulse_test as it

CASE = "pointers"


def check(variant):
    prog = it.program(CASE, "pointers_main", variant)
    run_, recs = it.check_run([prog], it.conf(CASE))
    if b"same address 1" not in run_.stdout:
        raise AssertionError("function pointers differ across modules:\n" + run_.stdout.decode())
    got = sorted((it.args(r)["a"], it.args(r)["b"], it.output(r),
                  os.path.basename(r["payload"]["function"]["caller"]))
                 for r in recs.calls("pb_add"))
    want = [(1, 2, 3, "pointers_main"), (5, 5, 10, "libpa.so")]
    if got != want:
        raise AssertionError("pb_add (a, b, output, caller): %s, expected %s" % (got, want))


def tests():
    return [("pointers_" + v, (lambda v=v: lambda: check(v))()) for v in ("def", "noplt", "now", "nopie")]
