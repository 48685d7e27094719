"""The log directory: created 0700 with files 0600 whatever the umask; a symlink
planted where the directory should be is not followed; a directory that cannot be
created costs one clear message and the program runs on."""

import os
import shutil
import stat
import tempfile

import impulse_test as it

CASE = "nested"


def _argv():
    return [it.program(CASE, "nested_main")]


def test_modes_with_umask_0():
    argv = _argv()
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, it.conf(CASE), preexec_fn=lambda: os.umask(0))
    try:
        it.assert_same_behaviour(run_, untraced)
        st = os.lstat(run_.log_dir)
        if not stat.S_ISDIR(st.st_mode) or stat.S_IMODE(st.st_mode) != 0o700:
            raise AssertionError("log dir mode %o, expected 0700" % stat.S_IMODE(st.st_mode))
        files = run_.log_files()
        if not files:
            raise AssertionError("no log file written")
        for f in files:
            mode = stat.S_IMODE(os.lstat(f).st_mode)
            if mode != 0o600:
                raise AssertionError("%s mode %o, expected 0600" % (f, mode))
        it.Records(run_.records).check_all(argv=argv, exit_status=0)
    finally:
        run_.cleanup()


def _symlink_case(target_exists):
    argv = _argv()
    untraced = it.run_untraced(argv)
    # The log dir is a symlink into a directory elsewhere (or to nothing).
    work = tempfile.mkdtemp(prefix="impulse-symlink-")
    target = os.path.join(work, "elsewhere")
    link = os.path.join(work, "logs")
    if target_exists:
        os.mkdir(target, 0o700)
    os.symlink(target, link)
    run_ = it.run_traced(argv, it.conf(CASE), log_dir=link)
    try:
        it.assert_same_behaviour(run_, untraced)
        if target_exists and os.listdir(target):
            raise AssertionError("the tracer followed the symlink and wrote %s"
                                 % os.listdir(target))
        if not target_exists and os.path.exists(target):
            raise AssertionError("the tracer created the symlink's target %s" % target)
        if not os.path.islink(link):
            raise AssertionError("the symlink was replaced")
        err = run_.stderr.decode("utf-8", "replace")
        if "libimpulse" not in err:
            raise AssertionError("no message about the refused log dir; stderr: %r" % err)
    finally:
        run_.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_symlinked_log_dir_refused():
    _symlink_case(True)


def test_dangling_symlink_log_dir_refused():
    _symlink_case(False)


def test_uncreatable_log_dir():
    argv = _argv()
    untraced = it.run_untraced(argv)
    bad = "/proc/self/impulse-cannot-exist/logs"
    run_ = it.run_traced(argv, it.conf(CASE), log_dir=bad)
    try:
        it.assert_same_behaviour(run_, untraced)
        err = run_.stderr.decode("utf-8", "replace")
        lines = [l for l in err.splitlines() if l.strip()]
        if not lines or not any("libimpulse" in l for l in lines):
            raise AssertionError("no message about the log dir; stderr: %r" % err)
        if len(lines) > 2:
            raise AssertionError("one clear error expected, got %d lines:\n%s"
                                 % (len(lines), err[-2000:]))
    finally:
        run_.cleanup()
