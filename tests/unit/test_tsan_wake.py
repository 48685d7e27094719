"""ThreadSanitizer on the rings with several producers and the full-ring wait/wake
protocol (tests/unit/ring_wake_test.c, tests/unit/tsan_unit.mk):
ring_wake_tsan must pass with no report, and ring_wake_tsan_broken (a relaxed load
of head: a real race) must be reported, which shows the first can fail."""

import os
import subprocess

import impulse_test as it

TSAN_ENV = {"TSAN_OPTIONS": "halt_on_error=1:exitcode=66"}


def _exe(name):
    build = os.environ.get("IMPULSE_BUILD", "/work/main/build")
    return os.path.join(build, "tests", "unit", name)


def _run(name):
    """(returncode, output), or None with a message when TSan cannot run here."""
    exe = _exe(name)
    skip = _exe("ring_tsan") + ".skip"
    if not os.access(exe, os.X_OK):
        if os.path.exists(skip):
            print("skipped: ThreadSanitizer unavailable (%s)" % skip)
            return None
        raise AssertionError("%s is not built" % exe)
    r = subprocess.run([exe], capture_output=True, timeout=300, env=dict(os.environ, **TSAN_ENV))
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    if r.returncode != 0 and "ThreadSanitizer: unexpected memory mapping" in out:
        it.skip("the ThreadSanitizer runtime cannot start here: " + out[-300:].replace("\n", " "))
    return r.returncode, out


def test_ring_wake_tsan():
    got = _run("ring_wake_tsan")
    if got is None:
        return
    rc, out = got
    if rc != 0 or "WARNING: ThreadSanitizer" in out or "in order and intact" not in out:
        raise AssertionError("ring_wake_tsan exited %d\n%s" % (rc, out[-4000:]))
    print(out.strip())


def test_ring_wake_tsan_finds_broken_variant():
    got = _run("ring_wake_tsan_broken")
    if got is None:
        return
    rc, out = got
    if rc != 66 or "WARNING: ThreadSanitizer: data race" not in out:
        raise AssertionError("the deliberate race was not reported (exit %d)\n%s" % (rc, out[-4000:]))
