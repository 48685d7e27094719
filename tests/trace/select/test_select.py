"""Choosing symbols: globs hook exactly the functions they match, "LIB: *" everything
imported from one library and nothing from another, exclusions win over patterns
but not over explicit hooks, [from=...] scopes a hook to its callers (GOT/PLT
entries and dlsym results), bare names take a known prototype or record timing
only, patterns over the whole C library leave the program working; and
`impulse check` on the test program, a static program, a script, a setuid program
and a missing file."""

import os
import re
import shutil
import stat
import subprocess
import tempfile

import impulse_test as it
from impulse_test import args, fn_name, output

CASE = "select"
VARIANTS = ("def", "noplt", "now", "nopie")
HERE = os.path.join(it.TRACE_SRC, CASE)
IMPULSE = os.path.join(it.BUILD, "impulse")


def prog(variant="def"):
    return it.program(CASE, "select_main", variant)


def run(conf, variant="def", extra=(), env=None):
    argv = [prog(variant)] + list(extra)
    run_, recs = it.check_run(argv, conf, env=env)
    return argv, run_, recs


def program_calls(run_):
    """The program's own top-level calls, in order: [(name, args, return)]."""
    return it.oracle_lines(run_.stdout)


def top_level(recs):
    rid = it.call_id(recs.root())
    return [r for r in recs.calls() if it.parent_ids(r) == [rid]]


def assert_names(recs, want, what):
    got = sorted(fn_name(r) for r in recs.calls())
    if got != sorted(want):
        raise AssertionError("%s: recorded %s, expected %s" % (what, got, sorted(want)))


def caller_of(rec):
    return os.path.basename(rec["payload"]["function"]["caller"] or "")


def library_of(rec):
    return os.path.basename(rec["payload"]["function"]["library"] or "")


# ------------------------------------------------------------------ patterns

def _glob(variant):
    def body():
        _, run_, recs = run("sel_a_*\n", variant)
        want = [name for name, _, _ in program_calls(run_) if name.startswith("sel_a_")]
        assert_names(recs, want, "sel_a_* in %s" % variant)
        # Every record was a call the program made, in its order.
        if [fn_name(r) for r in top_level(recs)] != want:
            raise AssertionError("order: %s vs %s" % ([fn_name(r) for r in top_level(recs)], want))
        _, run_, recs = run("sel_?_t*\n", variant)
        want = [n for n, _, _ in program_calls(run_) if re.match(r"^sel_._t", n)]
        assert_names(recs, want, "sel_?_t* in %s" % variant)
    return body


def test_library_qualified():
    _, run_, recs = run("libsela.so: *\n")
    calls = program_calls(run_)
    want = [n for n, _, _ in calls if n.startswith("sel_a_")]
    assert_names(recs, want, "libsela.so: *")
    for r in recs.calls():
        if library_of(r) != "libsela.so":
            raise AssertionError("%s: library %s" % (it.describe(r), library_of(r)))
    # Everything imported from libselb, whoever imports it: main's calls and
    # libsela's call of sel_b_mul; never sel_b_internal, which nobody imports.
    _, run_, recs = run("libselb.so*: *\n")
    want = [n for n, _, _ in program_calls(run_) if n.startswith("sel_b_")] + ["sel_b_mul"]
    assert_names(recs, want, "libselb.so*: *")
    inner = [r for r in recs.calls("sel_b_mul") if caller_of(r) == "libsela.so"]
    if len(inner) != 1 or args(inner[0]) not in ({}, {"a": 4, "b": 10}):
        raise AssertionError("sel_b_mul from libsela: %s" % [it.describe(r) for r in inner])


def test_exclusions():
    _, run_, recs = run("sel_b_*\n!sel_b_secret\n")
    want = [n for n, _, _ in program_calls(run_) if n in ("sel_b_add", "sel_b_mul")] + ["sel_b_mul"]
    assert_names(recs, want, "sel_b_* !sel_b_secret")
    # An exclusion with a library: only symbols defined there are kept out.
    _, run_, recs = run("sel_*\n!libselb.so: *\n")
    want = [n for n, _, _ in program_calls(run_) if n.startswith("sel_a_")]
    assert_names(recs, want, "sel_* !libselb.so: *")
    # An explicit hook wins over an exclusion, and keeps its prototype.
    _, run_, recs = run("sel_b_*\n!sel_b_*\nint sel_b_secret(int x);\n")
    assert_names(recs, ["sel_b_secret"], "explicit sel_b_secret with !sel_b_*")
    it.assert_value({"x": 9}, args(recs.one("sel_b_secret")), "sel_b_secret arguments")
    it.assert_value(83, output(recs.one("sel_b_secret")), "sel_b_secret output")


