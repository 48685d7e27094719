"""vfork: a child that execs or calls _exit shares the parent's memory; it must
neither stop the parent's tracing nor hang on the parent's logger."""

import os
import shutil
import subprocess
import tempfile

import impulse_test as it

CASE = "vfork"
PYTHON = "/usr/bin/python3"
GXX = "/usr/bin/g++"


def test_vfork():
    argv = [it.program(CASE, "vfork_main")]
    untraced = it.run_untraced(argv, timeout=30)
    run_ = it.run_traced(argv, it.conf(CASE), timeout=30)
    try:
        it.assert_same_behaviour(run_, untraced)
        # Two images: this program and the /bin/true it exec'd in the vfork child.
        recs, _ = it.check_process_tree(run_.records, 2)
        main = [r for r in recs.roots() if r["payload"]["function"]["name"] == "vfork_main"][0]
        true = [r for r in recs.roots() if r["payload"]["function"]["name"] == "true"][0]
        # vfork + execv in main, outside any hooked call: /bin/true names main's root.
        if it.root_parent(true) != (it.call_id(main), "vfork_main", it.module_of(main)):
            raise AssertionError("/bin/true's root parent %s" % (it.root_parent(true),))
        got = sorted((it.args(r)["x"], it.output(r)) for r in recs.calls("vf_leaf"))
        if got != [(1, 101), (2, 102)]:
            raise AssertionError("vf_leaf records %s" % got)
    finally:
        run_.cleanup()


def test_vfork_hooked_explicitly():
    """vfork + exec and vfork + _exit with vfork named in hooks.conf (was: the parent
    saw vfork() return 0 and exited 255): refused, the program unchanged, the
    parent's calls recorded and the child's not."""
    argv = [it.program(CASE, "vfork_main")]
    conf = it.conf(CASE, "hooks_explicit.conf")
    untraced = it.run_untraced(argv, timeout=30)
    run_ = it.run_traced(argv, conf, timeout=30)
    try:
        it.assert_same_behaviour(run_, untraced)
        recs, _ = it.check_process_tree(run_.records, 2)
        got = sorted((it.args(r)["x"], it.output(r)) for r in recs.calls("vf_leaf"))
        if got != [(1, 101), (2, 102)]:
            raise AssertionError("vf_leaf records %s" % got)
        if recs.calls("vfork"):
            raise AssertionError("vfork recorded")
    finally:
        run_.cleanup()
    it.assert_hooks_refused(conf, argv, ("vfork", "__vfork"), "returns twice")


PY_SUBPROCESS = ("import subprocess, sys\n"
                 "r = subprocess.run(['/bin/echo', 'hello'], capture_output=True)\n"
                 "print(r.returncode, r.stdout)\n"
                 "r = subprocess.run(['/bin/sh', '-c', 'exit 3'])\n"
                 "print(r.returncode)\n")


def test_python_subprocess_vfork_hooked():
    """python3's subprocess.run starts children with vfork (was: exit 139)."""
    if not os.path.exists(PYTHON):
        it.skip("%s is not installed" % PYTHON)
    argv = [PYTHON, "-c", PY_SUBPROCESS]
    conf = it.conf(CASE, "real.conf")
    untraced = it.run_untraced(argv, timeout=60)
    run_ = it.run_traced(argv, conf, timeout=60)
    try:
        it.assert_same_behaviour(run_, untraced)
        if untraced.stdout != b"0 b'hello\\n'\n3\n":
            raise AssertionError("untraced python3: %r" % untraced.stdout)
        recs = it.Records(run_.records)
        mine = [r for r in recs.roots() if it.fn_name(r) == "python3"
                or it.fn_name(r).startswith("python3")]
        if not mine or not recs.calls("close"):
            raise AssertionError("python3 traced nothing: roots %s"
                                 % [it.fn_name(r) for r in recs.roots()])
        if recs.calls("vfork"):
            raise AssertionError("vfork recorded")
    finally:
        run_.cleanup()
    it.assert_hooks_refused(conf, argv, ("vfork",), "returns twice")


def test_gxx_vfork_hooked():
    """g++ starts cc1 and as with vfork (was: exit 255, no output): the object file
    it writes is the untraced run's, byte for byte."""
    if not os.path.exists(GXX):
        it.skip("%s is not installed" % GXX)
    conf = it.conf(CASE, "real.conf")
    src = "int twice(int x) { return 2 * x; }\nint main() { return twice(0); }\n"
    objs = []
    for traced in (False, True):
        workdir = tempfile.mkdtemp(prefix="impulse-gxx-")
        try:
            with open(os.path.join(workdir, "small.cc"), "w") as f:
                f.write(src)
            argv = [GXX, "-O2", "-c", "small.cc", "-o", "small.o"]
            if traced:
                run_ = it.run_traced(argv, conf, timeout=120, cwd=workdir)
                proc = run_.proc
            else:
                proc = it.run_untraced(argv, timeout=120, cwd=workdir)
            try:
                if proc.returncode != 0 or proc.stdout:
                    raise AssertionError("g++ %s exited %d: %s" % (
                        "traced" if traced else "untraced", proc.returncode, proc.stderr[-2000:]))
                with open(os.path.join(workdir, "small.o"), "rb") as f:
                    objs.append(f.read())
                if traced:
                    recs = it.Records(run_.records)
                    if not recs.calls("close") or recs.calls("vfork"):
                        raise AssertionError("g++ records: %s" % recs.counts())
            finally:
                if traced:
                    run_.cleanup()
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
    if objs[0] != objs[1]:
        raise AssertionError("small.o differs traced vs untraced")
    if it.sanitizer_runtime():
        # impulse check preloads libimpulse alone; g++ then dies in the runtime's init
        print("SKIP: impulse check on g++: a sanitizer build needs its runtime preloaded first")
        return
    it.assert_hooks_refused(conf, [GXX, "--version"], ("vfork",), "returns twice")
