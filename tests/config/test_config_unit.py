"""Runs $IMPULSE_BUILD/tests/cfg_unit, the C unit tests of the config/ API.

cfg_unit prints one line per failed check and exits 1. With IMPULSE_VALGRIND=1 it
runs under valgrind, and a leak or memory error fails the test.
"""

import os
import subprocess


def test_config_unit():
    build = os.environ.get("IMPULSE_BUILD", "/work/main/build")
    exe = os.path.join(build, "tests", "cfg_unit")
    if not os.access(exe, os.X_OK):
        raise AssertionError("%s is not built (make build/tests/cfg_unit)" % exe)
    cmd = [exe]
    if os.environ.get("IMPULSE_VALGRIND") == "1":
        cmd = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
               "--errors-for-leak-kinds=all"] + cmd
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError("cfg_unit exited %d\n%s%s" % (
            r.returncode, r.stdout.decode("utf-8", "replace"),
            r.stderr.decode("utf-8", "replace")))


if __name__ == "__main__":
    test_config_unit()
    print("ok")