def test_pattern_uses_known_prototype():
    conf = """
[prototypes]
int sel_b_add(int a, int b);

[thread patterned]
sel_b_add*
sel_b_mul*
"""
    _, run_, recs = run(conf)
    add = recs.one("sel_b_add")
    it.assert_value({"a": 5, "b": 6}, args(add), "sel_b_add arguments (declared prototype)")
    it.assert_value(11, output(add), "sel_b_add output")
    for r in recs.calls("sel_b_mul"):
        # No prototype known: timing and tree only.
        it.assert_value({}, args(r), "sel_b_mul arguments (no prototype)")
        it.assert_value(None, output(r), "sel_b_mul output (no prototype)")
    for r in recs.calls():
        if r["payload"]["trace_module"]["thread_id"] != "patterned":
            raise AssertionError("%s: thread_id %r" % (it.describe(r),
                                                       r["payload"]["trace_module"]["thread_id"]))


def test_variables_are_never_hooked():
    # sel_b_counter is a variable the program and libselb use: "*" must leave it.
    _, run_, recs = run("libselb.so: *\n")
    if "counter 3" not in run_.stdout.decode():
        raise AssertionError("the program's variable changed: %r" % run_.stdout)
    if recs.calls("sel_b_counter"):
        raise AssertionError("a variable was hooked")


# ------------------------------------------------------------------ [from=...]

def _from_main(variant):
    def body():
        _, _, recs = run("int sel_b_mul(int a, int b) [from=main];\n", variant)
        muls = recs.calls("sel_b_mul")
        if [args(r) for r in muls] != [{"a": 7, "b": 8}]:
            raise AssertionError("[from=main]: %s" % [it.describe(r) for r in muls])
        if caller_of(muls[0]) != "select_main":
            raise AssertionError("caller %r" % caller_of(muls[0]))
        _, _, recs = run("int sel_b_mul(int a, int b) [from=libsela.so];\n", variant)
        muls = recs.calls("sel_b_mul")
        if [args(r) for r in muls] != [{"a": 4, "b": 10}]:
            raise AssertionError("[from=libsela.so]: %s" % [it.describe(r) for r in muls])
        # A pattern's [from] applies to every symbol it hooks.
        _, _, recs = run("sel_b_* [from=libsel?.so]\n", variant)
        assert_names(recs, ["sel_b_mul"], "sel_b_* [from=libsel?.so]")
        _, _, recs = run("sel_b_* [from=main, nothing*]\n", variant)
        assert_names(recs, ["sel_b_add", "sel_b_mul", "sel_b_secret"], "sel_b_* [from=main]")
    return body


def test_from_applies_to_dlsym():
    _, _, recs = run("int sel_b_add(int a, int b) [from=main];\n", extra=["dlsym"])
    it.assert_value({"a": 20, "b": 22}, args(recs.one("sel_b_add")), "dlsym'd sel_b_add")
    _, _, recs = run("int sel_b_add(int a, int b) [from=libsela.so];\n", extra=["dlsym"])
    assert_names(recs, [], "dlsym from main, hook [from=libsela.so]")
    # A pattern hooks a dlsym result too.
    _, _, recs = run("sel_b_a*\n", extra=["dlsym"])
    assert_names(recs, ["sel_b_add"], "dlsym'd sel_b_add through a pattern")


# ------------------------------------------------------------------ bare names

def test_bare_names():
    conf = """
[prototypes]
int sel_a_one(int x);

[thread bare]
sel_a_one
sel_a_two
sel_b_mul
"""
    # sel_b_mul's prototype comes from a prototype directory of the case's own.
    env = {"IMPULSE_PROTO_DIR": os.path.join(HERE, "protos")}
    _, run_, recs = run(conf, env=env)
    assert_names(recs, ["sel_a_one", "sel_a_one", "sel_a_two", "sel_b_mul", "sel_b_mul"], "bare names")
    it.assert_value([{"x": 1}, {"x": 11}], [args(r) for r in recs.calls("sel_a_one")],
                    "sel_a_one arguments (from [prototypes])")
    it.assert_value([{}], [args(r) for r in recs.calls("sel_a_two")], "sel_a_two: no prototype")
    it.assert_value([None], [output(r) for r in recs.calls("sel_a_two")], "sel_a_two output")
    it.assert_value([{"a": 4, "b": 10}, {"a": 7, "b": 8}],
                    sorted((args(r) for r in recs.calls("sel_b_mul")), key=lambda a: a["a"]),
                    "sel_b_mul arguments (from the shipped-files directory)")


# ------------------------------------------------------------------ whole libraries

def sanitized():
    """A sanitizer build: its runtime intercepts libc functions (printf, strtol… are
    then defined in libasan, not libc.so.6) and must be preloaded first, which
    impulse check, preloading libimpulse alone, does not do."""
    return "libasan" in it._preload_value()


