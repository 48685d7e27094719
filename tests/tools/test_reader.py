"""The record reader (tools/reader.c), through reader_dump, against Python's json
module as an independent oracle.

reader_dump prints every field of each record view it reads (strings decoded, raw
spans embedded with their offsets in the line); each test computes the same view
from json.loads of the same line and compares them field by field, and checks
that each raw span is exactly the line's text of that value.

What must hold: records of real traced programs read back exactly; gzip and plain
files read the same; shuffled keys, added whitespace, \\u escapes and escaped keys
change nothing; malformed lines (truncated, bad escape, missing call_id, a NUL byte,
a torn 5 MB line, not JSON) are each reported once as FILE:LINE and the records after
them still read, a valid 5 MB record included; a directory reads its logs_*.json[.gz]
oldest first and the newest one is found; a MongoDB collection that a file was
pushed into reads as the file does, one session's records when asked.
"""

import gzip
import json
import os
import random
import re
import shutil
import subprocess
import tempfile

import impulse_test as it

DUMP = os.path.join(it.BUILD, "tests", "tools", "reader_dump")
UNIT = os.path.join(it.BUILD, "tests", "tools", "reader_unit")
TOOL = os.path.join(it.BUILD, "impulse")
STATUSES = ["success", "error", "incomplete", "unwound", "exception", "crashed"]
RAW = ("arguments", "output", "trace_logs", "children")
# Fields that say where a record came from rather than what it is.
WHERE = ("source", "line", "text_len", "spans")


# ---------------------------------------------------------------- the two views

def oracle(line, source, lineno):
    """The view of one line (bytes, without its newline), from Python's json."""
    rec = json.loads(line.decode("utf-8"))
    p = rec["payload"]
    tm, fn, st = p["trace_module"], p["function"], p["stack_trace"]
    parents = st["parents"]
    ts = p["timestamps"]
    proc = p.get("process") or {}
    trace_id = p.get("trace_id")
    v = {
        "source": source, "line": lineno,
        "tracer_id": tm["tracer_id"], "session_id": tm["session_id"],
        "thread_id": tm["thread_id"], "hook_id": tm["hook_id"],
        "name": fn["name"], "library": fn.get("library"),
        "call_id": p["call_id"],
        "parent_id": parents[-1]["call_id"] if parents else None,
        "depth": len(parents),
        "is_root": trace_id is not None or (tm["hook_id"] == "root" and tm["thread_id"] == "root"),
        "trace_id": trace_id,
        "start_ns": ts["start_ns"], "end_ns": ts["end_ns"],
        "status": p["status"],
        "status_code": STATUSES.index(p["status"]) if p["status"] in STATUSES else 6,
        "exception": p.get("exception"),
        "pid": proc.get("pid", -1) if proc.get("pid") is not None else -1,
        "tid": proc.get("tid", -1) if proc.get("tid") is not None else -1,
        "thread_name": proc.get("thread_name"),
        "text_len": len(line),
    }
    for k in RAW:
        src = st if k == "children" else p
        if k in src:
            v[k] = src[k]
    return v


def dump(args, expect_status=0):
    """reader_dump ARGS: (views, stderr lines)."""
    r = subprocess.run([DUMP] + list(args), capture_output=True, timeout=120)
    err = r.stderr.decode("utf-8", "replace")
    if r.returncode != expect_status:
        raise AssertionError("reader_dump %s: status %d\n%s" % (args, r.returncode, err[-3000:]))
    # split on newlines only: raw spans may hold other line breaks (\r) JSON allows
    views = [json.loads(l) for l in r.stdout.decode("utf-8").split("\n") if l]
    lines = [l for l in err.splitlines() if not l.startswith("reader_dump: ")]
    return views, lines


