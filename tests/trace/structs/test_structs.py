"""Structs and unions by value: each libstructs call's recorded arguments and return
equal the program's own account of them (structs_main.c prints one oracle line per
call) — every eightbyte class pair, MEMORY-class structs on the stack, returns in
rax/rdx/xmm0/xmm1 and through the hidden pointer, structs spilled after six integer
or eight SSE registers, long double parameters and fields (unsupported, the later
parameters still right), and a printf-like variadic with more arguments than
registers ("varargs" the last key). In every build: -O2 and -O0, PIE and not, lazy and
immediate binding, -fno-plt."""

import collections
import json
import os

import impulse_test as it

CASE = "structs"
VARIANTS = ("def", "O0", "noplt", "now", "nopie")
THREADS = {"s_pair": "structs", "s_nine": "structs", "s_after5": "spills",
           "s_make_big": "spills", "vsum": "varargs"}


def compare_call(where, rec, a, ret):
    errors = []
    p = rec["payload"]
    got = p["arguments"]
    if list(got) != list(a):
        errors.append("%s: argument names %s, expected %s (in this order)"
                      % (where, list(got), list(a)))
    for k, v in a.items():
        if k in got and not it.values_equal(v, got[k]):
            errors.append("%s: argument %s expected %s, recorded %s"
                          % (where, k, json.dumps(v), json.dumps(got[k])))
    if not it.values_equal(ret, p["output"]):
        errors.append("%s: output expected %s, recorded %s"
                      % (where, json.dumps(ret), json.dumps(p["output"])))
    if p["status"] != "success":
        errors.append("%s: status %r" % (where, p["status"]))
    if os.path.basename(p["function"]["library"] or "") != "libstructs.so":
        errors.append("%s: library %r" % (where, p["function"]["library"]))
    return errors


def check_variant(variant):
    argv = [it.program(CASE, "structs_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE))
    calls = it.oracle_lines(run_.stdout)
    if not calls:
        raise AssertionError("the program printed no oracle lines")
    by_fn = collections.defaultdict(list)
    for r in recs.calls():
        by_fn[it.fn_name(r)].append(r)
    want_counts = collections.Counter(fn for fn, _, _ in calls)
    got_counts = collections.Counter({fn: len(rs) for fn, rs in by_fn.items()})
    if want_counts != got_counts:
        raise AssertionError("record counts differ from the calls made: missing %s, extra %s"
                             % (dict(want_counts - got_counts), dict(got_counts - want_counts)))
    seen = collections.Counter()
    errors = []
    root_id = it.call_id(recs.root())
    for fn, a, ret in calls:
        rec = by_fn[fn][seen[fn]]
        seen[fn] += 1
        where = "%s call #%d" % (fn, seen[fn])
        errors += compare_call(where, rec, a, ret)
        if it.parent_ids(rec) != [root_id]:
            errors.append("%s: parents %s, expected only the root" % (where, it.parent_ids(rec)))
    for fn, tid in THREADS.items():
        for r in by_fn[fn]:
            if r["payload"]["trace_module"]["thread_id"] != tid:
                errors.append("%s: thread_id %r, expected %r"
                              % (fn, r["payload"]["trace_module"]["thread_id"], tid))
    if errors:
        raise AssertionError("%d mismatches in the %s build:\n  %s"
                             % (len(errors), variant, "\n  ".join(errors)))


def _variant(v):
    return lambda: check_variant(v)


def tests():
    return [("structs_" + v, _variant(v)) for v in VARIANTS]
