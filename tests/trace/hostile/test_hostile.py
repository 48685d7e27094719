"""Hostile input: pointers into nothing, a guard page, a freed mapping, a 100 MB
string, a variable named as a hook, prototypes that disagree with the function,
and redact_pattern (arguments, buffers, impulse_log text and JSON, the file and the
Mongo logger). Each run: the program's output and exit status equal an untraced
run's, and the records hold the exact documented values."""

import json
import os
import re
import subprocess
import sys

import impulse_test as it
from impulse_test import args, output

CASE = "hostile"
IMPULSE = os.path.join(it.BUILD, "impulse")
SECRETS = [b"abc123secret", b"hunter2secret", b"XYZsecret987", b"FMTsecret42",
           b"JSONsecret55", b"dXNlcjpwYXNz", b"Bearer", b"secret"]


def prog():
    return it.program(CASE, "hostile_main")


def traced(mode, conf, env=None):
    """(run, Records, untraced) for one mode, behaviour already compared."""
    argv = [prog(), mode]
    untraced = it.run_untraced(argv)
    run_ = it.run_traced(argv, conf, env=env)
    try:
        # The program prints addresses ("ADDR guard 0x…") on stderr: ASLR moves them.
        it.assert_same_behaviour(run_, untraced, mask=it.mask_addresses)
        recs = it.Records(run_.records)
        recs.check_all(argv=argv, exit_status=untraced.returncode)
    except BaseException:
        run_.cleanup()
        raise
    return run_, recs, untraced


def addresses(stderr):
    """The program's "ADDR name 0x…" lines, as {name: "0x…"} in the tracer's form."""
    got = {}
    for m in re.finditer(rb"^ADDR (\w+) 0x([0-9a-f]+)$", stderr, re.M):
        got[m.group(1).decode()] = "0x%x" % int(m.group(2), 16)
    return got


def by_tag(recs, name):
    return {args(r)["tag"]: r for r in recs.calls(name)}


def expect(what, want, got):
    if got != want:
        raise AssertionError("%s: recorded %r, expected %r" % (what, got, want))


def test_bad_pointers():
    """NULL is null; 0x1, a page below mmap_min_addr, a non-canonical address, a
    PROT_NONE guard page and an unmapped (freed) mapping are {"unreadable": address};
    a string that runs into the guard page without its NUL keeps its readable bytes:
    {"value": …, "truncated": true, "invalid_utf8": false, "unreadable": first
    unreadable address}; a struct pointer into nothing is unreadable, and a readable
    struct's bad string member only that member (partial likewise)."""
    run_, recs, _ = traced("bad", it.conf(CASE))
    try:
        a = addresses(run_.stderr)
        unreadable = lambda addr: {"unreadable": addr}  # noqa: E731
        partial = {"value": "ABCDEFGH", "truncated": True, "invalid_utf8": False,
                   "unreadable": a["guard"]}
        want_text = {0: None, 1: unreadable("0x1"), 2: unreadable("0x1000"),
                     3: unreadable("0x8000000000000000"), 4: unreadable(a["guard"]),
                     5: unreadable(a["freed"]), 6: partial}
        texts = by_tag(recs, "hs_text")
        expect("hs_text tags", sorted(want_text), sorted(texts))
        for tag, want in want_text.items():
            expect("hs_text(tag=%d).s" % tag, want, args(texts[tag])["s"])
            expect("hs_text(tag=%d) output" % tag, tag + 1, output(texts[tag]))
            expect("hs_text(tag=%d) status" % tag, "success", texts[tag]["payload"]["status"])
        want_pair = {10: {"a": 7, "name": "seven"}, 11: None, 12: unreadable(a["pair_gone"]),
                     13: unreadable(a["guard"]), 14: {"a": 7, "name": unreadable(a["guard"])},
                     15: {"a": 7, "name": partial}}
        pairs = by_tag(recs, "hs_pair")
        expect("hs_pair tags", sorted(want_pair), sorted(pairs))
        for tag, want in want_pair.items():
            expect("hs_pair(tag=%d).p" % tag, want, args(pairs[tag])["p"])
            expect("hs_pair(tag=%d) output" % tag, tag + 2, output(pairs[tag]))
    finally:
        run_.cleanup()