def file_lines(path):
    """[(lineno, bytes)] of the non-blank lines of a plain file."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    for n, line in enumerate(data.split(b"\n"), 1):
        if line.strip():
            out.append((n, line))
    return out


def check_spans(view, line):
    """Each raw span is exactly the text of its value in the line."""
    for k, (off, n) in view.get("spans", {}).items():
        text = line[off:off + n].decode("utf-8")
        if json.loads(text) != view[k]:
            raise AssertionError("%s:%d: span of %s is %r, not its value %r"
                                 % (view["source"], view["line"], k, text[:200], view[k]))


def compare(want, got, ignore=()):
    for k in set(want) | set(got):
        if k in ignore or k == "spans":
            continue
        if k not in got or k not in want or got[k] != want[k] or type(got[k]) != type(want[k]):
            raise AssertionError("%s:%s: field %s: reader %r, json %r"
                                 % (want.get("source"), want.get("line"), k,
                                    got.get(k, "(absent)"), want.get(k, "(absent)")))


def check_file(path, views=None, source=None):
    """Reads path with reader_dump and compares every record with the oracle."""
    if views is None:
        views, errs = dump([path])
        if errs:
            raise AssertionError("errors reading %s:\n%s" % (path, "\n".join(errs)))
    lines = file_lines(path)
    if len(views) != len(lines):
        raise AssertionError("%s: %d records read, %d lines" % (path, len(views), len(lines)))
    for v, (n, line) in zip(views, lines):
        compare(oracle(line, source or path, n), v)
        check_spans(v, line)
    return views


# ---------------------------------------------------------------- inputs

def traced_files(tmp, argv, conf_text, env=None):
    """Copies the record files of a traced run into tmp; their paths."""
    run = it.run_traced(argv, conf_text, env=env)
    try:
        files = sorted(f for f in run.log_files() if os.path.basename(f).startswith("logs_"))
        if not files:
            raise AssertionError("%s wrote no records: %s" % (argv, run.stderr.decode()[-2000:]))
        out = []
        for f in files:
            dst = os.path.join(tmp, os.path.basename(f))
            shutil.copy(f, dst)
            out.append(dst)
        return out
    finally:
        run.cleanup()


def demo_file(tmp, session=None):
    with open(os.path.join(it.REPO, "examples", "hooks.conf")) as f:
        return traced_files(tmp, [os.path.join(it.BUILD, "examples", "demo_app")], f.read(),
                            env={"IMPULSE_SESSION_ID": session} if session else None)[0]


def real_files(tmp):
    """Record files of several real programs: the demo (trace logs, nesting), threads,
    C++ exceptions, error rules, and a fork (a root with a parent in another process)."""
    files = [demo_file(tmp)]
    for case, prog, args in (("threads", "threads_main", []), ("cxx", "cxx_main", []),
                             ("capture", "capture_main", []), ("procs", "procs_main", ["fork_outside"])):
        files += traced_files(tmp, [it.program(case, prog)] + args, it.conf(case))
    return files


def with_tmp(body):
    def test():
        tmp = tempfile.mkdtemp(prefix="impulse-reader-")
        try:
            body(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    test.__name__ = body.__name__
    return test


# ---------------------------------------------------------------- tests

@with_tmp
def test_real_records(tmp):
    """Every field of every record of five real traced programs, against json."""
    files = real_files(tmp)
    seen = {"root_with_parent": 0, "exception": 0, "error": 0, "trace_logs": 0, "threads": set()}
    for path in files:
        for v in check_file(path):
            if v["is_root"] and v["parent_id"]:
                seen["root_with_parent"] += 1
            if v["status"] in ("exception", "error"):
                seen[v["status"]] += 1
            if v.get("trace_logs"):
                seen["trace_logs"] += 1
            seen["threads"].add(v["thread_id"])
    # the programs were chosen for these: make sure the checks above met them
    if not (seen["root_with_parent"] and seen["exception"] and seen["error"] and
            seen["trace_logs"] and len(seen["threads"]) > 2):
        raise AssertionError("the inputs lack a kind of record: %s" % seen)
    print("%d files, %s" % (len(files), seen))


@with_tmp
def test_gzip_same_as_plain(tmp):
    path = demo_file(tmp)
    plain, _ = dump([path])
    with open(path, "rb") as f:
        data = f.read()
    half = data.index(b"\n", len(data) // 2) + 1
    one = os.path.join(tmp, "one.json.gz")
    two = os.path.join(tmp, "two.json")	# concatenated members; no .gz: magic bytes tell
    with open(one, "wb") as f:
        f.write(gzip.compress(data))
    with open(two, "wb") as f:
        f.write(gzip.compress(data[:half]) + gzip.compress(data[half:], compresslevel=1))
    for z in (one, two):
        views, errs = dump([z])
        if errs:
            raise AssertionError("%s: %s" % (z, errs))
        if [dict(v, source=None) for v in views] != [dict(v, source=None) for v in plain]:
            raise AssertionError("%s does not read as %s" % (z, path))
    # a torn gzip file: the records before the tear, then one error naming the file
    torn = os.path.join(tmp, "torn.json.gz")
    with open(torn, "wb") as f:
        f.write(gzip.compress(data)[:-40])
    views, errs = dump([torn], expect_status=1)
    if len(errs) != 1 or not errs[0].startswith(torn + ":0: ") or "truncated" not in errs[0]:
        raise AssertionError("torn gzip: %s" % errs)
    if not views or views != [dict(v, source=torn) for v in plain[:len(views)]]:
        raise AssertionError("torn gzip: the records before the tear differ")


def shuffled(value, rng):
    if isinstance(value, dict):
        items = [(k, shuffled(v, rng)) for k, v in value.items()]
        rng.shuffle(items)
        return dict(items)
    if isinstance(value, list):
        return [shuffled(v, rng) for v in value]
    return value


@with_tmp
def test_any_key_order_and_whitespace(tmp):
    """Keys shuffled at every level, whitespace everywhere JSON allows it, every
    non-ASCII character as \\u escapes, escaped key names, odd strings: the same
    views as the originals."""
    rng = random.Random(6)
    src = real_files(tmp)[:3]
    out = os.path.join(tmp, "shuffled.json")
    originals = []
    with open(out, "wb") as f:
        for path in src:
            for n, line in file_lines(path):
                rec = json.loads(line)
                p = rec["payload"]
                if rng.random() < 0.5:
                    p["process"]["thread_name"] = "th\"re\\ad\t\u00e9\U0001F600\u0001/"
                    p["exception"] = "a \"quoted\"\nexception \U0001F600"
                rec["unknown"] = {"nested": [1, -2.5e-3, True, None, {"x": "\\"}], "s": ""}
                originals.append(rec)
                text = json.dumps(shuffled(rec, rng), ensure_ascii=True,
                                  separators=(" ,\t", " :\r "))
                text = text.replace('"call_id"', '"call\\u005fid"', 1)
                f.write(b" \t" + text.encode() + b" \r\n")
    views, errs = dump([out])
    if errs:
        raise AssertionError("\n".join(errs[:10]))
    check_file(out, views)
    # and the same as a plain dump of the originals, but for where each came from
    plain = os.path.join(tmp, "plain.json")
    with open(plain, "wb") as f:
        for rec in originals:
            f.write(json.dumps(rec, separators=(",", ":"), ensure_ascii=False).encode() + b"\n")
    pviews, _ = dump([plain])
    for a, b in zip(views, pviews):
        compare(b, a, ignore=WHERE)


@with_tmp
def test_malformed_lines(tmp):
    """Each malformed line named as FILE:LINE once, with its reason; the rest read."""
    lines = [l for _, l in file_lines(demo_file(tmp))]
    good = lines[0]
    big = json.loads(lines[1])
    big["payload"]["arguments"]["s"] = "x" * (5 << 20)
    big = json.dumps(big, separators=(",", ":")).encode()
    no_call_id = json.loads(good)
    del no_call_id["payload"]["call_id"]
    content = [
        (good, None),
        (good[:len(good) // 2], r"truncated"),
        (lines[2], None),
        (good.replace(b'"success"', b'"succ\\qess"'), r"bad escape '\\q'"),
        (lines[3], None),
        (json.dumps(no_call_id).encode(), r"missing payload\.call_id"),
        (lines[4], None),
        (good.replace(b'"status"', b'"sta\0tus"'), r"NUL byte"),
        (lines[5], None),
        (big, None),
        (big[:len(big) - 1000], r"truncated"),
        (b"", None),
        (b"not json", r"'n' where '\{'"),
        (b'{"payload": 1}', r"payload as an object"),
        (good + b" x", r"the end of the line"),
        (good.replace(b'"start_ns":', b'"start_ns":1.5,"x":'), r"start_ns is not an integer"),
        (lines[6], None),
    ]
    path = os.path.join(tmp, "bad.json")
    with open(path, "wb") as f:
        f.write(b"\n".join(c for c, _ in content))	# the last line has no newline
    views, errs = dump([path])
    want_errs = [(i + 1, why) for i, (_, why) in enumerate(content) if why]
    if len(errs) != len(want_errs):
        raise AssertionError("%d errors for %d bad lines:\n%s"
                             % (len(errs), len(want_errs), "\n".join(errs)))
    for (n, why), e in zip(want_errs, errs):
        m = re.match(r"^(.*):(\d+):(\d+): (.*)$", e)
        if not m or m.group(1) != path or int(m.group(2)) != n or not re.search(why, m.group(4)):
            raise AssertionError("line %d: expected %s:%d:COL: /%s/, got %r" % (n, path, n, why, e))
    ok = [(i + 1, c) for i, (c, why) in enumerate(content) if not why and c]
    if [v["line"] for v in views] != [n for n, _ in ok]:
        raise AssertionError("records read from lines %s, expected %s"
                             % ([v["line"] for v in views], [n for n, _ in ok]))
    for v, (n, line) in zip(views, ok):
        compare(oracle(line, path, n), v)
        check_spans(v, line)
    print("\n".join(errs))


@with_tmp
def test_directory(tmp):
    """A directory: its logs_*.json[.gz] oldest first (by name), nothing else; the
    newest file found for the default input."""
    src = real_files(tmp)[:3]
    d = os.path.join(tmp, "logs")
    os.mkdir(d)
    names = ["logs_20260101T000000Z_10.json", "logs_20260101T000001Z_9.json.gz",
             "logs_20260101T000002Z_8.json"]
    expected = []
    for name, path in zip(names, src):
        with open(path, "rb") as f:
            data = f.read()
        with open(os.path.join(d, name), "wb") as f:
            f.write(gzip.compress(data) if name.endswith(".gz") else data)
        expected += [oracle(l, os.path.join(d, name), n) for n, l in file_lines(path)]
    for junk in ("notes.txt", "spill_20260101T000000Z_1.json", "logs_x.json.bak"):
        with open(os.path.join(d, junk), "wb") as f:
            f.write(b"junk\n")
    views, errs = dump([d])
    if errs or len(views) != len(expected):
        raise AssertionError("%d records for %d, errors %s" % (len(views), len(expected), errs))
    for w, v in zip(expected, views):
        compare(w, v)
    views, _ = dump(["--newest", d])
    if views[0] != {"newest": os.path.join(d, names[2])} or len(views) != 1 + len(file_lines(src[2])):
        raise AssertionError("newest: %s" % views[0])
    empty = os.path.join(tmp, "empty")
    os.mkdir(empty)
    dump(["--newest", empty], expect_status=1)


def _mongo(tmp):
    from mongo_server import MongoServer

    files = [demo_file(tmp, "reader-s1"), demo_file(tmp, "reader-s2")]
    with MongoServer() as srv:
        env = {k: v for k, v in os.environ.items() if not k.startswith("IMPULSE_")}
        for f in files:
            r = subprocess.run([TOOL, "push", "--mongo", srv.uri, "--database", "rd",
                                "--collection", "recs", f], capture_output=True, env=env,
                               cwd=tmp, timeout=60)
            if r.returncode != 0:
                raise AssertionError("push: %s%s" % (r.stdout.decode(), r.stderr.decode()))
        plain = [dump([f])[0] for f in files]
        every, errs = dump(["--mongo", srv.uri, "rd", "recs"])
        if errs:
            raise AssertionError("\n".join(errs))
        if len(every) != len(plain[0]) + len(plain[1]):
            raise AssertionError("%d documents read, %d records pushed"
                                 % (len(every), len(plain[0]) + len(plain[1])))
        for want, got in zip(plain[0] + plain[1], every):
            compare(want, got, ignore=WHERE)
            if "127.0.0.1:%d" % srv.port not in got["source"] or "rd.recs" not in got["source"]:
                raise AssertionError("source %r" % got["source"])
        session = plain[1][0]["session_id"]
        one, _ = dump(["--mongo", srv.uri, "rd", "recs", "--session", session])
        if [v["call_id"] for v in one] != [v["call_id"] for v in plain[1]]:
            raise AssertionError("--session %s: %d records" % (session, len(one)))
        for want, got in zip(plain[1], one):
            compare(want, got, ignore=WHERE)


@with_tmp
def test_mongo(tmp):
    """Records pushed with impulse push read back from the test server as from their file."""
    _mongo(tmp)


def test_mongo_unreachable():
    """No server: one error naming the input (password masked), status 1, promptly."""
    uri = "mongodb://u:Secr3t@127.0.0.1:1/?serverSelectionTimeoutMS=300"
    views, errs = dump(["--mongo", uri, "d", "c"], expect_status=1)
    if views or len(errs) != 1 or "Secr3t" in errs[0] or ":0: " not in errs[0]:
        raise AssertionError("unreachable: %s" % errs)
    print(errs[0])


def test_scanner_edges():
    """reader_unit: unescaping (lengths, truncation, surrogates, \\u0000), escaped and
    repeated keys, int64 edges, number and literal grammar, parents, the RFC 3339
    fallback, each required field missing, nesting limits."""
    env = dict(os.environ, UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1")
    r = subprocess.run([UNIT], capture_output=True, timeout=60, env=env)
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    if r.returncode != 0:
        raise AssertionError("reader_unit exited %d\n%s" % (r.returncode, out))
    print(out.rstrip())
