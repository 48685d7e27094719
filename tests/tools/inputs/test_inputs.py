"""Inputs that must not knock the readers over, and what every reading subcommand
(stats, tree, tail, export) answers about them, the same way:

- a line longer than the reader's limit (READER_LINE_MAX, 64 MiB) is skipped to its
  newline and named FILE:LINE; memory stays bounded (a gzip of NULs that inflates to
  100 MiB with no newline, the small cousin of the 10 MB bomb that took 10.5 GB);
- in a directory, a logs_*.json that is a FIFO or a link to /dev/zero is skipped with a
  message, never read (it would block or never end); the regular files are read;
- exit statuses: 0 everything read, 1 records read but something skipped, 2 a bad
  command line or nothing readable;
- --session, --thread and --hook may be repeated in every subcommand: any value matches
  (checked against the records themselves, read with Python's json).
"""

import gzip
import json
import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(os.path.dirname(HERE), "tree", "fixtures")
TOOL = os.path.join(it.BUILD, "impulse")
LINE_MAX = 64 << 20
SUBCOMMANDS = {
    "stats": ["stats"],
    "tree": ["tree", "--color=never", "--no-pager"],
    "tail": ["tail", "-n", "100000", "--color=never"],
    "export": ["export", "--format", "chrome"],
}


def env():
    e = it._base_env(None)
    for k in list(e):
        if k.startswith("IMPULSE_"):
            del e[k]
    return e


def run(sub, args, timeout=60):
    """(status, stdout, stderr, peak RSS in KiB) of `impulse SUB ARGS`."""
    p = subprocess.Popen([TOOL] + SUBCOMMANDS[sub] + args, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env(), cwd=it.REPO)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        raise AssertionError("impulse %s %s: still running after %d s" % (sub, args, timeout))
    # the child is reaped by communicate(); its rusage comes from wait4 only before that,
    # so measure the peak with a second run under /usr/bin/time-free accounting below
    return p.returncode, out.decode(), err.decode()


def peak_rss_kib(sub, args, timeout=60):
    """Peak RSS of one run, from wait4's rusage (no external time(1) needed)."""
    pid = os.fork()
    if pid == 0:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            os.chdir(it.REPO)
            os.execve(TOOL, [TOOL] + SUBCOMMANDS[sub] + args, env())
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    return os.waitstatus_to_exitcode(status), usage.ru_maxrss


def records(path):
    with open(path) as f:
        return [json.loads(line)["payload"] for line in f if line.strip()]


