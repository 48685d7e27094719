"""A hooks.conf error: `hooks.conf:LINE:COL: message` in the .diag file of the log
directory (never on the program's stderr, unless IMPULSE_VERBOSE=1), the program
runs untraced with unchanged output, stderr and status and no records are written;
with IMPULSE_STRICT=1 it exits with status 2 before main runs, and says why on
stderr."""

import os
import re

import impulse_test as it

CASE = "nested"
BAD_LINE = "double  a_outer(int33 x);"
BAD_CONF = "# a config with an unknown type on line 4\n[thread t]\nint b_inner(int x, int k);\n" \
           + BAD_LINE + "\n"
BAD_COL = BAD_LINE.index("int33") + 1


def _run(conf, env=None):
    argv = [it.program(CASE, "nested_main")]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, conf, env=env)
    return untraced, run_


def _diag_text(run_):
    """The .diag lines, after checking that there is exactly one file (one process)."""
    if len(run_.diag_files()) != 1:
        raise AssertionError("expected one .diag file in %s, found %s"
                             % (run_.log_dir, run_.diag_files()))
    return "\n".join(run_.diagnostics())


def _no_records(run_):
    n = len(run_.records)
    if n:
        raise AssertionError("a run with a bad hooks.conf wrote %d records" % n)


def test_unknown_type():
    untraced, run_ = _run(BAD_CONF)
    try:
        it.assert_same_behaviour(run_, untraced)
        err = _diag_text(run_)
        if not re.search(r"^libimpulse\[\d+\]: \S*hooks\.conf:4:%d: \S" % BAD_COL, err, re.M):
            raise AssertionError("expected 'hooks.conf:4:%d: message' in the .diag file, got:\n%s"
                                 % (BAD_COL, err))
        if "int33" not in err:
            raise AssertionError("the message should name the unknown type: %s" % err)
        _no_records(run_)
    finally:
        run_.cleanup()


def test_syntax_error():
    conf = "[thread t]\nint b_inner(int x, int k);\nint a_outer(int x;\n"
    untraced, run_ = _run(conf)
    try:
        it.assert_same_behaviour(run_, untraced)
        err = _diag_text(run_)
        if not re.search(r"hooks\.conf:3:\d+: \S", err):
            raise AssertionError("expected 'hooks.conf:3:COL: message' in the .diag file, got:\n%s"
                                 % err)
        _no_records(run_)
    finally:
        run_.cleanup()


def test_verbose_says_it_on_stderr():
    """IMPULSE_VERBOSE=1: the same message on stderr too (and still in the file)."""
    untraced, run_ = _run(BAD_CONF, env={"IMPULSE_VERBOSE": "1"})
    try:
        it.assert_same_behaviour(run_, untraced, stderr_differs="IMPULSE_VERBOSE asks for it")
        err = run_.stderr.decode("utf-8", "replace")
        if not re.search(r"hooks\.conf:4:%d: \S" % BAD_COL, err):
            raise AssertionError("expected 'hooks.conf:4:%d: message' on stderr, got:\n%s"
                                 % (BAD_COL, err))
        if not re.search(r"hooks\.conf:4:%d: \S" % BAD_COL, _diag_text(run_)):
            raise AssertionError("not in the .diag file: %s" % run_.diagnostics())
        _no_records(run_)
    finally:
        run_.cleanup()


def test_default_log_dir_when_broken():
    """Without IMPULSE_LOG_DIR, a broken hooks.conf's message goes to ./.impulselogs."""
    untraced, run_ = _run(BAD_CONF, env={"IMPULSE_LOG_DIR": None})
    try:
        it.assert_same_behaviour(run_, untraced)
        run_.log_dir = os.path.join(run_.workdir, ".impulselogs")
        if not re.search(r"hooks\.conf:4:%d: " % BAD_COL, _diag_text(run_)):
            raise AssertionError("not in .impulselogs/*.diag: %s" % run_.diagnostics())
    finally:
        run_.cleanup()


def test_strict_exits_2_before_main():
    untraced, run_ = _run(BAD_CONF, env={"IMPULSE_STRICT": "1"})
    try:
        if run_.returncode != 2:
            raise AssertionError("IMPULSE_STRICT=1 with a bad config: status %d, expected 2; "
                                 "stderr:\n%s" % (run_.returncode, run_.stderr[-2000:]))
        if run_.stdout:
            raise AssertionError("main ran (it printed %r)" % run_.stdout[:200])
        if not re.search(rb"hooks\.conf:4:%d: " % BAD_COL, run_.stderr):
            raise AssertionError("no hooks.conf:4:%d: error on stderr: %r" % (BAD_COL, run_.stderr))
        _no_records(run_)
    finally:
        run_.cleanup()


def test_strict_good_config_runs():
    argv = [it.program(CASE, "nested_main")]
    it.check_run(argv, it.conf(CASE), env={"IMPULSE_STRICT": "1"})


def test_missing_config_runs_untraced():
    untraced, run_ = _run("", env={"IMPULSE_CONFIG": "/nonexistent/impulse/hooks.conf"})
    try:
        it.assert_same_behaviour(run_, untraced)
        if [r for r in run_.records if r["payload"]["trace_module"]["thread_id"] != "root"]:
            raise AssertionError("records of calls written without a config")
    finally:
        run_.cleanup()
