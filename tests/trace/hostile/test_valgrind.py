"""Traced programs under valgrind (memcheck): no error, and no definitely lost
block, whose stack is in libimpulse; the program's output, exit status and records
as without valgrind.

valgrind runs `env LD_PRELOAD=libimpulse.so PROGRAM` with --trace-children=yes, so
that the preload reaches the program only (setting LD_PRELOAD for valgrind itself
would trace its launcher too). libimpulse keeps some memory on purpose until the
process ends (the session, the hook table, interned paths, thread buffers handed to
the logger): valgrind counts it "still reachable", which --errors-for-leak-kinds=
definite does not report. What valgrind would report are the deliberate probes of
the hot path's safe copies (preload/libimpulse.supp explains and suppresses them,
and test_valgrind_bad_pointers shows they are the only ones). Errors of the program
or of other libraries are printed but do not fail the test. A sanitizer build is
skipped (valgrind cannot run an AddressSanitizer program).
"""

import json
import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

SUPP = os.path.join(it.REPO, "preload", "libimpulse.supp")


def _skip_reason():
    if not shutil.which("valgrind"):
        return "valgrind is not installed (make deps)"
    if "libasan" in it._preload_value() or "libtsan" in it._preload_value():
        return "sanitizer build"
    return None


def _errors_in_libimpulse(log):
    """valgrind's error blocks (between blank ==pid== lines) that name libimpulse."""
    blocks, cur = [], []
    for line in log.splitlines():
        body = re.sub(r"^==\d+== ?", "", line)
        if not body.strip():
            if cur:
                blocks.append(cur)
            cur = []
        else:
            cur.append(body)
    if cur:
        blocks.append(cur)
    bad = []
    for b in blocks:
        text = "\n".join(b)
        is_error = re.match(r"(Invalid|Conditional|Use of uninit|Syscall param|Mismatched|"
                            r"Source and destination|Argument|\d[\d,]* bytes in [\d,]+ blocks are "
                            r"definitely lost)", b[0])
        if is_error and ("libimpulse" in text or "/preload/" in text or "/config/" in text):
            bad.append(text)
    return bad


def _valgrind_run(argv, conf_text):
    work = tempfile.mkdtemp(prefix="impulse-valgrind-")
    conf = os.path.join(work, "hooks.conf")
    with open(conf, "w") as f:
        f.write(conf_text)
    log_dir = os.path.join(work, "logs")
    vg_log = os.path.join(work, "valgrind.log")
    env = dict(it._base_env(None), IMPULSE_CONFIG=conf, IMPULSE_LOG_DIR=log_dir)
    cmd = ["valgrind", "--trace-children=yes", "--leak-check=full", "--fullpath-after=",
           "--suppressions=" + SUPP,
           "--errors-for-leak-kinds=definite", "--num-callers=40", "--log-file=" + vg_log,
           "env", "LD_PRELOAD=" + it.LIBIMPULSE] + argv
    proc = subprocess.run(cmd, env=env, cwd=work, capture_output=True, timeout=600)
    with open(vg_log, errors="replace") as f:
        log = f.read()
    recs = []
    for name in sorted(os.listdir(log_dir)) if os.path.isdir(log_dir) else []:
        if not name.endswith(".json"):
            continue    # the .diag files: libimpulse's messages, not records
        with open(os.path.join(log_dir, name)) as f:
            recs += [json.loads(line) for line in f if line.strip()]
    shutil.rmtree(work, ignore_errors=True)
    # valgrind's launcher and env are process images of their own, traced too
    # (a root record each, nothing hooked): keep the program's records only.
    ids = {r["payload"]["trace_module"]["tracer_id"] for r in recs
           if r["payload"]["trace_module"]["hook_id"] == "root"
           and r["payload"]["function"]["name"] == os.path.basename(argv[0])}
    return proc, log, [r for r in recs if r["payload"]["trace_module"]["tracer_id"] in ids]


def _check(case, prog, extra_args=(), conf=None, want_suppressed=False):
    why = _skip_reason()
    if why:
        it.skip(why)
    argv = [it.program(case, prog)] + list(extra_args)
    untraced = it.run_untraced(argv)
    proc, log, recs = _valgrind_run(argv, conf or it.conf(case))
    # Programs that print addresses on stderr: ASLR and valgrind move them.
    it.assert_same_behaviour(proc, untraced, "under valgrind: ", mask=it.mask_addresses)
    if "ERROR SUMMARY" not in log:
        raise AssertionError("valgrind did not finish:\n%s" % log[-3000:])
    bad = _errors_in_libimpulse(log)
    if bad:
        raise AssertionError("%d valgrind error(s) in libimpulse:\n%s" % (len(bad), "\n\n".join(bad[:5])))
    # The program is exec'd by env, so its root names env's image as its parent
    # (lineage, tested by tests/trace/procs); the tree checked here is the program's.
    for rec in recs:
        if rec["payload"]["trace_module"]["hook_id"] == "root":
            rec["payload"]["stack_trace"]["parents"] = []
    r = it.Records(recs)
    r.check_all(argv=argv, exit_status=untraced.returncode)
    summary = re.findall(r"ERROR SUMMARY: (\d+) errors", log)
    suppressed = sum(int(n) for n in re.findall(r"ERROR SUMMARY: .*suppressed: (\d+) from", log))
    if want_suppressed and not suppressed:
        raise AssertionError("no safe-copy probe was suppressed: the test proves nothing\n" + log[-3000:])
    print("valgrind: %s record(s); error summaries %s; none in libimpulse" % (len(recs), summary))
    return r


def test_valgrind_threads():
    """Four threads and a thread started in a hooked call (the threads case)."""
    r = _check("threads", "threads_main")
    if r is not None and len(r.calls()) < 100:
        raise AssertionError("only %d calls recorded under valgrind" % len(r.calls()))


def test_valgrind_redact_and_logs():
    """redact_pattern's masking, impulse_log text and JSON, a buffer shown as text."""
    conf = ('[tracer]\nredact_pattern = "Authorization: *", "*password=*", "sk-*"\n'
            + it.conf("hostile").replace("[tracer]\n", ""))
    r = _check("hostile", "hostile_main", ["redact"], conf)
    if r is not None:
        it.assert_value("Authorization: [redacted]", it.args(r.one("hs_strlen"))["s"], "hs_strlen.s")


def test_valgrind_bad_pointers():
    """The bad pointers of test_hostile.test_bad_pointers: memcheck flags the safe
    copies' deliberate probes (suppressed by preload/libimpulse.supp, and there
    must be some), and nothing else of libimpulse's."""
    _check("hostile", "hostile_main", ["bad"], want_suppressed=True)


def test_error_attribution():
    """The log reader does see an error in libimpulse (a canned memcheck report)."""
    log = "\n".join([
        "==1== ", "==1== Invalid read of size 8",
        "==1==    at 0x48761CE: impulse_safe_strncpy (/src/preload/arch/x86_64/safe_copy.S:58)",
        "==1==    by 0x4862C9B: capture_string (/src/preload/hot/hot_path.c:76)",
        "==1== ", "==1== Invalid read of size 4", "==1==    at 0x1: main (/src/prog.c:3)", "==1== "])
    bad = _errors_in_libimpulse(log)
    if len(bad) != 1 or "hot_path.c" not in bad[0]:
        raise AssertionError("attributed %r" % bad)
