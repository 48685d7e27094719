"""Crashes: a process that dies of a signal inside hooked calls still writes every
completed record, the calls in flight and the root with status "crashed" and the
signal as exception, and dies exactly as untraced: same signal, same core-dump flag
(both runs allowed a core, in their own directory), same output; the program's own
handlers run first and keep their semantics."""

import os
import resource
import signal
import subprocess
import tempfile
import time
import shutil

import impulse_test as it

CASE = "crash"
CORE_LIMIT = 256 << 20


def _allow_core():
    resource.setrlimit(resource.RLIMIT_CORE, (CORE_LIMIT, CORE_LIMIT))


class RawRun:
    """A run whose raw wait status is kept (subprocess drops the core-dump flag)."""

    def __init__(self, status, stdout, stderr, workdir):
        self.status, self.stdout, self.stderr, self.workdir = status, stdout, stderr, workdir
        self.log_dir = os.path.join(workdir, "logs")

    def describe(self):
        s = self.status
        if os.WIFSIGNALED(s):
            return "killed by %s%s" % (signal.Signals(os.WTERMSIG(s)).name,
                                       " (core dumped)" if os.WCOREDUMP(s) else "")
        return "exit %d" % os.WEXITSTATUS(s)

    def records(self):
        return it.Records(it.Run(None, self.log_dir, self.workdir).records)


def _env(traced, workdir):
    env = it._base_env(None)
    if traced:
        conf_path = os.path.join(workdir, "hooks.conf")
        with open(conf_path, "w") as f:
            f.write(it.conf(CASE))
        env.update(LD_PRELOAD=it._preload_value(), IMPULSE_CONFIG=conf_path,
                   IMPULSE_LOG_DIR=os.path.join(workdir, "logs"))
    return env


def run_raw(argv, traced, preexec=_allow_core, during=None, timeout=60):
    """Runs argv in a fresh directory (where a core lands); during(proc) runs while
    it does. Returns a RawRun; its directory goes when the test's cleanup runs."""
    workdir = tempfile.mkdtemp(prefix="impulse-crash-")
    out = open(os.path.join(workdir, "stdout"), "w+b")
    err = open(os.path.join(workdir, "stderr"), "w+b")
    proc = subprocess.Popen(argv, env=_env(traced, workdir), cwd=workdir, stdout=out, stderr=err,
                            preexec_fn=preexec)
    try:
        if during:
            during(proc, out)
        deadline = time.time() + timeout
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.time() > deadline:
                proc.kill()
                raise AssertionError("%s did not end in %d s" % (argv, timeout))
            time.sleep(0.01)
    finally:
        proc.returncode = 0  # reaped above: keep Popen from waiting again
    out.seek(0)
    err.seek(0)
    run_ = RawRun(status, out.read(), err.read(), workdir)
    out.close()
    err.close()
    return run_


def both(argv, **kw):
    """The untraced and the traced run of argv; the same death, core flag and stdout."""
    untraced = run_raw(argv, False, **kw)
    traced = run_raw(argv, True, **kw)
    shutil.rmtree(untraced.workdir, ignore_errors=True)
    if (traced.status, traced.stdout) != (untraced.status, untraced.stdout):
        shutil.rmtree(traced.workdir, ignore_errors=True)
        raise AssertionError("traced: %s, stdout %r; untraced: %s, stdout %r; traced stderr:\n%s"
                             % (traced.describe(), traced.stdout, untraced.describe(),
                                untraced.stdout, traced.stderr.decode(errors="replace")[-2000:]))
    return untraced, traced


def exception_of(sig):
    return "%s: %s" % (signal.Signals(sig).name, signal.strsignal(sig))


