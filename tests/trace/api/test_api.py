"""The in-program API (include/impulse.h): notes land in the innermost active hooked
call (or the root), JSON notes are parsed or flagged, impulse_logf is cut at 4096
bytes, the session id changes for the records that follow, impulse_flush writes what
completed; without the tracer the calls are no-ops returning -ENOSYS."""

import os
import shutil
import tempfile

import impulse_test as it
from impulse_test import call_id, parent_ids

CASE = "api"
NAMES = ("log_root", "log_cb", "logf_cb", "json_ok", "json_bad", "log_after", "logf_long",
         "session", "session_bad", "flush", "log_root_end")


def read_results(path):
    out = {}
    with open(path) as f:
        for line in f:
            k, v = line.split()
            out[k] = int(v)
    return out


def notes(rec):
    return rec["payload"]["trace_logs"]


def payloads(rec):
    return [n["payload"] for n in notes(rec)]


def test_api_traced():
    tmp = tempfile.mkdtemp(prefix="impulse-api-")
    try:
        argv = [it.program(CASE, "api_main")]
        res_u = os.path.join(tmp, "untraced")
        res_t = os.path.join(tmp, "traced")
        run_, recs = it.check_run(argv, it.conf(CASE), env={"API_RESULTS": res_t},
                                  untraced_env={"API_RESULTS": res_u})
        untraced = read_results(res_u)
        traced = read_results(res_t)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    if untraced != {k: -38 for k in NAMES}:
        raise AssertionError("untraced, every API call should return -38: %s" % untraced)
    want = {k: 0 for k in NAMES}
    want["session_bad"] = -22
    want["lines_after_flush"] = 7
    if traced != want:
        raise AssertionError("API return values %s, expected %s "
                             "(lines_after_flush: records on disk after impulse_flush)"
                             % (traced, want))

    root = recs.root()
    if payloads(root) != ["root note 1", "root note end"]:
        raise AssertionError("root trace_logs %s" % notes(root))

    c1 = recs.one("api_call", x=1)
    p = payloads(c1)
    if p[:2] != ["in callback", "cb x=1"] or len(p) != 4:
        raise AssertionError("api_call(1) trace_logs %s" % notes(c1))
    it.assert_value({"k": [1, 2], "s": "v"}, p[2], "impulse_log_json note")
    if notes(c1)[2].get("invalid_json"):
        raise AssertionError("a valid JSON note is flagged invalid: %s" % notes(c1)[2])
    bad = notes(c1)[3]
    if bad["payload"] != "{not json" or bad.get("invalid_json") is not True:
        raise AssertionError("invalid JSON note should be kept as a string and flagged "
                             "\"invalid_json\": true: %s" % bad)
    for n in notes(c1):
        if n["timestamp"] < c1["payload"]["timestamps"]["start"] or \
                n["timestamp"] > c1["payload"]["timestamps"]["end"]:
            raise AssertionError("note timestamp %s outside its call %s..%s" % (
                n["timestamp"], c1["payload"]["timestamps"]["start"],
                c1["payload"]["timestamps"]["end"]))

    s2 = recs.one("api_self_log", x=2)
    if payloads(s2) != ["lib note 2"]:
        raise AssertionError("api_self_log(2) trace_logs %s" % notes(s2))

    c3 = recs.one("api_call", x=3)
    s3 = recs.one("api_self_log", x=3)
    if parent_ids(s3)[-1] != call_id(c3):
        raise AssertionError("api_self_log(3) should be a child of api_call(3)")
    if payloads(s3) != ["lib note 3"] or payloads(c3) != ["after inner"]:
        raise AssertionError("nested notes: inner %s, outer %s" % (notes(s3), notes(c3)))

    c4 = recs.one("api_call", x=4)
    p4 = payloads(c4)
    if len(p4) != 1 or not isinstance(p4[0], str) or len(p4[0]) not in (4095, 4096) \
            or set(p4[0]) != {"L"}:
        raise AssertionError("impulse_logf of 5000 bytes should be cut at 4096: got %s"
                             % [len(x) if isinstance(x, str) else x for x in p4])

    before = {r["payload"]["trace_module"]["session_id"]
              for r in (c1, s2, c3, s3, c4)}
    if len(before) != 1 or before & {"sess-2", "sess-3"}:
        raise AssertionError("session ids before impulse_set_session_id: %s" % before)
    s5 = recs.one("api_self_log", x=5)
    tm5 = s5["payload"]["trace_module"]
    if tm5["session_id"] != "sess-2":
        raise AssertionError("after impulse_set_session_id: session_id %r" % tm5["session_id"])
    it.assert_value({"user": "x"}, tm5["session_metadata"], "session_metadata")
    s6 = recs.one("api_self_log", x=6)
    if s6["payload"]["trace_module"]["session_id"] != "sess-3":
        raise AssertionError("impulse_set_session_id with bad metadata sets the id anyway: %r"
                             % s6["payload"]["trace_module"]["session_id"])
    outer = {call_id(r) for r in (c1, c3, c4)}
    for r in recs.calls():
        if call_id(r) in outer:
            continue
        want_notes = ["lib note %d" % it.args(r)["x"]] if it.fn_name(r) == "api_self_log" else []
        if payloads(r) != want_notes:
            raise AssertionError("%s: trace_logs %s, expected %s"
                                 % (it.describe(r), notes(r), want_notes))


def test_api_logger_none_still_runs():
    """With records discarded, the API still answers and the program is unchanged."""
    argv = [it.program(CASE, "api_main")]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, it.conf(CASE), env={"IMPULSE_LOGGER": "none"})
    try:
        it.assert_same_behaviour(run_, untraced)
    finally:
        run_.cleanup()
