"""Runs $IMPULSE_BUILD/tests/redact_unit: which bytes each redact_pattern masks, and
the pattern list's parser (results, messages, error offsets)."""

import os
import subprocess


def test_redact_unit():
    build = os.environ.get("IMPULSE_BUILD", "/work/main/build")
    exe = os.path.join(build, "tests", "redact_unit")
    if not os.access(exe, os.X_OK):
        raise AssertionError("%s is not built (make build/tests/redact_unit)" % exe)
    r = subprocess.run([exe], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError("redact_unit exited %d\n%s%s" % (
            r.returncode, r.stdout.decode("utf-8", "replace"), r.stderr.decode("utf-8", "replace")))