def test_huge_string():
    """A 100 MB string: max_string (64 here) bytes are copied and the value says
    truncated; the tracer reads max_string + 1 bytes, never the whole string, so
    its full length is not recorded (the return value here happens to be it)."""
    run_, recs, untraced = traced("huge", it.conf(CASE))
    try:
        r = recs.one("hs_strlen")
        expect("hs_strlen.s", {"value": "x" * 64, "truncated": True, "invalid_utf8": False},
               args(r)["s"])
        expect("hs_strlen output", 100 << 20, output(r))
        expect("stdout", b"huge 104857600\n", untraced.stdout)
    finally:
        run_.cleanup()


REDACT_CONF = ('[tracer]\nredact_pattern = "Authorization: *", "*password=*", "sk-*"  # secrets\n'
               + it.conf(CASE).replace("[tracer]\n", ""))


def assert_no_secret(data, where, secrets=SECRETS):
    for s in secrets:
        if s in data:
            i = data.index(s)
            raise AssertionError("%r is in %s: ...%r..." % (s, where, data[max(0, i - 60):i + 40]))


def check_redacted(recs, root_logs=True):
    expect("hs_strlen.s", "Authorization: [redacted]", args(recs.one("hs_strlen"))["s"])
    expect("hs_strlen output", 34, output(recs.one("hs_strlen")))
    # the buffer shown as text: only the rest of the line after "password=" goes
    expect("hs_send.buf", "POST user=bob&password=[redacted]\nX-Other: fine",
           args(recs.one("hs_send"))["buf"])
    if root_logs:
        logs = [e["payload"] for e in recs.root()["payload"]["trace_logs"]]
        expect("trace_logs", ["api_key=sk-[redacted]", "token sk-[redacted]",
                              {"token": "sk-[redacted]", "n": ["Authorization: [redacted]"]}],
               logs)


def test_redact_patterns():
    """redact_pattern masks, in records and trace_logs (text, printf-style and JSON),
    the rest of the line after what a pattern ending in '*' matched; the secret
    bytes are nowhere in the log files."""
    run_, recs, _ = traced("redact", REDACT_CONF)
    try:
        check_redacted(recs)
        for f in run_.log_files():
            with open(f, "rb") as fh:
                assert_no_secret(fh.read(), f)
    finally:
        run_.cleanup()


def test_redact_metadata_and_json_keys():
    """Issue 12.5: tracer, session and hook metadata and the keys of impulse_log_json
    objects go through redact_pattern like every other text: masked where a pattern
    matches, the rest kept, no secret byte in any record file."""
    conf = ('[tracer]\nredact_pattern = "sk-*"\n'
            'tracer_metadata = {"owner": "ops", "token": "sk-TRACERsecret9"}\n'
            'session_metadata = {"sk-SESSKEYsecret": "x"}\n'
            + it.conf(CASE).replace("[tracer]\n", "").replace(
                "size_t hs_strlen(const char *s);",
                'size_t hs_strlen(const char *s) [meta={"key": "sk-HOOKsecret12", "ok": 1}];'))
    if 'sk-HOOKsecret12' not in conf:
        raise AssertionError("the test's hooks.conf did not get its [meta=]")
    run_, recs, _ = traced("meta", conf)
    try:
        call = recs.one("hs_strlen")
        tm = call["payload"]["trace_module"]
        expect("hook_metadata", {"key": "sk-[redacted]", "ok": 1}, tm["hook_metadata"])
        expect("tracer_metadata", {"owner": "ops", "token": "sk-[redacted]"}, tm["tracer_metadata"])
        expect("session_metadata", {"user": "bob", "api_key": "sk-[redacted]",
                                    "nested": {"sk-[redacted]": ["sk-[redacted]"]}},
               tm["session_metadata"])
        expect("session_id", "s-meta", tm["session_id"])
        logs = [e["payload"] for e in recs.root()["payload"]["trace_logs"]]
        expect("trace_logs", [{"sk-[redacted]": 1, "plain": "sk-[redacted]"}], logs)
        secrets = [b"TRACERsecret9", b"SESSKEYsecret", b"METAsecret31", b"NESTEDKEYsecret",
                   b"ARRAYsecret", b"KEYsecret77", b"VALUEsecret", b"HOOKsecret12"]
        for f in run_.log_files():
            with open(f, "rb") as fh:
                assert_no_secret(fh.read(), f, secrets)
    finally:
        run_.cleanup()


