"""The MongoDB test server (tests/lib/mongo_server.py) with libmongoc, used as the Mongo
logger will use it: unordered bulk inserts from tests/mongo/mongo_bulk.c (1,000 and
50,000 documents, a pool of 4 threads, a unique index that rejects duplicates, the
server stopped and restarted mid-run), read back with pymongo, the independent reader,
and checked field by field with their BSON types. Plus the commands the later tests
will use, through pymongo."""

import datetime
import os
import queue
import re
import subprocess
import threading
import time

import impulse_test as it
from mongo_server import MongoServer, client, read_all

MONGO_BULK = os.path.join(it.BUILD, "tests", "mongo", "mongo_bulk")
RECORD = os.path.join(it.REPO, "bench", "mongo", "record.json")
DB = "impulse_test"

# libmongoc's error domains and codes (mongoc-error.h), as mongo_bulk prints them.
ERR_STREAM, ERR_STREAM_SOCKET = 2, 4
ERR_SERVER_SELECTION, ERR_SERVER_SELECTION_FAILURE = 15, 13053
ERR_SERVER = 17                 # error API 2: errors the server replied with
DUPLICATE_KEY = 11000

# mongo_bulk.c's test document (BULK_BASE_MS: 2026-01-01T00:00:00Z).
BASE = datetime.datetime(2026, 1, 1)

_RESULT = re.compile(r"^inserted=(\d+) write_errors=(\d+) dup_errors=(\d+) "
                     r"failed_batches=(\d+) docs=(\d+) seconds=\S+ docs_per_s=\S+$")
_BATCH_ERROR = re.compile(r"^batch (\d+): error domain=(\d+) code=(\d+): (.*)$")
_FIELDS = ("inserted", "write_errors", "dup_errors", "failed_batches", "docs")


def _int64(v):
    from bson.int64 import Int64
    return Int64(v)


def expected_payload(seq, thread=0, tag="bulk"):
    """What mongo_bulk.c's build_test_doc() writes for seq, as pymongo reads it: int32
    as int, int64 as bson.int64.Int64, dates as naive UTC datetimes."""
    return {
        "call_id": "%s-%d" % (tag, seq),
        "seq": _int64(seq),
        "thread": thread,
        "score": seq + 0.25,
        "name": "doc %d \u2713" % seq,
        "when": BASE + datetime.timedelta(milliseconds=seq),
        "nested": {"depth": 2, "inner": {"text": "deep", "big": _int64((1 << 40) + seq)}},
        "list": [seq % 1000, "two", 3.5, {"k": _int64(seq * 1000)}, True],
        "flag": seq % 2 == 0,
        "none": None,
    }


def assert_same(expected, actual, where):
    """Equal values of exactly the same types (int32 is not int64, 1 is not True),
    dicts with the same keys in the same order."""
    if type(expected) is not type(actual):
        raise AssertionError("%s: expected %s %r, read %s %r" % (
            where, type(expected).__name__, expected, type(actual).__name__, actual))
    if isinstance(expected, dict):
        if list(expected) != list(actual):
            raise AssertionError("%s: keys %s, expected %s" % (where, list(actual), list(expected)))
        for k in expected:
            assert_same(expected[k], actual[k], "%s.%s" % (where, k))
    elif isinstance(expected, list):
        if len(expected) != len(actual):
            raise AssertionError("%s: %d elements, expected %d" % (where, len(actual), len(expected)))
        for i, (e, a) in enumerate(zip(expected, actual)):
            assert_same(e, a, "%s[%d]" % (where, i))
    elif expected != actual:
        raise AssertionError("%s: expected %r, read %r" % (where, expected, actual))


def check_documents(docs, expected_seqs, thread_of=lambda seq: 0, tag="bulk"):
    """docs (as read) are exactly the test documents of expected_seqs, in that order,
    with distinct ObjectIds the driver added."""
    from bson.objectid import ObjectId
    if len(docs) != len(expected_seqs):
        raise AssertionError("read %d documents, expected %d" % (len(docs), len(expected_seqs)))
    ids = set()
    for d, seq in zip(docs, expected_seqs):
        if list(d) != ["_id", "payload"]:
            raise AssertionError("document %d: top-level keys %s" % (seq, list(d)))
        if type(d["_id"]) is not ObjectId:
            raise AssertionError("document %d: _id %r is not an ObjectId" % (seq, d["_id"]))
        ids.add(d["_id"])
        assert_same(expected_payload(seq, thread_of(seq), tag), d["payload"],
                    "document %d: payload" % seq)
    if len(ids) != len(docs):
        raise AssertionError("%d distinct _ids for %d documents" % (len(ids), len(docs)))


