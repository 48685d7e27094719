"""Real programs not written here, traced with prototypes in hooks.conf: the number
of calls of each function equals what ltrace counts for the same run (ltrace is the
oracle), and the output is unchanged. cat with write/read/open/close hooked also
shows that the tracer's own writes are not recorded."""

import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

TIMEOUT = 400

LS_CONF = """
[thread dir]
void *opendir(const char *name);
struct dirent *readdir(void *dirp);
int closedir(void *dirp);
[thread stat]
int statx(int dirfd, const char *pathname, int flags, unsigned int mask, struct statx *statxbuf);
struct passwd *getpwuid(uid_t uid);
struct group *getgrgid(gid_t gid);
[thread sort]
int strcoll(const char *s1, const char *s2);
"""
LS_FUNCS = ("opendir", "readdir", "closedir", "statx", "getpwuid", "getgrgid", "strcoll")

CAT_CONF = """
int open(const char *path, int flags, ...);
ssize_t read(int fd, void *buf, size_t count);
ssize_t write(int fd, const void *buf, size_t count);
int close(int fd);
"""
CAT_FUNCS = ("open", "read", "write", "close")


def imported(binary):
    out = subprocess.run(["nm", "-D", "--undefined-only", binary], capture_output=True,
                         text=True, check=True).stdout
    return {line.split()[-1].split("@")[0] for line in out.splitlines() if line.strip()}


def ltrace_counts(argv, funcs, env):
    """Calls per function as `ltrace -c` counts them."""
    tmp = tempfile.mkdtemp(prefix="impulse-ltrace-")
    try:
        out = os.path.join(tmp, "ltrace.out")
        proc = subprocess.run(["ltrace", "-c", "-e", "+".join(funcs), "-o", out] + argv,
                              env=env, capture_output=True, timeout=300)
        with open(out) as f:
            text = f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    counts = {}
    for line in text.splitlines():
        m = re.match(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\S+)\s*$", line)
        if m and m.group(2) != "total":
            counts[m.group(2)] = int(m.group(1))
    return proc, counts


def compare(argv, conf, funcs, env=None):
    binary = argv[0]
    missing = set(funcs) - imported(binary)
    if missing:
        raise AssertionError("%s does not import %s: pick other functions" % (binary, missing))
    full_env = dict(os.environ, LC_ALL="C", TZ="UTC", **(env or {}))
    full_env.pop("LD_PRELOAD", None)
    lproc, want = ltrace_counts(argv, funcs, full_env)
    if not want:
        raise AssertionError("ltrace counted nothing; its stderr:\n%s" % lproc.stderr[-2000:])
    run_, recs = it.check_run(argv, conf, env={"TZ": "UTC"}, untraced_env={"TZ": "UTC"})
    got = {f: n for f, n in recs.counts().items()}
    want_full = {f: want.get(f, 0) for f in funcs}
    got_full = {f: got.get(f, 0) for f in funcs}
    if got_full != want_full or set(got) - set(funcs):
        by_caller = {}
        for r in recs.calls():
            key = (it.fn_name(r), os.path.basename(r["payload"]["function"]["caller"] or "?"))
            by_caller[key] = by_caller.get(key, 0) + 1
        raise AssertionError("calls per function: libimpulse %s, ltrace %s\n"
                             "libimpulse by caller: %s" % (got_full, want_full, by_caller))
    for r in recs.calls():
        if r["payload"]["status"] != "success":
            raise AssertionError("%s: status %s" % (it.describe(r), r["payload"]["status"]))
    return run_, recs


def test_ls_counts_equal_ltrace():
    tmp = tempfile.mkdtemp(prefix="impulse-ls-")
    try:
        for i in range(200):
            with open(os.path.join(tmp, "file%03d" % i), "w") as f:
                f.write("x" * i)
        os.mkdir(os.path.join(tmp, "sub"))
        argv = ["/usr/bin/ls", "-l", "/usr/bin", tmp]
        run_, recs = compare(argv, LS_CONF, LS_FUNCS)
        # Each opendir's name argument is one of the directories listed.
        names = sorted(it.args(r)["name"] for r in recs.calls("opendir"))
        if names != sorted(["/usr/bin", tmp]):
            raise AssertionError("opendir names %s" % names)
        for r in recs.calls("readdir"):
            if not isinstance(it.args(r)["dirp"], str) or r["payload"]["output"] is not None \
                    and not isinstance(r["payload"]["output"], str):
                raise AssertionError("readdir record: %s" % it.describe(r))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def test_cat_io_hooked():
    tmp = tempfile.mkdtemp(prefix="impulse-cat-")
    try:
        path = os.path.join(tmp, "input.txt")
        with open(path, "w") as f:
            f.write("".join("line %d\n" % i for i in range(20000)))
        argv = ["/usr/bin/cat", path, "/etc/hostname"]
        run_, recs = compare(argv, CAT_CONF, CAT_FUNCS)
        opens = [it.args(r)["path"] for r in recs.calls("open")]
        if path not in opens:
            raise AssertionError("open(%s) not recorded: %s" % (path, opens))
        for r in recs.calls("write"):
            if it.args(r)["fd"] != 1:
                raise AssertionError("a write not by cat to stdout was recorded: %s"
                                     % it.describe(r))
        written = sum(it.output(r) for r in recs.calls("write"))
        if written != len(run_.stdout):
            raise AssertionError("write records total %d bytes, cat wrote %d"
                                 % (written, len(run_.stdout)))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
