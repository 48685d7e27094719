"""Config test cases: one test per folder of tests/config/cases/.

A case folder holds hooks.conf (absent for the missing-file case) and either
`expected` (the exact output of cfgdump, which must exit 0) or `error` (the exact
error line, which cfgdump prints on stdout before exiting 1). An optional `args`
file lists KEY=VALUE overrides, one per line, that cfgdump applies with cfg_set().

cfgdump runs from inside the case folder with the relative path `hooks.conf`, so
positions read "hooks.conf:LINE:COL". IMPULSE_BUILD names the build directory
(default /work/main/build). With IMPULSE_VALGRIND=1 every run is wrapped in
valgrind, and a leak or memory error fails the case.
"""

import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")


def _cfgdump():
    build = os.environ.get("IMPULSE_BUILD", "/work/main/build")
    return os.path.join(build, "tests", "cfgdump")


def _read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _run_case(folder):
    exe = _cfgdump()
    if not os.access(exe, os.X_OK):
        raise AssertionError("%s is not built (make %s)" % (exe, "build/tests/cfgdump"))
    args = []
    args_file = os.path.join(folder, "args")
    if os.path.exists(args_file):
        args = [line for line in _read(args_file).split("\n") if line]
    expected_file = os.path.join(folder, "expected")
    error_file = os.path.join(folder, "error")
    if os.path.exists(expected_file):
        want, want_rc = _read(expected_file), 0
    elif os.path.exists(error_file):
        want, want_rc = _read(error_file), 1
    else:
        raise AssertionError("%s has neither 'expected' nor 'error'" % folder)

    cmd = [exe, "hooks.conf"] + args
    if os.environ.get("IMPULSE_VALGRIND") == "1":
        # exit code 99 tells a valgrind finding from cfgdump's own exit 1
        cmd = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
               "--errors-for-leak-kinds=all"] + cmd
    try:
        r = subprocess.run(cmd, cwd=folder, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        raise AssertionError("cfgdump timed out in %s" % folder)
    out = r.stdout.decode("utf-8", "replace")
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode == 99:
        raise AssertionError("valgrind found errors:\n%s" % err)
    if r.returncode != want_rc or out != want:
        raise AssertionError(
            "cfgdump hooks.conf%s in %s\nexit code %d, expected %d\n"
            "--- expected\n%s--- got\n%s--- stderr\n%s"
            % ("".join(" " + a for a in args), folder, r.returncode, want_rc,
               want, out, err))


def tests():
    """One (name, callable) per case folder, in name order."""
    result = []
    for name in sorted(os.listdir(CASES)):
        folder = os.path.join(CASES, name)
        if os.path.isdir(folder):
            result.append((name, lambda folder=folder: _run_case(folder)))
    return result


if __name__ == "__main__":
    failed = 0
    for name, fn in tests():
        try:
            fn()
            print("ok    " + name)
        except AssertionError as e:
            failed += 1
            print("FAIL  %s\n%s" % (name, e))
    print("%d failed" % failed)
    raise SystemExit(1 if failed else 0)