# ------------------------------------------------------------------ running mongo_bulk

def _env():
    env = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
    env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "detect_leaks=0")
    return env


def parse_result(line):
    m = _RESULT.match(line)
    if not m:
        raise AssertionError("not a mongo_bulk result line: %r" % line)
    return dict(zip(_FIELDS, (int(x) for x in m.groups())))


def batch_errors(lines):
    """[(batch, domain, code, message)] of mongo_bulk's batch error lines."""
    out = []
    for line in lines:
        m = _BATCH_ERROR.match(line)
        if m:
            out.append((int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)))
    return out


def run_bulk(uri, coll, n, batch, *extra, timeout=100):
    """Runs mongo_bulk to completion: (exit status, result, batch errors, stdout text)."""
    if not os.path.exists(MONGO_BULK):
        raise AssertionError("%s is not built (make tests-build)" % MONGO_BULK)
    argv = [MONGO_BULK, uri, DB, coll, str(n), str(batch)] + [str(x) for x in extra]
    p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=_env())
    lines = p.stdout.splitlines()
    results = [l for l in lines if l.startswith("inserted=")]
    if len(results) != 1:
        raise AssertionError("mongo_bulk %s: %d result lines (exit %d)\nstdout:\n%s\nstderr:\n%s"
                             % (" ".join(argv[3:]), len(results), p.returncode, p.stdout[-3000:],
                                p.stderr[-3000:]))
    return p.returncode, parse_result(results[0]), batch_errors(lines), p.stdout


def assert_result(got, **want):
    for k, v in want.items():
        if got[k] != v:
            raise AssertionError("mongo_bulk %s=%d, expected %d (all: %s)" % (k, got[k], v, got))


class BulkSession:
    """mongo_bulk --stdin: one "insert COUNT" at a time, each bounded by a timeout, so
    that a client that hangs fails the test instead of stalling it."""

    def __init__(self, uri, coll, batch, *extra):
        argv = [MONGO_BULK, uri, DB, coll, "0", str(batch), "--stdin"] + list(extra)
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, env=_env())
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.next_seq = 0
        self._wait_for(lambda l: l == "ready", 30, "ready")

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def _wait_for(self, done, timeout, what):
        got = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError("mongo_bulk: no %s within %.0f s (a hang); got:\n%s"
                                     % (what, timeout, "\n".join(got)))
            if line is None:
                raise AssertionError("mongo_bulk ended (exit %s) before %s; got:\n%s\nstderr:\n%s"
                                     % (self.proc.wait(), what, "\n".join(got),
                                        self.proc.stderr.read()[-2000:]))
            got.append(line)
            if done(line):
                return got

    def insert(self, count, timeout=30):
        """Inserts the next count documents: (seqs, result, batch errors)."""
        self.proc.stdin.write("insert %d\n" % count)
        self.proc.stdin.flush()
        lines = self._wait_for(lambda l: l.startswith("inserted="), timeout, "result line")
        seqs = list(range(self.next_seq, self.next_seq + count))
        self.next_seq += count
        return seqs, parse_result(lines[-1]), batch_errors(lines)

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.flush()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


# ------------------------------------------------------------------ tests

def test_bulk_1000():
    with MongoServer() as srv:
        rc, res, errs, out = run_bulk(srv.uri, "b1000", 1000, 100)
        assert_result(res, inserted=1000, write_errors=0, dup_errors=0, failed_batches=0,
                      docs=1000)
        if rc != 0 or errs:
            raise AssertionError("exit %d, batch errors %s" % (rc, errs))
        check_documents(read_all(srv.uri, DB, "b1000"), list(range(1000)))
        # The same through a filter on a nested field, sorted descending.
        c = client(srv.uri)
        try:
            coll = c[DB]["b1000"]
            got = [d["payload"]["seq"] for d in
                   coll.find({"payload.nested.inner.big": {"$gte": (1 << 40) + 990}},
                             sort=[("payload.seq", -1)])]
            if got != list(range(999, 989, -1)):
                raise AssertionError("seqs by nested filter: %s" % got)
            n = coll.count_documents({"payload.flag": True, "payload.list.3.k": {"$lt": 10000}})
            if n != 5:   # seq 0, 2, 4, 6, 8
                raise AssertionError("count_documents on array and flag: %d, expected 5" % n)
        finally:
            c.close()


