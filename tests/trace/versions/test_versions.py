"""Versioned symbols: each call reaches (and records the output of) the version its
caller bound to — by link-time version, under lazy and immediate binding, and through
dlvsym."""

import impulse_test as it

CASE = "versions"


def check(variant):
    argv = [it.program(CASE, "versions_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE))
    got = sorted((it.args(r)["x"], it.output(r)) for r in recs.calls("ver_fn"))
    want = [(10, 12), (20, 21), (30, 31), (40, 42)]
    if got != want:
        raise AssertionError("ver_fn (x, output) recorded %s, expected %s\nprogram said:\n%s"
                             % (got, want, run_.stdout.decode()))


def tests():
    return [("versions_" + v, (lambda v=v: lambda: check(v))()) for v in ("def", "now")]