def check_crashed(recs, sig, in_flight, argv, others=0):
    """in_flight: [(name, arguments)] outermost first, each the child of the one before;
    others: how many more calls (of other threads) crashed."""
    recs.check_all(argv=argv)
    text = exception_of(sig)
    root = recs.root()
    p = root["payload"]
    if (p["status"], p["exception"], p["output"]) != ("crashed", text, None):
        raise AssertionError("root: status %r exception %r output %r, expected crashed, %r, null"
                             % (p["status"], p["exception"], p["output"], text))
    parent = root
    for name, arguments in in_flight:
        r = recs.one(name, **arguments)
        rp = r["payload"]
        if (rp["status"], rp["exception"], rp["output"]) != ("crashed", text, None):
            raise AssertionError("%s: expected crashed with %r and output null" % (it.describe(r), text))
        if it.parent_ids(r)[-1] != it.call_id(parent):
            raise AssertionError("%s: parent %s, expected %s" % (it.describe(r), it.parent_ids(r),
                                                                 it.describe(parent)))
        parent = r
    crashed = [r for r in recs.calls() if r["payload"]["status"] == "crashed"]
    if len(crashed) != len(in_flight) + others:
        raise AssertionError("crashed records: %s" % [it.describe(r) for r in crashed])


def check_completed(recs, expected):
    """expected: [(name, arguments, output)], each exactly one successful record."""
    for name, arguments, out in expected:
        r = recs.one(name, **arguments)
        if r["payload"]["status"] != "success":
            raise AssertionError("%s: expected success" % it.describe(r))
        it.assert_value(out, it.output(r), "%s%s" % (name, arguments))


MODES = {"segv": 1, "bus": 2, "fpe": 3, "ill": 4, "abrt": 5, "trap": 6, "sent-segv": 7}
SIGNALS = {"segv": signal.SIGSEGV, "bus": signal.SIGBUS, "fpe": signal.SIGFPE, "ill": signal.SIGILL,
           "abrt": signal.SIGABRT, "trap": signal.SIGTRAP, "sent-segv": signal.SIGSEGV,
           "handler-reraise": signal.SIGSEGV, "handler-return": signal.SIGSEGV,
           "abrt-handler": signal.SIGABRT}


def asan():
    return "libasan" in it._preload_value()


def check_death(how):
    if asan():
        it.skip("AddressSanitizer's own SEGV/BUS/FPE handlers end the process their way")
    argv = [it.program(CASE, "crash_main"), how]
    untraced, traced = both(argv)
    sig = SIGNALS[how]
    try:
        if not os.WIFSIGNALED(untraced.status) or os.WTERMSIG(untraced.status) != sig:
            raise AssertionError("untraced run: %s, expected death by %s" % (untraced.describe(), sig))
        recs = traced.records()
        mode = MODES.get(how, MODES["abrt" if sig == signal.SIGABRT else "segv"])
        check_completed(recs, [("cr_add", {"a": 1, "b": 2}, 3), ("cr_add", {"a": 3, "b": 4}, 7)])
        check_crashed(recs, sig, [("cr_outer", {"mode": mode, "x": 10}), ("cr_inner", {"mode": mode, "x": 11})],
                      argv)
        if len(recs.calls()) != 4:
            raise AssertionError("records: %s" % [it.describe(r) for r in recs.calls()])
    finally:
        shutil.rmtree(traced.workdir, ignore_errors=True)


def test_handler_output():
    """The program's own handler ran first, in both runs, with its SIGSEGV held back
    until it returned ("after raise" is printed)."""
    if asan():
        it.skip("AddressSanitizer's own SEGV/BUS/FPE handlers end the process their way")
    argv = [it.program(CASE, "crash_main"), "handler-reraise"]
    untraced, traced = both(argv)
    shutil.rmtree(traced.workdir, ignore_errors=True)
    if b"handler: caught SIGSEGV\nhandler: after raise\n" not in untraced.stdout:
        raise AssertionError("untraced output %r" % untraced.stdout)


