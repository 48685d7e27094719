"""Counts in messages agree with their number (issue 12, point 13: "dropped 1
calls"): `impulse tree` over one record says "1 record read, none of it …" and "1
malformed line or unreadable input skipped"; over two, the plural."""

import json
import os
import shutil
import subprocess
import tempfile

import impulse_test as it

IMPULSE = os.path.join(it.BUILD, "impulse")


def _record(call_id):
    """A call record of hook fn in thread group "default", under a root not given."""
    return {"payload": {"function": {"type": "Function", "name": "fn", "args": [],
                                     "library": "/lib/libfn.so", "caller": "/bin/prog"},
                        "trace_module": {"tracer_id": "0123456789abcdef", "session_id": "s",
                                         "thread_id": "default", "hook_id": "fn",
                                         "tracer_metadata": None, "session_metadata": None,
                                         "hook_metadata": None},
                        "call_id": call_id,
                        "timestamps": {"start": "2026-01-01T00:00:00.000000Z",
                                       "end": "2026-01-01T00:00:00.000001Z",
                                       "start_to_end_seconds": 0.000001,
                                       "start_ns": 1767225600000000000,
                                       "end_ns": 1767225600000001000},
                        "arguments": {}, "status": "success",
                        "exception": None, "output": 0,
                        "stack_trace": {"parents": [], "children": [], "children_omitted": 0},
                        "trace_logs": [], "process": {"pid": 1, "tid": 1, "thread_name": "prog"}},
            "log_metadata": {"tracer": "libimpulse", "version": "0.1.0", "schema": 1}}


def _tree(path, *opts):
    p = subprocess.run([IMPULSE, "tree", "--no-pager"] + list(opts) + [path],
                       capture_output=True, timeout=60, env=dict(os.environ, LC_ALL="C"))
    return p.stderr.decode("utf-8", "replace")


def test_tree_counts():
    d = tempfile.mkdtemp(prefix="impulse-plurals-")
    try:
        one = os.path.join(d, "one.json")
        with open(one, "w") as f:
            f.write(json.dumps(_record("0123456789abcdef-0000010000000001")) + "\n")
        err = _tree(one, "--thread", "nosuch")
        if "1 record read, none of it of thread group nosuch" not in err:
            raise AssertionError("one record: %r" % err)
        with open(one, "a") as f:
            f.write("{bad\n")
        err = _tree(one)
        if "1 malformed line or unreadable input skipped" not in err:
            raise AssertionError("one malformed line: %r" % err)
        two = os.path.join(d, "two.json")
        with open(two, "w") as f:
            f.write(json.dumps(_record("0123456789abcdef-0000010000000001")) + "\n")
            f.write(json.dumps(_record("0123456789abcdef-0000010000000002")) + "\n")
        err = _tree(two, "--thread", "nosuch")
        if "2 records read, none of them of thread group nosuch" not in err:
            raise AssertionError("two records: %r" % err)
        with open(two, "a") as f:
            f.write("{bad\n[\n")
        err = _tree(two)
        if "2 malformed lines or unreadable inputs skipped" not in err:
            raise AssertionError("two malformed lines: %r" % err)
    finally:
        shutil.rmtree(d, ignore_errors=True)
