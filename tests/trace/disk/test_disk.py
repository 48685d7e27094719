"""What reaches the log file is what the counts say, when the file cannot take every
record: a full filesystem (a 1 MiB tmpfs), max_log_size, min_free_space, and a program
that chroots and closes every descriptor. In every case the file holds whole records
only (no torn last line), the root record is there, and the calls recorded plus the
calls counted in the root's arguments.dropped are exactly the calls made."""

import contextlib
import os
import shutil
import subprocess
import tempfile

import impulse_test as it

CASE = "disk"
CALLS = 100_000


def program():
    return it.program(CASE, "disk_main")


@contextlib.contextmanager
def tmpfs(size):
    """A tmpfs of `size` mounted on a new directory (tests run as root); SKIP when
    mounting is refused here (no CAP_SYS_ADMIN, a container without mount)."""
    top = tempfile.mkdtemp(prefix="impulse-disk-")
    mnt = os.path.join(top, "mnt")
    os.mkdir(mnt)
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=%s,mode=0700" % size, "tmpfs", mnt],
                       capture_output=True, text=True)
    if r.returncode != 0:
        shutil.rmtree(top, ignore_errors=True)
        it.skip("cannot mount a tmpfs here (%s): %s" % (" ".join(r.args), r.stderr.strip()))
    try:
        yield mnt
    finally:
        subprocess.run(["umount", mnt], capture_output=True)
        shutil.rmtree(top, ignore_errors=True)


def run_calls(n, env, log_dir=None):
    """disk_main calls n, traced and untraced: same behaviour; returns (run, Records,
    [(path, bytes)] of the record files) with the run's files still there."""
    argv = [program(), "calls", str(n)]
    untraced = it.run_untraced(argv)
    run = it.run_traced(argv, it.conf(CASE), env=env, log_dir=log_dir)
    it.assert_same_behaviour(run, untraced)
    files = []
    for path in run.log_files():
        with open(path, "rb") as f:
            files.append((path, f.read()))
    recs = it.Records(run.records)      # every line whole JSON, terminated
    recs.check_all(argv=argv, exit_status=0)
    return run, recs, files


def check_counts(recs, made, expect_drops):
    """Records of disk_leaf + the root's count of disk_leaf calls not recorded = made."""
    root = recs.root()
    dropped = root["payload"]["arguments"]["dropped"]
    written = len(recs.calls("disk_leaf"))
    hooks = sum(t["hooks"].get("disk_leaf", 0) for t in dropped["threads"])
    if hooks != dropped["total"]:
        raise AssertionError("dropped counts for other hooks: %s" % dropped)
    if written + dropped["total"] != made:
        raise AssertionError("%d records + %d counted != %d calls made"
                             % (written, dropped["total"], made))
    if expect_drops and not dropped["total"]:
        raise AssertionError("nothing dropped: the limit was not reached (%d records)" % written)
    if not expect_drops and dropped["total"]:
        raise AssertionError("%d calls dropped, none expected" % dropped["total"])
    return written, dropped["total"]


def root_last(files):
    """The single record file ends with the root record, after the calls."""
    if len(files) != 1:
        raise AssertionError("expected one record file, found %s" % [p for p, _ in files])
    data = files[0][1]
    lines = data.split(b"\n")
    if lines[-1] != b"":
        raise AssertionError("the file ends in the middle of a record: %r" % lines[-1][-200:])
    if b'"thread_id":"root"' not in lines[-2]:
        raise AssertionError("the last record is not the root: %r" % lines[-2][:300])
    return data, len(lines[-2]) + 1


def diag_says(run, recs, text):
    """A diagnostic with text: in the root's arguments.diagnostics or the .diag file."""
    diags = recs.root()["payload"]["arguments"].get("diagnostics", {})
    blob = repr(diags) + "\n".join(run.diagnostics())
    if text not in blob:
        raise AssertionError("no diagnostic saying %r: %s" % (text, blob[:2000]))


def test_max_log_size():
    """max_log_size = 64K, 100,000 calls: the file holds at most 64 KiB of calls
    plus the root record, and the rest is counted, exactly."""
    run, recs, files = run_calls(CALLS, {"IMPULSE_MAX_LOG_SIZE": "64K"})
    try:
        data, root_len = root_last(files)
        if len(data) - root_len > 64 * 1024:
            raise AssertionError("%d bytes of calls, past max_log_size 64K" % (len(data) - root_len))
        written, dropped = check_counts(recs, CALLS, True)
        diag_says(run, recs, "the file reached max_log_size")
        print("max_log_size 64K: %d bytes, %d records + %d counted = %d calls"
              % (len(data), written, dropped, CALLS))
    finally:
        run.cleanup()


def test_max_log_size_not_reached():
    """A limit far above what the run writes changes nothing: every call recorded."""
    run, recs, files = run_calls(1000, {"IMPULSE_MAX_LOG_SIZE": "1G"})
    try:
        root_last(files)
        check_counts(recs, 1000, False)
    finally:
        run.cleanup()