def test_recover():
    """A SIGSEGV handler that siglongjmps out: the program goes on, nothing crashed;
    the calls left are unwound, and the root succeeds with exit status 0."""
    if asan():
        it.skip("AddressSanitizer's own SEGV/BUS/FPE handlers end the process their way")
    argv = [it.program(CASE, "crash_main"), "recover"]
    run_, recs = it.check_run(argv, it.conf(CASE))
    check_completed(recs, [("cr_add", {"a": 1, "b": 2}, 3), ("cr_add", {"a": 3, "b": 4}, 7),
                           ("cr_add", {"a": 5, "b": 6}, 11)])
    for name, x in (("cr_outer", 10), ("cr_inner", 11)):
        r = recs.one(name, mode=1, x=x)
        if r["payload"]["status"] != "unwound":
            raise AssertionError("%s: expected unwound" % it.describe(r))
    if any(r["payload"]["status"] == "crashed" for r in recs):
        raise AssertionError("crashed records in a run that recovered")
    if recs.root()["payload"]["status"] != "success":
        raise AssertionError("root: %s" % it.describe(recs.root()))


def test_thread_segv():
    """Another thread dies while main waits inside cr_join: main's call is crashed too."""
    if asan():
        it.skip("AddressSanitizer's own SEGV/BUS/FPE handlers end the process their way")
    argv = [it.program(CASE, "crash_main"), "thread-segv"]
    untraced, traced = both(argv)
    try:
        recs = traced.records()
        check_completed(recs, [("cr_add", {"a": 1, "b": 2}, 3), ("cr_add", {"a": 5, "b": 6}, 11)])
        check_crashed(recs, signal.SIGSEGV, [("cr_outer", {"mode": 1, "x": 20}),
                                             ("cr_inner", {"mode": 1, "x": 21})], argv, others=1)
        join = recs.calls("cr_join")
        if len(join) != 1 or join[0]["payload"]["status"] != "crashed":
            raise AssertionError("cr_join: %s" % [it.describe(r) for r in join])
    finally:
        shutil.rmtree(traced.workdir, ignore_errors=True)


def test_two_threads_die_at_once():
    """Two threads fault at the same moment: one writes the records while the other
    waits (no hang, no second set of records), and the process dies by SIGSEGV."""
    if asan():
        it.skip("AddressSanitizer's own SEGV/BUS/FPE handlers end the process their way")
    argv = [it.program(CASE, "crash_main"), "double-segv"]
    start = time.time()
    untraced, traced = both(argv)
    try:
        if time.time() - start > 20:
            raise AssertionError("took %.1f s" % (time.time() - start))
        recs = traced.records()
        recs.check_all(argv=argv)
        text = exception_of(signal.SIGSEGV)
        for r in recs:
            if (r["payload"]["status"], r["payload"]["exception"]) != ("crashed", text):
                raise AssertionError("%s: expected crashed with %r" % (it.describe(r), text))
        # The first to fault stopped the recording: the other thread's calls may
        # not all have started by then; those that did are under each other.
        pairs = 0
        for x in (30, 40):
            outer = [r for r in recs.calls("cr_outer") if it.args(r)["x"] == x]
            inner = [r for r in recs.calls("cr_inner") if it.args(r)["x"] == x + 1]
            if inner and (len(outer) != 1 or it.parent_ids(inner[0])[-1] != it.call_id(outer[0])):
                raise AssertionError("%s is not under %s" % (it.describe(inner[0]), outer))
            pairs += bool(inner)
        if not pairs or len(recs.calls("cr_join")) != 1:
            raise AssertionError("records: %s" % [it.describe(r) for r in recs])
    finally:
        shutil.rmtree(traced.workdir, ignore_errors=True)


def _term_when_blocking(proc, out):
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(out.name, "rb") as f:
            if b"blocking\n" in f.read():
                break
        time.sleep(0.01)
    time.sleep(0.3)  # inside read() by now
    proc.send_signal(signal.SIGTERM)


