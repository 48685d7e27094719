"""The tracer's descriptors never meet the program's (issue 11, point 2).

Every test runs the program untraced and traced and compares the exit status,
stdout and stderr; then checks the records: all there, valid JSON Lines.
"""

import os
import resource
import shutil
import stat
import subprocess
import tempfile

import impulse_test as it

CASE = "fds"
IMPULSE = os.path.join(it.BUILD, "impulse")


def prog():
    return it.program(CASE, "fds_main")


def run_both(argv, preexec_fn=None, timeout=100, env=None):
    """(traced Run, untraced CompletedProcess), same behaviour asserted (stderr too)."""
    untraced = subprocess.run(argv, env=it._base_env(env), capture_output=True,
                              timeout=timeout, preexec_fn=preexec_fn)
    run = it.run_traced(argv, it.conf(CASE), timeout=timeout, preexec_fn=preexec_fn, env=env)
    try:
        it.assert_same_behaviour(run, untraced, compare_stderr=True)
    except BaseException:
        run.cleanup()
        raise
    return run, untraced


def leaf_counts(recs):
    """{pid: fd_leaf records} of every process."""
    out = {}
    for r in recs.calls("fd_leaf"):
        pid = r["payload"]["process"]["pid"]
        out[pid] = out.get(pid, 0) + 1
    return out


def test_daemon_recipe():
    """Close every descriptor, open /dev/null, dup, dup: the program gets 0 1 2
    (a tracer reopening its file at the lowest number gave it 1 2 3), and every
    call after the closing is still recorded."""
    tmp = tempfile.mkdtemp(prefix="impulse-fds-")
    try:
        out = os.path.join(tmp, "got.txt")
        run, _ = run_both([prog(), "daemon", out])
        try:
            with open(out) as f:
                got = f.read()
            if got != "0 1 2\n":
                raise AssertionError("the daemon recipe got %r, expected '0 1 2'" % got)
            recs = it.Records(run.records)
            recs.check_all(argv=[prog(), "daemon", out], exit_status=0)
            if list(leaf_counts(recs).values()) != [300]:
                raise AssertionError("fd_leaf records: %s, expected 300" % leaf_counts(recs))
        finally:
            run.cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_close_range_then_reopen():
    """close_range(1, ~0U), then the program's output file is opened at 1 and
    printf goes there: into the program's file, never into the records."""
    tmp = tempfile.mkdtemp(prefix="impulse-fds-")
    try:
        out_u, out_t = os.path.join(tmp, "untraced.txt"), os.path.join(tmp, "traced.txt")
        untraced = subprocess.run([prog(), "reopen", out_u], env=it._base_env(None),
                                  capture_output=True, timeout=100)
        run = it.run_traced([prog(), "reopen", out_t], it.conf(CASE))
        try:
            it.assert_same_behaviour(run, untraced, compare_stderr=True)
            with open(out_u) as f:
                want = f.read()
            with open(out_t) as f:
                got = f.read()
            if got != want or want.count("\n") != 200:
                raise AssertionError("the program's file differs traced vs untraced: %r vs %r"
                                     % (got[:200], want[:200]))
            recs = it.Records(run.records)	# every line parsed as JSON
            recs.check_all(argv=[prog(), "reopen", out_t], exit_status=0)
            if list(leaf_counts(recs).values()) != [2200]:
                raise AssertionError("fd_leaf records: %s, expected 2200" % leaf_counts(recs))
        finally:
            run.cleanup()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_fork_child_race():
    """100 fork children each make a hooked call (their logger then creates its
    file) and reopen 0-2 three hundred times: every time they get 0 1 2 (a third
    got "0 1 3" or "0 2 1" when the logger opened its directory and file in the
    program's table), and each child's calls are all recorded."""
    argv = [prog(), "forkrace", "100"]
    run, _ = run_both(argv, timeout=300)
    try:
        recs, _ = it.check_process_tree(run.records, 101)
        counts = leaf_counts(recs)
        parent = [n for n in counts.values() if n == 2000]
        children = [n for n in counts.values() if n == 301]
        if len(parent) != 1 or len(children) != 100:
            raise AssertionError("fd_leaf records per process: %s" % sorted(counts.values()))
    finally:
        run.cleanup()


