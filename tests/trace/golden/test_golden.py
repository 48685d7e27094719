"""golden: the exact bytes of JSON records. A program passes fixed values of every
plain scalar type (extremes, digit-count boundaries, signs, short and long
doubles, a [hex] display); each record line must equal, byte for byte, the line
this test builds itself from the schema, the known values and the record's own
ids and clock values: the keys, their order, the constant parts, the numbers'
text, and the timestamps' five members recomputed from start_ns and end_ns
(RFC 3339 with microseconds, nine-decimal seconds). The renderer's fast paths
(issue 14) must not change one byte of it."""

import datetime
import glob
import json
import os
import shutil
import tempfile

import impulse_test as it

CASE = "golden"

# (function, parameters, arguments' JSON text, output's JSON text), in call order:
# the text the renderer wrote before issue 14 for gold_main's calls.
I64S = [0, 1, -1, 9, 10, -10, 99, 100, 12345, -12345, 2**63 - 1, -2**63,
        999999999999999999, 1000000000000000000]
CALLS = [
    ("gold_i8", '{"a":-128,"b":127}', "-1"),
    ("gold_u8", '{"a":0,"b":255}', "255"),
    ("gold_i16", '{"a":-32768,"b":-1}', "32767"),
    ("gold_u16", '{"a":65535,"b":10}', "65525"),
    ("gold_i32", '{"a":-2147483648,"b":2147483647}', "-1"),
    ("gold_u32", '{"a":4294967295,"b":1000000000}', "3294967295"),
] + [
    # -INT64_MIN wraps to INT64_MIN in C.
    ("gold_i64", '{"a":%d,"b":%d}' % (v, -v if v != -2**63 else v),
     str((v ^ (-v if v != -2**63 else v)))) for v in I64S
] + [
    ("gold_u64", '{"a":18446744073709551615,"b":10000000000000000000}', "8446744073709551615"),
] + [
    ("gold_f64", '{"a":%s}' % t, t) for t in
    ["0", "-0", "0.5", "-3.25", "100", "1e+15", "1e-05", "0.0001", "0.1", "0.33333333333333331",
     "1e+300", "123456.789", "-2.5e-07", "4503599627370496"]
] + [
    ("gold_f32", '{"a":0.10000000149011612}', "0.10000000149011612"),
    ("gold_f32", '{"a":-1.5}', "-1.5"),
    ("gold_hex", '{"a":"0x1f"}', "31"),
    ("gold_id", '{"a":18364758544493064720}', "18364758544493064720"),
]
PARAMS = {"gold_f64": ["a"], "gold_f32": ["a"], "gold_hex": ["a"], "gold_id": ["a"]}


def iso(ns):
    """RFC 3339 UTC with microseconds (truncated), as a JSON string."""
    d = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return '"%s.%06dZ"' % (d.strftime("%Y-%m-%dT%H:%M:%S"), ns % 10**9 // 1000)


def timestamps(start, end):
    d = end - start
    return ('{"start":%s,"end":%s,"start_to_end_seconds":%d.%09d,"start_ns":%d,"end_ns":%d}'
            % (iso(start), iso(end), d // 10**9, d % 10**9, start, end))


def q(s):
    return json.dumps(s, ensure_ascii=False, separators=(",", ":"))


def ref(fn, cid, tracer, session, thread, hook):
    return ('{"fn_name":%s,"call_id":%s,"trace_module":{"tracer_id":%s,"session_id":%s,'
            '"thread_id":%s,"hook_id":%s}}' % (q(fn), q(cid), q(tracer), q(session), q(thread), q(hook)))


def expected_line(rec, name, params, library, caller, args, output, parents, children, proc):
    p = rec["payload"]
    tm = p["trace_module"]
    ts = p["timestamps"]
    root = caller is None
    head = ('{"payload":{"function":{"type":"Function","name":%s,"args":%s,"library":%s,"caller":%s},'
            '"trace_module":{"tracer_id":%s,"session_id":%s,"thread_id":%s,"hook_id":%s,'
            '"tracer_metadata":null,"session_metadata":null,"hook_metadata":null},"call_id":%s'
            % (q(name), q(params), q(library), "null" if root else q(caller), q(tm["tracer_id"]),
               q(tm["session_id"]), q("root" if root else "default"), q("root" if root else name),
               q(p["call_id"])))
    if root:
        head += ',"trace_id":%s' % q(p["trace_id"])
    return (head + ',"timestamps":%s,"arguments":%s,"status":"success","exception":null,"output":%s,'
            '"stack_trace":{"parents":[%s],"children":[%s],"children_omitted":0},"trace_logs":[],'
            '"process":{"pid":%d,"tid":%d,"thread_name":%s}},'
            '"log_metadata":{"tracer":"libimpulse","version":"0.1.0","schema":1}}\n'
            % (timestamps(ts["start_ns"], ts["end_ns"]), args, output, parents, children,
               proc["pid"], proc["tid"], q(proc["thread_name"])))


def test_golden_record_bytes():
    argv = [it.program(CASE, "gold_main")]
    tmp = tempfile.mkdtemp(prefix="impulse-golden-")
    try:
        _, recs = it.check_run(argv, it.conf(CASE), log_dir=os.path.join(tmp, "logs"))
        logs = glob.glob(os.path.join(tmp, "logs", "logs_*.json"))
        if len(logs) != 1:
            raise AssertionError("expected one record file, got %s" % logs)
        with open(logs[0], "rb") as f:
            lines = [l.decode("utf-8") for l in f]
        if len(lines) != len(CALLS) + 1:
            raise AssertionError("%d records, expected %d" % (len(lines), len(CALLS) + 1))
        parsed = [json.loads(l) for l in lines]
        root = parsed[-1]
        rp = root["payload"]
        tracer, session = rp["trace_module"]["tracer_id"], rp["trace_module"]["session_id"]
        exe = rp["function"]["library"]
        lib = os.path.join(os.path.dirname(os.path.realpath(argv[0])), "libgold.so")
        if it.realpath(exe) != it.realpath(argv[0]):
            raise AssertionError("the root's library is %s, expected %s" % (exe, argv[0]))
        proc = rp["process"]
        root_ref = ref(os.path.basename(argv[0]), rp["call_id"], tracer, session, "root", "root")
        children = []
        for i, (name, args, output) in enumerate(CALLS):
            rec = parsed[i]
            library = rec["payload"]["function"]["library"]
            if it.realpath(library) != it.realpath(lib):
                raise AssertionError("%s's library is %s, expected %s" % (name, library, lib))
            want = expected_line(rec, name, PARAMS.get(name, ["a", "b"]), library, exe, args, output,
                                 root_ref, "", proc)
            if lines[i] != want:
                raise AssertionError("record %d (%s) differs:\n wrote:    %r\n expected: %r"
                                     % (i + 1, name, lines[i], want))
            children.append(ref(name, rec["payload"]["call_id"], tracer, session, "default", name))
        want = expected_line(root, os.path.basename(argv[0]), ["argv"], exe, None,
                             '{"argv":%s,"dropped":{"total":0,"threads":[]}}' % q(argv), "0",
                             "", ",".join(children), proc)
        if lines[-1] != want:
            raise AssertionError("the root record differs:\n wrote:    %r\n expected: %r"
                                 % (lines[-1], want))
        # The call ids are the tracer id and 16 hex digits of a sequence.
        for r in parsed:
            cid = r["payload"]["call_id"]
            if len(cid) != 33 or cid[:17] != tracer + "-" or int(cid[17:], 16) < 0 or cid != cid.lower():
                raise AssertionError("call id %r" % cid)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
