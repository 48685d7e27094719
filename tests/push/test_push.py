"""impulse push: record files into MongoDB, against a MongoDB-protocol test server
(tests/lib/mongo_server.py: mockupdb + mongomock), read back with pymongo.

What must hold: every line of a real traced run's file lands as one document equal
to the line field by field (payload.timestamps.start/end as BSON dates made from
start_ns/end_ns); the indexes exist; a second push adds nothing and exits 0; a
malformed line is named as FILE:LINE and the rest goes in; an unreachable server
gives a clear message naming the setting and status 3 within seconds; the URI's
password never appears in any output.
"""

import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time

import impulse_test as it
from mongo_records import as_date, compare, expected_document
from mongo_server import MongoServer, client as mongo_client

HERE = os.path.dirname(os.path.abspath(__file__))
TOOL = os.path.join(it.BUILD, "impulse")
DEMO = os.path.join(it.BUILD, "examples", "demo_app")
DEMO_CONF = os.path.join(it.REPO, "examples", "hooks.conf")
PASSWORD = "Pa55-w0rd-never-shown"
SUMMARY = re.compile(r"impulse push: (\d+) records? read, (\d+) inserted, (\d+) already present, "
                     r"(\d+) malformed")


# ---------------------------------------------------------------- fixtures

class Server(MongoServer):
    """The shared test server, started on a free port of 127.0.0.1."""

    def __init__(self):
        super().__init__()
        self.start()

    def client(self):
        return mongo_client(self.uri)


def with_server(body):
    def test():
        server = Server()
        tmp = tempfile.mkdtemp(prefix="impulse-push-")
        try:
            body(server, tmp)
        finally:
            server.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    return test


def push(args, cwd, env=None, timeout=60):
    """impulse push ARGS; returns (status, stdout, stderr) as text. The password must
    never be in either stream."""
    full = it._base_env(None)
    for k in list(full):
        if k.startswith("IMPULSE_"):
            del full[k]
    full.update(env or {})
    p = subprocess.run([TOOL, "push"] + args, cwd=cwd, env=full, capture_output=True,
                       timeout=timeout)
    out, err = p.stdout.decode(), p.stderr.decode()
    if PASSWORD in out or PASSWORD in err or "Pa55" in out + err or "word@" in out + err:
        raise AssertionError("the password was shown:\n%s%s" % (out, err))
    return p.returncode, out, err


def counts(out):
    m = SUMMARY.search(out)
    if not m:
        raise AssertionError("no summary line in %r" % out)
    return tuple(int(x) for x in m.groups())


def demo_file(tmp):
    """The record file of a real traced run of the demo program."""
    with open(DEMO_CONF) as f:
        run = it.run_traced([DEMO], f.read())
    try:
        if run.returncode != 0:
            raise AssertionError("demo_app failed: %s" % run.stderr.decode())
        files = [f for f in run.log_files() if f.endswith(".json")]
        if len(files) != 1:
            raise AssertionError("expected one record file, got %s" % files)
        path = os.path.join(tmp, os.path.basename(files[0]))
        shutil.copy(files[0], path)
        return path
    finally:
        run.cleanup()


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def stored(server, db="impulse", coll="records"):
    docs = {}
    for doc in server.client()[db][coll].find():
        doc.pop("_id")
        docs[doc["payload"]["call_id"]] = doc
    return docs


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---------------------------------------------------------------- tests

@with_server
def _demo_roundtrip(server, tmp):
    path = demo_file(tmp)
    records = lines(path)
    status, out, err = push(["--mongo", server.uri, path], tmp)
    if status != 0 or counts(out) != (len(records), len(records), 0, 0):
        raise AssertionError("push: status %d\n%s%s" % (status, out, err))
    docs = stored(server)
    if len(docs) != len(records):
        raise AssertionError("%d records, %d documents" % (len(records), len(docs)))
    for rec in records:
        cid = rec["payload"]["call_id"]
        compare(expected_document(rec), docs[cid], cid)
    indexes = {ix["name"]: ix for ix in server.client().impulse.records.list_indexes()}
    for key in ("payload.call_id", "payload.trace_module.session_id",
                "payload.trace_module.thread_id", "payload.timestamps.start"):
        ix = indexes.get(key + "_1")
        if not ix or dict(ix["key"]) != {key: 1}:
            raise AssertionError("no index on %s: %s" % (key, indexes))
    if not indexes["payload.call_id_1"].get("unique"):
        raise AssertionError("the payload.call_id index is not unique")


