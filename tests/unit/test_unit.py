"""Runs the C unit tests of the preload modules, $IMPULSE_BUILD/tests/unit/<name>.

Each binary prints one line per failed check (file:line: what) and a summary, and
exits 1 if any check failed; a test here passes when its binary exits 0, and shows
the binary's output when it does not. UBSan is made to stop at the first error so
that a sanitizer build fails on one.

ring_tsan is ring_test built with ThreadSanitizer. When the compiler could not link
it, tests/unit/unit_tests.mk left ring_tsan.skip instead, and that test says so and
passes; so it does when the ThreadSanitizer runtime cannot start on this kernel.
"""

import os
import subprocess

import impulse_test as it

TIMEOUT = 300

BINARIES = ["jsonw_test", "jsonw_golden_test", "ring_test", "calls_test", "safe_copy_test", "status_test",
            "fmtscan_test", "bufrender_test", "valw_test", "fd_high_test", "life_test"]


def build_dir():
    return os.environ.get("IMPULSE_BUILD") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build")


def run(name, args=(), env_extra=None):
    exe = os.path.join(build_dir(), "tests", "unit", name)
    if not os.access(exe, os.X_OK):
        raise AssertionError("%s is not built (make tests-build)" % exe)
    env = dict(os.environ)
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    env.update(env_extra or {})
    r = subprocess.run([exe] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       env=env, timeout=TIMEOUT - 20)
    out = r.stdout.decode("utf-8", "replace")
    return r.returncode, out


def check(name, args=(), env_extra=None):
    rc, out = run(name, args, env_extra)
    if rc != 0:
        what = "killed by signal %d" % -rc if rc < 0 else "exited %d" % rc
        raise AssertionError("%s %s\n%s" % (name, what, out))
    print(out.rstrip())


def make_test(name):
    def test():
        check(name)
    return test


def ring_tsan():
    exe = os.path.join(build_dir(), "tests", "unit", "ring_tsan")
    if os.path.exists(exe + ".skip") and not os.access(exe, os.X_OK):
        with open(exe + ".skip", encoding="utf-8", errors="replace") as f:
            it.skip("ThreadSanitizer unavailable: " + f.read().strip().replace("\n", " "))
    # A race report makes the binary exit 66 even when every check passed.
    rc, out = run("ring_tsan", env_extra={"TSAN_OPTIONS": "halt_on_error=1:exitcode=66"})
    if rc != 0 and "ThreadSanitizer: unexpected memory mapping" in out:
        it.skip("the ThreadSanitizer runtime cannot start here (try: sysctl "
                "vm.mmap_rnd_bits=28): " + out.strip()[-300:].replace("\n", " "))
    if rc != 0 or "WARNING: ThreadSanitizer" in out:
        raise AssertionError("ring_tsan exited %d\n%s" % (rc, out))
    print(out.rstrip())


def tests():
    return [(name, make_test(name)) for name in BINARIES] + [("ring_tsan", ring_tsan)]


if __name__ == "__main__":
    for n, fn in tests():
        fn()
        print("ok", n)