def test_gzip_of_nuls_is_bounded():
    """100 MiB of NUL bytes with no newline, gzipped (~100 KB), then a good record: every
    subcommand names line 1 as too long, reads the record after it, exits 1, and stays
    far below the size of the line in memory."""
    tmp = tempfile.mkdtemp(prefix="impulse-inputs-")
    try:
        with open(os.path.join(FIX, "nested.json")) as f:
            good = f.readline()
        bomb = os.path.join(tmp, "logs_bomb.json.gz")
        with gzip.open(bomb, "wb", compresslevel=9) as g:
            chunk = b"\0" * (1 << 20)
            for _ in range(100):
                g.write(chunk)
            g.write(b"\n" + good.encode())
        for sub in SUBCOMMANDS:
            status, out, err = run(sub, [bomb])
            if status != 1:
                raise AssertionError("%s: status %d (want 1: a line skipped, a record read)\n%s"
                                     % (sub, status, err))
            want = r"%s:1: a line of %d bytes, longer than the 64 MiB a record may be: skipped" % (
                re.escape(bomb), 100 << 20)
            if not re.search(want, err):
                raise AssertionError("%s: no FILE:LINE message for the long line:\n%s" % (sub, err))
            if it.sanitizer_runtime():
                print("SKIP: the peak RSS check: a sanitizer build's allocator keeps freed "
                      "memory in quarantine")
                continue
            status, rss = peak_rss_kib(sub, [bomb])
            # chunks and read-ahead are a few MiB; the line alone would be 100 MiB
            if rss > 90 * 1024:
                raise AssertionError("%s: peak RSS %d KiB for a 100 MiB line" % (sub, rss))
        # only the bomb, no newline at all: nothing readable, status 2
        only = os.path.join(tmp, "logs_only.json.gz")
        with gzip.open(only, "wb") as g:
            for _ in range(70):
                g.write(b"\0" * (1 << 20))
        for sub in SUBCOMMANDS:
            status, out, err = run(sub, [only])
            if status != 2 or ":1: a line of" not in err:
                raise AssertionError("%s: status %d\n%s" % (sub, status, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_fifo_and_dev_zero_in_a_directory_are_skipped():
    tmp = tempfile.mkdtemp(prefix="impulse-inputs-")
    try:
        shutil.copy(os.path.join(FIX, "nested.json"), os.path.join(tmp, "logs_20260101T000000Z_1.json"))
        os.mkfifo(os.path.join(tmp, "logs_20260101T000001Z_2.json"))
        os.symlink("/dev/zero", os.path.join(tmp, "logs_20260101T000002Z_3.json"))
        want = records(os.path.join(FIX, "nested.json"))
        for sub in SUBCOMMANDS:
            status, out, err = run(sub, [tmp], timeout=30)
            if status != 1:
                raise AssertionError("%s: status %d (want 1)\n%s" % (sub, status, err))
            for name, why in (("_2.json", "a FIFO, not a regular file: skipped"),
                              ("_3.json", "a device or socket, not a regular file: skipped")):
                if not re.search(re.escape(name) + r": " + re.escape(why), err):
                    raise AssertionError("%s: %s not reported as skipped:\n%s" % (sub, name, err))
            if sub == "tail" and len(out.splitlines()) != len(want):
                raise AssertionError("tail: %d lines for %d records" % (len(out.splitlines()), len(want)))
        # the newest-file default skips them too: tree in a directory whose newest
        # logs_ file is the FIFO reads the regular one
        logs = os.path.join(tmp, "cwd", ".impulselogs")
        os.makedirs(logs)
        for n in os.listdir(tmp):
            if n.startswith("logs_"):
                src = os.path.join(tmp, n)
                if os.path.islink(src):
                    os.symlink(os.readlink(src), os.path.join(logs, n))
                elif n.endswith("_2.json"):
                    os.mkfifo(os.path.join(logs, n))
                else:
                    shutil.copy(src, os.path.join(logs, n))
        p = subprocess.run([TOOL, "tail", "-n", "1000", "--color=never"], capture_output=True,
                           env=env(), cwd=os.path.join(tmp, "cwd"), timeout=30)
        if p.returncode != 0 or len(p.stdout.decode().splitlines()) != len(want):
            raise AssertionError("tail in a directory whose newest file is a FIFO: %d\n%s"
                                 % (p.returncode, p.stderr.decode()))
        # a device named directly is refused, not read for ever
        for sub in SUBCOMMANDS:
            status, out, err = run(sub, ["/dev/zero"], timeout=30)
            if status != 2 or "not a regular file" not in err:
                raise AssertionError("%s /dev/zero: status %d\n%s" % (sub, status, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_exit_statuses_agree():
    tmp = tempfile.mkdtemp(prefix="impulse-inputs-")
    try:
        clean = os.path.join(FIX, "nested.json")
        with open(clean) as f:
            lines = f.readlines()
        bad = os.path.join(tmp, "logs_bad.json")
        with open(bad, "w") as f:
            f.writelines(lines[:2] + ["not json\n"] + lines[2:])
        missing = os.path.join(tmp, "missing.json")
        empty = os.path.join(tmp, "logs_empty.json")
        open(empty, "w").close()
        cases = (("every input read", [clean], 0),
                 ("an empty file", [empty], 0),
                 ("a malformed line", [bad], 1),
                 ("a missing input beside a good one", [clean, missing], 1),
                 ("only a missing input", [missing], 2),
                 ("an unknown option", [clean, "--no-such-option"], 2))
        for sub in SUBCOMMANDS:
            for what, args, want in cases:
                status, out, err = run(sub, args)
                if status != want:
                    raise AssertionError("impulse %s, %s: status %d, want %d\n%s"
                                         % (sub, what, status, want, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_repeated_filters_combine():
    """--hook A --hook B keeps the calls of both (and --thread, --session likewise), in
    tail and export exactly as the records say, in tree as the union of the two trees."""
    path = os.path.join(FIX, "nested.json")
    recs = records(path)
    hooks = ("a_outer", "b_bounce")
    want = [r for r in recs if r["trace_module"]["hook_id"] in hooks]
    if not want or len({r["trace_module"]["hook_id"] for r in want}) != 2:
        raise AssertionError("fixture: no calls of both hooks")
    args = [path, "--hook", hooks[0], "--hook", hooks[1]]
    status, out, err = run("tail", args)
    got = out.splitlines()
    if status != 0 or len(got) != len(want):
        raise AssertionError("tail: %d lines for %d records\n%s" % (len(got), len(want), out))
    for r in want:
        if not any(r["function"]["name"] + "(" in line for line in got):
            raise AssertionError("tail: no line for %s" % r["function"]["name"])
    status, out, err = run("export", args)
    xs = [e for e in json.loads(out)["traceEvents"] if e.get("ph") == "X"]
    if status != 0 or sorted(e["name"] for e in xs) != sorted(r["function"]["name"] for r in want):
        raise AssertionError("export: %s" % sorted(e["name"] for e in xs))
    status, both, err = run("tree", args)
    if status != 0:
        raise AssertionError("tree: status %d\n%s" % (status, err))
    calls = lambda text: {l.split("  ", 1)[1].strip() for l in text.splitlines()
                          if "(" in l and "process" not in l and "thread" not in l}
    union = set()
    for h in hooks:
        _, one, _ = run("tree", [path, "--hook", h])
        union |= calls(one)
    for h in hooks:
        n = sum(1 for l in both.splitlines() if re.search(r"\b%s\(" % h, l))
        k = sum(1 for r in recs if r["trace_module"]["hook_id"] == h)
        if n != k:
            raise AssertionError("tree: %d lines of %s for %d records:\n%s" % (n, h, k, both))
    if not union <= calls(both):
        raise AssertionError("tree --hook %s --hook %s lacks %s" % (hooks + (union - calls(both),)))
    # --thread twice: both groups' calls
    groups = sorted({r["trace_module"]["thread_id"] for r in recs if r["trace_module"]["thread_id"] != "root"})
    if len(groups) >= 2:
        status, out, err = run("tail", [path, "--thread", groups[0], "--thread", groups[1]])
        n = sum(1 for r in recs if r["trace_module"]["thread_id"] in groups[:2])
        if status != 0 or len(out.splitlines()) != n:
            raise AssertionError("tail --thread twice: %d lines for %d records" % (len(out.splitlines()), n))
