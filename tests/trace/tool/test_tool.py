"""impulse run: the program runs under libimpulse with the options turned into the
environment, its exit status (or the signal that killed it) comes back unchanged,
and stderr says where the records went and how many there are."""

import glob
import json
import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

TOOL = os.path.join(it.BUILD, "impulse")
DEMO = os.path.join(it.BUILD, "examples", "demo_app")
DEMO_CONF = os.path.join(it.REPO, "examples", "hooks.conf")


def run_tool(args, cwd):
    env = dict(os.environ)
    for k in list(env):
        if k.startswith("IMPULSE_") or k == "LD_PRELOAD":
            del env[k]
    return subprocess.run([TOOL] + args, cwd=cwd, env=env, capture_output=True, timeout=60)


def records(log_dir):
    out = []
    for f in sorted(glob.glob(os.path.join(log_dir, "logs_*.json"))):
        with open(f) as fh:
            out += [json.loads(line) for line in fh]
    return out


def with_tmp(body, traces=True):
    def test():
        if traces and "libasan" in it._preload_value():
            it.skip("AddressSanitizer build: impulse run preloads libimpulse alone, and a "
                    "sanitizer build needs its runtime first")
        tmp = tempfile.mkdtemp(prefix="impulse-tool-")
        try:
            body(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return test


@with_tmp
def _demo(tmp):
    logs = os.path.join(tmp, "logs")
    p = run_tool(["run", "-c", DEMO_CONF, "-o", logs, "--session", "s-42", "--", DEMO], tmp)
    untraced = subprocess.run([DEMO], cwd=tmp, capture_output=True, timeout=60)
    if (p.returncode, p.stdout) != (untraced.returncode, untraced.stdout):
        raise AssertionError("impulse run changed the program: %r vs %r" % (p.stdout, untraced.stdout))
    recs = records(logs)
    m = re.search(rb"impulse: (\d+) records? in (\S+)", p.stderr)
    if not m or int(m.group(1)) != len(recs):
        raise AssertionError("stderr does not give the %d records: %s" % (len(recs), p.stderr.decode()))
    names = {r["payload"]["function"]["name"] for r in recs}
    for want in ("pipeline_run", "tokenize", "score", "fetch_context", "demo_app"):
        if want not in names:
            raise AssertionError("no %s record in the demo's records (%s)" % (want, sorted(names)))
    sessions = {r["payload"]["trace_module"]["session_id"] for r in recs}
    if sessions != {"s-42"}:
        raise AssertionError("--session: records carry %s" % sessions)


@with_tmp
def _exit_status(tmp):
    p = run_tool(["run", "-c", DEMO_CONF, "-o", tmp, "--", "/bin/sh", "-c", "exit 3"], tmp)
    if p.returncode != 3:
        raise AssertionError("exit 3 came back as %d: %s" % (p.returncode, p.stderr.decode()))


@with_tmp
def _killed(tmp):
    p = run_tool(["run", "-c", DEMO_CONF, "-o", tmp, "--", "/bin/sh", "-c", "kill -TERM $$"], tmp)
    if p.returncode != -15:
        raise AssertionError("killed by SIGTERM came back as %d" % p.returncode)


@with_tmp
def _not_found(tmp):
    p = run_tool(["run", "-c", DEMO_CONF, "--", "/nonexistent/program"], tmp)
    if p.returncode != 127 or b"nonexistent" not in p.stderr:
        raise AssertionError("missing program: status %d, stderr %s" % (p.returncode, p.stderr.decode()))


@with_tmp
def _usage(tmp):
    p = run_tool(["run", DEMO], tmp)
    if p.returncode != 125 or b"--" not in p.stderr:
        raise AssertionError("run without '--': status %d, stderr %s" % (p.returncode, p.stderr.decode()))


@with_tmp
def _crash(tmp):
    """A program dying of SIGSEGV inside hooked calls: impulse dies of it too, and says
    that the calls in flight are recorded "crashed"."""
    logs = os.path.join(tmp, "logs")
    prog = it.program("crash", "crash_main")
    conf = os.path.join(tmp, "hooks.conf")
    with open(conf, "w") as f:
        f.write(it.conf("crash"))
    p = run_tool(["run", "-c", conf, "-o", logs, "--", prog, "segv"], tmp)
    untraced = subprocess.run([prog, "segv"], cwd=tmp, capture_output=True, timeout=60)
    if (p.returncode, p.stdout) != (untraced.returncode, untraced.stdout) or p.returncode != -11:
        raise AssertionError("crash: status %d, untraced %d" % (p.returncode, untraced.returncode))
    recs = records(logs)
    crashed = sorted(r["payload"]["function"]["name"] for r in recs
                     if r["payload"]["status"] == "crashed")
    if crashed != ["cr_inner", "cr_outer", "crash_main"]:
        raise AssertionError("crashed records: %s" % crashed)
    want = ("impulse: %d records in" % len(recs)).encode()
    if want not in p.stderr or b'died of SIGSEGV: Segmentation fault: its calls still running are recorded "crashed"' not in p.stderr:
        raise AssertionError("stderr: %s" % p.stderr.decode())


@with_tmp
def _dropped(tmp):
    """on_full = drop: impulse run reports the root's count of calls not recorded,
    which with the records is every call made."""
    logs = os.path.join(tmp, "logs")
    conf = os.path.join(tmp, "hooks.conf")
    with open(conf, "w") as f:
        f.write("[tracer]\non_full = drop\nbuffer_size = 64K\n" + it.conf("overload"))
    prog = it.program("overload", "overload_main")
    p = run_tool(["run", "-c", conf, "-o", logs, "--", prog, "mix", "100000", "4"], tmp)
    if p.returncode != 0:
        raise AssertionError("status %d: %s" % (p.returncode, p.stderr.decode()))
    m = re.search(rb"impulse: (\d+) records? in .*\nimpulse:   (\d+) calls not recorded", p.stderr)
    if not m:
        raise AssertionError("no count of calls not recorded: %s" % p.stderr.decode())
    recs, dropped = int(m.group(1)), int(m.group(2))
    root = [r for r in records(logs) if r["payload"]["trace_module"]["thread_id"] == "root"][0]
    calls = int(re.search(rb"total calls (\d+)", p.stdout).group(1))  # the program's own count
    if dropped != root["payload"]["arguments"]["dropped"]["total"] or recs - 1 + dropped != calls:
        raise AssertionError("records %d + dropped %d != %d calls + root" % (recs, dropped, calls))
    if dropped == 0:
        raise AssertionError("nothing was dropped: the test proves nothing")


@with_tmp
def _logger_choice(tmp):
    """--logger mongo says where the records went, password masked, and writes no file."""
    logs = os.path.join(tmp, "logs")
    env_uri = "mongodb://user:secret@127.0.0.1:1/?serverSelectionTimeoutMS=200"
    conf = os.path.join(tmp, "hooks.conf")
    with open(conf, "w") as f:
        f.write(open(DEMO_CONF).read().replace("[tracer]", "[tracer]\nmongo_uri = %s" % env_uri, 1))
    p = run_tool(["run", "-c", conf, "-o", logs, "--logger", "mongo", "--", DEMO], tmp)
    if p.returncode != 0 or b"records sent to MongoDB at mongodb://user:***@127.0.0.1:1/" not in p.stderr:
        raise AssertionError("--logger mongo: status %d, stderr %s" % (p.returncode, p.stderr.decode()))
    if b"secret" in p.stderr or glob.glob(os.path.join(logs, "logs_*.json")):
        raise AssertionError("--logger mongo: a password shown or a record file written")
    bad = run_tool(["run", "-c", conf, "--logger", "mango", "--", DEMO], tmp)
    if bad.returncode != 125 or b"expected file, mongo, both or none" not in bad.stderr:
        raise AssertionError("--logger mango: %d %s" % (bad.returncode, bad.stderr.decode()))


def tests():
    return [("demo", _demo), ("exit_status", _exit_status), ("killed_by_signal", _killed),
            ("program_not_found", _not_found), ("usage_error", _usage), ("crash", _crash),
            ("dropped", _dropped), ("logger_choice", _logger_choice)]