def _everything(conf):
    def body():
        if sanitized() and conf.startswith("libc"):
            it.skip("sanitizer build: its runtime defines printf, strtol… itself, so "
                    "'libc.so.6:' patterns do not reach them")
        argv, run_, recs = run(conf)
        names = set(fn_name(r) for r in recs.calls())
        want = {"strtol", "printf"} | ({"sel_a_one"} if conf.startswith("*") else set())
        if not want <= names or (not conf.startswith("*") and any(n.startswith("sel_") for n in names)):
            raise AssertionError("%r hooked %s" % (conf, sorted(names)[:50]))
        # Never through a pattern: libimpulse's own wrapped or unsafe symbols.
        bad = names & {"__libc_start_main", "exit", "_exit", "dlsym", "vfork", "setjmp",
                       "_setjmp", "__tls_get_addr", "_init", "_fini"}
        if bad:
            raise AssertionError("%r hooked %s" % (conf, sorted(bad)))
        # Four threads and a thread started inside a hooked call, with everything
        # hooked, pthread_create included: the calls of the thread it starts are
        # its children and may end after it.
        threads = it.program("threads", "threads_main")
        it.check_run([threads], conf)
    return body


# ------------------------------------------------------------------ impulse check

def check(argv, conf=None, env=None):
    """Runs impulse check; returns (status, stdout, stderr) as text."""
    workdir = tempfile.mkdtemp(prefix="impulse-check-")
    try:
        cmd = [IMPULSE, "check"]
        if conf is not None:
            path = os.path.join(workdir, "hooks.conf")
            with open(path, "w") as f:
                f.write(conf)
            cmd += ["-c", "hooks.conf"]
        full = {k: v for k, v in os.environ.items() if not k.startswith("IMPULSE_")}
        full.pop("LD_PRELOAD", None)
        full.update(env or {})
        p = subprocess.run(cmd + argv, cwd=workdir, env=full, capture_output=True, timeout=60)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def line_of(out, start):
    for line in out.splitlines():
        if line.startswith(start):
            return line
    raise AssertionError("no line starting %r in:\n%s" % (start, out))


CHECK_CONF = """int sel_a_one(int x);
int sel_b_mul(int a, int b) [from=main];
int sel_b_secret(int x) [from=nothing.so];
int sel_b_internal(int x);
int no_such_function(void);
sel_a_t*
!sel_a_two
libselb.so: sel_b_a*
zzz_*
"""


def test_check_program():
    if sanitized():
        it.skip("sanitizer build: impulse check preloads libimpulse alone, without the "
                "sanitizer runtime that must come first")
    mark = tempfile.mktemp(prefix="impulse-check-mark-")
    status, out, err = check([prog()], CHECK_CONF, env={"SELECT_MARK": mark})
    try:
        if status != 1:
            raise AssertionError("status %d (expected 1: some hooks installed nowhere)\n%s%s"
                                 % (status, out, err))
        for what in ("ctor", "main"):
            if os.path.exists(mark + "." + what):
                raise AssertionError("impulse check ran the program's %s" % what)
    finally:
        for what in ("ctor", "main"):
            if os.path.exists(mark + "." + what):
                os.unlink(mark + "." + what)
    if "CALL" in out:
        raise AssertionError("the program's main ran:\n%s" % out)
    one = line_of(out, "hook sel_a_one ")
    if not re.search(r"hooks\.conf:1:1", one) or "installed in select_main (PLT slot" not in one \
            or "select_main (data pointer" not in one:
        raise AssertionError("sel_a_one: %s" % one)
    mul = line_of(out, "hook sel_b_mul [from=main]")
    if "installed in select_main (PLT slot" not in mul or "not in libsela.so" not in mul:
        raise AssertionError("sel_b_mul: %s" % mul)
    secret = line_of(out, "hook sel_b_secret [from=nothing.so]")
    if "installed nowhere: imported only by select_main, which [from] does not name" not in secret:
        raise AssertionError("sel_b_secret: %s" % secret)
    internal = line_of(out, "hook sel_b_internal ")
    if "defined in libselb.so and called only inside it (no PLT/GOT reference)" not in internal:
        raise AssertionError("sel_b_internal: %s" % internal)
    missing = line_of(out, "hook no_such_function ")
    if "not imported by the program or its libraries" not in missing \
            or "dlopen are checked when they load" not in missing:
        raise AssertionError("no_such_function: %s" % missing)
    pat = line_of(out, "pattern sel_a_t* ")
    if "1 symbol: 1 from libsela.so (sel_a_three)" not in pat:
        raise AssertionError("sel_a_t*: %s" % pat)
    two = line_of(out, "  sel_a_two (libsela.so): ")
    if not re.search(r"excluded by pattern at hooks\.conf:7:\d+", two):
        raise AssertionError("sel_a_two: %s" % two)
    three = line_of(out, "  sel_a_three (libsela.so): ")
    if "installed in select_main (PLT slot" not in three:
        raise AssertionError("sel_a_three: %s" % three)
    excl = line_of(out, "exclusion !sel_a_two ")
    if "kept 1 symbol from being hooked: 1 from libsela.so (sel_a_two)" not in excl:
        raise AssertionError("!sel_a_two: %s" % excl)
    lib = line_of(out, "pattern libselb.so: sel_b_a* ")
    if "1 symbol: 1 from libselb.so (sel_b_add)" not in lib:
        raise AssertionError("libselb.so: sel_b_a*: %s" % lib)
    zzz = line_of(out, "pattern zzz_* ")
    if "matched no symbol imported by the program or its libraries" not in zzz:
        raise AssertionError("zzz_*: %s" % zzz)
    if not re.search(r"^4 of 8 hooks and patterns are installed nowhere", out, re.M):
        raise AssertionError("summary:\n%s" % out)


