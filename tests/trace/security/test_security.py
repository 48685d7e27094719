"""The log directory: created 0700 with files 0600 whatever the umask; a symlink
planted where the directory should be is not followed; a directory that cannot be
created costs one clear message and the program runs on."""

import json
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


def _verbose_stderr(argv, log_dir):
    """A log directory libimpulse refuses leaves no place for its .diag file either:
    its message is on stderr only with IMPULSE_VERBOSE=1 (doc/diagnostics.md)."""
    run_ = it.run_traced(argv, it.conf(CASE), log_dir=log_dir, env={"IMPULSE_VERBOSE": "1"})
    try:
        return run_.stderr.decode("utf-8", "replace")
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
        err = _verbose_stderr(argv, link)
        if "cannot use log directory" not in err or "symbolic link" not in err:
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
        err = _verbose_stderr(argv, bad)
        lines = [l for l in err.splitlines() if l.strip()]
        if not lines or not any("libimpulse" in l for l in lines):
            raise AssertionError("no message about the log dir; stderr: %r" % err)
        if len(lines) > 2:
            raise AssertionError("one clear error expected, got %d lines:\n%s"
                                 % (len(lines), err[-2000:]))
    finally:
        run_.cleanup()


def test_planted_log_names_not_followed_or_overwritten():
    """Where the log file's name is already taken, by a symlink to a file elsewhere
    or by a file of someone else's, the tracer neither follows the link (O_NOFOLLOW,
    O_EXCL) nor writes into the file: it takes the next free name, 0600."""
    import time
    argv = _argv()
    untraced = it.run_untraced(argv)
    work = tempfile.mkdtemp(prefix="impulse-planted-")
    log_dir = os.path.join(work, "logs")
    os.mkdir(log_dir, 0o700)
    target = os.path.join(work, "victim")
    precious = b"someone else's data\n"

    def plant():
        # In the child, before exec: its pid is the traced program's.
        pid = os.getpid()
        now = int(time.time())
        for t in range(now, now + 3):
            stamp = time.strftime("logs_%Y%m%dT%H%M%SZ", time.gmtime(t))
            os.symlink(target, os.path.join(log_dir, "%s_%d.json" % (stamp, pid)))
            with open(os.path.join(log_dir, "%s_%d_1.json" % (stamp, pid)), "wb") as f:
                f.write(precious)

    run_ = it.run_traced(argv, it.conf(CASE), log_dir=log_dir, preexec_fn=plant)
    try:
        it.assert_same_behaviour(run_, untraced)
        if os.path.exists(target):
            raise AssertionError("the tracer followed a planted symlink to %s" % target)
        written = []
        for name in sorted(os.listdir(log_dir)):
            path = os.path.join(log_dir, name)
            st = os.lstat(path)
            if stat.S_ISLNK(st.st_mode):
                continue
            with open(path, "rb") as f:
                data = f.read()
            if name.endswith("_1.json"):
                if data != precious:
                    raise AssertionError("the tracer wrote into the planted file %s" % name)
            else:
                written.append(name)
                if stat.S_IMODE(st.st_mode) != 0o600:
                    raise AssertionError("%s mode %o" % (name, stat.S_IMODE(st.st_mode)))
        if len(written) != 1 or not written[0].endswith("_2.json"):
            raise AssertionError("expected one new log named …_2.json, found %s" % written)
        with open(os.path.join(log_dir, written[0])) as f:
            recs = [json.loads(line) for line in f if line.strip()]
        it.Records(recs).check_all(argv=argv, exit_status=0)
    finally:
        run_.cleanup()
        shutil.rmtree(work, ignore_errors=True)


def test_symlink_inside_log_dir_path_refused():
    """A symlink as a middle component of log_dir (logs under a linked directory)
    is refused like a linked log_dir itself, with one message naming the reason."""
    argv = _argv()
    untraced = it.run_untraced(argv)
    work = tempfile.mkdtemp(prefix="impulse-midlink-")
    elsewhere = os.path.join(work, "elsewhere")
    os.mkdir(elsewhere, 0o700)
    os.symlink(elsewhere, os.path.join(work, "link"))
    run_ = it.run_traced(argv, it.conf(CASE), log_dir=os.path.join(work, "link", "logs"))
    try:
        it.assert_same_behaviour(run_, untraced)
        if os.listdir(elsewhere):
            raise AssertionError("the tracer wrote through the link: %s" % os.listdir(elsewhere))
        err = _verbose_stderr(argv, os.path.join(work, "link", "logs"))
        if "cannot use log directory" not in err or "symbolic link" not in err:
            raise AssertionError("no clear message about the symlink; stderr: %r" % err)
    finally:
        run_.cleanup()
        shutil.rmtree(work, ignore_errors=True)
