"""Runs the x86-64 ABI unit tests (tests/unit/abi_unit.mk): abi_classify_test checks
arch_locate_args and the frame readers against the System V ABI's rules by hand;
abi_frame_test checks them, and the trampoline, against real calls compiled by gcc.
Each binary prints one line per failed check and exits 1 if any failed."""

import os
import subprocess

BINARIES = ["abi_classify_test", "abi_frame_test"]


def build_dir():
    return os.environ.get("IMPULSE_BUILD") or os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "build")


def make_test(name):
    def test():
        exe = os.path.join(build_dir(), "tests", "unit", name)
        if not os.access(exe, os.X_OK):
            raise AssertionError("%s is not built (make tests-build)" % exe)
        env = dict(os.environ)
        env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        r = subprocess.run([exe], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                           timeout=120)
        out = r.stdout.decode("utf-8", "replace")
        if r.returncode != 0:
            what = "killed by signal %d" % -r.returncode if r.returncode < 0 \
                else "exited %d" % r.returncode
            raise AssertionError("%s %s\n%s" % (name, what, out))
        print(out.rstrip())
    return test


def tests():
    return [(name, make_test(name)) for name in BINARIES]
