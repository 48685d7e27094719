"""libimpulse writes nothing on the program's descriptors (issue 11, point 3):
diagnostics go to a .diag file beside the records and into the root record, and
`impulse run` shows each once. Config and log paths from the environment, and a
relative log_dir, are made absolute at start, so a child that changes directory
writes beside its parent and never into its new directory."""

import os
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

CASE = "diag"
NOMATCH_CONF = ("# hooks that no program imports: each process image says so\n"
                "int impulse_nomatch_one(int x);\n"
                "int impulse_nomatch_two(const char *s);\n")
NOWHERE = re.compile(r"hook impulse_nomatch_(one|two) \(.*hooks\.conf:\d+:1\): installed nowhere")


def _skip(reason):
    it.skip(reason)


def _tree(prefix):
    src = tempfile.mkdtemp(prefix=prefix)
    with open(os.path.join(src, "data.txt"), "w") as f:
        f.write("some data to archive\n" * 200)
    os.utime(os.path.join(src, "data.txt"), (1700000000, 1700000000))
    return src


def test_tar_unmatched_hooks_stderr_silent():
    """tar czf whose hooks match nothing: stderr as untraced (empty), the archive on
    stdout byte for byte the same, and every process image's messages in its .diag
    file and its root record."""
    tar, gzip = shutil.which("tar"), shutil.which("gzip")
    if not tar or not gzip:
        return _skip("tar or gzip not installed")
    src = _tree("impulse-diag-tar-")
    argv = [tar, "czf", "-", "-C", src, "data.txt"]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, NOMATCH_CONF)
    try:
        it.assert_same_behaviour(run_, untraced)
        if run_.stderr:
            raise AssertionError("traced stderr not empty: %r" % run_.stderr[:500])
        lines = run_.diagnostics()
        pids = set()
        for line in lines:
            m = re.match(r"^libimpulse\[(\d+)\]: (.*)$", line)
            if not m:
                raise AssertionError("malformed .diag line: %r" % line)
            pids.add(int(m.group(1)))
        if len(pids) < 2:
            raise AssertionError("expected messages from tar and gzip, got pids %s: %s"
                                 % (pids, lines))
        if len(run_.diag_files()) != len(pids):
            raise AssertionError("one .diag file per process expected: %s" % run_.diag_files())
        for name in ("one", "two"):
            said = [l for l in lines if NOWHERE.search(l) and "nomatch_" + name in l]
            if len(said) != len(pids):
                raise AssertionError("'installed nowhere' for impulse_nomatch_%s said %d times "
                                     "by %d processes:\n%s" % (name, len(said), len(pids),
                                                               "\n".join(lines)))
        for path in run_.diag_files():
            mode = os.stat(path).st_mode & 0o777
            if mode != 0o600:
                raise AssertionError("%s has mode %o, expected 600" % (path, mode))
        recs = it.Records(run_.records)
        for r in recs:
            it.check_record_shape(r)
        if len(recs.roots()) != len(pids):
            raise AssertionError("%d roots for %d processes" % (len(recs.roots()), len(pids)))
        for rt in recs.roots():
            d = rt["payload"]["arguments"].get("diagnostics")
            if not d or not any(NOWHERE.search(m) for m in d["messages"]) or d["omitted"]:
                raise AssertionError("root of pid %d: diagnostics %r"
                                     % (rt["payload"]["process"]["pid"], d))
    finally:
        run_.cleanup()
        shutil.rmtree(src, ignore_errors=True)


def test_tar_impulse_run_says_it_once():
    """`impulse run` prints each distinct message once for the whole run."""
    tar, gzip = shutil.which("tar"), shutil.which("gzip")
    if not tar or not gzip:
        return _skip("tar or gzip not installed")
    if "libasan" in it._preload_value():
        return _skip("impulse run preloads libimpulse alone: a sanitizer build needs its "
                     "runtime first")
    src = _tree("impulse-diag-run-")
    work = tempfile.mkdtemp(prefix="impulse-diag-run-")
    try:
        conf = os.path.join(work, "hooks.conf")
        with open(conf, "w") as f:
            f.write(NOMATCH_CONF)
        logs = os.path.join(work, "logs")
        p = subprocess.run([os.path.join(it.BUILD, "impulse"), "run", "-c", conf, "-o", logs, "--",
                            tar, "czf", "-", "-C", src, "data.txt"],
                           env=it._base_env(None), cwd=work, capture_output=True, timeout=100)
        err = p.stderr.decode("utf-8", "replace")
        if p.returncode != 0:
            raise AssertionError("impulse run: status %d\n%s" % (p.returncode, err))
        for name in ("one", "two"):
            n = len(re.findall(r"impulse_nomatch_%s \(" % name, err))
            if n != 1:
                raise AssertionError("impulse_nomatch_%s shown %d times, expected once:\n%s"
                                     % (name, n, err))
        if not re.search(r"^libimpulse: \d+ diagnostics from [2-9]\d* processes:$", err, re.M):
            raise AssertionError("no 'libimpulse: N diagnostics from M processes:' line:\n%s" % err)
        if "libimpulse[" in err:
            raise AssertionError("a raw libimpulse line reached stderr:\n%s" % err)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(src, ignore_errors=True)