@with_server
def _second_push_adds_nothing(server, tmp):
    path = demo_file(tmp)
    n = len(lines(path))
    status, out, err = push(["--mongo", server.uri, path], tmp)
    if status != 0 or counts(out) != (n, n, 0, 0):
        raise AssertionError("first push: status %d\n%s%s" % (status, out, err))
    status, out, err = push(["--mongo", server.uri, path], tmp)
    if status != 0 or counts(out) != (n, 0, n, 0):
        raise AssertionError("second push: status %d\n%s%s" % (status, out, err))
    if server.client().impulse.records.count_documents({}) != n:
        raise AssertionError("the second push added documents")


@with_server
def _malformed_lines(server, tmp):
    good = lines(demo_file(tmp))
    path = os.path.join(tmp, "spill_test.json")
    text = [json.dumps(r) for r in good]
    # line 3: torn in the middle (a crash while writing); line 5: not JSON;
    # line 7: JSON but not a record; a blank line is not a record at all
    text[2] = text[2][:40]
    text.insert(4, "this is not json")
    text.insert(6, '{"hello": "world"}')
    text.insert(8, "")
    with open(path, "w") as f:
        f.write("\n".join(text) + "\n")
    status, out, err = push(["--mongo", server.uri, path], tmp)
    nonblank = len(text) - 1
    if status != 1 or counts(out) != (nonblank, nonblank - 3, 0, 3):
        raise AssertionError("status %d\n%s%s" % (status, out, err))
    for line in (3, 5, 7):
        if "%s:%d: malformed record" % (path, line) not in err:
            raise AssertionError("line %d not named on stderr:\n%s" % (line, err))
    if "(%s:3, %s:5, %s:7)" % (path, path, path) not in out:
        raise AssertionError("the summary does not list the lines: %s" % out)
    docs = stored(server)
    want = {r["payload"]["call_id"] for i, r in enumerate(good) if i != 2}
    if set(docs) != want:
        raise AssertionError("stored %s, expected %s" % (sorted(docs), sorted(want)))


@with_server
def _values_and_dates(server, tmp):
    """Integers past int64 (unsigned long), records without start_ns, null ends,
    offsets in the time text."""
    path = os.path.join(tmp, "logs_hand.json")
    recs = [
        {"payload": {"call_id": "big", "output": 18446744073709551615, "arguments": {
            "min": -9223372036854775808, "max": 9223372036854775807, "small": -5,
            "d": 0.000000060, "s": "9223372036854775808"},
            "timestamps": {"start": "2026-11-24T00:24:12.767806Z", "end": None,
                           "start_ns": 1795479852767806311}}},
        {"payload": {"call_id": "text-only",
                     "timestamps": {"start": "2026-01-02T03:04:05.678999Z",
                                    "end": "2026-01-02T05:04:05.000001+02:00"}}},
    ]
    with open(path, "w") as f:
        f.write("".join(json.dumps(r) + "\n" for r in recs))
    status, out, err = push(["--mongo", server.uri, path], tmp)
    if status != 0 or counts(out) != (2, 2, 0, 0):
        raise AssertionError("status %d\n%s%s" % (status, out, err))
    from bson.decimal128 import Decimal128
    docs = stored(server)
    big = docs["big"]["payload"]
    if big["output"] != Decimal128("18446744073709551615"):
        raise AssertionError("output: %r" % big["output"])
    compare(recs[0]["payload"]["arguments"], big["arguments"], "big.arguments")
    if big["timestamps"]["start"] != as_date(1795479852767806311) or big["timestamps"]["end"] is not None:
        raise AssertionError("timestamps: %r" % big["timestamps"])
    ts = docs["text-only"]["payload"]["timestamps"]
    if ts["start"] != datetime.datetime(2026, 1, 2, 3, 4, 5, 678000) or \
            ts["end"] != datetime.datetime(2026, 1, 2, 3, 4, 5):
        raise AssertionError("timestamps from text: %r" % ts)