def test_sigterm_blocked_in_call():
    """SIGTERM (default action) reaches a process waiting inside a hooked read:
    the records are written, cr_read crashed with "SIGTERM: Terminated", and the
    process is killed by SIGTERM without a core, as untraced."""
    argv = [it.program(CASE, "crash_main"), "block"]
    untraced, traced = both(argv, during=_term_when_blocking)
    try:
        if not os.WIFSIGNALED(untraced.status) or os.WTERMSIG(untraced.status) != signal.SIGTERM:
            raise AssertionError("untraced: %s" % untraced.describe())
        recs = traced.records()
        check_completed(recs, [("cr_add", {"a": 1, "b": 2}, 3), ("cr_add", {"a": 3, "b": 4}, 7)])
        check_crashed(recs, signal.SIGTERM, [("cr_read", {})], argv)
    finally:
        shutil.rmtree(traced.workdir, ignore_errors=True)


def _ignore_sigint():
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def test_inherited_sig_ign():
    """SIGINT ignored when the program starts (nohup, a background job) stays
    ignored: sigaction says so, raise(SIGINT) is survived, and an exec'd shell
    inherits it ignored too."""
    argv = [it.program(CASE, "crash_main"), "ign-exec"]
    untraced, traced = both(argv, preexec=_ignore_sigint)
    try:
        want = (b"SIGINT is ignored\nsurvived SIGINT, cr_add(1, 1) = 2\nshell: survived SIGINT\n")
        if untraced.stdout != want or untraced.status != 0:
            raise AssertionError("untraced: %s %r" % (untraced.describe(), untraced.stdout))
        recs = traced.records()
        check_completed(recs, [("cr_add", {"a": 1, "b": 1}, 2)])
    finally:
        shutil.rmtree(traced.workdir, ignore_errors=True)


def check_restart(how, outputs):
    """A SIGUSR1 handler with (restart) or without (norestart) SA_RESTART: read() on
    a pipe is restarted or fails with EINTR, as untraced; the records say so."""
    argv = [it.program(CASE, "crash_main"), how]
    run_, recs = it.check_run(argv, it.conf(CASE))
    got = [it.output(r) for r in recs.calls("cr_read")]
    if got != outputs:
        raise AssertionError("cr_read outputs %s, expected %s" % (got, outputs))
    if b"handler: SIGUSR1\n" not in run_.stdout:
        raise AssertionError("the handler did not run: %r" % run_.stdout)


def test_blocked_signal_stays_blocked():
    """SIGTERM blocked by the program and sent to the process stays pending until
    its sigwait takes it: no thread of ours takes it first."""
    argv = [it.program(CASE, "crash_main"), "sigmask"]
    run_, recs = it.check_run(argv, it.conf(CASE))
    if run_.stdout != b"SIGTERM pending: 1\nsigwait: 15, cr_add(2, 2) = 4\n":
        raise AssertionError("stdout %r" % run_.stdout)
    check_completed(recs, [("cr_add", {"a": 2, "b": 2}, 4)])


def test_views():
    """sigaction/signal report the program's own dispositions (ours are hidden),
    SIG_IGN and a handler of its own really apply, and SIG_DFL set back brings the
    crash path back: the final SIGTERM writes the records, root crashed."""
    argv = [it.program(CASE, "crash_main"), "views"]
    untraced, traced = both(argv)
    try:
        if b"SIGSEGV now: mine, flags restart 1 nodefer 1, mask has SIGUSR2 1\n" not in untraced.stdout:
            raise AssertionError("untraced: %r" % untraced.stdout)
        recs = traced.records()
        check_completed(recs, [("cr_add", {"a": 8, "b": 9}, 17)])
        check_crashed(recs, signal.SIGTERM, [], argv)
    finally:
        shutil.rmtree(traced.workdir, ignore_errors=True)


def tests():
    out = [("death_" + how, (lambda how=how: lambda: check_death(how))())
           for how in ("segv", "bus", "fpe", "ill", "abrt", "trap", "sent-segv",
                       "handler-reraise", "handler-return", "abrt-handler")]
    out += [("restart", lambda: check_restart("restart", [1])),
            ("norestart", lambda: check_restart("norestart", [-1, 1]))]
    return out