def test_redact_cut_values():
    """Issue 12.6: a value cut by max_string, max_buffer or a note's 4 KiB just after
    "KEY=" must not leak the secret's first bytes: the pattern is matched as if the
    value went on, and the part that may belong to a secret is masked."""
    conf = ('[tracer]\nredact_pattern = "KEY=????????????????"\nmax_buffer = 256\n'
            + it.conf(CASE).replace("[tracer]\n", ""))
    run_, recs, _ = traced("cut", conf)
    try:
        s = args(recs.one("hs_strlen"))["s"]
        expect("hs_strlen.s (cut)", {"value": "." * 58 + "[redacted]", "truncated": True,
                                     "invalid_utf8": False}, s)
        buf = args(recs.one("hs_send"))["buf"]
        if buf.get("value") != "-" * 250 + "[redacted]" or buf.get("truncated") is not True:
            raise AssertionError("hs_send.buf: %r" % buf)
        logs = [e["payload"] for e in recs.root()["payload"]["trace_logs"]]
        if len(logs) != 2 or any(l != " " * 4090 + "[redacted]" for l in logs):
            raise AssertionError("trace_logs: %r" % [l[-30:] for l in logs])
        for f in run_.log_files():
            with open(f, "rb") as fh:
                assert_no_secret(fh.read(), f, [b"KEY=AB", b"KEY=QR", b"KEY=67", b"KEY="])
    finally:
        run_.cleanup()


def test_redact_pattern_env():
    """IMPULSE_REDACT_PATTERN adds patterns to the file's: here only "sk-*", so the
    header (no pattern for it) stays, and the sk- keys go."""
    run_, recs, _ = traced("redact", it.conf(CASE), env={"IMPULSE_REDACT_PATTERN": '"SK-*"'})
    try:
        expect("hs_strlen.s", "Authorization: Bearer abc123secret", args(recs.one("hs_strlen"))["s"])
        logs = [e["payload"] for e in recs.root()["payload"]["trace_logs"]]
        expect("trace_logs[0]", "api_key=sk-[redacted]", logs[0])
        for f in run_.log_files():
            with open(f, "rb") as fh:
                assert_no_secret(fh.read(), f, [b"XYZsecret987", b"FMTsecret42", b"JSONsecret55"])
    finally:
        run_.cleanup()


def test_redact_pattern_env_error():
    """A bad IMPULSE_REDACT_PATTERN is said (with what is wrong) and ignored."""
    run_, recs, _ = traced("redact", REDACT_CONF, env={"IMPULSE_REDACT_PATTERN": "sk-*"})
    try:
        err = "\n".join(run_.diagnostics())
        if "IMPULSE_REDACT_PATTERN: expected a quoted pattern" not in err:
            raise AssertionError("no message about the bad pattern: %r" % err)
        check_redacted(recs)
    finally:
        run_.cleanup()


def test_redact_mongo():
    """The Mongo logger (logger = both): the documents MongoDB stores are masked the
    same way, and their BSON holds no secret byte."""
    sys.path.insert(0, os.path.join(it.REPO, "tests", "lib"))
    from mongo_server import MongoServer, read_all
    import bson
    with MongoServer() as srv:
        uri = "mongodb://127.0.0.1:%d/" % srv.port
        env = {"IMPULSE_LOGGER": "both", "IMPULSE_MONGO_URI": uri,
               "IMPULSE_MONGO_DATABASE": "impulse", "IMPULSE_MONGO_COLLECTION": "hostile"}
        run_, recs, _ = traced("redact", REDACT_CONF, env=env)
        try:
            docs = read_all(uri, "impulse", "hostile")
            if len(docs) != len(recs.all):
                raise AssertionError("%d documents, %d file records" % (len(docs), len(recs.all)))
            for d in docs:
                assert_no_secret(bson.encode(d), "a MongoDB document")
            mrecs = it.Records([json.loads(json.dumps(d, default=str)) for d in docs])
            check_redacted(mrecs)
        finally:
            run_.cleanup()