@with_server
def _settings_sources(server, tmp):
    """hooks.conf, then IMPULSE_MONGO_*, then the options; mongo_batch from hooks.conf."""
    path = demo_file(tmp)
    n = len(lines(path))
    conf = os.path.join(tmp, "push.conf")
    with open(conf, "w") as f:
        f.write("[tracer]\nmongo_uri = %s\nmongo_database = fromconf\n"
                "mongo_collection = c1\nmongo_batch = 2\n" % server.uri)
    status, out, err = push(["-c", conf, path], tmp)
    if status != 0 or counts(out) != (n, n, 0, 0) or "fromconf.c1" not in out:
        raise AssertionError("-c: status %d\n%s%s" % (status, out, err))
    env = {"IMPULSE_MONGO_DATABASE": "fromenv", "IMPULSE_MONGO_COLLECTION": "c2"}
    status, out, err = push(["-c", conf, path], tmp, env)
    if status != 0 or counts(out) != (n, n, 0, 0) or "fromenv.c2" not in out:
        raise AssertionError("environment: status %d\n%s%s" % (status, out, err))
    status, out, err = push(["-c", conf, "--database", "fromopt", "--collection=c3", tmp], tmp, env)
    if status != 0 or counts(out) != (n, n, 0, 0) or "fromopt.c3" not in out:
        raise AssertionError("options (and a directory): status %d\n%s%s" % (status, out, err))
    client = server.client()
    for db, coll in (("fromconf", "c1"), ("fromenv", "c2"), ("fromopt", "c3")):
        if client[db][coll].count_documents({}) != n:
            raise AssertionError("%s.%s holds %d documents" % (
                db, coll, client[db][coll].count_documents({})))
    # ./hooks.conf is read when nothing names a file
    shutil.copy(conf, os.path.join(tmp, "hooks.conf"))
    status, out, err = push([path], tmp)
    if status != 0 or counts(out) != (n, 0, n, 0):
        raise AssertionError("./hooks.conf: status %d\n%s%s" % (status, out, err))


def _unreachable_case(args, env, source, tmp):
    start = time.monotonic()
    status, out, err = push(args, tmp, env, timeout=30)
    took = time.monotonic() - start
    if status != 3 or "cannot reach MongoDB at mongodb://app:***@127.0.0.1:" not in err \
            or "(mongo_uri, from %s)" % source not in err:
        raise AssertionError("status %d\n%s%s" % (status, out, err))
    if took > 15:
        raise AssertionError("took %.1f s to give up" % took)


