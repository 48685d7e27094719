"""Capture: buffers with lengths (text, base64, cut at max_buffer, len=size*return),
out-parameters, arrays ([len], [nullterm], cut at max_array), struct pointers to
max_depth and a self-referential list, unreadable pointers, printf-format varargs
(more than the registers hold), a [vararg] switch, display attributes, error rules
with errno, structs by value and returned, a hook without a prototype. Every record
must equal the program's own account of the call (capture_main.c), status and
exception included; and a 1 MiB buffer never puts more than max_capture in a record."""

import collections
import json

import impulse_test as it

CASE = "capture"
VARIANTS = ("def", "noplt")


def check_variant(variant):
    argv = [it.program(CASE, "capture_main", variant)]
    run_, recs = it.check_run(argv, it.conf(CASE), mask=it.mask_addresses)
    calls = it.oracle_lines(run_.stdout)
    statuses = it.oracle_lines(run_.stdout, tag="STATUS")
    if not calls or len(calls) != len(statuses):
        raise AssertionError("the program printed %d calls and %d statuses"
                             % (len(calls), len(statuses)))
    by_fn = collections.defaultdict(list)
    for r in recs.calls():
        by_fn[it.fn_name(r)].append(r)
    want = collections.Counter(fn for fn, _, _ in calls)
    got = collections.Counter({fn: len(rs) for fn, rs in by_fn.items()})
    if want != got:
        raise AssertionError("record counts %s, calls made %s" % (dict(got), dict(want)))
    seen = collections.Counter()
    errors = []
    for (fn, args, ret), (_, st, exc) in zip(calls, statuses):
        rec = by_fn[fn][seen[fn]]
        seen[fn] += 1
        p = rec["payload"]
        where = "%s call #%d" % (fn, seen[fn])
        if list(p["arguments"]) != list(args):
            errors.append("%s: argument keys %s, expected %s"
                          % (where, list(p["arguments"]), list(args)))
        for k, v in args.items():
            if not it.values_equal(v, p["arguments"].get(k)):
                errors.append("%s: argument %s expected %s, recorded %s"
                              % (where, k, json.dumps(v), json.dumps(p["arguments"].get(k))))
        if not it.values_equal(ret, p["output"]):
            errors.append("%s: output expected %s, recorded %s"
                          % (where, json.dumps(ret), json.dumps(p["output"])))
        if p["status"] != st:
            errors.append("%s: status %r, expected %r" % (where, p["status"], st))
        if p["exception"] != exc:
            errors.append("%s: exception %r, expected %r" % (where, p["exception"], exc))
    untyped = by_fn["cap_untyped"][0]["payload"]
    if untyped["function"]["args"] != []:
        errors.append("cap_untyped: function.args %s" % untyped["function"]["args"])
    if errors:
        raise AssertionError("%d mismatches in the %s build:\n  %s"
                             % (len(errors), variant, "\n  ".join(errors)))


def _variant(v):
    return lambda: check_variant(v)


def test_big_buffer_bounded():
    argv = [it.program(CASE, "capture_main"), "big"]
    _, recs = it.check_run(argv, it.conf(CASE, "hooks_big.conf"))
    writes = recs.calls("cap_write")
    if len(writes) != 100:
        raise AssertionError("%d cap_write records, expected 100" % len(writes))
    for r in writes:
        buf = it.args(r)["buf"]
        if not (isinstance(buf, dict) and buf.get("length") == 1 << 20
                and buf.get("truncated") is True and isinstance(buf.get("value"), str)):
            raise AssertionError("buf recorded as %s" % json.dumps(buf)[:300])
        if not 0 < len(buf["value"]) <= 4096 or set(buf["value"]) != {"q"}:
            raise AssertionError("buf holds %d bytes, expected 1..4096 'q'" % len(buf["value"]))


def tests():
    return [("capture_" + v, _variant(v)) for v in VARIANTS]