def test_full_tmpfs():
    """A 1 MiB tmpfs filled by the records (min_free_space = 0: the write fails with
    ENOSPC): no torn line, the root record present (written into the room kept for
    it), records + counted = calls made."""
    with tmpfs("1m") as mnt:
        run, recs, files = run_calls(CALLS, {"IMPULSE_MIN_FREE_SPACE": "0"},
                                     log_dir=os.path.join(mnt, "logs"))
        try:
            data, _ = root_last(files)
            written, dropped = check_counts(recs, CALLS, True)
            diag_says(run, recs, "No space left on device")
            print("1 MiB tmpfs: %d bytes, %d records + %d counted = %d calls"
                  % (len(data), written, dropped, CALLS))
        finally:
            run.cleanup()


def test_min_free_space():
    """min_free_space = 3M on a 4 MiB tmpfs: the calls stop with 3 MiB still free
    (at most the root record less), counted exactly; then as a percentage (75%)."""
    for value in ("3M", "75%"):
        with tmpfs("4m") as mnt:
            run, recs, files = run_calls(CALLS, {"IMPULSE_MIN_FREE_SPACE": value},
                                         log_dir=os.path.join(mnt, "logs"))
            try:
                data, root_len = root_last(files)
                st = os.statvfs(mnt)
                total = st.f_blocks * st.f_frsize
                if len(data) - root_len > total - 3 * 1024 * 1024:
                    raise AssertionError("min_free_space %s: %d bytes of calls on a %d-byte "
                                         "filesystem" % (value, len(data) - root_len, total))
                written, dropped = check_counts(recs, CALLS, True)
                diag_says(run, recs, "the log filesystem reached min_free_space")
                print("min_free_space %s on 4 MiB: %d bytes, %d records + %d counted"
                      % (value, len(data), written, dropped))
            finally:
                run.cleanup()


def test_min_free_space_default():
    """Unset, min_free_space keeps the smaller of 5% and 1 GiB free: on a 2 MiB tmpfs
    the calls stop with about 104 KiB free, before the disk is full."""
    with tmpfs("2m") as mnt:
        run, recs, files = run_calls(CALLS, None, log_dir=os.path.join(mnt, "logs"))
        try:
            data, root_len = root_last(files)
            st = os.statvfs(mnt)
            total = st.f_blocks * st.f_frsize
            if len(data) - root_len > total - total * 5 // 100:
                raise AssertionError("%d bytes of calls on a %d-byte filesystem, past 95%%"
                                     % (len(data) - root_len, total))
            check_counts(recs, CALLS, True)
            diag_says(run, recs, "the log filesystem reached min_free_space")
        finally:
            run.cleanup()


def test_chroot_and_closed_fds():
    """100 calls, chroot into an empty directory, every descriptor closed, 101 calls:
    all 201 records reach the file (opened before, in libimpulse's own descriptor
    table), nothing is counted as dropped."""
    jail = tempfile.mkdtemp(prefix="impulse-jail-")
    try:
        argv = [program(), "chroot", jail, "100", "101"]
        untraced = it.run_untraced(argv)
        if untraced.returncode == 1 and b"chroot" in untraced.stderr:
            it.skip("chroot refused here: %s" % untraced.stderr.decode().strip())
        run = it.run_traced(argv, it.conf(CASE))
        try:
            it.assert_same_behaviour(run, untraced)
            recs = it.Records(run.records)
            recs.check_all(argv=argv, exit_status=untraced.returncode)
            written, _ = check_counts(recs, 201, False)
            if written != 201:
                raise AssertionError("%d records of 201" % written)
        finally:
            run.cleanup()
    finally:
        shutil.rmtree(jail, ignore_errors=True)


def impulse_tool():
    return os.path.join(it.BUILD, "impulse")


def test_torn_file_reported():
    """A record file cut in the middle of its last record (a writer killed, or a disk
    that filled before this version): `impulse stats`, `tree` and `tail` read the
    whole records, say FILE:LINE: torn: ... for the last, and exit 1 (something
    skipped). A last record that is whole but lacks its newline is read."""
    run, recs, files = run_calls(10, None)
    try:
        path, data = files[0]
        tool = impulse_tool()
        if not os.access(tool, os.X_OK):
            raise AssertionError("%s is not built" % tool)
        nlines = data.count(b"\n")
        with open(path, "wb") as f:
            f.write(data[:-100])
        for sub in ("stats", "tree", "tail"):
            r = subprocess.run([tool, sub, path], capture_output=True, text=True, timeout=60)
            want = "%s:%d: torn: the file ends in the middle of a record" % (path, nlines)
            if want not in r.stderr or r.returncode != 1:
                raise AssertionError("impulse %s on a torn file: exit %d, stderr:\n%s\n(wanted %r)"
                                     % (sub, r.returncode, r.stderr, want))
        with open(path, "wb") as f:
            f.write(data[:-1])          # whole, without its newline
        r = subprocess.run([tool, "stats", path], capture_output=True, text=True,
                           timeout=60)
        if r.returncode != 0 or "torn" in r.stderr:
            raise AssertionError("a whole last record without its newline: exit %d, stderr:\n%s"
                                 % (r.returncode, r.stderr))
    finally:
        run.cleanup()
