"""ABI capture: each libabi call's recorded arguments and return equal the program's
own account of them (abi_main.c prints one oracle line per call), in every build of
the program: -O2 and -O0, PIE and not, lazy and immediate binding, -fno-plt."""

import collections
import json
import os

import impulse_test as it

CASE = "abi"
VARIANTS = ("def", "O0", "noplt", "now", "nopie")


def check_variant(variant):
    argv = [it.program(CASE, "abi_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE), mask=it.mask_addresses)
    calls = it.oracle_lines(run_.stdout)
    if not calls:
        raise AssertionError("the program printed no oracle lines")
    by_fn = collections.defaultdict(list)
    for r in recs.calls():
        by_fn[it.fn_name(r)].append(r)
    want_counts = collections.Counter(fn for fn, _, _ in calls)
    got_counts = collections.Counter({fn: len(rs) for fn, rs in by_fn.items()})
    if want_counts != got_counts:
        missing = want_counts - got_counts
        extra = got_counts - want_counts
        raise AssertionError("record counts differ from the calls made: missing %s, extra %s"
                             % (dict(missing), dict(extra)))
    prog = it.realpath(argv[0])
    seen = collections.Counter()
    errors = []
    root_id = it.call_id(recs.root())
    for fn, a, ret in calls:
        rec = by_fn[fn][seen[fn]]
        seen[fn] += 1
        p = rec["payload"]
        where = "%s call #%d" % (fn, seen[fn])
        if p["function"]["args"] != list(a):
            errors.append("%s: function.args %s, expected %s" % (where, p["function"]["args"],
                                                                list(a)))
        got = p["arguments"]
        if set(got) != set(a):
            errors.append("%s: argument names %s, expected %s" % (where, list(got), list(a)))
        for k, v in a.items():
            if v == "__any__":
                # Must be recorded without crashing; its form is the tracer's choice.
                if not isinstance(got.get(k), (str, dict)):
                    errors.append("%s: %s recorded as %r" % (where, k, got.get(k)))
                continue
            if k in got and not it.values_equal(v, got[k]):
                errors.append("%s: argument %s expected %s, recorded %s"
                              % (where, k, json.dumps(v), json.dumps(got[k])))
        if not it.values_equal(ret, p["output"]):
            errors.append("%s: output expected %s, recorded %s"
                          % (where, json.dumps(ret), json.dumps(p["output"])))
        if p["status"] != "success":
            errors.append("%s: status %r" % (where, p["status"]))
        if it.parent_ids(rec) != [root_id]:
            errors.append("%s: parents %s, expected only the root" % (where, it.parent_ids(rec)))
        if os.path.basename(p["function"]["library"] or "") != "libabi.so":
            errors.append("%s: library %r" % (where, p["function"]["library"]))
        if it.realpath(p["function"]["caller"]) != prog:
            errors.append("%s: caller %r, expected %s" % (where, p["function"]["caller"], prog))
    # hooks.conf sections are the records' thread_ids.
    threads = {"abi_ints8": "ints", "abi_mix": "floats", "abi_ret_u8": "returns",
               "abi_str": "pointers"}
    for fn, tid in threads.items():
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
    return [("capture_" + v, _variant(v)) for v in VARIANTS]
