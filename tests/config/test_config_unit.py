"""Runs the C unit tests of the config/ API: $IMPULSE_BUILD/tests/cfg_unit (the
parser's API) and $IMPULSE_BUILD/tests/mongo_uri_unit (masking and checking MongoDB
URIs, the mongo_* settings).

Each prints one line per failed check and exits 1. With IMPULSE_VALGRIND=1 they run
under valgrind, and a leak or memory error fails the test.
"""

import os
import subprocess


def _run(name):
    build = os.environ.get("IMPULSE_BUILD", "/work/main/build")
    exe = os.path.join(build, "tests", name)
    if not os.access(exe, os.X_OK):
        raise AssertionError("%s is not built (make build/tests/%s)" % (exe, name))
    cmd = [exe]
    if os.environ.get("IMPULSE_VALGRIND") == "1":
        cmd = ["valgrind", "-q", "--error-exitcode=99", "--leak-check=full",
               "--errors-for-leak-kinds=all"] + cmd
    r = subprocess.run(cmd, capture_output=True, timeout=120)
    if r.returncode != 0:
        raise AssertionError("%s exited %d\n%s%s" % (
            name, r.returncode, r.stdout.decode("utf-8", "replace"),
            r.stderr.decode("utf-8", "replace")))


def test_config_unit():
    _run("cfg_unit")


def test_mongo_uri_unit():
    _run("mongo_uri_unit")


if __name__ == "__main__":
    test_config_unit()
    test_mongo_uri_unit()
    print("ok")