def test_unreachable():
    tmp = tempfile.mkdtemp(prefix="impulse-push-")
    try:
        path = os.path.join(tmp, "logs.json")
        with open(path, "w") as f:
            f.write('{"payload": {"call_id": "x"}}\n')
        uri = "mongodb://app:%s@127.0.0.1:%d/impulse" % (PASSWORD, closed_port())
        _unreachable_case(["--mongo", uri, path], None, "--mongo", tmp)
        _unreachable_case([path], {"IMPULSE_MONGO_URI": uri}, "IMPULSE_MONGO_URI", tmp)
        conf = os.path.join(tmp, "hooks.conf")
        with open(conf, "w") as f:
            f.write("[tracer]\nmongo_uri = %s\n" % uri)
        _unreachable_case([path], None, "hooks.conf", tmp)
        # no timeout in the URI: impulse push still gives up within seconds
        _unreachable_case(["--mongo", "mongodb://app:%s@127.0.0.1:%d" % (PASSWORD, closed_port()),
                           path], None, "--mongo", tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@with_server
def _authentication_failure(server, tmp):
    """Credentials the server cannot check: the message says so, without the password."""
    path = os.path.join(tmp, "logs.json")
    with open(path, "w") as f:
        f.write('{"payload": {"call_id": "x"}}\n')
    uri = "mongodb://app:%s@127.0.0.1:%d/?serverSelectionTimeoutMS=2000" % (PASSWORD, server.port)
    status, out, err = push(["--mongo", uri, path], tmp)
    if status != 3 or "mongodb://app:***@127.0.0.1" not in err or "mongo_uri" not in err:
        raise AssertionError("status %d\n%s%s" % (status, out, err))


def test_usage_errors():
    tmp = tempfile.mkdtemp(prefix="impulse-push-")
    try:
        for args, want in (([], "no file to push"),
                           (["--bogus", "x"], "unknown option '--bogus'"),
                           (["--mongo"], "needs a value"),
                           (["--mongo", "http://app:%s@db" % PASSWORD, "f"],
                            "--mongo: invalid 'mongo_uri': a MongoDB URI starts with"),
                           (["--mongo", "mongodb://app:Pa55@word@127.0.0.1:1", "f"],
                            "--mongo: invalid 'mongo_uri': an unescaped '@' or '/' in the user"),
                           (["--database", "a.b", "f"], "--database: '.' is not allowed"),
                           (["-c", "nonexistent.conf", "f"], "nonexistent.conf: cannot open: No such file")):
            status, out, err = push(args, tmp)
            if status != 2 or want not in err:
                raise AssertionError("%s: status %d\n%s%s" % (args, status, out, err))
        with open(os.path.join(tmp, "bad.conf"), "w") as f:
            f.write("[tracer]\nmongo_batch = 0\n")
        status, out, err = push(["-c", "bad.conf", "f"], tmp)
        if status != 2 or "bad.conf:2:15: 'mongo_batch' must be between 1 and 100000" not in err:
            raise AssertionError("bad.conf: status %d\n%s%s" % (status, out, err))
        status, out, err = push(["--help"], tmp)
        if status != 0 or not out.startswith("usage: impulse push"):
            raise AssertionError("--help: status %d\n%s" % (status, out))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@with_server
def _missing_file(server, tmp):
    status, out, err = push(["--mongo", server.uri, os.path.join(tmp, "nope.json")], tmp)
    if status != 1 or "nope.json: No such file or directory" not in err or "1 file unreadable" not in out:
        raise AssertionError("status %d\n%s%s" % (status, out, err))


@with_server
def _binary_file(server, tmp):
    """A binary record file (format = binary's stream, here IMPULSE_DEBUG_EVENTS's
    beside the JSON file of the same run) goes in as the documents of its JSON twin."""
    with open(DEMO_CONF) as f:
        run = it.run_traced([DEMO], f.read(), env={"IMPULSE_DEBUG_EVENTS": os.path.join(tmp, "ev.%p")})
    try:
        (jpath,) = [f for f in run.log_files() if f.endswith(".json")]
        json_copy = os.path.join(tmp, os.path.basename(jpath))
        shutil.copy(jpath, json_copy)
    finally:
        run.cleanup()
    (events,) = [os.path.join(tmp, n) for n in os.listdir(tmp) if n.startswith("ev.")]
    bdir = os.path.join(tmp, "bin")
    os.mkdir(bdir)
    shutil.copy(events, os.path.join(bdir, os.path.basename(json_copy)[:-5] + ".impulse"))
    n = len(lines(json_copy))
    for coll, path in (("fromjson", json_copy), ("frombinary", bdir)):
        status, out, err = push(["--mongo", server.uri, "--collection", coll, path], tmp)
        if status != 0 or counts(out) != (n, n, 0, 0):
            raise AssertionError("push %s: status %d\n%s%s" % (path, status, out, err))
    a, b = stored(server, coll="fromjson"), stored(server, coll="frombinary")
    if a != b:
        raise AssertionError("the binary file's documents differ from the JSON file's")


def tests():
    return [("demo_roundtrip", _demo_roundtrip),
            ("binary_file", _binary_file),
            ("second_push_adds_nothing", _second_push_adds_nothing),
            ("malformed_lines", _malformed_lines),
            ("values_and_dates", _values_and_dates),
            ("settings_sources", _settings_sources),
            ("authentication_failure", _authentication_failure),
            ("missing_file", _missing_file)]