VAR_CONF = """[thread hostile]
int hs_counter(int x);
int environ(void);
int stdout(void);
int hs_two(int a, int b);
"""


def test_variable_named_as_hook():
    """A variable of the test library (copied into the program) and libc's environ
    and stdout, declared as functions: a clear message at start and in impulse check,
    nothing patched, the program (which uses all three) unchanged, the real function
    beside them still traced."""
    run_, recs, _ = traced("var", VAR_CONF)
    try:
        err = "\n".join(run_.diagnostics())
        for name, line in (("hs_counter", 2), ("environ", 3), ("stdout", 4)):
            want = "hook %s (%s:%d:1): installed nowhere: hostile_main defines %s as a " \
                   "variable, not a function" % (name, os.path.join(run_.workdir, "hooks.conf"),
                                                 line, name)
            if want not in err:
                raise AssertionError("missing %r in the .diag file:\n%s" % (want, err))
        expect("recorded calls", ["hs_two"], [it.fn_name(r) for r in recs.calls()])
        expect("hs_two", ({"a": 3, "b": 4}, 34), (args(recs.one("hs_two")), output(recs.one("hs_two"))))
    finally:
        run_.cleanup()
    conf = os.path.join(run_.workdir + "-check.conf")
    with open(conf, "w") as f:
        f.write(VAR_CONF)
    try:
        # A sanitizer build's program wants its runtime first; impulse check preloads
        # libimpulse alone: let ASan accept that order.
        r = subprocess.run([IMPULSE, "check", "-c", conf, prog(), "var"], capture_output=True,
                           timeout=60, env=dict(os.environ, LC_ALL="C",
                                                ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=0"))
    finally:
        os.unlink(conf)
    out = r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    if r.returncode != 1 or "hook stdout" not in out or \
            "defines hs_counter as a variable, not a function" not in out or \
            "3 of 4 hooks and patterns are installed nowhere" not in out:
        raise AssertionError("impulse check exited %d:\n%s" % (r.returncode, out))


PROTO_CONF = """[thread hostile]
# hs_two(int, int): a char * for an int, seven parameters too many (the last two on the stack)
char *hs_two(const char *a, int b, int c, int d, int e, int f, int g, long h, int i);
# hs_int_ret returns int: declared double
double hs_int_ret(int x);
# hs_text(const char *, int): both swapped
long hs_text(int s, const char *tag);
"""


def test_prototypes_that_disagree():
    """Values are read as declared: the int 3 taken for a char * is an unreadable
    address, extra parameters are whatever the registers and the stack hold
    (numbers), an int return read as double is some double; no crash, the program
    unchanged, every call recorded once with status success."""
    run_, recs, _ = traced("proto", PROTO_CONF)
    try:
        two = recs.one("hs_two")
        a = args(two)
        expect("hs_two.a", {"unreadable": "0x3"}, a["a"])
        expect("hs_two.b", 4, a["b"])
        for k in "cdefghi":
            if not isinstance(a[k], int):
                raise AssertionError("hs_two.%s: %r is not a number" % (k, a[k]))
        expect("hs_two output", {"unreadable": "0x22"}, output(two))
        ret = output(recs.one("hs_int_ret"))
        if not isinstance(ret, (int, float)) and ret not in ("nan", "inf", "-inf"):
            raise AssertionError("hs_int_ret output %r is not a double" % (ret,))
        expect("hs_int_ret.x", {"x": 5}, args(recs.one("hs_int_ret")))
        text = recs.one("hs_text")
        expect("hs_text.tag", {"unreadable": "0x7"}, args(text)["tag"])
        expect("hs_text output", 8, output(text))
        expect("statuses", ["success"] * 4, sorted(r["payload"]["status"] for r in recs.all))
    finally:
        run_.cleanup()
