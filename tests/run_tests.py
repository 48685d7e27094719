#!/usr/bin/python3
"""run_tests.py — runs every test of libimpulse: each tests/**/test_*.py module's
`tests()` pairs (name, callable) and plain `test_*` functions.

Each test runs in its own subprocess (a crash fails that test, not the suite) with a
timeout (120 s, or the module's TIMEOUT), two at a time. One line per test, and the
last line is exactly "N passed, N failed"; the exit status is 0 iff none failed.

A test that cannot run here calls impulse_test.skip(reason): it is listed as
"skip NAME: reason", counted on a line of its own before the last one, and neither
passes nor fails. A test that skips only a part prints "SKIP: reason" and goes on;
the line is shown under its "ok". A test body that returns early without saying so is a test that
cannot fail: don't.

    /usr/bin/python3 tests/run_tests.py [-k SUBSTRING] [-v]

IMPULSE_BUILD names the build directory (default <repo>/build); it is passed on to
the tests as an absolute path. Python 3 standard library only.
"""

import argparse
import concurrent.futures
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
import traceback

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(TESTS_DIR)
LIB_DIR = os.path.join(TESTS_DIR, "lib")
DEFAULT_TIMEOUT = 120.0
WORKERS = 2
# The exit status of a test process that skipped (as automake's test drivers use 77).
SKIP_STATUS = 77


def module_files():
    found = []
    for dirpath, dirnames, filenames in os.walk(TESTS_DIR):
        dirnames[:] = sorted(d for d in dirnames
                             if d not in ("lib", "__pycache__") and not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith("test_") and name.endswith(".py"):
                found.append(os.path.join(dirpath, name))
    return found


def module_name(path):
    """trace/abi/test_abi.py -> trace.abi.test_abi"""
    rel = os.path.relpath(path, TESTS_DIR)
    return os.path.splitext(rel)[0].replace(os.sep, ".")


def load_module(path):
    if LIB_DIR not in sys.path:
        sys.path.insert(0, LIB_DIR)
    name = "impulse_tests." + module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def collect(mod):
    """[(name, callable)] of a module: tests() first, then test_* functions."""
    out = []
    seen = set()
    if callable(getattr(mod, "tests", None)):
        for name, fn in mod.tests():
            out.append((str(name), fn))
            seen.add(str(name))
    for attr in sorted(vars(mod)):
        fn = getattr(mod, attr)
        if attr.startswith("test_") and callable(fn) and attr not in seen \
                and getattr(fn, "__module__", None) == mod.__name__:
            out.append((attr, fn))
    return out


def run_one(path, name):
    """Child side: runs one test; exit 0 if it returned, 1 if it raised."""
    os.chdir(REPO)
    try:
        mod = load_module(path)
        fns = dict(collect(mod))
        if name not in fns:
            print("no test named %r in %s" % (name, path), file=sys.stderr)
            return 1
        fns[name]()
    except BaseException as e:  # noqa: a test may raise anything, SystemExit included
        if type(e).__name__ == "Skip":
            print("SKIP: %s" % e)
            return SKIP_STATUS
        traceback.print_exc()
        return 1
    return 0


class Test:
    def __init__(self, path, modname, name, timeout):
        self.path = path
        self.modname = modname
        self.name = name
        self.timeout = timeout

    @property
    def full_name(self):
        return "%s::%s" % (self.modname, self.name)


def execute(test, env):
    """Parent side: runs one test in a subprocess of its own session."""
    start = time.monotonic()
    argv = [sys.executable, os.path.abspath(__file__), "--run-one", test.path, test.name]
    proc = subprocess.Popen(argv, env=env, cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=test.timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        # The test and everything it started share its session: end them all.
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, _ = proc.communicate()
        timed_out = True
    elapsed = time.monotonic() - start
    text = out.decode("utf-8", "replace")
    if timed_out:
        text += "\ntimed out after %.0f s" % test.timeout
        ok = False
    elif proc.returncode < 0:
        text += "\nkilled by signal %d" % -proc.returncode
        ok = False
    elif proc.returncode == SKIP_STATUS and "SKIP: " in text:
        ok = None
    else:
        ok = proc.returncode == 0
    return ok, elapsed, text


def indent(text, prefix="    ", limit=6000):
    text = text.rstrip()
    if len(text) > limit:
        text = "...\n" + text[-limit:]
    return "\n".join(prefix + line for line in text.splitlines())


def main():
    ap = argparse.ArgumentParser(description="Run libimpulse's tests.")
    ap.add_argument("-k", dest="substring", help="run only tests whose module::name contains this")
    ap.add_argument("-v", dest="verbose", action="store_true", help="print every test's output")
    ap.add_argument("--run-one", nargs=2, metavar=("MODULE", "NAME"), help=argparse.SUPPRESS)
    opts = ap.parse_args()

    build = os.environ.get("IMPULSE_BUILD") or os.path.join(REPO, "build")
    os.environ["IMPULSE_BUILD"] = os.path.abspath(build)

    if opts.run_one:
        return run_one(*opts.run_one)

    env = dict(os.environ)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # A golden-file update switch left set in a shell would turn golden tests into
    # self-comparisons: the suite never passes it on (update with the test alone).
    for name in [n for n in env if n.endswith("_UPDATE_GOLDEN")]:
        print("note: %s is set: not passed to the tests" % name)
        del env[name]
    sys.dont_write_bytecode = True

    tests = []
    broken = []
    for path in module_files():
        modname = module_name(path)
        try:
            mod = load_module(path)
            timeout = float(getattr(mod, "TIMEOUT", DEFAULT_TIMEOUT))
            for name, _ in collect(mod):
                t = Test(path, modname, name, timeout)
                if not opts.substring or opts.substring in t.full_name:
                    tests.append(t)
        except BaseException:
            if not opts.substring or opts.substring in modname:
                broken.append(("%s::<import>" % modname, traceback.format_exc()))

    passed = failed = skipped = 0
    lock = threading.Lock()

    for full, text in broken:
        print("FAIL %s" % full)
        print(indent(text))
        failed += 1
    sys.stdout.flush()

    # Longest timeouts first: the slow tests start early and overlap the rest.
    order = sorted(tests, key=lambda t: -t.timeout)
    with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = {pool.submit(execute, t, env): t for t in order}
        for fut in concurrent.futures.as_completed(futures):
            t = futures[fut]
            ok, elapsed, text = fut.result()
            with lock:
                if ok is None:
                    skipped += 1
                    why = text[text.rindex("SKIP: ") + 6:].strip().splitlines()[0]
                    print("skip %s (%.1fs): %s" % (t.full_name, elapsed, why))
                elif ok:
                    passed += 1
                    print("ok   %s (%.1fs)" % (t.full_name, elapsed))
                    # a part of the test that could not run here says so, even without -v
                    for line in text.splitlines():
                        if line.startswith("SKIP: ") and not opts.verbose:
                            print("     part skipped: " + line[6:])
                    if opts.verbose and text.strip():
                        print(indent(text))
                else:
                    failed += 1
                    print("FAIL %s (%.1fs)" % (t.full_name, elapsed))
                    print(indent(text or "(no output)"))
                sys.stdout.flush()

    if skipped:
        print("%d skipped (listed above with their reasons)" % skipped)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
