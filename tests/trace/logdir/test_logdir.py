"""A log directory that exists already and that another user could tamper with is
refused, with the reason, as ssh refuses such a ~/.ssh: one owned by another user
(uid 65534 here; its owner can delete or rename our files whatever the mode), or one
writable by others without the sticky bit. The program runs on unchanged, untraced,
and nothing is written into the directory (no record file, no .diag file); with
IMPULSE_VERBOSE=1 the reason is on stderr. A directory that is ours (or root's) and
sticky, like /tmp, is used. The program is tests/trace/disk's (1000 hooked calls)."""

import os
import shutil
import tempfile

import impulse_test as it

OTHER_UID = 65534       # nobody


def make_dir(mode, uid):
    top = tempfile.mkdtemp(prefix="impulse-logdir-")
    os.chmod(top, 0o755)
    d = os.path.join(top, "logs")
    os.mkdir(d)
    try:
        os.chown(d, uid, -1)
    except PermissionError as e:
        shutil.rmtree(top, ignore_errors=True)
        it.skip("cannot chown a directory to uid %d here (not root): %s" % (uid, e))
    os.chmod(d, mode)
    return top, d


def run_in(d, verbose=False):
    argv = [it.program("disk", "disk_main"), "calls", "1000"]
    untraced = it.run_untraced(argv)
    env = {"IMPULSE_VERBOSE": "1"} if verbose else None
    run = it.run_traced(argv, it.conf("disk"), env=env, log_dir=d)
    if verbose:
        it.assert_same_behaviour(run, untraced, stderr_differs="IMPULSE_VERBOSE=1 says why")
    else:
        it.assert_same_behaviour(run, untraced)
    return run


def check_refused(mode, uid, reason):
    top, d = make_dir(mode, uid)
    try:
        run = run_in(d)
        run.cleanup()
        left = os.listdir(d)
        if left:
            raise AssertionError("mode %04o uid %d: files written into a refused directory: %s"
                                 % (mode, uid, left))
        run = run_in(d, verbose=True)
        run.cleanup()
        err = run.stderr.decode("utf-8", "replace")
        if "cannot use log directory '%s'" % d not in err or reason not in err:
            raise AssertionError("mode %04o uid %d: no refusal saying %r on stderr:\n%s"
                                 % (mode, uid, reason, err[-2000:]))
        if os.listdir(d):
            raise AssertionError("files written into a refused directory: %s" % os.listdir(d))
    finally:
        shutil.rmtree(top, ignore_errors=True)


def check_used(mode, uid):
    top, d = make_dir(mode, uid)
    try:
        run = run_in(d)
        try:
            recs = it.Records(run.records)
            recs.check_all(exit_status=0)
            if len(recs.calls("disk_leaf")) != 1000:
                raise AssertionError("mode %04o: %d records of 1000"
                                     % (mode, len(recs.calls("disk_leaf"))))
        finally:
            run.cleanup()
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_other_users_0777_refused():
    check_refused(0o777, OTHER_UID, "owned by uid %d" % OTHER_UID)


def test_other_users_sticky_refused():
    """Sticky does not help against the directory's owner."""
    check_refused(0o1777, OTHER_UID, "owned by uid %d" % OTHER_UID)


def test_other_users_0700_refused():
    check_refused(0o700, OTHER_UID, "owned by uid %d" % OTHER_UID)


def test_world_writable_refused():
    check_refused(0o777, os.geteuid(), "writable by others (mode 0777) without the sticky bit")


def test_group_writable_refused():
    check_refused(0o770, os.geteuid(), "writable by its group (mode 0770) without the sticky bit")


def test_sticky_world_writable_used():
    """Ours (root's when run as root) and sticky, like /tmp: used."""
    check_used(0o1777, os.geteuid())


def test_own_0755_used():
    check_used(0o755, os.geteuid())