def test_bulk_50000():
    with MongoServer() as srv:
        rc, res, errs, _ = run_bulk(srv.uri, "b50000", 50000, 1000)
        assert_result(res, inserted=50000, write_errors=0, dup_errors=0, failed_batches=0,
                      docs=50000)
        if rc != 0 or errs:
            raise AssertionError("exit %d, batch errors %s" % (rc, errs))
        check_documents(read_all(srv.uri, DB, "b50000"), list(range(50000)))


def test_unique_index_rejects_duplicates():
    with MongoServer() as srv:
        # The logger's indexes, then call_ids bulk-0 … bulk-999.
        rc, res, errs, _ = run_bulk(srv.uri, "dup", 1000, 100, "--index")
        assert_result(res, inserted=1000, write_errors=0, failed_batches=0)
        if rc != 0 or errs:
            raise AssertionError("first run: exit %d, batch errors %s" % (rc, errs))

        c = client(srv.uri)
        try:
            info = c[DB]["dup"].index_information()
        finally:
            c.close()
        want = {
            "_id_": {"v": 2, "key": [("_id", 1)]},
            "call_id_unique": {"v": 2, "key": [("payload.call_id", 1)], "unique": True},
            "session_id": {"v": 2, "key": [("payload.trace_module.session_id", 1)]},
            "thread_id": {"v": 2, "key": [("payload.trace_module.thread_id", 1)]},
            "start": {"v": 2, "key": [("payload.timestamps.start", 1)]},
        }
        if info != want:
            raise AssertionError("indexes %s, expected %s" % (info, want))

        # bulk-500 … bulk-1499 in unordered batches of 100: the first five batches are
        # all duplicates, each reported as a write error with code 11000; the other
        # five land.
        rc, res, errs, _ = run_bulk(srv.uri, "dup", 1000, 100, "--start", 500)
        assert_result(res, inserted=500, write_errors=500, dup_errors=500, failed_batches=5,
                      docs=1000)
        if rc != 1:
            raise AssertionError("second run: exit %d, expected 1 (not all inserted)" % rc)
        if [(b, d, c) for b, d, c, _ in errs] != [(b, ERR_SERVER, DUPLICATE_KEY)
                                                  for b in range(5)]:
            raise AssertionError("batch errors %s" % [e[:3] for e in errs])
        if "E11000 duplicate key error" not in errs[0][3] or "bulk-500" not in errs[0][3]:
            raise AssertionError("error message: %r" % errs[0][3])

        # Duplicates inside one batch: seq i % 10 over 100 documents in batches of 30.
        rc, res, errs, _ = run_bulk(srv.uri, "dup", 100, 30, "--mod", 10, "--tag", "m")
        assert_result(res, inserted=10, write_errors=90, dup_errors=90, failed_batches=4,
                      docs=100)

        docs = read_all(srv.uri, DB, "dup")
        check_documents(docs[:1500], list(range(1500)))
        check_documents(docs[1500:], list(range(10)), tag="m")

        # A unique index over data that already has duplicates is refused, with 11000.
        import pymongo.errors
        c = client(srv.uri)
        try:
            c[DB]["dup"].create_index("payload.flag", unique=True, name="flag_unique")
        except pymongo.errors.OperationFailure as e:
            if e.code != DUPLICATE_KEY:
                raise AssertionError("createIndexes over duplicates: code %s" % e.code)
        else:
            raise AssertionError("a unique index over duplicate values was created")
        finally:
            c.close()