def test_stderr_into_stdout_git_fsck():
    """`git fsck 2>&1`: the program's stderr is its stdout; traced, not one line more."""
    git = shutil.which("git")
    if not git:
        return _skip("git not installed (the case is a program whose stderr goes into stdout)")
    repo = tempfile.mkdtemp(prefix="impulse-diag-git-")
    try:
        env = {"HOME": repo, "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_DATE": "1700000000 +0000",
               "GIT_COMMITTER_DATE": "1700000000 +0000"}
        subprocess.run([git, "init", "-q", repo], env=it._base_env(env), check=True)
        with open(os.path.join(repo, "a.txt"), "w") as f:
            f.write("a\n")
        for cmd in (["add", "a.txt"], ["-c", "user.name=t", "-c", "user.email=t@e", "commit",
                                        "-q", "-m", "one"]):
            subprocess.run([git, "-C", repo] + cmd, env=it._base_env(env), check=True)
        # A dangling blob, so that fsck has something to say.
        subprocess.run([git, "-C", repo, "hash-object", "-w", "--stdin"], input=b"dangling\n",
                       env=it._base_env(env), check=True, capture_output=True)
        argv = ["sh", "-c", "git fsck 2>&1; echo status=$?"]
        untraced = it.run_untraced(argv, env=env, cwd=repo)
        run_ = it.run_traced(argv, NOMATCH_CONF, env=env, cwd=repo)
        try:
            it.assert_same_behaviour(run_, untraced)
            if b"dangling blob" not in untraced.stdout:
                raise AssertionError("git fsck said nothing to test with: %r" % untraced.stdout)
            if not any(NOWHERE.search(l) for l in run_.diagnostics()):
                raise AssertionError("no 'installed nowhere' in the .diag files: %s"
                                     % run_.diagnostics())
        finally:
            run_.cleanup()
    finally:
        shutil.rmtree(repo, ignore_errors=True)


def _relative_run(conf_text, env):
    """diag_main in a fresh directory with a relative IMPULSE_CONFIG; it moves to sub/."""
    work = tempfile.mkdtemp(prefix="impulse-diag-rel-")
    os.mkdir(os.path.join(work, "sub"))
    with open(os.path.join(work, "hooks.conf"), "w") as f:
        f.write(conf_text)
    argv = [it.program(CASE, "diag_main"), "parent", "sub"]
    untraced = it.run_untraced(argv, cwd=work)
    full = {"IMPULSE_CONFIG": "hooks.conf", "IMPULSE_LOG_DIR": None}
    full.update(env(work) if callable(env) else env)
    run_ = it.run_traced(argv, conf_text, env=full, cwd=work)
    return work, untraced, run_


def _check_relative(work, untraced, run_, logs):
    it.assert_same_behaviour(run_, untraced)
    if os.listdir(os.path.join(work, "sub")):
        raise AssertionError("files appeared in the directory the program moved to: %s"
                             % os.listdir(os.path.join(work, "sub")))
    run_.log_dir = os.path.join(work, logs)
    recs = it.Records(run_.records)
    for r in recs:
        it.check_record_shape(r)
    said = sorted(it.args(r)["s"] for r in recs.calls("puts"))
    if said != ["child image", "fork child", "parent"]:
        raise AssertionError("puts records in %s: %s (the processes that moved lost theirs)"
                             % (logs, said))
    if run_.diagnostics():
        raise AssertionError("unexpected diagnostics: %s" % run_.diagnostics())