def limits(soft, hard):
    def set_them():
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return set_them


def test_ulimit_5():
    """`ulimit -n 5`, hard == soft (as the shell sets it) and soft only: the
    program opens as many files traced as untraced, and sees the limits it had.
    (Our descriptors are in a table of their own: they cost the program none.)"""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    for soft_hard in ((5, 5), (5, hard)):
        run, untraced = run_both([prog(), "limit"], preexec_fn=limits(*soft_hard))
        try:
            if b"opened 2 " not in untraced.stdout:
                raise AssertionError("untraced: %r" % untraced.stdout)
            it.Records(run.records).check_all(exit_status=0)
        finally:
            run.cleanup()


def test_limit_lowered_before_exec():
    """A program that lowers both limits to 6 with setrlimit and execs: the new
    image, traced from its start, still gets every descriptor below the limit."""
    run, untraced = run_both([prog(), "lower", "6"])
    try:
        if b"opened 3 " not in untraced.stdout or b"limits 6 6" not in untraced.stdout:
            raise AssertionError("untraced: %r" % untraced.stdout)
        it.check_process_tree(run.records, 2)
    finally:
        run.cleanup()


def test_no_descriptor_of_ours_in_the_program():
    """/proc/self/fd lists the same descriptors traced and untraced."""
    run, _ = run_both([prog(), "listfds"])
    run.cleanup()


def said(run, text):
    """Whether libimpulse said text: on stderr, or in a diagnostics file of the run's
    (libimpulse may keep its messages off the program's descriptors)."""
    if text in run.stderr:
        return True
    for top, _, names in os.walk(run.workdir):
        for n in names:
            path = os.path.join(top, n)
            if os.path.isfile(path) and not stat.S_ISFIFO(os.stat(path).st_mode):
                with open(path, "rb") as f:
                    if text in f.read():
                        return True
    return False


def make_fifo(tmp):
    fifo = os.path.join(tmp, "hooks.fifo")
    os.mkfifo(fifo)
    return fifo


def test_fifo_as_config():
    """A FIFO (or a device, or a directory) as IMPULSE_CONFIG, or included, is
    refused at once: the program runs untraced, its start not held for ever
    waiting for a writer; impulse check says why."""
    tmp = tempfile.mkdtemp(prefix="impulse-fds-")
    try:
        fifo = make_fifo(tmp)
        including = os.path.join(tmp, "including.conf")
        with open(including, "w") as f:
            f.write('include "hooks.fifo"\nint fd_leaf(int x);\n')
        argv = [prog(), "listfds"]
        untraced = it.run_untraced(argv)
        for config in (fifo, including, "/dev/zero", tmp):
            run = it.run_traced(argv, "", env={"IMPULSE_CONFIG": config}, timeout=30)
            try:
                it.assert_same_behaviour(run, untraced, what="IMPULSE_CONFIG=%s: " % config)
                if run.records:
                    raise AssertionError("%s: records written: %d" % (config, len(run.records)))
                if not said(run, b"not a regular file"):
                    raise AssertionError("%s: no reason given: %r" % (config, run.stderr))
            finally:
                run.cleanup()
        check = subprocess.run([IMPULSE, "check", "-c", fifo, "--", prog(), "listfds"],
                               env=it._base_env(None), capture_output=True, timeout=30)
        if check.returncode == 0 or b"a FIFO, not a regular file" not in check.stderr:
            raise AssertionError("impulse check on a FIFO: status %d, %r"
                                 % (check.returncode, check.stderr))
        if not stat.S_ISFIFO(os.stat(fifo).st_mode):
            raise AssertionError("the FIFO changed")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
