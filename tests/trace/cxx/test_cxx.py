"""A C++ exception thrown through hooked frames is caught by the program exactly as
without the tracer; the frames it crossed are recorded "unwound" and the calls after
it nest normally."""

import impulse_test as it
from impulse_test import call_id, parent_ids

CASE = "cxx"


def check(variant):
    argv = [it.program(CASE, "cxx_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if "caught too big" not in run_.stdout.decode():
        raise AssertionError("the program did not catch its exception:\n" + run_.stdout.decode())
    rid = call_id(recs.root())
    seen = sorted((it.fn_name(r), it.args(r)["x"], r["payload"]["status"], it.output(r))
                  for r in recs.calls())
    want = sorted([("leaf", 0, "success", 0), ("thrower", 0, "success", 1),
                   ("leaf", 4, "success", 4), ("thrower", 4, "success", 9),
                   ("leaf", 8, "unwound", None), ("thrower", 8, "unwound", None),
                   ("leaf", 1, "success", 1), ("thrower", 1, "success", 3)])
    if seen != want:
        raise AssertionError("records %s\nexpected %s" % (seen, want))
    for x in (0, 4, 8, 1):
        outer, inner = recs.one("thrower", x=x), recs.one("leaf", x=x)
        if parent_ids(outer) != [rid] or parent_ids(inner) != [rid, call_id(outer)]:
            raise AssertionError("x=%d: thrower parents %s, leaf parents %s"
                                 % (x, parent_ids(outer), parent_ids(inner)))


def tests():
    return [("cxx_" + v, (lambda v=v: lambda: check(v))()) for v in ("def", "O0", "now")]