def test_relative_config_and_log_dir():
    """IMPULSE_CONFIG=hooks.conf and log_dir = rel_logs: the fork child (which opens its
    file after the chdir) and the image it execs write beside the parent."""
    conf = "[tracer]\nlog_dir = rel_logs\n[thread main]\nint puts(const char *s);\n"
    work, untraced, run_ = _relative_run(conf, {})
    try:
        _check_relative(work, untraced, run_, "rel_logs")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        run_.cleanup()


def test_relative_log_dir_env():
    """IMPULSE_LOG_DIR=env_logs (relative): the same, from the environment."""
    conf = "int puts(const char *s);\n"
    work, untraced, run_ = _relative_run(conf, {"IMPULSE_LOG_DIR": "env_logs"})
    try:
        _check_relative(work, untraced, run_, "env_logs")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        run_.cleanup()


def test_relative_ld_preload():
    """LD_PRELOAD names libimpulse relatively too: the image exec'd after the chdir is
    handed the absolute name, so it is traced and the loader says nothing on stderr."""
    conf = "[tracer]\nlog_dir = rel_logs\n[thread main]\nint puts(const char *s);\n"
    def env(work):
        rel = os.path.relpath(it.LIBIMPULSE, work)
        return {"LD_PRELOAD": it._preload_value().replace(it.LIBIMPULSE, rel)}

    work, untraced, run_ = _relative_run(conf, env)
    try:
        _check_relative(work, untraced, run_, "rel_logs")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        run_.cleanup()


def test_tree_and_stats_show_them_once():
    """`impulse tree` and `impulse stats` of a run's directory show its messages on
    stderr, each distinct one once, with the number of processes that said it."""
    tar, gzip = shutil.which("tar"), shutil.which("gzip")
    if not tar or not gzip:
        return _skip("tar or gzip not installed")
    src = _tree("impulse-diag-tools-")
    run_ = it.run_traced([tar, "czf", "-", "-C", src, "data.txt"], NOMATCH_CONF)
    try:
        nproc = len(run_.diag_files())
        for cmd in (["tree", "--color=never"], ["stats", "--color=never"]):
            p = subprocess.run([os.path.join(it.BUILD, "impulse")] + cmd + [run_.log_dir],
                               env=it._base_env(None), capture_output=True, timeout=100)
            err = p.stderr.decode("utf-8", "replace")
            head = "libimpulse: %d diagnostics from %d processes:" % (2 * nproc, nproc)
            if err.count(head) != 1:
                raise AssertionError("impulse %s: no %r once on stderr:\n%s" % (cmd[0], head, err))
            for name in ("one", "two"):
                lines = [l for l in err.splitlines() if "impulse_nomatch_%s " % name in l]
                if len(lines) != 1 or not lines[0].endswith("(%d processes)" % nproc):
                    raise AssertionError("impulse %s: impulse_nomatch_%s lines %s"
                                         % (cmd[0], name, lines))
            if b"impulse_nomatch" in p.stdout:
                raise AssertionError("impulse %s put the messages on stdout" % cmd[0])
    finally:
        run_.cleanup()
        shutil.rmtree(src, ignore_errors=True)


def test_root_keeps_32_and_counts_the_rest():
    """40 hooks installed nowhere: the .diag file has all 40 lines, the root record the
    first 32 and "omitted": 8."""
    conf = "".join("int impulse_nomatch_%02d(int x);\n" % i for i in range(40))
    argv = [it.program(CASE, "diag_main"), "child"]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, conf)
    try:
        it.assert_same_behaviour(run_, untraced)
        lines = run_.diagnostics()
        said = sorted(int(m.group(1)) for m in
                      (re.search(r"hook impulse_nomatch_(\d\d) \(", l) for l in lines) if m)
        if said != list(range(40)):
            raise AssertionError(".diag file: %d lines, hooks %s" % (len(lines), said))
        recs = it.Records(run_.records)
        recs.check_all(argv=argv, exit_status=0)
        d = recs.root()["payload"]["arguments"]["diagnostics"]
        if len(d["messages"]) != 32 or d["omitted"] != len(lines) - 32:
            raise AssertionError("root diagnostics: %d messages, omitted %d, file %d lines"
                                 % (len(d["messages"]), d["omitted"], len(lines)))
        want = [l.split(": ", 1)[1] for l in lines[:32]]
        if d["messages"] != want:
            raise AssertionError("root messages differ from the file's first 32:\n%s\n%s"
                                 % (d["messages"][:3], want[:3]))
    finally:
        run_.cleanup()