def _outage(extra, uri_opts):
    """Inserts, stops the server, inserts (errors, bounded in time), restarts it on the
    same port and inserts until that works. Returns the number of attempts needed."""
    with MongoServer() as srv:
        port = srv.port
        s = BulkSession(srv.uri_with(**uri_opts), "outage", 100, *extra)
        try:
            _, res, errs = s.insert(1000)
            assert_result(res, inserted=1000, failed_batches=0)

            srv.stop()
            for attempt in range(2):
                # Each batch fails, within serverSelectionTimeoutMS (2 s) at most: the
                # session's 30 s timeout is what a hang would hit.
                _, res, errs = s.insert(300)
                assert_result(res, inserted=0, write_errors=0, failed_batches=3, docs=300)
                kinds = [(d, c) for _, d, c, _ in errs]
                # The batch in flight when the connection died fails on the socket;
                # afterwards the server is unknown and selecting it fails.
                if attempt == 0 and kinds[0] not in ((ERR_STREAM, ERR_STREAM_SOCKET),
                                                     (ERR_SERVER_SELECTION,
                                                      ERR_SERVER_SELECTION_FAILURE)):
                    raise AssertionError("first error after the stop: %s" % (errs[0],))
                rest = kinds[1:] if attempt == 0 else kinds
                if rest != [(ERR_SERVER_SELECTION, ERR_SERVER_SELECTION_FAILURE)] * len(rest):
                    raise AssertionError("errors while the server is down: %s" % errs)

            srv.restart()
            if srv.port != port:
                raise AssertionError("restarted on port %d, not %d" % (srv.port, port))
            if read_all(srv.uri, DB, "outage") != []:
                raise AssertionError("the restarted server is not empty")
            # Until libmongoc tries the server again a batch may still fail, with a
            # server selection error; a batch that fails lands nothing.
            landed = []
            deadline = time.monotonic() + 20
            attempts = 0
            while True:
                attempts += 1
                seqs, res, errs = s.insert(200)
                failed = {b for b, _, _, _ in errs}
                print("after the restart, attempt %d: %s" % (attempts, errs or "all inserted"))
                landed += [q for k, q in enumerate(seqs) if k // 100 not in failed]
                assert_result(res, inserted=200 - 100 * len(failed), write_errors=0)
                if any((d, c) != (ERR_SERVER_SELECTION, ERR_SERVER_SELECTION_FAILURE)
                       for _, d, c, _ in errs):
                    raise AssertionError("errors after the restart: %s" % errs)
                if not errs:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError("no insert worked within 20 s of the restart: %s" % errs)
                time.sleep(0.25)
            seqs, res, errs = s.insert(200)
            assert_result(res, inserted=200, failed_batches=0)
            landed += seqs
            # Exit status 1: not every document was inserted.
            if s.close() != 1:
                raise AssertionError("mongo_bulk --stdin exit %s, expected 1" % s.proc.returncode)
        finally:
            if s.proc.poll() is None:
                s.proc.kill()
                s.proc.wait()
        # What the new server holds: exactly the documents sent after it started.
        check_documents(read_all(srv.uri, DB, "outage"), landed)
        return attempts


def test_outage_pool():
    # A pooled client (the background monitor): recovers within serverSelectionTimeoutMS.
    attempts = _outage([], {})
    if attempts != 1:
        raise AssertionError("the pool needed %d attempts after the restart" % attempts)


def test_outage_single_client():
    # A single-threaded client with the default serverSelectionTryOnce=true fails at
    # once while the server is down and then waits out libmongoc's 5 s cooldown before
    # it tries the server again: inserts right after the restart may still fail.
    _outage(["--single"], {})


def test_outage_single_client_try_until_timeout():
    # serverSelectionTryOnce=false: each operation waits up to serverSelectionTimeoutMS.
    _outage(["--single"], {"serverSelectionTryOnce": "false"})


def test_pool_4_threads():
    with MongoServer() as srv:
        rc, res, errs, _ = run_bulk(srv.uri, "pool", 8000, 100, "--threads", 4, "--index")
        assert_result(res, inserted=8000, write_errors=0, failed_batches=0, docs=8000)
        if rc != 0 or errs:
            raise AssertionError("exit %d, batch errors %s" % (rc, errs))
        docs = read_all(srv.uri, DB, "pool", sort=[("payload.seq", 1)])
        check_documents(docs, list(range(8000)), thread_of=lambda seq: seq // 2000)


def test_record_documents():
    """The benchmark's documents: the libimpulse record of bench/mongo/record.json with
    payload.call_id replaced, BSON dates and int64s intact."""
    from bson import json_util
    from bson.int64 import Int64
    with open(RECORD) as f:
        template = json_util.loads(f.read(), json_options=json_util.JSONOptions(
            tz_aware=False, document_class=dict))
    with MongoServer() as srv:
        rc, res, errs, out = run_bulk(srv.uri, "rec", 50, 20, "--record", RECORD, "--tag", "r",
                                      "--index")
        assert_result(res, inserted=50, failed_batches=0)
        size = int(re.search(r"^doc_bytes=(\d+)$", out, re.M).group(1))
        if not 1000 <= size <= 1500:
            raise AssertionError("record document of %d bytes, expected about 1 KB" % size)
        docs = read_all(srv.uri, DB, "rec")
        if len(docs) != 50:
            raise AssertionError("read %d record documents" % len(docs))
        for i, d in enumerate(docs):
            want = dict(template)
            want["payload"] = dict(template["payload"], call_id="r-%d" % i)
            got = dict(d)
            del got["_id"]
            assert_same(want, got, "record %d" % i)
        ts = docs[0]["payload"]["timestamps"]
        if type(ts["start"]) is not datetime.datetime or type(ts["start_ns"]) is not Int64:
            raise AssertionError("timestamps types: %s" % {k: type(v).__name__
                                                           for k, v in ts.items()})


def test_server_commands():
    """What the later tests will ask of the server, through pymongo."""
    import pymongo
    import pymongo.errors
    from bson.int64 import Int64
    with MongoServer() as srv:
        c = client(srv.uri)
        try:
            if c.admin.command("ping") != {"ok": 1}:
                raise AssertionError("ping")
            if c.server_info()["version"] != "4.4.0":
                raise AssertionError("buildInfo: %s" % c.server_info())
            coll = c[DB]["cmds"]
            coll.insert_many([{"i": i, "g": i % 3, "s": {"t": "x%d" % i}, "big": Int64(i)}
                              for i in range(250)])
            # find: filter, sort, skip, limit, projection, several getMores.
            cur = coll.find({"g": 1}, {"_id": 0, "i": 1}, sort=[("i", -1)], skip=2,
                            limit=50, batch_size=7)
            got = [d["i"] for d in cur]
            if got != [i for i in range(249, -1, -1) if i % 3 == 1][2:52]:
                raise AssertionError("find: %s" % got)
            every = [d["i"] for d in coll.find(batch_size=10)]
            if every != list(range(250)):
                raise AssertionError("find all in batches of 10: %d documents" % len(every))
            cur = coll.find(batch_size=5)
            next(cur)
            cur.close()    # killCursors
            if coll.count_documents({"s.t": {"$in": ["x1", "x2", "x3"]}}) != 3:
                raise AssertionError("count_documents with a dotted path")
            if coll.estimated_document_count() != 250:
                raise AssertionError("estimated_document_count")
            if sorted(coll.distinct("g")) != [0, 1, 2]:
                raise AssertionError("distinct")
            groups = list(coll.aggregate([{"$match": {"i": {"$lt": 9}}},
                                          {"$group": {"_id": "$g", "n": {"$sum": 1}}},
                                          {"$sort": {"_id": 1}}]))
            if groups != [{"_id": 0, "n": 3}, {"_id": 1, "n": 3}, {"_id": 2, "n": 3}]:
                raise AssertionError("aggregate: %s" % groups)
            r = coll.update_many({"g": 0}, {"$set": {"z": True}})
            if (r.matched_count, r.modified_count) != (84, 84):
                raise AssertionError("update_many: %s" % r.raw_result)
            r = coll.update_one({"i": 1000}, {"$set": {"z": 1}}, upsert=True)
            if r.upserted_id is None or coll.count_documents({"i": 1000}) != 1:
                raise AssertionError("upsert: %s" % r.raw_result)
            if coll.delete_many({"g": 2}).deleted_count != 83:
                raise AssertionError("delete_many")
            if coll.delete_one({"i": 1000}).deleted_count != 1:
                raise AssertionError("delete_one")
            if coll.count_documents({}) != 167:
                raise AssertionError("count after deletes: %d" % coll.count_documents({}))
            # A unique index after deletes: freed values can be inserted again.
            coll.create_index([("i", pymongo.ASCENDING)], unique=True)
            try:
                coll.insert_one({"i": 0})
            except pymongo.errors.DuplicateKeyError as e:
                if e.code != DUPLICATE_KEY:
                    raise AssertionError("duplicate key code %s" % e.code)
            else:
                raise AssertionError("a duplicate of a unique key was inserted")
            coll.insert_one({"i": 2})      # deleted above (g == 2)
            try:
                c[DB].command("noSuchCommand")
            except pymongo.errors.OperationFailure as e:
                if e.code != 59:
                    raise AssertionError("unknown command: code %s" % e.code)
            else:
                raise AssertionError("an unknown command succeeded")
            # w:0: OP_MSG with moreToCome, which gets no reply.
            from pymongo.write_concern import WriteConcern
            w0 = c[DB].get_collection("w0", write_concern=WriteConcern(w=0))
            for i in range(20):
                w0.insert_one({"i": i})
            got = [d["i"] for d in c[DB]["w0"].find()]
            if got != list(range(20)):
                raise AssertionError("w:0 inserts read back: %s" % got)
            if DB not in c.list_database_names():
                raise AssertionError("listDatabases: %s" % c.list_database_names())
            coll.drop()
            if "cmds" in c[DB].list_collection_names():
                raise AssertionError("drop")
            coll.insert_one({"i": 0})     # the unique index went with the collection
            coll.insert_one({"i": 0})
        finally:
            c.close()
