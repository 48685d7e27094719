"""Secure execution (AT_SECURE: set-user-ID and set-group-ID programs): libimpulse
takes nothing from the environment or the working directory and stays off.

glibc's loader, in secure mode, preloads only LD_PRELOAD names without a slash,
found in its trusted system directories, whose file is itself set-user-ID (ld.so(8);
elf/dl-load.c checks S_ISUID for such objects). So the test installs a set-user-ID
copy of libimpulse.so as /usr/lib/<multiarch>/libimpulse-test-<pid>.so for the
test's duration (removed after), makes set-user-ID (and set-group-ID) copies of
secure_main, and runs them as nobody with LD_PRELOAD naming that copy, IMPULSE_CONFIG
and IMPULSE_LOG_DIR set, and a hooks.conf in the working directory. The program
says on stderr that AT_SECURE is 1 and that libimpulse is loaded in it, so the
tracer really ran its constructor; no log appears anywhere, and stdout and the exit
status equal the untraced run's. The same copy without the set-ID bit, run the same
way, does write its log where IMPULSE_LOG_DIR says: the setup would be traced but
for secure execution.

Needs root (to install into the system directory and switch to nobody); a sanitizer
build is skipped (its runtime must be preloaded by path, which secure mode ignores).
"""

import glob
import json
import os
import shutil
import stat
import subprocess
import tempfile

import impulse_test as it

CONF = "[thread secure]\nsize_t strlen(const char *s);\n"


def _system_lib_dir():
    multiarch = subprocess.run(["gcc", "-print-multiarch"], capture_output=True,
                               text=True).stdout.strip()
    dirs = ["/usr/lib/" + multiarch, "/lib/" + multiarch] if multiarch else []
    for d in dirs + ["/usr/lib64", "/lib64"]:
        if os.path.isdir(d):
            return d
    raise AssertionError("no trusted library directory found")


def _as_nobody(argv, env, cwd):
    cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "env", "-i"]
    cmd += ["%s=%s" % kv for kv in sorted(env.items())] + argv
    return subprocess.run(cmd, cwd=cwd, capture_output=True, timeout=60)


def _logs(top):
    return [p for p in glob.glob(os.path.join(top, "**", "*.json"), recursive=True)]


def test_secure_execution_takes_nothing_from_env_or_cwd():
    if os.geteuid() != 0:
        raise AssertionError("this test needs root (tests run as root)")
    if "libasan" in it._preload_value() or "libtsan" in it._preload_value():
        it.skip("sanitizer build: its runtime cannot be preloaded in secure mode")
    work = tempfile.mkdtemp(prefix="impulse-secure-")
    lib = "libimpulse-test-%d.so" % os.getpid()
    lib_path = os.path.join(_system_lib_dir(), lib)
    try:
        os.chmod(work, 0o755)
        src = it.program("hostile", "secure_main")
        progs = {}
        for name, mode in (("suid", 0o4755), ("sgid", 0o2755), ("plain", 0o755)):
            progs[name] = os.path.join(work, name)
            shutil.copy(src, progs[name])
            os.chown(progs[name], 0, 0)
            os.chmod(progs[name], mode)
        env_dir = os.path.join(work, "env")
        os.mkdir(env_dir)
        os.chmod(env_dir, 0o777)
        for f in ("hooks.conf", "env.conf"):
            with open(os.path.join(work, f), "w") as fh:
                fh.write(CONF)
        shutil.copy(it.LIBIMPULSE, lib_path)
        os.chmod(lib_path, 0o4755)
        base = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
        untraced = _as_nobody(["./suid"], base, work)
        if untraced.returncode != 7 or untraced.stdout != b"answer 42 len 2\n":
            raise AssertionError("untraced run: %d %r %r" % (untraced.returncode, untraced.stdout,
                                                            untraced.stderr))
        with_env = dict(base, LD_PRELOAD=lib, IMPULSE_CONFIG=os.path.join(work, "env.conf"),
                        IMPULSE_LOG_DIR=os.path.join(env_dir, "logs"), IMPULSE_VERBOSE="1")
        cwd_only = dict(base, LD_PRELOAD=lib)
        for prog in ("suid", "sgid"):
            for env in (with_env, cwd_only):
                r = _as_nobody(["./" + prog], env, work)
                what = "%s with %s" % (prog, sorted(env))
                if r.returncode != untraced.returncode or r.stdout != untraced.stdout:
                    raise AssertionError("%s: behaviour changed: %d %r %r" % (
                        what, r.returncode, r.stdout, r.stderr))
                if r.stderr != b"AT_SECURE=1 libimpulse=loaded\n":
                    raise AssertionError("%s: expected a secure process with libimpulse loaded "
                                         "and silent, stderr %r" % (what, r.stderr))
                if _logs(work):
                    raise AssertionError("%s: a log was written: %s" % (what, _logs(work)))
        # The control: the same setup without the set-ID bit is traced.
        r = _as_nobody(["./plain"], with_env, work)
        logs = _logs(env_dir)
        if r.returncode != 7 or b"AT_SECURE=0 libimpulse=loaded" not in r.stderr or len(logs) != 1:
            raise AssertionError("control run: %d %r, logs %s" % (r.returncode, r.stderr, logs))
        with open(logs[0]) as f:
            recs = it.Records([json.loads(line) for line in f if line.strip()])
        if [it.args(x)["s"] for x in recs.calls("strlen")] != ["42"]:
            raise AssertionError("control run records: %s" % [it.describe(x) for x in recs.all])
        st = os.lstat(os.path.dirname(logs[0]))
        if stat.S_IMODE(st.st_mode) != 0o700 or st.st_uid != 65534:
            raise AssertionError("control log dir mode %o uid %d" % (stat.S_IMODE(st.st_mode), st.st_uid))
    finally:
        if os.path.exists(lib_path):
            os.unlink(lib_path)
        shutil.rmtree(work, ignore_errors=True)
