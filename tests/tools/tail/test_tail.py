"""test_tail.py — `impulse tail`: the last N records of a file as one line each
(golden, from the nested fixture of tests/tools/tree); -f follows a log directory
while a traced program (tail_main: a call, a sleep, a call…) writes into it, printing
each record while the program still runs, and ends cleanly (exit 0) on SIGTERM and
SIGINT, also on a binary record file (format = binary); a partial last line waits for its newline and is not reported as malformed."""
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import impulse_test as it

HERE = os.path.dirname(os.path.abspath(__file__))
TREE_FIX = os.path.join(HERE, "..", "tree", "fixtures")
TOOL = os.path.join(it.BUILD, "impulse")
PROG = os.path.join(it.BUILD, "tests", "tools", "tail", "tail_main")


def env():
    e = it._base_env(None)
    for k in list(e):
        if k.startswith("IMPULSE_"):
            del e[k]
    return e


def test_last_n_golden():
    p = subprocess.run([TOOL, "tail", "-n", "4", "--color=never",
                        os.path.join(TREE_FIX, "nested.json")],
                       capture_output=True, env=env(), timeout=30)
    with open(os.path.join(HERE, "golden_n4.txt")) as f:
        want = f.read()
    if p.returncode or p.stdout.decode() != want:
        raise AssertionError("exit %d:\n%s\nexpected:\n%s" % (p.returncode, p.stdout.decode(),
                                                               want))


class Follower:
    """impulse tail -f ARGS in the background; lines with the time they came."""

    def __init__(self, args, cwd):
        self.lines = []
        self.p = subprocess.Popen([TOOL, "tail", "-f", "--color=never"] + args, cwd=cwd,
                                  env=env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            self.lines.append((time.monotonic(), line.decode().rstrip("\n")))

    def wait_for(self, text, timeout=10):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            for when, l in self.lines:
                if text in l:
                    return when
            time.sleep(0.05)
        raise AssertionError("tail -f never printed %r; got %r" % (text, self.lines))

    def stop(self, sig):
        self.p.send_signal(sig)
        rc = self.p.wait(timeout=10)
        self.t.join(5)
        return rc, self.p.stderr.read().decode()


def follow_program(sig, extra_env=None):
    tmp = tempfile.mkdtemp(prefix="impulse-tail-")
    logs = os.path.join(tmp, "logs")
    os.mkdir(logs)
    f = Follower(["-n", "0", logs], tmp)
    try:
        time.sleep(0.3)
        conf = os.path.join(HERE, "hooks.conf")
        e = env()
        e.update({"LD_PRELOAD": it._preload_value(), "IMPULSE_CONFIG": conf,
                  "IMPULSE_LOG_DIR": logs})
        e.update(extra_env or {})
        prog = subprocess.Popen([PROG, "3", "700"], env=e, cwd=tmp, stdout=subprocess.PIPE)
        first = f.wait_for("tl_step(i=0) = 0")
        still_running = prog.poll() is None
        prog.wait(timeout=30)
        ended = time.monotonic()
        f.wait_for("tl_step(i=2) = 20")
        f.wait_for("process tail_main(")
        if not still_running or first >= ended:
            raise AssertionError("the first record was shown only after the program ended")
        rc, err = f.stop(sig)
        if rc != 0 or err:
            raise AssertionError("tail -f exit %d on signal %d, stderr %r" % (rc, sig, err))
        steps = [l for _, l in f.lines if "tl_step(" in l]
        if len(steps) != 3 or not all(" default " in l for l in steps):
            raise AssertionError("lines: %r" % f.lines)
    finally:
        if f.p.poll() is None:
            f.p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def test_follow_running_program_sigterm():
    follow_program(signal.SIGTERM)


def test_follow_running_program_sigint():
    follow_program(signal.SIGINT)


def test_follow_running_program_binary():
    """format = binary: the .impulse file is rendered as it grows, record by record."""
    follow_program(signal.SIGTERM, {"IMPULSE_FORMAT": "binary"})


def test_partial_line_waits_for_newline():
    tmp = tempfile.mkdtemp(prefix="impulse-tail-")
    try:
        with open(os.path.join(TREE_FIX, "nested.json")) as src:
            lines = src.readlines()
        path = os.path.join(tmp, "logs_x.json")
        with open(path, "w") as out:
            out.writelines(lines[:2])
        f = Follower(["-n", "1", path], tmp)
        f.wait_for("b_inner(x=1, k=2) = 12")
        with open(path, "a") as out:
            out.write(lines[2][:50])
            out.flush()
            time.sleep(0.6)
            if len(f.lines) != 1:
                raise AssertionError("a partial line was printed: %r" % f.lines)
            out.write(lines[2][50:])
        f.wait_for("a_outer(x=1) = 23")
        rc, err = f.stop(signal.SIGTERM)
        if rc != 0 or err:
            raise AssertionError("exit %d, stderr %r" % (rc, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