def test_check_all_installed():
    if sanitized():
        it.skip("sanitizer build: impulse check preloads libimpulse alone, without the "
                "sanitizer runtime that must come first")
    for v in VARIANTS:
        status, out, err = check([prog(v)], "int sel_a_one(int x);\nsel_b_*\n")
        if status != 0 or "every hook and pattern (2) is installed" not in out:
            raise AssertionError("%s: status %d\n%s%s" % (v, status, out, err))


def test_check_config_error():
    status, out, err = check([prog()], "int sel_a_one(int x);\nint bad(int33 x);\n")
    if status != 2 or not re.search(r"hooks\.conf:2:\d+: ", err):
        raise AssertionError("config error: status %d, stderr %r" % (status, err))


def test_check_refusals():
    static = os.path.join(it.TRACE_BUILD, CASE, "static_main")
    if os.path.exists(static):
        status, _, err = check([static], "int puts(const char *s);\n")
        if status != 126 or "is statically linked: LD_PRELOAD cannot trace it" not in err:
            raise AssertionError("static: status %d, %r" % (status, err))
    tmp = tempfile.mkdtemp(prefix="impulse-check-refuse-")
    try:
        script = os.path.join(tmp, "script.sh")
        with open(script, "w") as f:
            f.write("#!/bin/sh\necho hello\n")
        os.chmod(script, 0o755)
        status, out, err = check([script], "int puts(const char *s);\n")
        if status != 126 or "is a script" not in err or "/bin/sh" not in err or "hello" in out:
            raise AssertionError("script: status %d, %r %r" % (status, out, err))
        setuid = os.path.join(tmp, "setuid_main")
        shutil.copy(prog(), setuid)
        os.chmod(setuid, 0o755 | stat.S_ISUID)
        status, _, err = check([setuid], "int puts(const char *s);\n")
        if status != 126 or "setuid" not in err:
            raise AssertionError("setuid: status %d, %r" % (status, err))
        status, _, err = check([os.path.join(tmp, "missing")], "int puts(const char *s);\n")
        if status != 127 or "missing" not in err:
            raise AssertionError("missing: status %d, %r" % (status, err))
        status, _, err = check(["no-such-command-here"], "int puts(const char *s);\n")
        if status != 127 or "not found" not in err:
            raise AssertionError("not in PATH: status %d, %r" % (status, err))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    status, out, _ = check(["--help"])
    if status != 0 or "usage: impulse check" not in out:
        raise AssertionError("--help: %d %r" % (status, out))


def test_verbose_says_where():
    conf = "int sel_a_one(int x);\nint nothing_here(int x);\nsel_b_m*\n"
    run_ = it.run_traced([prog()], conf, env={"IMPULSE_VERBOSE": "1"})
    try:
        err = run_.stderr.decode("utf-8", "replace")
    finally:
        run_.cleanup()
    for want in ("hook sel_a_one (", "installed in select_main (PLT slot",
                 "hook nothing_here (", "not imported by the program or its libraries",
                 "pattern sel_b_m* (", "1 symbol: 1 from libselb.so (sel_b_mul)"):
        if want not in err:
            raise AssertionError("verbose stderr lacks %r:\n%s" % (want, err[-3000:]))
    # Without verbose, only what went nowhere is said, in the .diag file, not on stderr.
    run_ = it.run_traced([prog()], conf)
    try:
        err = run_.stderr.decode("utf-8", "replace")
        said = "\n".join(run_.diagnostics())
    finally:
        run_.cleanup()
    if err or "nothing_here" not in said or "hook sel_a_one" in said:
        raise AssertionError("quiet stderr:\n%s\n.diag file:\n%s" % (err, said))


def tests():
    out = [("glob_" + v, _glob(v)) for v in VARIANTS]
    out += [("from_main_" + v, _from_main(v)) for v in VARIANTS]
    out += [("libc_everything", _everything("libc.so.6: *\n")),
            ("everything", _everything("*\n"))]
    return out
